/// A researcher's own sample file as an experiment's data (`DataSource.File`, `ganflow run NAME --data FILE`): the
/// seeded split is a partition, a run on a file trains and scores against the file's test split, resumes to the numbers
/// of an uninterrupted run, and bad files are refused before any compute.
module GanFlow.Tests.DataFileTests

open System
open System.IO
open Expecto
open FsCheck
open FsCheck.FSharp
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics
open GanFlow.Core.Models
open GanFlow.Core.Specs
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Training
open GanFlow.Store
open GanFlow.Tests.TestRuns

/// Rows numbered 0 … n−1 (coordinate k of row r is r + k / 10), so every row can be told apart after a split.
let private numbered (rows: int) (d: int) = Array.init (rows * d) (fun i -> float (i / d) + float (i % d) / 10.0)

/// The rows of a row-major array, as a sorted list of row tuples.
let private rowsOf (d: int) (values: float[]) = values |> Array.chunkBySize d |> Array.map List.ofArray |> Array.sort |> List.ofArray

let private cases =
    gen {
        let! rows = Gen.choose (10, 300)
        let! d = Gen.choose (1, 4)
        let! test = Gen.choose (1, 40)
        let! validation = Gen.choose (1, 40)
        let! seed = Gen.choose (0, 1_000)
        return rows, d, float test / 100.0, float validation / 100.0, seed
    }
    |> Arb.fromGen

/// `n` points of N((1, −1), 0.5² I) in 2-D, drawn with `seed`.
let private gaussian2d (n: int) (seed: int) =
    Sampling.sample (Random seed) (Distribution.IsotropicGaussian([ 1.0; -1.0 ], 0.5)) n

/// A small RealNVP by maximum likelihood on the file `path` (2-D).
let private onFile (path: string) (steps: int) =
    { Experiment.create "on-a-file" "RealNVP on a CSV file" (Distribution.Gaussian(0.0, 1.0)) with
        Data = DataSource.File(SampleFileSource.create path 2)
        Model = Model.Flow { Flow.realNvpMoons with Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 4; Width = 32 }; Optimizer = Flow.adam 3e-3 }
        Budget = { Steps = steps; BatchSize = 128; Epochs = None }
        Evaluation = { Evaluation.Default with Every = steps / 2; Samples = 500; FinalSamples = 500 }
        Seed = 3 }

let private writeCsv (values: float[]) =
    SampleFileWriters.csv true { Dimension = 2; Values = values }

