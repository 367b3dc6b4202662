/// Every file `ganflow report` reads, truncated, garbled or emptied: an error naming the file (and the line), exit 2,
/// never a crash; a folder being written is refused.
module GanFlow.Tests.ReportInputTests

open System
open System.IO
open Expecto
open GanFlow.Core.Models
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Store
open GanFlow.Tests.TestRuns

/// Runs `ganflow` in this process; returns the exit code and what it wrote to the standard error.
let ganflowInProcess (args: string list) =
    let error = new StringWriter()
    let previous = Console.Error
    Console.SetError error
    try
        let code = GanFlow.Cli.Program.main (Array.ofList args)
        code, string error
    finally
        Console.SetError previous

/// A real 2-D flow run (RealNVP on moons, 10 steps): every kind of file a report reads is there.
let private flowRun =
    lazy
        (let folder = scratchFolder "report-inputs"
         let flow =
             { Flow.realNvpMoons with
                 Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 8 } }
         let experiment =
             { Experiment.create "report-inputs" "report input test" NamedDatasets.moons with
                 Model = Model.Flow flow
                 Budget = { Steps = 10; BatchSize = 64; Epochs = None }
                 Evaluation = { Evaluation.Default with Every = 5; Samples = 500; FinalSamples = 1_000 } }
         let summary = run experiment folder false
         if summary.Status <> RunStatus.Completed then failwith summary.Message
         folder)

/// A copy of the flow run's folder with one file replaced by `content` (or removed when None).
let private damaged (file: string) (content: string option) =
    let source = flowRun.Force()
    let copy = scratchFolder "report-damaged"
    Directory.CreateDirectory copy |> ignore
    for path in Directory.GetFiles source do
        File.Copy(path, Path.Combine(copy, Path.GetFileName path |> nonNull))
    match content with
    | Some text -> File.WriteAllText(Path.Combine(copy, file), text)
    | None -> File.Delete(Path.Combine(copy, file))
    copy

/// The file cut just after a comma past its middle (so the last line is short of a field), or in the middle for JSON.
let private truncated (text: string) (json: bool) =
    if json then text.Substring(0, text.Length / 2)
    else text.Substring(0, text.IndexOf(',', text.Length / 2) + 1)

/// The file with one cell of its second data line replaced by a word.
let private garbled (text: string) (json: bool) =
    if json then text.Replace(":", "#")
    else
        let lines = text.Split '\n'
        lines[2] <- "oops," + (lines[2].Split(',') |> Array.skip 1 |> String.concat ",")
        String.concat "\n" lines

let private readFiles =
    [ RunFiles.Spec, true; RunFiles.Summary, true; RunFiles.Metrics, false; RunFiles.Samples, false
      RunFiles.Density, false; RunFiles.Latent, false; RunFiles.Trajectories, false ]

