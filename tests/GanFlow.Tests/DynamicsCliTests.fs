module GanFlow.Tests.DynamicsCliTests

open System.IO
open System.Globalization
open Expecto
open GanFlow.Cli
open GanFlow.Core.Dynamics

/// The notes' command line, as `ganflow dynamics` receives it.
let private example rule =
    [| "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--intervals"; "-1,0,0.5,2"; "--eta-g"; "0.1"; "--eta-d"; "0.1"; "--steps"; "1000"; "--dynamics"; rule |]

let private parseList (text: string) = text.Split ',' |> Array.map (fun v -> System.Double.Parse(v, CultureInfo.InvariantCulture))

[<Tests>]
let tests =
    testList "ganflow dynamics" [
        test "what the optimal rule and a continuous model lack is said in words: a note for ignored flags, no NaN printed" {
            let code, output = CliProcess.run [ "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--intervals"; "-1,0,0.5,2"; "--eta-d"; "0.1"; "--steps"; "20"; "--dynamics"; "optimal" ]
            Expect.equal code 0 "issue 11's command line with --dynamics optimal still runs"
            Expect.stringContains output "note: --dynamics optimal uses no --intervals or --eta-d" "the ignored flags are said"
            let code, output = CliProcess.run [ "run"; "seed002-support"; "--out"; TestFolders.fresh "support-words" ]
            Expect.equal code 0 output
            Expect.stringContains output "two-gaussians: support estimate" "a truth's line"
            Expect.stringContains output "(continuous)" "a continuous model has no known support"
            Expect.stringContains output "(known 1000)" "a memorizer's known support"
            Expect.isFalse (output.Contains "NaN") output
        }
        test "the notes' command line runs, and bad values exit 2 naming the flag, before any computation" {
            Expect.equal (Program.main (example "first-order")) 0 "first order"
            Expect.equal (Program.main (example "optimal")) 0 "optimal"
            Expect.equal (Program.main [| "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--dynamics"; "optimal" |]) 0 "optimal needs no intervals or eta-d"
            let bad (replace: string) (value: string) =
                let args = example "first-order"
                let i = Array.findIndex ((=) replace) args
                args[i + 1] <- value
                Program.main args
            for flag, value in [ "--mu", "0.3"; "--mu", "0.3,0.9,1"; "--true", "1,2,3"; "--intervals", "0,-1,0.5,2"; "--intervals", "-1,0,0.5"
                                 "--eta-g", "0"; "--eta-d", "-0.1"; "--steps", "0"; "--steps", "ten"; "--mu", "0.3,NaN"; "--intervals", "-1,0,0.5,Infinity"
                                 "--dynamics", "second-order"; "--eta-g", "abc"; "--true", "-0.5,1e4"; "--mu", "1e300,0.9"; "--intervals", "-1,0,0.5,2000" ] do
                Expect.equal (bad flag value) 2 (sprintf "%s %s" flag value)
            Expect.equal (Program.main [| "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--intervals"; "-1,0,0.5,2" |]) 2 "first order without --eta-d"
        }
        test "bad input errors name the flag and the value" {
            match DynamicsCommand.specOf "-0.5,0.5" "0.3,x" (Some "0,-1,0.5,2") (Some "0") None None None with
            | Error errors ->
                Expect.exists errors (fun e -> e.Field = "--mu" && e.Value = "0.3,x") "--mu named with its value"
                Expect.exists errors (fun e -> e.Field = "--eta-d") "missing --eta-d"
            | Ok _ -> failtest "expected errors"
            match DynamicsCommand.specOf "-0.5,0.5" "0.3,0.9" (Some "0,-1,0.5,2") (Some "0") (Some "0.1") None None with
            | Error errors ->
                Expect.exists errors (fun e -> e.Field = "--intervals" && e.Value = "0,-1,0.5,2" && e.Reason.Contains "ordered") "unordered intervals"
                Expect.exists errors (fun e -> e.Field = "--eta-g" && e.Value = "0") "eta-g <= 0"
            | Ok _ -> failtest "expected errors"
        }
        test "the output has the documented keys, in full double precision" {
            match DynamicsCommand.specOf "-0.5,0.5" "0.3,0.9" (Some "-1,0,0.5,2") (Some "0.1") (Some "0.1") (Some "1000") (Some "first-order") with
            | Error e -> failtestf "unexpected %A" e
            | Ok spec ->
                let trajectory = Trajectory.run OutcomeTolerances.Default spec
                let pairs = DynamicsCommand.report OutcomeTolerances.Default trajectory
                let value key = pairs |> List.find (fst >> (=) key) |> snd
                for key in [ "mu"; "intervals"; "loss"; "outcome"; "js"; "w1"; "tv" ] do
                    Expect.isTrue (pairs |> List.exists (fst >> (=) key)) key
                Expect.equal (parseList (value "mu")) trajectory.Means[1000] "mu round-trips exactly"
                Expect.equal (parseList (value "intervals")) trajectory.Endpoints[1000] "intervals round-trip exactly"
                Expect.equal (System.Double.Parse(value "loss", CultureInfo.InvariantCulture)) trajectory.Loss[1000] "loss round-trips exactly"
                Expect.contains [ for o in Outcome.All -> o.Text ] (value "outcome") "a known outcome"
        }
        test "run seed002-fig2 writes the trajectories, the panel table and the report, and report rebuilds it" {
            let dir = GanFlow.Tests.ReportTests.temporaryFolder ()
            Expect.equal (Program.main [| "run"; "seed002-fig2"; "--out"; dir |]) 0 "exit code"
            for file in [ "dynamics.json"; "panels.csv"; "trajectory-1.csv"; "trajectory-5.csv"; "report.html" ] do
                Expect.isTrue (File.Exists(Path.Combine(dir, file))) file
            let panels = GanFlow.Report.DynamicsFolder.parsePanels (File.ReadAllText(Path.Combine(dir, "panels.csv")))
            Expect.equal (panels |> List.map (fun p -> p.Outcome) |> List.item 2) "discriminator-collapse" "panel (c)"
            let rows = GanFlow.Report.DynamicsFolder.parseTrajectory (File.ReadAllText(Path.Combine(dir, "trajectory-3.csv")))
            Expect.equal rows.Length 1001 "1,000 steps and the initial state"
            Expect.equal rows[0].Endpoints [| -1.0; 0.2; 2.0; 5.0 |] "initial discriminator"
            File.Delete(Path.Combine(dir, "report.html"))
            Expect.equal (Program.main [| "report"; dir |]) 0 "report rebuilt"
            let html = File.ReadAllText(Path.Combine(dir, "report.html"))
            Expect.stringContains html "(c) discriminator only" "panel titles"
        }
        test "a panel's title reads right for every outcome: the notes' claim in the label, the run's outcome named as such" {
            let code, output = CliProcess.run [ "run"; "seed002-fig1"; "--steps"; "1000"; "--out"; TestFolders.fresh "fig1-1000" ]
            Expect.equal code 0 output
            Expect.isFalse (output.Contains "converges: oscillation") "no 'converges: oscillation'"
            Expect.stringContains output "(the notes: converges): outcome oscillation" "panel (c) at 1,000 steps"
            for experiment in [ GanFlow.Experiments.Seed002Dynamics.fig1; GanFlow.Experiments.Seed002Dynamics.fig2 ] do
                match experiment.Kind with
                | DynamicsExperimentKind.Figure panels ->
                    for p in panels do
                        for o in Outcome.All do
                            Expect.isFalse (p.Label.EndsWith(o.Text.Replace('-', ' '))) (sprintf "%s ends in no outcome" p.Label)
                        Expect.isFalse (p.Label.EndsWith "converges") (sprintf "%s ends in no outcome" p.Label)
                | _ -> failtest "a figure"
        }
        test "the output names the convergence tolerance it used, capped for large steps; an old dynamics.json reads with the cap's default" {
            match DynamicsCommand.specOf "-0.5,0.5" "0.3,0.9" (Some "-1,0,0.5,2") (Some "30") (Some "0.1") (Some "300") None with
            | Error e -> failtestf "unexpected %A" e
            | Ok spec ->
                let trajectory = Trajectory.run OutcomeTolerances.Default spec
                let pairs = DynamicsCommand.report OutcomeTolerances.Default trajectory
                let value key = pairs |> List.find (fst >> (=) key) |> snd
                Expect.equal (value "converged_tolerance") "0.25" "max(0.05, min(phi(0) eta_g, 0.25))"
                Expect.notEqual (value "outcome") "converged" "3.7 from mu* is not converged"
            let json = GanFlow.Core.Specs.SpecJson.serialize GanFlow.Experiments.Seed002Dynamics.fig2
            let old = json.Split('\n') |> Array.filter (fun line -> not (line.Contains "\"maxCycle\"")) |> String.concat "\n"
            Expect.isFalse (old.Contains "maxCycle") "the field removed"
            let read = GanFlow.Core.Specs.SpecJson.deserialize<DynamicsExperiment> old
            Expect.equal read GanFlow.Experiments.Seed002Dynamics.fig2 "read with the default MaxCycle"
        }
        test "a rerun keeps the same run, replaces a changed one, and removes only files the earlier run wrote" {
            let dir = GanFlow.Tests.ReportTests.temporaryFolder ()
            let steps = [| "--steps"; "20" |]
            Expect.equal (Program.main (Array.append [| "run"; "seed002-fig2"; "--out"; dir |] steps)) 0 "first run"
            let report = Path.Combine(dir, "report.html")
            File.SetLastWriteTimeUtc(report, System.DateTime(2020, 1, 1))
            // Files of the user's named like dynamics files the fig2 run does not write: another panel's trajectory,
            // a phase diagram's table, a support run's sample.
            let mine = [ "trajectory-9.csv"; "phase.csv"; "samples-mine.txt"; "notes.txt" ]
            for name in mine do File.WriteAllText(Path.Combine(dir, name), "mine")
            Expect.equal (Program.main (Array.append [| "run"; "seed002-fig2"; "--out"; dir |] steps)) 0 "the same run again"
            Expect.equal (File.GetLastWriteTimeUtc report) (System.DateTime(2020, 1, 1)) "kept as it was: nothing recomputed"
            Expect.equal (Program.main (Array.append [| "run"; "seed002-fig2"; "--out"; dir; "--fresh" |] steps)) 0 "--fresh computes it again"
            Expect.notEqual (File.GetLastWriteTimeUtc report) (System.DateTime(2020, 1, 1)) "--fresh rewrote the report"
            Expect.equal (Program.main [| "run"; "seed002-fig2"; "--out"; dir; "--steps"; "30" |]) 0 "a changed run replaces the earlier one"
            let rows = GanFlow.Report.DynamicsFolder.parseTrajectory (File.ReadAllText(Path.Combine(dir, "trajectory-3.csv")))
            Expect.equal rows.Length 31 "the new run's 30 steps and the initial state"
            for name in mine do
                Expect.equal (File.ReadAllText(Path.Combine(dir, name))) "mine" (sprintf "%s kept through every rerun" name)
        }
        test "a declared experiment with an invalid spec exits 2 before writing anything" {
            let bad = { GanFlow.Experiments.Seed002Dynamics.fig2 with Kind = DynamicsExperimentKind.Figure [ { Label = "x"; Run = { DynamicsSpec.Default with Steps = 0 }; View = PanelView.Traces } ] }
            let errors = DynamicsValidation.experimentErrors bad
            Expect.exists errors (fun e -> e.Field = "kind.panels[0].run.steps" && e.Value = "0") "field named"
            let dir = GanFlow.Tests.ReportTests.temporaryFolder ()
            Expect.throwsT<GanFlow.Core.Specs.SpecValidationException> (fun () -> DynamicsCommand.runExperiment bad dir false |> ignore) "refused"
            Expect.isFalse (File.Exists(Path.Combine(dir, "dynamics.json"))) "nothing written"
        }
        test "overrides set every panel's steps and the diagram's seed" {
            let fig = DynamicsCommand.withOverrides None (Some 10) GanFlow.Experiments.Seed002Dynamics.fig1
            match fig.Kind with
            | DynamicsExperimentKind.Figure panels -> Expect.all panels (fun p -> p.Run.Steps = 10) "steps"
            | _ -> failtest "figure"
            Expect.stringContains fig.Description "10 steps" "noted"
            match (DynamicsCommand.withOverrides (Some 5) None GanFlow.Experiments.Seed002Dynamics.phaseDiagram).Kind with
            | DynamicsExperimentKind.PhaseDiagram p -> Expect.equal p.Seed 5 "seed"
            | _ -> failtest "phase diagram"
        }
        test "metric gains the birthday-paradox support and JS for sample files" {
            let path = TestFolders.emptyFile "values"
            File.WriteAllLines(path, [ for i in 0..3999 -> string (i % 400) ])
            match MetricCommand.evaluate path path 1 with
            | Ok scores ->
                let score key = scores |> List.find (fst >> (=) key) |> snd
                Expect.isGreaterThan (score "support_x") 200.0 "uniform over 400 values: within a factor 2"
                Expect.isLessThan (score "support_x") 800.0 "uniform over 400 values: within a factor 2"
                Expect.floatClose Accuracy.high (score "js_kde") 0.0 "JS of a sample with itself"
            | Error e -> failtestf "unexpected %s" e
            Expect.equal (Program.main [| "metric"; "--x"; path; "--y"; path; "--delta"; "-1" |]) 2 "bad --delta"
        }
    ]
