/// `ganflow metric` end to end: files of 1, 2 and 20 dimensions in every format, the keys other programs read, JSON,
/// the truth, training-set and model options, and every bad input answered with exit 2 naming the file and line.
module GanFlow.Tests.MetricCliTests

open System
open System.Diagnostics
open System.IO
open Expecto
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics
open GanFlow.Core.Models
open GanFlow.Cli
open GanFlow.Tests.PointSamples
open GanFlow.Tests.SampleFileWriters

/// Runs `ganflow ARGS` in this process; returns the exit code, the standard output and the standard error.
let private ganflow (args: string list) =
    let output, error = new StringWriter(), new StringWriter()
    let previousOut, previousError = Console.Out, Console.Error
    Console.SetOut output
    Console.SetError error
    try
        let code = Program.main (Array.ofList args)
        code, string output, string error
    finally
        Console.SetOut previousOut
        Console.SetError previousError

/// The keys of every comparison, in print order (`w1` follows `dim` in 1-D).
let private twoSampleKeys =
    [ "n_x"; "n_y"; "dim"; "sliced_w1"; "sliced_w1_se"; "energy"; "mmd2"; "mmd2_bandwidth"; "mmd2_p_value"; "c2st_accuracy"
      "c2st_p_value"; "precision"; "recall"; "density"; "coverage" ]

/// The 1-D keys beyond the two-sample ones, kept from before.
let private oneDimensionalKeys =
    [ "bandwidth_x_500_per_band"; "bandwidth_x_held_out"; "bandwidth_y_500_per_band"; "bandwidth_y_held_out"; "js_kde"
      "birthday_delta"; "birthday_batch_x"; "support_x"; "birthday_batch_y"; "support_y" ]

let private scores (result: Result<(string * float) list, string>) =
    match result with
    | Ok s -> s
    | Error e -> failtestf "unexpected error: %s" e

/// Asserts exit code 2, an error naming `file` (and `where`, e.g. "line 4"), and no stack trace.
let private refused (args: string list) (file: string) (where: string) =
    let code, output, error = ganflow args
    Expect.equal code 2 (sprintf "exit code for %A (stderr: %s)" args error)
    Expect.stringContains error file "names the file"
    Expect.stringContains error where (sprintf "says where: %s" error)
    Expect.isFalse (error.Contains "   at ") "no stack trace"
    Expect.equal output "" "prints no scores"

/// A small RealNVP run on the two moons (10 steps): a flow run folder with spec.json, a checkpoint and samples.txt.
let private flowRun =
    lazy
        (let folder = TestRuns.scratchFolder "metric-model"
         let flow = { Flow.realNvpMoons with Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 8 } }
         let experiment =
             { Experiment.create "metric-model" "metric --model test" NamedDatasets.moons with
                 Model = Model.Flow flow
                 Budget = { Steps = 10; BatchSize = 64; Epochs = None }
                 Evaluation = { Evaluation.Default with Every = 10; Samples = 500; FinalSamples = 1_000 } }
         let summary = TestRuns.run experiment folder false
         if summary.Status <> RunStatus.Completed then failwith summary.Message
         folder)

/// Runs `dotnet ganflow.dll ARGS` as a child process with the dynamic loader's library log on (LD_DEBUG=libs);
/// returns the exit code and the log (the standard error).
let private ganflowWithLibraryLog (args: string list) =
    let start = ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ganflow.dll"))
    for a in args do start.ArgumentList.Add a
    start.Environment["LD_DEBUG"] <- "libs"
    use p = nonNull (Process.Start start)
    let error = p.StandardError.ReadToEndAsync()
    p.StandardOutput.ReadToEnd() |> ignore
    p.WaitForExit()
    p.ExitCode, error.Result

