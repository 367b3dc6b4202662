module GanFlow.Tests.CliTests

open System.IO
open Expecto
open Argu
open GanFlow.Cli

let private write (lines: string list) =
    let path = TestFolders.emptyFile "lines"
    File.WriteAllLines(path, lines)
    path

/// The help blocks of docs/reference.md: each fenced block that starts `USAGE: ganflow …`, with the words of the
/// command it documents (`[]` for the top level, `["data"; "mnist"]`).
let private referenceHelpBlocks () =
    let lines = File.ReadAllLines(Path.Combine(TestFolders.repository, "docs", "reference.md"))
    [ for i in 1 .. lines.Length - 1 do
          if lines[i].StartsWith "USAGE: ganflow" && lines[i - 1] = "```" then
              let close = System.Array.FindIndex(lines, i, fun l -> l = "```")
              let command = lines[i].Substring("USAGE: ganflow".Length).Split(" [--help]")[0]
              let words = command.Split(' ', System.StringSplitOptions.RemoveEmptyEntries) |> List.ofArray
              words, lines[i .. close - 1] |> String.concat "\n" ]

[<Tests>]
let tests =
    testList "cli" [
        test "the experiment's or search's name may follow the options, as the usage lines show it" {
            // `ganflow run --out DIR … NAME` was refused: "argument '<name>' should precede all other arguments".
            let out = TestFolders.fresh "name-last"
            let code, output = CliProcess.run [ "run"; "--out"; out; "--steps"; "3"; "--no-report"; "realnvp-moons" ]
            Expect.equal code 0 output
            Expect.isTrue (File.Exists(Path.Combine(out, GanFlow.Store.RunFiles.Summary))) "the run ran"
            let searchOut = TestFolders.fresh "search-name-last"
            let code, output = CliProcess.run [ "search"; "--out"; searchOut; "--workers"; "0"; "--trials"; "2"; "demo-search-unimodal" ]
            Expect.equal code 0 output
            Expect.stringContains output "worker = ganflow worker" "the search was recorded"
            // Two names: the last one ran, silently.
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "wgan-gp-unimodal"; "--out"; TestFolders.fresh "two-names"; "--steps"; "2" ]
            Expect.equal code 2 output
            Expect.stringContains output "unrecognized argument: 'wgan-gp-unimodal'" "two names refused, the second named"
            // -h is no help flag: it was read as an experiment's name.
            let code, output = CliProcess.run [ "run"; "--out"; TestFolders.fresh "dash-h"; "-h" ]
            Expect.equal code 2 output
            Expect.stringContains output "unknown option -h for `ganflow run`" "-h named as an unknown option"
        }
        test "a run's key = value lines print counts as integers and keep the other numbers' format" {
            // A continuous flow's run printed `nfe = 16.00000`.
            let record =
                { Records.ganRecord 500 0.1 0.1 0.1 0.25 1.0 1.0 3.0 with
                    Critic = None
                    Density = Some { Nll = 1.5; BitsPerDim = 1.0; InverseError = 6.95e-14; LatentInverseError = 1e-13; FunctionEvaluations = Some 16.0
                                     Kl = None; TrainNll = None; ValidationNll = None } }
            let lines = RunCommand.finalLines record
            Expect.contains lines "nfe = 16" "a count as an integer"
            Expect.contains lines "nll = 1.50000" "a likelihood with five decimals"
            Expect.contains lines "energy = 0.25000" "a distance with five decimals"
            Expect.contains lines "inverse_error = 6.950e-14" "an inverse error in exponent form"
        }
        test "docs/reference.md shows every command's --help as the CLI prints it" {
            let blocks = referenceHelpBlocks ()
            let documented = blocks |> List.map (fst >> String.concat " ") |> Set.ofList
            // Every command the CLI has, found from its own help: the SUBCOMMANDS of `ganflow --help`, and theirs.
            let rec commands (words: string list) =
                let _, help = CliProcess.run (words @ [ "--help" ])
                let lines = help.Replace("\r\n", "\n").Split('\n')
                let start = Array.tryFindIndex (fun (l: string) -> l = "SUBCOMMANDS:") lines
                let subcommands =
                    match start with
                    | None -> []
                    | Some i ->
                        lines[i + 1 ..]
                        |> Array.takeWhile (fun l -> not (l.StartsWith "OPTIONS:"))
                        |> Array.choose (fun l ->
                            let m = System.Text.RegularExpressions.Regex.Match(l, @"^    ([a-z][a-z-]*) <options>")
                            if m.Success then Some m.Groups[1].Value else None)
                        |> List.ofArray
                String.concat " " words :: (subcommands |> List.collect (fun c -> commands (words @ [ c ])))
            let expected = commands [] |> Set.ofList
            Expect.isGreaterThanOrEqual expected.Count 13 "the CLI's commands were found"
            Expect.equal documented expected "one help block per command"
            for words, documentedText in blocks do
                let exit, output = CliProcess.run (words @ [ "--help" ])
                Expect.equal exit 0 (sprintf "ganflow %s --help exits 0" (String.concat " " words))
                // The block ends with the help's last line (a trailing blank line inside the fence is the document's).
                Expect.equal (documentedText.TrimEnd '\n') (output.Replace("\r\n", "\n").TrimEnd '\n')
                    (sprintf "docs/reference.md's block for `ganflow %s --help` (regenerate it from the CLI's output)" (String.concat " " words))
        }
        test "metric scores two files: W1 of a sample against itself shifted by 1 is 1" {
            let x = write [ "0"; "1"; ""; "2"; "3"; "4"; "5" ]
            let y = write [ "1"; "2"; "3"; "4"; "5"; "6" ]
            match MetricCommand.evaluate x y 1 with
            | Ok scores ->
                let score key = scores |> List.find (fst >> (=) key) |> snd
                Expect.floatClose Accuracy.high (score "w1") 1.0 "shift by 1"
                Expect.equal (score "n_x") 6.0 "blank line skipped"
                Expect.isGreaterThan (score "energy") 0.0 "positive energy"
                Expect.isGreaterThan (score "bandwidth_x_500_per_band") 0.0 "bandwidth"
            | Error e -> failtestf "unexpected error %s" e
        }
        test "metric names the file and line of a bad value" {
            let x = write [ "0"; "1"; "oops" ]
            let y = write [ "1" ]
            match MetricCommand.evaluate x y 1 with
            | Error e ->
                Expect.stringContains e x "file named"
                Expect.stringContains e "3" "line number"
            | Ok _ -> failtest "expected an error"
        }
        test "report rebuilds a study folder's table and report from its study.json, and refuses a folder that is neither" {
            let dir = GanFlow.Tests.ReportTests.temporaryFolder ()
            let study = GanFlow.Experiments.Seed000Table1.study
            for cell in study.Cells do
                GanFlow.Tests.ReportTests.writeFakeRun (GanFlow.Report.StudyReport.cellFolder dir cell) cell.Experiment 0.05
            GanFlow.Report.StudyReport.writeSpec dir study
            Expect.equal (GanFlow.Report.StudyReport.tryReadSpec dir) (Some study) "study.json round-trips the study"
            Expect.equal (Program.main [| "report"; dir |]) 0 "exit code"
            Expect.stringContains (File.ReadAllText(Path.Combine(dir, "table.md"))) "| FFJORD | 0.0500 (0.0066) |" "table rebuilt"
            Expect.isTrue (File.Exists(Path.Combine(dir, "report.html"))) "study report"
            Expect.equal (Program.main [| "report"; GanFlow.Tests.ReportTests.temporaryFolder () |]) 2 "neither a run nor a study folder: bad input"
        }
        test "metric reports a missing file" {
            match MetricCommand.evaluate "/no/such/file.txt" "/no/such/other.txt" 1 with
            | Error e -> Expect.stringContains e "/no/such/file.txt" "file named"
            | Ok _ -> failtest "expected an error"
        }
        test "the command line parses run with overrides and rejects a run without --out" {
            let parser = ArgumentParser.Create<Arguments.Command>(programName = "ganflow")
            let parsed = parser.ParseCommandLine [| "run"; "wgan-gp-unimodal"; "--out"; "d"; "--seed"; "7"; "--steps"; "10" |]
            match parsed.GetSubCommand() with
            | Arguments.Run args ->
                Expect.equal (args.GetResult Arguments.RunArgs.Experiment) "wgan-gp-unimodal" "name"
                Expect.equal (args.GetResult Arguments.RunArgs.Seed) 7 "seed"
            | other -> failtestf "parsed as %A" other
            let missingOut () =
                match (parser.ParseCommandLine [| "run"; "wgan-gp-unimodal" |]).GetSubCommand() with
                | Arguments.Run args -> args.GetResult Arguments.RunArgs.Out |> ignore
                | _ -> ()
            Expect.throwsT<ArguParseException> missingOut "--out is required"
        }
        test "command-line overrides change the seed and the step budget, and a changed budget is noted in the description" {
            let e = GanFlow.Experiments.WganGpUnimodalDemo.experiment
            let changed = RunCommand.withOverrides (Some 9) (Some 50) e
            Expect.equal { changed with Description = e.Description } { e with Seed = 9; Budget = { e.Budget with Steps = 50 } } "overrides"
            Expect.stringContains changed.Description (sprintf "50 steps instead of the declared %d" e.Budget.Steps) "the override is named"
            Expect.equal (RunCommand.withOverrides None None e) e "no overrides"
            Expect.equal (RunCommand.withOverrides None (Some e.Budget.Steps) e) e "overriding with the declared budget changes nothing"
            // A budget in epochs: its steps are counted from the data when read, so the declared budget is the epochs.
            let inEpochs = { e with Budget = { e.Budget with Steps = 9_370; Epochs = Some 20 } }
            let overridden = RunCommand.withOverrides None (Some 600) inEpochs
            Expect.stringContains overridden.Description (sprintf "600 steps instead of the declared 20 epochs (batch %d)]" e.Budget.BatchSize) "the epochs named, not a step count"
            Expect.equal overridden.Budget { e.Budget with Steps = 600; Epochs = None } "steps, no epochs"
        }
        test "a study's step override reaches every cell and the study's description" {
            let s = GanFlow.Experiments.Seed000Table1.study
            let changed = StudyCommand.withOverrides None (Some 7) s
            Expect.all changed.Cells (fun c -> c.Experiment.Budget.Steps = 7) "every cell"
            Expect.stringContains changed.Description "7 steps" "description"
        }
    ]