[<Tests>]
let tests =
    testList "a sample file as data" [
        testProperty "the split is a partition of the rows: test and validation of their share (at least one row), the rest training" (
            Prop.forAll cases (fun (rows, d, test, validation, seed) ->
                let source = { SampleFileSource.create "f.csv" d with TestFraction = test; ValidationFraction = validation; Seed = seed }
                let testRows, validationRows = SampleFileSource.heldOutRows source rows
                let points = numbered rows d
                rows - testRows - validationRows < 2
                || (let s = SampleFileSource.split source points
                    s.Test.Length = testRows * d
                    && s.Validation.Length = validationRows * d
                    && rowsOf d (Array.concat [ s.Train; s.Validation; s.Test ]) = rowsOf d points
                    && SampleFileSource.split source points = s)))

        test "the split depends on its seed, and rows keep their coordinates together" {
            let points = numbered 200 3
            let a = SampleFileSource.split (SampleFileSource.create "f.csv" 3) points
            let b = SampleFileSource.split { SampleFileSource.create "f.csv" 3 with Seed = 1 } points
            Expect.notEqual a.Test b.Test "another seed, another test split"
            for row in Array.chunkBySize 3 a.Train do
                Expect.floatClose Accuracy.veryHigh (row[1] - row[0]) 0.1 "coordinates of one row stay one row"
        }

        test "a file too short to split is refused naming the file and the counts" {
            let path = writeCsv (gaussian2d 3 1)
            Expect.throwsT<SampleFileException> (fun () -> DataSplits.Split(SampleFileSource.create path 2) |> ignore) "3 rows"
        }

        test "validation names the file source's fields" {
            let e = onFile "data.csv" 10
            let errors (source: SampleFileSource) = ExperimentValidation.errors { e with Data = DataSource.File source } |> List.map (fun x -> x.Field)
            let source = SampleFileSource.create "data.csv" 2
            Expect.contains (errors { source with Dimension = 0 }) "data.file.dimension" "dimension 0"
            Expect.contains (errors { source with Path = "" }) "data.file.path" "no path"
            Expect.contains (errors { source with TestFraction = 1.5 }) "data.file.testFraction" "a fraction above 1"
            Expect.contains (errors { source with TestFraction = 0.5; ValidationFraction = 0.5 }) "data.file.testFraction" "nothing left to train on"
            Expect.isEmpty (errors source) "the default split is valid"
        }

        test "a spec file written before data sources reads its dataset and training set as one source" {
            let declared = { GanFlow.Experiments.Seed001FlowGan.all.Head with Name = "legacy" }
            let sample = DataSource.finiteSample declared.Data |> Option.get
            for legacy, expected in [ Some sample, declared.Data; None, DataSource.Law declared.Law.Value ] do
                let node = Text.Json.Nodes.JsonNode.Parse(SpecJson.serialize declared) |> nonNull
                let o = node.AsObject()
                o.Remove "data" |> ignore
                o["dataset"] <- Text.Json.JsonSerializer.SerializeToNode(declared.Law.Value, SpecJson.options)
                o["trainingSet"] <- Text.Json.JsonSerializer.SerializeToNode(legacy, SpecJson.options)
                let text = node.ToJsonString()
                Expect.isTrue (SpecJson.isLegacy text) "recognised as an older form"
                Expect.equal (SpecJson.deserialize<Experiment> text).Data expected "the same data as one source"
            let onAFile = onFile "/data/x.csv" 10
            Expect.equal (SpecJson.deserialize<Experiment> (SpecJson.serialize onAFile)) onAFile "a file source round-trips"
        }

        test "a flow trained on a file learns its law, records no exact-truth columns, and scores against the validation split" {
            let path = writeCsv (gaussian2d 2_000 5)
            let e = onFile path 300
            TorchSetup.Initialize 1
            let folder = scratchFolder "on-a-file"
            let summary = ExperimentRunner.Run(e, RunContext(torch.CPU, folder))
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let header = (File.ReadLines(Path.Combine(folder, RunFiles.Metrics)) |> Seq.head).Split ','
            for absent in [ "w1"; "w1_exact"; "kl"; "mode_score"; "modes_covered" ] do
                Expect.isFalse (Array.contains absent header) (sprintf "no %s without a law or in 2-D" absent)
            for present in [ "energy"; "nll"; "train_nll"; "validation_nll"; "precision"; "recall" ] do
                Expect.isTrue (Array.contains present header) (sprintf "%s recorded" present)
            // The differential entropy of N(μ, 0.5² I) in 2-D: ln(2πe · 0.25). The held-out NLL approaches it from above.
            let entropy = log (2.0 * Math.PI * Math.E * 0.25)
            let final = summary.Final.Value
            Expect.isLessThan (abs (final.Density.Value.Nll - entropy)) 0.2 (sprintf "held-out NLL %.3f against the entropy %.3f" final.Density.Value.Nll entropy)
            // The evaluation's data are the validation split's first points (the test split is kept for heldout.json):
            // its energy distance is that of the model's final samples (samples.txt) to them.
            let splits = DataSplits.Split(SampleFileSource.create path 2)
            let model = SampleFile.Read(Path.Combine(folder, RunFiles.Samples), 2).Values
            let validation = splits.Validation[.. (min 500 (splits.Validation.Length / 2)) * 2 - 1]
            Expect.floatClose Accuracy.high final.Samples.Energy (EnergyDistance.ofSamples 2 model validation) "energy against the validation split"
            let heldOut = RunStore(folder).ReadHeldOut()
            Expect.floatClose Accuracy.high (nonNull heldOut).ExactNll.Value (-(Array.average (GanFlow.Runtime.Checkpoints.RunDensity.Load(folder).LogDensity splits.Test)))
                "heldout.json's exact NLL is the test split's"
        }

        test "ganflow run --data FILE trains a declared model on the file, and --resume continues it to an uninterrupted run's numbers" {
            let path = writeCsv (gaussian2d 600 7)
            let whole, paused = scratchFolder "data-whole", scratchFolder "data-paused"
            let args folder = [ "run"; "realnvp-moons"; "--data"; path; "--steps"; "30"; "--out"; folder; "--no-report" ]
            let code, output = CliProcess.run (args whole)
            Expect.equal code 0 output
            Expect.stringContains output "train_nll = " "the file's training split has a NLL"
            let spec = RunStore.ReadJson<Experiment>(Path.Combine(whole, RunFiles.Spec))
            Expect.equal spec.Data (DataSource.File(SampleFileSource.create (Path.GetFullPath path) 2)) "the spec names the file, absolute"
            let code, output = CliProcess.run (args paused @ [ "--until"; "10" ])
            Expect.equal code 0 output
            let code, output = CliProcess.run (args paused @ [ "--resume" ])
            Expect.equal code 0 output
            let last folder =
                (File.ReadAllLines(Path.Combine(folder, RunFiles.Metrics)) |> Array.last).Split ','
                |> Array.removeAt 3 // wall_seconds
            Expect.sequenceEqual (last paused) (last whole) "the resumed run's final evaluation"
        }

        test "a resume whose data file differs from the one the run started on is refused: a relative path read from another directory, a file written again" {
            let first, second = scratchFolder "data-dir-a", scratchFolder "data-dir-b"
            for folder in [ first; second ] do Directory.CreateDirectory folder |> ignore
            let data seed = File.ReadAllText(writeCsv (gaussian2d 600 seed))
            File.WriteAllText(Path.Combine(first, "points.csv"), data 7)
            File.WriteAllText(Path.Combine(second, "points.csv"), data 8)
            let spec = Path.Combine(first, "spec.json")
            File.WriteAllText(spec, SpecJson.serialize (onFile "points.csv" 30))
            let out = scratchFolder "data-relative-run"
            let code, output = CliProcess.runFrom first [ "run"; "--spec"; spec; "--out"; out; "--until"; "10"; "--no-report" ]
            Expect.equal code 0 output
            let recorded = File.ReadAllText(Path.Combine(out, RunFiles.DataFiles))
            Expect.stringContains recorded (Path.Combine(first, "points.csv")) "data.json names the file it started on, by its full path"
            let resume = [ "run"; "--spec"; Path.Combine(out, RunFiles.Spec); "--out"; out; "--resume"; "--no-report" ]
            let before = Directory.GetFiles(out, "*", SearchOption.AllDirectories) |> Array.sort |> Array.map (fun f -> f, File.ReadAllBytes f)
            let code, output = CliProcess.runFrom second resume
            Expect.equal code 2 output
            Expect.stringContains output "its data differ from those it started on: data.file.path now reads " "refused"
            Expect.stringContains output (Path.Combine(second, "points.csv")) "names the file read now"
            Expect.stringContains output (Path.Combine(first, "points.csv")) "and the one the run started on"
            Expect.stringContains output "Resume from the working directory the run started in" "another path: the working directory is the advice"
            let after = Directory.GetFiles(out, "*", SearchOption.AllDirectories) |> Array.sort |> Array.map (fun f -> f, File.ReadAllBytes f)
            Expect.equal (after |> Array.map fst) (before |> Array.map fst) "nothing was written"
            Expect.isTrue (Array.forall2 (fun (_, a: byte[]) (_, b: byte[]) -> a = b) before after) "nothing was changed"
            File.WriteAllText(Path.Combine(first, "points.csv"), data 9)
            let code, output = CliProcess.runFrom first resume
            Expect.equal code 2 output
            Expect.stringContains output "its data differ" "a file written again is refused too"
            // The same path with other contents: the working directory is not what differs, and was advised all the same.
            Expect.isFalse (output.Contains "working directory") "no advice about the working directory for the same path"
            Expect.stringContains output "The file was written again since the run started: put back the contents it started on to resume, or --fresh starts the run over" "what is true"
            File.WriteAllText(Path.Combine(first, "points.csv"), data 7)
            let code, output = CliProcess.runFrom first resume
            Expect.equal code 0 output
            Expect.stringContains output "resuming" "the same bytes again: resumed"
        }
        test "a finished run is not called done when its data file was written again since: a plain rerun and a resume are refused, --fresh runs it on the new data" {
            // A rerun said "already holds this run, completed after 20 steps: nothing to do" and printed the old data's numbers.
            let folder = scratchFolder "data-finished"
            Directory.CreateDirectory folder |> ignore
            let data seed = File.ReadAllText(writeCsv (gaussian2d 600 seed))
            let points = Path.Combine(folder, "points.csv")
            File.WriteAllText(points, data 21)
            let out = scratchFolder "data-finished-run"
            let run extra = CliProcess.runFrom folder ([ "run"; "realnvp-moons"; "--data"; points; "--steps"; "4"; "--out"; out; "--no-report" ] @ extra)
            let code, output = run []
            Expect.equal code 0 output
            let code, output = run []
            Expect.equal code 0 output
            Expect.stringContains output "nothing to do" "the same data: nothing to do"
            // A study keeps such a cell only on the data it ran on.
            let cell = { Row = "r"; Column = "c"; Experiment = nonNull (RunStore(out).ReadSpec()) }
            Expect.equal (GanFlow.Cli.StudyCommand.planCell false out cell) GanFlow.Cli.StudyCommand.CellPlan.Keep "a study keeps the cell on the same data"
            File.WriteAllText(points, data 22)
            match GanFlow.Cli.StudyCommand.planCell false out cell with
            | GanFlow.Cli.StudyCommand.CellPlan.Replace d -> Expect.equal d.Field "data.file.path" "a study replaces (and without --fresh refuses) it, naming the data"
            | plan -> failtestf "a study planned %A for a cell whose data changed" plan
            let summary = File.ReadAllBytes(Path.Combine(out, RunFiles.Summary))
            for extra in [ []; [ "--resume" ] ] do
                let code, output = run extra
                Expect.equal code 2 (sprintf "%A: %s" extra output)
                Expect.stringContains output "holds this run finished on other data: data.file.path now reads " (sprintf "%A refused" extra)
                Expect.stringContains output "--fresh runs it again on the data read now" "says what to do"
                Expect.equal (File.ReadAllBytes(Path.Combine(out, RunFiles.Summary))) summary "nothing was changed"
            let code, output = run [ "--fresh" ]
            Expect.equal code 0 output
            Expect.stringContains (File.ReadAllText(Path.Combine(out, RunFiles.DataFiles))) (Path.Combine(folder, "points.csv")) "data.json of the new run"
            let code, output = run []
            Expect.equal code 0 output
            Expect.stringContains output "nothing to do" "done on the new data"
        }

        test "a run on a file whose rows repeat says so: the evaluations' k-NN balls around repeated points have radius 0" {
            let distinct = gaussian2d 150 11
            let repeated = writeCsv (Array.init (600 * 2) (fun i -> distinct.[((i / 2) / 4) * 2 + i % 2]))
            let out = scratchFolder "data-repeated"
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; repeated; "--steps"; "10"; "--out"; out; "--no-report" ]
            Expect.equal code 0 output
            Expect.stringContains output (sprintf "note: the validation split of %s holds repeated points" (Path.GetFullPath repeated)) "said"
            let out = scratchFolder "data-distinct"
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; writeCsv (gaussian2d 600 12); "--steps"; "10"; "--out"; out; "--no-report" ]
            Expect.equal code 0 output
            Expect.isFalse (output.Contains "repeated points") "not for distinct rows"
        }

        test "the report of a run on a file says its numbers are the validation split's, with its count, and draws the nll and validation_nll series once" {
            // It said "NLL over training (exact, on fresh data)", "fresh data" beside "validation split" (the same numbers),
            // and "(1,000 data points)" where 60 validation points existed.
            let out = scratchFolder "data-report-labels"
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; writeCsv (gaussian2d 600 16); "--steps"; "4"; "--out"; out ]
            Expect.equal code 0 output
            let summary = nonNull (RunStore(out).ReadSummary())
            Expect.equal summary.Splits (Some { Train = 480; Validation = 60; Test = 60 }) "summary.json records the splits' sizes"
            let html = File.ReadAllText(Path.Combine(out, "report.html"))
            for label in [ "final NLL (exact, nats per sample, on the 60 points of the validation split)"
                           "NLL over training (exact, on the 60 points of the validation split)"
                           "final NLL on the 480 points of the training split"
                           "final NLL on the 60 points of the validation split"
                           "final energy distance (model samples against the 60 points of the validation split)"
                           "(the 60 points of the validation split)" // the inverse error's
                           "the 60 points of the validation split (also the nll column: the same numbers)" ] do
                Expect.stringContains html label label
            Expect.isFalse (html.Contains "fresh data") "no fresh data where there are none"
            Expect.isFalse (html.Contains "1,000 data points") "no count the run did not have"
        }

        test "a run whose evaluations score too few points for precision, recall, density and coverage says so at the start, and records them as NaN" {
            // A 5-row file (validation split: 1 row) ran to Completed with the four NaN in summary.json and nothing said.
            let five = writeCsv (gaussian2d 5 13)
            let out = scratchFolder "data-five-rows"
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; five; "--steps"; "4"; "--out"; out; "--no-report" ]
            Expect.equal code 0 output
            Expect.stringContains output (sprintf "note: the validation split of %s, which every evaluation scores against, holds 1 point; precision and recall (k = 3) and density and coverage (k = 5) need at least 6" (Path.GetFullPath five)) "said"
            Expect.stringContains output "so every evaluation records the four as NaN" "which scores and why"
            let final = (nonNull (RunStore(out).ReadSummary())).Final.Value.Samples.PrecisionRecall
            for name, value in [ "precision", final.Precision; "recall", final.Recall; "density", final.Density; "coverage", final.Coverage ] do
                Expect.isTrue (Double.IsNaN value) (sprintf "%s is NaN, as the note says" name)
            // 60 rows: a validation split of 6, enough.
            let out = scratchFolder "data-sixty-rows"
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; writeCsv (gaussian2d 60 14); "--steps"; "4"; "--out"; out; "--no-report" ]
            Expect.equal code 0 output
            Expect.isFalse (output.Contains "need at least") "not said with enough points"
            Expect.isFalse (Double.IsNaN (nonNull (RunStore(out).ReadSummary())).Final.Value.Samples.PrecisionRecall.Precision) "precision computed"
            // Too few evaluation samples, with a split large enough: the field is named.
            let notices = ResizeArray<string>()
            TorchSetup.Initialize 1
            let e = onFile (writeCsv (gaussian2d 600 15)) 4
            let summary = ExperimentRunner.Run({ e with Evaluation = { e.Evaluation with Samples = 5; Every = 2 } }, RunContext(torch.CPU, scratchFolder "data-five-samples", OnNotice = Action<string> notices.Add))
            Expect.equal summary.Status RunStatus.Completed summary.Message
            Expect.exists notices (fun n -> n.StartsWith "note: each evaluation (evaluation.samples = 5 model samples against as many data points) holds 5 points") (sprintf "the field named: %A" (List.ofSeq notices))
        }

        test "a standardizing flow on a file with a dimension of no spread is refused with exit 2 before any compute, naming the file and the dimension" {
            // It started, then failed in flow.standardize ("standard deviation in dimension 0 is 0 (Parameter 'data')",
            // exit 1) and left a failed folder behind.
            let refusedOn (values: float[]) =
                let path = writeCsv values
                let out = scratchFolder "data-no-spread"
                let code, output = CliProcess.run [ "run"; "nsf-moons"; "--data"; path; "--steps"; "50"; "--out"; out; "--no-report" ]
                Expect.equal code 2 output
                Expect.stringContains output (sprintf "error: data.file: %s: dimension 1 (column 2 of the file) has no spread" (Path.GetFullPath path)) "the file and the dimension"
                Expect.stringContains output "model.generator.flow.standardize" "the field that needs the spread"
                Expect.isFalse (output.Contains "Parameter") "no .NET exception text"
                Expect.isFalse (output.Contains "running nsf-moons") "before any compute"
                Expect.isFalse (Directory.Exists out) "nothing created"
                output
            // Every row the same in dimension 1.
            let output = refusedOn (Array.init (100 * 2) (fun i -> if i % 2 = 0 then float (i / 2) else 2.0))
            Expect.stringContains output "every point of the data does too" "the whole file"
            // Dimension 1 varies only in the rows the seeded split holds out (the test split of 10 of the 100 rows).
            let heldOut = (SampleFileSource.split (SampleFileSource.create "f.csv" 2) (numbered 100 2)).Test |> Array.chunkBySize 2 |> Array.map (fun r -> int r[0]) |> set
            let output = refusedOn (Array.init (100 * 2) (fun i -> if i % 2 = 0 then float (i / 2) elif heldOut.Contains(i / 2) then 3.0 else 2.0))
            Expect.stringContains output "the seeded split left none of them in the training split" "only the training split"
            // A model that does not standardize trains on the same file.
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; writeCsv (Array.init (100 * 2) (fun i -> if i % 2 = 0 then float (i / 2) else 2.0)); "--steps"; "4"; "--out"; scratchFolder "data-no-spread-plain"; "--no-report" ]
            Expect.equal code 0 output
        }

        test "bad files are refused with exit 2 naming the file, before any folder is written" {
            let out = scratchFolder "data-refused"
            let missing = Path.Combine(TestFolders.fresh "nowhere", "missing.csv")
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; missing; "--out"; out ]
            Expect.equal code 2 output
            Expect.stringContains output "missing.csv" "names the file"
            let ragged = TestFolders.fresh "ragged" + ".csv"
            File.WriteAllLines(ragged, [ "1,2"; "3,4"; "5" ])
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; ragged; "--out"; out ]
            Expect.equal code 2 output
            Expect.stringContains output "line 3" "names the line"
            // A spec that names a file of another dimension than it states.
            let spec = TestFolders.fresh "spec" + ".json"
            File.WriteAllText(spec, SpecJson.serialize { onFile (writeCsv (gaussian2d 50 1)) 10 with Data = DataSource.File(SampleFileSource.create (writeCsv (gaussian2d 50 1)) 3) })
            let code, output = CliProcess.run [ "run"; "--spec"; spec; "--out"; out ]
            Expect.equal code 2 output
            Expect.stringContains output "expected 3" "names both dimensions"
            Expect.isFalse (Directory.Exists out) "nothing written"
            Expect.isFalse (output.Contains "   at ") "no stack trace"
        }
    ]