[<Tests>]
let tests =
    testList "metric command" [
        test "1-D, 2-D and 20-D files in every format give exactly the issue's keys, and the same numbers in every format" {
            for d in [ 1; 2; 20 ] do
                let x = gaussian (100 + d) d 300 (Array.zeroCreate d) 1.0
                let y = gaussian (200 + d) d 400 (Array.init d (fun k -> if k = 0 then 0.5 else 0.0)) 1.0
                let formats =
                    [ "CSV", csv false x, csv false y
                      "CSV with a header", csv true x, csv true y
                      "whitespace text", text x, text y
                      ".npy", npy false false x, npy false false y ]
                let results = formats |> List.map (fun (name, xPath, yPath) -> name, scores (MetricCommand.evaluate xPath yPath 1))
                let expectedKeys =
                    if d = 1 then [ "n_x"; "n_y"; "dim"; "w1" ] @ List.skip 3 twoSampleKeys @ oneDimensionalKeys else twoSampleKeys
                for name, s in results do
                    Expect.equal (List.map fst s) expectedKeys (sprintf "%d-D %s: keys" d name)
                    Expect.equal s (snd results.Head) (sprintf "%d-D %s: same numbers as CSV" d name)
                let value key = snd results.Head |> List.find (fst >> (=) key) |> snd
                Expect.equal (value "n_x", value "n_y", value "dim") (300.0, 400.0, float d) (sprintf "%d-D counts" d)
                Expect.all [ "precision"; "recall"; "coverage"; "c2st_accuracy"; "mmd2_p_value"; "c2st_p_value" ] (fun k -> value k >= 0.0 && value k <= 1.0) "shares"
        }
        test "the printed lines and --json carry the same keys and values" {
            let x, y = csv true (gaussian 1 2 200 [| 0.0; 0.0 |] 1.0), npy true false (gaussian 2 2 200 [| 1.0; 0.0 |] 1.0)
            let code, lines, _ = ganflow [ "metric"; "--x"; x; "--y"; y ]
            Expect.equal code 0 "exit code"
            let printed =
                lines.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                |> Array.map (fun l -> let parts = l.Split(" = ") in parts[0], Double.Parse(parts[1], Globalization.CultureInfo.InvariantCulture))
            Expect.equal (printed |> Array.map fst |> List.ofArray) twoSampleKeys "keys"
            let code, json, _ = ganflow [ "metric"; "--x"; x; "--y"; y; "--json" ]
            Expect.equal code 0 "exit code"
            use document = Text.Json.JsonDocument.Parse json
            let fromJson = [| for p in document.RootElement.EnumerateObject() -> p.Name, p.Value.GetDouble() |]
            Expect.equal (fromJson |> Array.map fst) (printed |> Array.map fst) "same keys in order"
            for (key, a), (_, b) in Array.zip printed fromJson do
                Expect.isTrue (abs (a - b) <= 1e-9 * (1.0 + abs a)) (sprintf "%s: %g vs %g" key a b)
        }
        test "--truth adds truth_w1 in 1-D, mode_recall_K per mode, mass_off_support and hdr_precision; without --y it draws as many truth points" {
            let ring = csv false (Points.create 2 (Sampling.sample (Random 3) NamedDatasets.ring8 800))
            let s = scores (MetricCommand.evaluateOptions { MetricCommand.MetricOptions.Of ring ring 1 with Y = None; Truth = Some "ring8" })
            let keys = List.map fst s
            Expect.equal (keys |> List.filter (fun k -> k.StartsWith "mode_recall_")) [ for k in 1..8 -> sprintf "mode_recall_%d" k ] "one key per mode"
            Expect.containsAll keys [ "mass_off_support"; "hdr_precision" ] "truth keys"
            Expect.equal (s |> List.find (fst >> (=) "n_y") |> snd) 800.0 "n_x truth draws"
            let uni = text (Points.create 1 (Sampling.sample (Random 4) NamedDatasets.unimodal 500))
            let one = scores (MetricCommand.evaluateOptions { MetricCommand.MetricOptions.Of uni uni 1 with Truth = Some "unimodal" })
            Expect.contains (List.map fst one) "truth_w1" "1-D truth W1"
        }
        test "repeated points are counted and noted: k-NN balls of radius 0 around points with 3 or more copies besides themselves" {
            let distinct = gaussian 21 2 1_250 [| 0.0; 0.0 |] 1.0
            Expect.equal (RepeatedPoints.count distinct) (0, 0) "a sample of a continuous law has none"
            Expect.isNone (RepeatedPoints.note "x" distinct) "and no note"
            let four = Points.create 2 (Array.init 10_000 (fun i -> distinct.Values[(i / 8) * 2 + i % 2]))
            Expect.equal (RepeatedPoints.count four) (3_750, 5_000) "each point 4 times: 3,750 repeat an earlier one, every one in a group of 4"
            let pairs = Points.ofValues [| 1.0; 1.0; 2.0; 3.0; 3.0; 3.0; 3.0; 5.0 |]
            Expect.equal (RepeatedPoints.count pairs) (4, 4) "1 twice, 3 four times: 4 repeats, the 4 threes in a group of 4"
            let x = csv false (gaussian 22 2 1_000 [| 0.0; 0.0 |] 1.0)
            let y = csv false four
            let code, output, error = ganflow [ "metric"; "--x"; x; "--y"; y ]
            Expect.equal code 0 error
            Expect.stringContains error (sprintf "note: %s holds repeated points: 3750 of 5000 repeat an earlier one, and 5000 have 3 or more copies" y) "the note names Y"
            Expect.isFalse (error.Contains(x + " holds repeated")) "X has none"
            Expect.stringContains output "precision = " "the scores are still printed"
        }
        test "a sample collapsed near 0 beside data of ordinary scale is scored (only samples all below 1e-100 are refused); --delta is never squared" {
            let nearZero = Points.create 2 ((gaussian 16 2 50 [| 0.0; 0.0 |] 1.0).Values |> Array.map ((*) 1e-120))
            let data = gaussian 17 2 200 [| 0.0; 0.0 |] 1.0
            let s = scores (MetricCommand.evaluateOptions (MetricCommand.MetricOptions.Of (csv false nearZero) (csv false data) 1)) |> Map.ofList
            Expect.equal s["precision"] 1.0 "the collapsed points lie in the data's support"
            Expect.isLessThan s["recall"] 0.1 "the data is not in the collapsed support"
            let oneD = csv false (gaussian 18 1 100 [| 0.0 |] 1.0)
            let code, output, error = ganflow [ "metric"; "--x"; oneD; "--y"; oneD; "--delta"; "1e-200" ]
            Expect.equal code 0 (sprintf "a tiny --delta is a distance, not squared (stderr: %s)" error)
            Expect.stringContains output "birthday_delta = 1E-200" "used as given"
        }
        test "a fully collapsed 1-D sample is scored: precision 1, recall near 0, no KDE (500-per-band bandwidth 0, held-out one and JS NaN)" {
            // The GAN failure the lab measures: every generated value the same. It was refused (no KDE fits it).
            let collapsed = Points.ofValues (Array.create 100 0.5)
            let data = gaussian 15 1 500 [| 0.0 |] 1.0
            let s = scores (MetricCommand.evaluateOptions (MetricCommand.MetricOptions.Of (csv false collapsed) (csv false data) 1)) |> Map.ofList
            Expect.equal s["precision"] 1.0 "every collapsed point lies in the data's support"
            Expect.isLessThan s["recall"] 0.05 "almost no data point lies in the collapsed support"
            Expect.floatClose Accuracy.veryHigh s["w1"] (Wasserstein.w1 collapsed.Values data.Values) "W1 as for any sample"
            Expect.equal s["bandwidth_x_500_per_band"] 0.0 "the rule's own value for no spread: 500 · (max − min) / n"
            for key in [ "bandwidth_x_held_out"; "js_kde" ] do
                Expect.isTrue (Double.IsNaN s[key]) (key + " is NaN: no KDE fits a constant sample")
            Expect.isTrue (Double.IsFinite s["bandwidth_y_held_out"]) "the data's own KDE is fitted"
        }
        test "--train adds copying_z, one copying_z_cell_K per cell and closer_than_train" {
            let train, heldOut = gaussian 5 2 1_000 [| 0.0; 0.0 |] 1.0, gaussian 6 2 1_000 [| 0.0; 0.0 |] 1.0
            let s = scores (MetricCommand.evaluateOptions { MetricCommand.MetricOptions.Of (csv false train) (csv false heldOut) 1 with Train = Some(text train) })
            let keys = List.map fst s
            Expect.containsAll keys [ "copying_z"; "closer_than_train" ] "copying keys"
            Expect.equal (keys |> List.filter (fun k -> k.StartsWith "copying_z_cell_")) [ for k in 1..10 -> sprintf "copying_z_cell_%d" k ] "ten cells"
            Expect.isLessThan (s |> List.find (fst >> (=) "copying_z") |> snd) -10.0 "the training set itself is a copy"
        }
        test "bad input exits 2 naming the file and the line, the header field or the option, with no stack trace" {
            let good = csv false (gaussian 7 2 50 [| 0.0; 0.0 |] 1.0)
            let threeD = csv false (gaussian 8 3 50 [| 0.0; 0.0; 0.0 |] 1.0)
            refused [ "metric"; "--x"; good; "--y"; threeD ] threeD "line 1: 3 values per sample"
            let ragged = TestFolders.fresh "ragged" + ".csv"
            File.WriteAllLines(ragged, [ "x,y"; "1,2"; "3,4"; "5,6,7" ])
            refused [ "metric"; "--x"; good; "--y"; ragged ] ragged "line 4: 3 columns, expected 2"
            let integers = npyFile (npyBytes "<i4" false "(10, 2)" (Array.zeroCreate 80))
            refused [ "metric"; "--x"; integers; "--y"; good ] integers "header field 'descr' = '<i4'"
            let fortran = npyFile (npyBytes "<f8" true "(10, 2)" (Array.zeroCreate 160))
            refused [ "metric"; "--x"; fortran; "--y"; good ] fortran "header field 'fortran_order' = True"
            let nan = TestFolders.fresh "nan" + ".txt"
            File.WriteAllLines(nan, [ "1 2"; "3 4"; "NaN 5" ])
            refused [ "metric"; "--x"; good; "--y"; nan ] nan "line 3, column 1: \"NaN\" is not a finite number"
            let infinite = TestFolders.fresh "inf" + ".csv"
            File.WriteAllLines(infinite, [ "1,2"; "3,Infinity" ])
            refused [ "metric"; "--x"; infinite; "--y"; good ] infinite "line 2, column 2"
            let three = csv false (gaussian 9 2 3 [| 0.0; 0.0 |] 1.0)
            refused [ "metric"; "--x"; three; "--y"; good ] three "holds 3 points; precision and recall (k = 3) need at least 4"
            let five = csv false (gaussian 10 2 5 [| 0.0; 0.0 |] 1.0)
            refused [ "metric"; "--x"; good; "--y"; five ] five "density and coverage (k = 5) need at least 6"
            // Against --truth, the truth's draws are as many as X's points: X is named, not the truth.
            refused [ "metric"; "--x"; five; "--truth"; "ring8" ] five "holds 5 points; density and coverage (k = 5, against as many draws of --truth ring8) need at least 6"
            let folder = TestFolders.fresh "folder"
            Directory.CreateDirectory folder |> ignore
            refused [ "metric"; "--x"; folder; "--y"; good ] folder "is a folder"
            refused [ "metric"; "--x"; good; "--y"; good; "--truth"; "nope" ] "--truth = nope" "unimodal, multimodal, two-gaussians, moons, ring8, grid25"
            refused [ "metric"; "--x"; good; "--truth"; "unimodal" ] good "holds 2-D samples"
            refused [ "metric"; "--x"; good; "--y"; good; "--projections"; "0" ] "--projections = 0" "must be from 1 to 100000"
            refused [ "metric"; "--x"; good; "--y"; good; "--projections"; "100000000" ] "--projections = 100000000" "must be from 1 to 100000"
            refused [ "metric"; "--x"; good; "--y"; good; "--seed"; "-2" ] "--seed = -2" "must be >= 0"
            refused [ "metric"; "--x"; good; "--y"; good; "--bandwidth"; "-1" ] "--bandwidth = -1" "must be a finite number > 0"
            // A bandwidth whose square underflows made MMD² NaN with the smallest p-value, 1/201.
            refused [ "metric"; "--x"; good; "--y"; good; "--bandwidth"; "1e-300" ] "--bandwidth = 1e-300" "whose square is neither 0 nor infinite"
            // 2h² subnormal: its reciprocal overflows, and MMD² was NaN.
            refused [ "metric"; "--x"; good; "--y"; good; "--bandwidth"; "1e-160" ] "--bandwidth = 1e-160" "has a finite reciprocal"
            refused [ "metric"; "--x"; good; "--y"; good; "--json"; "--json" ] "--json" "more than once"
            // Magnitudes whose squared distances overflow or underflow: samples 1e300 wide scored NaN energy and a density
            // of 400; samples 50 standard deviations of 1e-170 apart scored as identical.
            let huge = csv false (Points.create 2 ((gaussian 13 2 50 [| 0.0; 0.0 |] 1.0).Values |> Array.map ((*) 1e300)))
            refused [ "metric"; "--x"; huge; "--y"; good ] huge "beyond the magnitude 1e+100"
            let tiny = csv false (Points.create 2 ((gaussian 14 2 50 [| 0.0; 0.0 |] 1.0).Values |> Array.map ((*) 1e-170)))
            let tinyFar = csv false (Points.create 2 ((gaussian 15 2 50 [| 50.0; 0.0 |] 1.0).Values |> Array.map ((*) 1e-170)))
            refused [ "metric"; "--x"; tinyFar; "--y"; tiny ] tiny "every value is below 1e-100 in magnitude"
            refused [ "metric"; "--x"; good; "--y"; good; "--bandwidth"; "1e200" ] "--bandwidth = 1e200" "whose square is neither 0 nor infinite"
            refused [ "metric"; "--x"; good; "--y"; good; "--model"; folder ] folder "missing spec.json"
            let one = csv false (gaussian 12 2 1 [| 0.0; 0.0 |] 1.0)
            refused [ "metric"; "--x"; good; "--y"; good; "--train"; one ] one "at least 2"
        }
        test "--model scores a flow run's density: nll, and with the moons as truth hdr_recall; a run's samples.txt reads as is" {
            let run = flowRun.Force()
            let samples = Path.Combine(run, GanFlow.Store.RunFiles.Samples)
            let s = scores (MetricCommand.evaluateOptions { MetricCommand.MetricOptions.Of samples samples 1 with Y = None; Truth = Some "moons"; Model = Some run })
            let keys = List.map fst s
            Expect.containsAll keys [ "nll"; "nll_se"; "hdr_recall"; "mass_off_support" ] "model keys"
            Expect.isFalse (List.contains "kl_forward" keys) "the moons have no density: no KL"
            Expect.equal (s |> List.find (fst >> (=) "n_x") |> snd) 1_000.0 "samples.txt's 1,000 samples"
            Expect.isTrue (Double.IsFinite(s |> List.find (fst >> (=) "nll") |> snd)) "finite NLL"
        }
        test "--model on a seed 000 Table 1 GF cell (1-D) against the unimodal truth gives NLL and finite KL divergences both ways" {
            let cell = GanFlow.Experiments.Seed000Table1.study.Cells |> Seq.find (fun c -> c.Row = "GF" && c.Column = "unimodal")
            let experiment =
                { cell.Experiment with
                    Budget = { cell.Experiment.Budget with Steps = 20 }
                    Evaluation = { cell.Experiment.Evaluation with Every = 20; Samples = 1_000; FinalSamples = 2_000 } }
            let folder = TestRuns.scratchFolder "metric-gf"
            let summary = TestRuns.run experiment folder false
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let samples = Path.Combine(folder, GanFlow.Store.RunFiles.Samples)
            let s = scores (MetricCommand.evaluateOptions { MetricCommand.MetricOptions.Of samples samples 1 with Y = None; Truth = Some "unimodal"; Model = Some folder })
            let value key = s |> List.find (fst >> (=) key) |> snd
            for key in [ "truth_w1"; "nll"; "kl_forward"; "kl_reverse"; "hdr_precision"; "hdr_recall" ] do
                Expect.isTrue (Double.IsFinite(value key)) (sprintf "%s = %g" key (value key))
            Expect.isGreaterThan (value "kl_forward") -0.05 "KL(truth ‖ model) >= 0 up to Monte Carlo error"
            Expect.isGreaterThan (value "kl_reverse") -0.05 "KL(model ‖ truth) >= 0 up to Monte Carlo error"
        }
        test "metric loads no libtorch unless --model needs it" {
            let x = csv false (gaussian 11 2 100 [| 0.0; 0.0 |] 1.0)
            let code, log = ganflowWithLibraryLog [ "metric"; "--x"; x; "--y"; x ]
            Expect.equal code 0 "exit code"
            Expect.stringContains log "libc.so" "the loader's log is on"
            Expect.isFalse (log.Contains "libtorch") "no libtorch without --model"
            let code, log = ganflowWithLibraryLog [ "metric"; "--x"; x; "--y"; x; "--model"; flowRun.Force() ]
            Expect.equal code 0 "exit code with --model"
            Expect.stringContains log "libtorch" "--model loads it"
        }
    ]
