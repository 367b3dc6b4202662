/// MNIST images as an experiment's data (`DataSource.Images`) on the one run path: dequantization that keeps every
/// pixel's byte, a flow by maximum likelihood that learns the digits, pauses and resumes to the uninterrupted numbers,
/// and `--data DIR` that puts a folder of MNIST files in place of any experiment's data.
module GanFlow.Tests.ImageSourceTests

open System
open System.IO
open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Images
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Training
open GanFlow.Store
open GanFlow.Tests.TestRuns

/// A folder of 28 × 28 stroke images: 240 training (200 train, 40 validation under seed 001's split), 60 test.
let private folder = lazy (MnistTestSupport.mnistFolder "" (ImageTestData.strokes 1 28 240) (ImageTestData.strokes 2 28 60))

/// A small RealNVP by maximum likelihood on the folder's images.
let private experiment steps =
    { Experiment.create "images" "" NamedDatasets.moons with
        Data = DataSource.mnist folder.Value
        Model = Model.Flow { Flow.realNvpMoons with Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 32 }; Optimizer = Flow.adam 1e-3 }
        Budget = { Steps = steps; BatchSize = 32; Epochs = None }
        Evaluation = { Evaluation.Default with Every = 10; Samples = 40; FinalSamples = 64 }
        Seed = 6 }

[<Tests>]
let tests =
    testList "images as data" [
        test "every split is dequantized within its pixel's byte, and a training batch afresh within the same byte" {
            let e = experiment 10
            let splits = DataSplits.Images(match e.Data with DataSource.Images i -> i | _ -> failwith "images")
            let files = MnistFolder.Load(folder.Value, MnistSplit.Seed001)
            Expect.equal splits.Dimension 784 "28 × 28"
            for values, set in [ splits.Train, files.Train; splits.Validation, files.Validation; splits.Test, files.Test ] do
                Expect.equal values.Length set.Pixels.Length "one value per pixel"
                Expect.isTrue (Array.forall2 (fun (v: float) (b: byte) -> Math.Floor(v * 256.0) = float b) values set.Pixels) "⌊256x⌋ is the byte"
            let batch = Array.copy splits.Test
            DataSplits.Redequantize(e, batch, Random 3)
            Expect.isTrue (Array.forall2 (fun (v: float) (b: byte) -> Math.Floor(v * 256.0) = float b) batch files.Test.Pixels) "still the byte"
            Expect.notEqual batch splits.Test "new noise"
        }

        test "a RealNVP by MLE on images learns, records the held-out NLLs, writes a sample grid, and resumes to the uninterrupted numbers" {
            let e = experiment 40
            let whole = scratchFolder "images-whole"
            let summary = runIn whole e false None
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let rows = RunStore(whole).ReadMetrics() |> List.ofSeq
            let first, last = (List.head rows).Density.Value, (List.last rows).Density.Value
            Expect.isLessThan last.ValidationNll.Value (first.ValidationNll.Value - 100.0)
                (sprintf "validation NLL falls: %.1f → %.1f nats per image" first.ValidationNll.Value last.ValidationNll.Value)
            Expect.isNone (List.last rows).Samples.W1 "no W1 in 784-D"
            Expect.isTrue (File.Exists(Path.Combine(whole, RunFiles.HeldOut))) "held-out NLLs"
            GanFlow.Report.RunReport.write whole |> ignore
            Expect.isTrue (File.Exists(Path.Combine(whole, RunFiles.SampleGrid))) "the report draws the samples as images"
            let paused = scratchFolder "images-paused"
            Expect.equal (runIn paused e false (Some 20)).Status RunStatus.Paused "paused"
            Expect.equal (runIn paused e true None).Status RunStatus.Completed "resumed"
            let metrics f = RunStore(f).ReadMetrics() |> Seq.map withoutWallTime |> List.ofSeq
            Expect.sequenceEqual (metrics paused) (metrics whole) "the same metrics"
            Expect.equal (File.ReadAllText(Path.Combine(paused, RunFiles.Samples))) (File.ReadAllText(Path.Combine(whole, RunFiles.Samples))) "the same samples"
        }

        test "an ASHA search over a Flow-GAN on MNIST images (λ, learning rate) runs: trials stop at rungs and the promoted ones resume" {
            let declared = GanFlow.Experiments.MnistFlows.search
            let search =
                { declared with
                    Base =
                        { declared.Base with
                            Data = DataSource.mnist folder.Value
                            Evaluation = { Evaluation.Default with Every = 10; Samples = 40; FinalSamples = 40 } }
                    Scheduler = { declared.Scheduler with Scheduler = GanFlow.Core.Search.Scheduler.Asha { MinSteps = 10; MaxSteps = 40; ReductionFactor = 2 } }
                    Trials = 3
                    Workers = 1 }
            let out = scratchFolder "images-search"
            (SearchDriverTests.createSqlite out search 60.0).Dispose()
            use store = SqliteSearchStore.OpenFolder(out, SearchStoreAccess.ReadWrite)
            TorchSetup.Initialize 1
            let driver = GanFlow.Runtime.Search.SearchDriver(search, store, GanFlow.Runtime.Search.ExperimentTrialRunner("cpu"), out, 1)
            Expect.isTrue (driver.Run Threading.CancellationToken.None) "the search finished"
            let steps trial =
                let metrics = Path.Combine(out, GanFlow.Runtime.Search.SearchDriver.TrialFolder trial, RunFiles.Metrics)
                RunStore(Path.GetDirectoryName metrics |> nonNull).ReadMetrics() |> Seq.map (fun r -> r.Step) |> List.ofSeq
            let all = [ for t in 0 .. 2 -> steps t ]
            Expect.all all (fun s -> List.contains 10 s) "every trial reached the first rung"
            Expect.exists all (fun s -> s = [ 10; 20; 30; 40 ]) (sprintf "one trial went on to 40 from its pause, evaluated every 10 steps: %A" all)
            for t in 0 .. 2 do
                let last = RunStore(Path.Combine(out, GanFlow.Runtime.Search.SearchDriver.TrialFolder t)).ReadMetrics() |> Seq.last
                Expect.isTrue (Double.IsFinite last.Density.Value.ValidationNll.Value) "a finite validation NLL, the search's metric"
        }

        test "ganflow run --data DIR puts a folder of MNIST files in place of a point experiment's data; a folder without them is refused" {
            let out = scratchFolder "images-cli"
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; folder.Value; "--steps"; "4"; "--out"; out; "--no-report" ]
            Expect.equal code 0 output
            let spec = RunStore.ReadJson<Experiment>(Path.Combine(out, RunFiles.Spec))
            Expect.equal spec.Dimension 784 "the data's shape follows from the source"
            let empty = TestFolders.fresh "no-mnist"
            Directory.CreateDirectory empty |> ignore
            let refused = scratchFolder "images-refused"
            let code, output = CliProcess.run [ "run"; "realnvp-moons"; "--data"; empty; "--out"; refused ]
            Expect.equal code 2 output
            Expect.stringContains output "no-mnist" "names the folder"
            Expect.isFalse (Directory.Exists refused) "nothing written"
        }
    ]