[<Tests>]
let tests =
    testList "report inputs" [
        for file, json in readFiles do
            for damage, make in [ "truncated", truncated; "garbled", garbled; "empty", (fun _ _ -> "") ] do
                test (sprintf "a %s %s gives exit 2 and an error naming the file%s" damage file (if json then "" else " and the line")) {
                    let original = File.ReadAllText(Path.Combine(flowRun.Force(), file))
                    let folder = damaged file (Some(make original json))
                    let code, error = ganflowInProcess [ "report"; folder ]
                    Expect.equal code 2 (sprintf "exit code (stderr: %s)" error)
                    Expect.stringContains error (Path.Combine(folder, file)) "names the file"
                    if not json && damage <> "empty" then Expect.stringContains error " line " "names the line"
                    Expect.isFalse (error.Contains "   at ") "no stack trace"
                }
        test "a missing metrics.csv is an error naming it, not an empty report" {
            let folder = damaged RunFiles.Metrics None
            let code, error = ganflowInProcess [ "report"; folder ]
            Expect.equal code 2 "exit code"
            Expect.stringContains error "missing metrics.csv" "names the missing file"
        }
        test "a completed run whose samples.txt was deleted still reports (exit 0) and says what is missing" {
            let folder = damaged RunFiles.Samples None
            let code, error = ganflowInProcess [ "report"; folder ]
            Expect.equal code 0 (sprintf "exit code (stderr: %s)" error)
            Expect.stringContains error (sprintf "note: %s is missing" (Path.Combine(folder, RunFiles.Samples))) "names the missing file"
            Expect.stringContains (File.ReadAllText(Path.Combine(folder, RunFiles.Report))) "is missing (the run wrote it when it completed)" "and so does the page"
        }
        test "a run stopped before it wrote summary.json reports its evaluations so far, says it is unfinished and how to continue" {
            let folder = damaged RunFiles.Summary None
            let code, error = ganflowInProcess [ "report"; folder ]
            Expect.equal code 0 (sprintf "exit code (stderr: %s)" error)
            Expect.stringContains error (sprintf "note: %s: unfinished: no summary.json" folder) "says so"
            Expect.stringContains error (sprintf "--out %s --resume` continues it" folder) "and how to continue"
            let page = File.ReadAllText(Path.Combine(folder, RunFiles.Report))
            Expect.stringContains page "unfinished at step 10 of 10" "the page's status row"
            File.WriteAllText(Path.Combine(folder, RunFiles.Metrics), (File.ReadAllLines(Path.Combine(folder, RunFiles.Metrics)) |> Array.head) + "\n")
            let code, error = ganflowInProcess [ "report"; folder ]
            Expect.equal code 2 "no evaluation yet: nothing to report"
            Expect.stringContains error "holds an unfinished run with no evaluation yet" error
        }
        test "a metrics.csv cut at a row's end or inside its last number, or changed, is noted against summary.json's final evaluation" {
            let lines = File.ReadAllLines(Path.Combine(flowRun.Force(), RunFiles.Metrics))
            let last = Array.last lines
            for damage, content in
                [ "a row's end", Array.take (lines.Length - 1) lines
                  "inside the last number", Array.append (Array.take (lines.Length - 1) lines) [| last.Substring(0, last.Length - 2) |] ] do
                let folder = damaged RunFiles.Metrics (Some(String.Join("\n", content) + "\n"))
                let code, error = ganflowInProcess [ "report"; folder ]
                Expect.equal code 0 (sprintf "%s: exit code (stderr: %s)" damage error)
                Expect.stringContains error (sprintf "note: %s" (Path.Combine(folder, RunFiles.Metrics))) damage
                Expect.stringContains error (if damage = "a row's end" then "has no row at step 10, summary.json's final evaluation (its last row is at step 5)" else "'s row at step 10 is not summary.json's final evaluation") damage
                Expect.stringContains error "the file was cut short or changed" damage
            // An extension stopped early (its spec's budget past the completed summary's step) rewrote that step's row:
            // not noted as cut short.
            let folder = damaged RunFiles.Metrics (Some(String.Join("\n", Array.take (lines.Length - 1) lines) + "\n"))
            let spec = Path.Combine(folder, RunFiles.Spec)
            File.WriteAllText(spec, File.ReadAllText(spec).Replace("\"steps\": 10,", "\"steps\": 20,"))
            let code, error = ganflowInProcess [ "report"; folder ]
            Expect.equal code 0 error
            Expect.isFalse (error.Contains "cut short") (sprintf "an unfinished extension: %s" error)
        }
        test "a GAN under the original losses reports critic_w1 as a discriminator gap of logits, not a W1 estimate, and no underestimation flags" {
            let nonSaturating = { smallWganGp with Objective = GanObjective.NonSaturating; Lipschitz = [] }
            for gan, gap, lossName in [ nonSaturating, true, "discriminator loss"; smallWganGp, false, "critic loss (with its gradient penalty)" ] do
                let folder = scratchFolder "report-labels"
                let summary = run (gaussianExperiment gan 20 10) folder false
                Expect.equal summary.Status RunStatus.Completed summary.Message
                let page = File.ReadAllText(fst (GanFlow.Report.RunReport.writeWithNotes folder))
                Expect.equal (page.Contains "final discriminator gap E D(x) − E D(G(z)) (logits; not a W1 estimate under this loss)") gap "the critic_w1 row's label"
                Expect.equal (page.Contains "final critic&#39;s W1 estimate (eq. 9)") (not gap) "a Wasserstein critic's label"
                Expect.equal (page.Contains "evaluations where the critic estimate is negative") (not gap) "flags for a Wasserstein critic only"
                Expect.stringContains page (sprintf "\"name\":\"%s\"" lossName) "the loss chart's name"
        }
        test "the undamaged folder reports fine, and a folder being written is refused as in use" {
            let folder = damaged RunFiles.Report None
            let code, error = ganflowInProcess [ "report"; folder ]
            Expect.equal code 0 "the intact copy reports"
            Expect.isFalse (error.Contains "note:") (sprintf "nothing to note: %s" error)
            use writer = OwnedFolder.Open(folder, FolderKind.Run)
            let code, error = ganflowInProcess [ "report"; folder ]
            Expect.equal code 2 "in use"
            Expect.stringContains error "is in use" "says so"
        }
        test "a 2-D flow's report shows the metrics that exist: no W1 or critic rows, the flow's parameters without a critic" {
            let html = File.ReadAllText(GanFlow.Report.RunReport.write (damaged RunFiles.Report None))
            Expect.isFalse (html.Contains "final W1") "no W1 in 2-D"
            Expect.isFalse (html.Contains "critic W1") "no critic"
            Expect.isTrue (html.Contains "final energy distance") "energy distance"
            Expect.isTrue (html.Contains "final NLL") "NLL"
            Expect.isTrue (html.Contains "parameters (generator)") "the flow's parameter count, no \"/ 0\""
            Expect.isFalse (html.Contains " / 0<") "no critic count"
        }
        test "ganflow run names bad folders with exit 2: empty --out, a foreign folder, a mismatched --resume" {
            Expect.equal (fst (ganflowInProcess [ "run"; "wgan-gp-unimodal"; "--out"; "" ])) 2 "--out \"\""
            let foreign = scratchFolder "cli-foreign"
            Directory.CreateDirectory foreign |> ignore
            File.WriteAllText(Path.Combine(foreign, "thesis.tex"), "")
            let code, error = ganflowInProcess [ "run"; "wgan-gp-unimodal"; "--out"; foreign ]
            Expect.equal code 2 "foreign folder"
            Expect.stringContains error "thesis.tex" "names the foreign file"
            let code, error = ganflowInProcess [ "run"; "wgan-gp-unimodal"; "--out"; flowRun.Force(); "--resume" ]
            Expect.equal code 2 "resume of another spec"
            Expect.stringContains error "cannot resume" "says why"
            // Running without --resume is refused too ("holds a run of another spec"): the way out is --fresh.
            Expect.stringContains error "Run with --fresh instead of --resume to replace it" "the advice that works"
        }
        test "ganflow report on a dynamics folder with a missing or malformed file exits 2 naming the file and the line" {
            let dir = GanFlow.Tests.ReportTests.temporaryFolder ()
            Expect.equal (GanFlow.Cli.Program.main [| "run"; "seed002-fig2"; "--out"; dir; "--steps"; "5" |]) 0 "written"
            let path name = Path.Combine(dir, name)
            let expectRefusal (needle: string) =
                let code, error = ganflowInProcess [ "report"; dir ]
                Expect.equal code 2 (sprintf "exit 2 (%s)" error)
                Expect.stringContains error needle "the file (and line) named"
            let trajectory = File.ReadAllText(path "trajectory-2.csv")
            File.WriteAllText(path "trajectory-2.csv", trajectory.Split('\n')[0] + "\n1,abc\n")
            expectRefusal "trajectory-2.csv: a trajectory-N.csv line 2: not a row of this file"
            File.Delete(path "trajectory-2.csv")
            expectRefusal "missing trajectory-2.csv"
            File.WriteAllText(path "trajectory-2.csv", trajectory)
            let panels = File.ReadAllText(path "panels.csv")
            File.WriteAllText(path "panels.csv", panels.Split('\n')[0] + "\n")
            expectRefusal "panels.csv: holds 0 panels, its dynamics.json declares 7"
            File.WriteAllText(path "panels.csv", panels)
            Expect.equal (fst (ganflowInProcess [ "report"; dir ])) 0 "whole again: rebuilt"
        }
    ]
