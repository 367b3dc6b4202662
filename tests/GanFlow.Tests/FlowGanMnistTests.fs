/// Seed 001's NICE Flow-GAN on MNIST (MLE, ADV, Hybrid) on small MNIST folders the tests write: measurable learning,
/// the adversarial objectives' critic recorded without NaN, divergence recorded, determinism, bad input refused with
/// exit 2 before training; and the pure pieces (metrics.csv, the Jacobian spread, Table 1's text).
module GanFlow.Tests.FlowGanMnistTests

open System.IO
open Expecto
open GanFlow.Cli
open GanFlow.Core.Experiments
open GanFlow.Core.Images
open GanFlow.Core.Models
open GanFlow.Runtime.Images
open GanFlow.Store
open GanFlow.Tests.MnistTestSupport

let private strokesFolder side = mnistFolder "" (ImageTestData.strokes 1 side 192) (ImageTestData.strokes 2 side 48)

/// A tiny spec: NICE of 2 couplings with nets 784 → 32 → 32 → 784, a small critic and classifier.
let private tiny (objective: FlowGanMnistObjective) (folder: string) steps =
    { FlowGanMnist.paper "seed001-mnist-test" "test" objective folder with
        Flow = { NiceMnist.flow with Architecture = FlowArchitecture.Nice { Nice.Default with Couplings = 2; Width = 32; Depth = 3 } }
        Critic = { ConvDiscriminator.Default with FirstChannels = 4; SecondChannels = 8; BatchNorm = false }
        GeneratorOptimizer = { FlowGanMnist.adam with LearningRate = 1e-3 }
        BatchSize = 16
        Steps = steps
        EvaluateEvery = 10
        EvaluationImages = 32
        Samples = 40
        Classifier = { DigitClassifier.Default with FirstChannels = 4; SecondChannels = 8; Hidden = 16; Epochs = 1 }
        JacobianPoints = 3
        Parzen = Some { Parzen.Default with Samples = 30; Candidates = 5; Points = 16 }
        Ais = Some { Ais.Default with Chains = 2; Intermediates = 5; LeapfrogSteps = 2; Points = 3; SimulatedPoints = 0 } }

let private run (e: FlowGanMnistExperiment) =
    let out = GanFlow.Tests.ReportTests.temporaryFolder ()
    let splits = MnistFolder.Load(e.Data.Folder, e.Data.Split)
    out, FlowGanMnistRunner.Run(e, splits, out, TorchSharp.torch.CPU, null, false)

let private metrics (out: string) =
    match FlowGanMnistMetricsCsv.parse (File.ReadAllText(Path.Combine(out, RunFiles.Metrics))) with
    | Ok rows -> rows
    | Error m -> failtest m

[<Tests>]
let tests =
    testSequenced <| testList "Mnist Flow-GAN" [
        testCase "an MLE run's validation NLL falls far below its value at init, and the run writes its folder" (fun () ->
            let out, summary = run (tiny FlowGanMnistObjective.MaximumLikelihood (strokesFolder 28) 30)
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let rows = metrics out
            Expect.equal (rows |> List.map _.Step) [ 0; 10; 20; 30 ] "an evaluation at init and every 10 steps"
            let first, best = rows.Head.ValidationNll, rows |> List.map _.ValidationNll |> List.min
            Expect.isLessThan best (first - 200.0) "validation NLL at least 200 nats per image below init"
            Expect.isLessThan (List.last rows).TrainNll (rows.Head.TrainNll - 200.0) "training NLL falls too"
            Expect.equal summary.BestValidationNll (Some best) "the best-validated checkpoint is the lowest validation NLL"
            let testNll = summary.TestNll |> Option.get
            Expect.isTrue (System.Double.IsFinite testNll) "finite test NLL"
            Expect.floatClose Accuracy.high (summary.TestBitsPerDim |> Option.get) (8.0 + testNll / (784.0 * log 2.0)) "bits/dim from the NLL"
            let mode = summary.ModeScore |> Option.get
            Expect.isTrue (mode >= 0.0 && mode <= 10.0 + 1e-9) (sprintf "MODE score %f within [0, 10]" mode)
            Expect.isTrue ((summary.InceptionScore |> Option.get) >= 1.0 - 1e-9) "Inception score >= 1"
            Expect.isSome summary.ClassifierAccuracy "the classifier's test accuracy is reported"
            Expect.equal (summary.Jacobian |> Option.map _.Points) (Some 3) "the Jacobian at 3 draws"
            let kde, ais = Option.get summary.Parzen, Option.get summary.Ais
            Expect.equal (kde.Samples, kde.Points, ais.Points) (30, 16, 3) "Table 3's estimators on the asked sizes"
            for v in [ kde.Nll; ais.Nll; Option.get summary.ExactNllParzenPoints; Option.get summary.ExactNllAisPoints ] do
                Expect.isTrue (System.Double.IsFinite v) "finite estimates beside finite exact NLLs"
            for file in [ RunFiles.Spec; RunFiles.Summary; RunFiles.SampleGrid; RunFiles.Jacobian; FlowGanMnistRunner.ClassifierFile ] do
                Expect.isTrue (File.Exists(Path.Combine(out, file))) (sprintf "%s written" file)
            Expect.isTrue (Directory.Exists(Path.Combine(out, RunFiles.BestCheckpoint))) "checkpoint.best written"
            let jacobianLines = File.ReadAllLines(Path.Combine(out, RunFiles.Jacobian)) |> Array.filter (fun l -> l <> "")
            Expect.equal jacobianLines.Length (1 + 3 * 784) "784 singular values per draw"
            Expect.equal jacobianLines[0] "draw,index,singular_value" "the one jacobian.csv header of every run")
        testCase "ADV and Hybrid runs finish without NaN and record their critic's loss" (fun () ->
            let data = strokesFolder 28
            for objective in [ FlowGanMnistObjective.Adversarial; FlowGanMnistObjective.Hybrid 0.1 ] do
                let out, summary = run { tiny objective data 10 with Samples = 20; JacobianPoints = 0; Parzen = None; Ais = None }
                Expect.equal summary.Status RunStatus.Completed (sprintf "%s: %s" objective.Short summary.Message)
                let last = List.last (metrics out)
                Expect.isTrue (System.Double.IsFinite last.CriticLoss) (sprintf "%s: critic loss recorded" objective.Short)
                Expect.isTrue (System.Double.IsFinite last.ValidationNll) (sprintf "%s: finite NLL" objective.Short)
                Expect.isSome summary.TestNll (sprintf "%s: test NLL" objective.Short))
        testCase "a run whose steps explode is recorded as diverged, with its summary, not a crash" (fun () ->
            let e = { tiny FlowGanMnistObjective.MaximumLikelihood (strokesFolder 28) 10 with GeneratorOptimizer = { FlowGanMnist.adam with LearningRate = 1e8 } }
            let out, summary = run e
            Expect.equal summary.Status RunStatus.Diverged summary.Message
            Expect.isTrue (File.Exists(Path.Combine(out, RunFiles.Summary))) "summary.json written")
        testCase "the same spec and seed give the same metrics on CPU" (fun () ->
            let e = { tiny FlowGanMnistObjective.Adversarial (strokesFolder 28) 3 with EvaluateEvery = 3; Samples = 10; JacobianPoints = 0 }
            let a, _ = run e
            let b, _ = run e
            let nlls out = metrics out |> List.map (fun r -> sprintf "%.17g %.17g %.17g" r.TrainNll r.ValidationNll r.CriticLoss)
            Expect.equal (nlls a) (nlls b) "identical metrics")
        testCase "bad input exits 2 before training, naming the field or file" (fun () ->
            let data = strokesFolder 28
            let fresh () = Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "run")
            let refused args =
                let out = fresh ()
                Expect.equal (Program.main (Array.append args [| "--out"; out |])) 2 (sprintf "%A exits 2" args)
                Expect.isFalse (Directory.Exists out) "nothing written"
            refused [| "run"; "seed001-mnist-mle-reduced"; "--data"; "/nonexistent/mnist" |]
            refused [| "run"; "seed001-mnist-adv-reduced"; "--data"; strokesFolder 32 |]
            refused [| "run"; "seed001-mnist-hybrid-reduced"; "--data"; data; "--steps"; "0" |]
            refused [| "run"; "seed001-mnist-mle-reduced"; "--data"; data; "--classifier"; "/nonexistent/classifier.bin" |]
            refused [| "run"; "seed001-mnist-flowgan-tables"; "--data"; "/nonexistent/mnist" |])
        testCase "the tables study runs its cells, the shared classifier and the baseline, and writes table.md, table.csv and report.html" (fun () ->
            let data = strokesFolder 28
            let cells =
                [ FlowGanMnistObjective.MaximumLikelihood; FlowGanMnistObjective.Adversarial; FlowGanMnistObjective.Hybrid 0.1 ]
                |> List.map (fun o -> { tiny o data 2 with Name = "seed001-mnist-test-" + o.Short; EvaluateEvery = 2; Samples = 10; JacobianPoints = 2 })
            let study =
                { Name = "seed001-mnist-test-tables"; Description = "test"; Cells = cells
                  Baseline = Some { Sigmas = [ 0.05; 0.5 ]; Points = 8; Samples = 10 } }
            let out = GanFlow.Tests.ReportTests.temporaryFolder ()
            Expect.equal (FlowGanMnistCommand.runStudy study out "cpu" 1 false false None) 0 "exit code"
            for file in [ RunFiles.StudyTable; RunFiles.StudyTableCsv; RunFiles.Report; MemorizingBaselineRunner.File; FlowGanMnistRunner.ClassifierFile ] do
                Expect.isTrue (File.Exists(Path.Combine(out, file))) (sprintf "%s written" file)
            for cell in [ "mle"; "adv"; "hybrid" ] do
                Expect.isTrue (File.Exists(Path.Combine(out, cell, RunFiles.Summary))) (sprintf "%s run folder" cell)
                Expect.isFalse (File.Exists(Path.Combine(out, cell, FlowGanMnistRunner.ClassifierFile))) "the study's classifier is shared"
            let md = File.ReadAllText(Path.Combine(out, RunFiles.StudyTable))
            for text in [ "| mle | Completed"; "| adv | Completed"; "| hybrid | Completed"; "-3334.56"; "(chosen)"; "Table 3" ] do
                Expect.stringContains md text text
            let baselineLines = File.ReadAllLines(Path.Combine(out, MemorizingBaselineRunner.File)) |> Array.filter (fun l -> l <> "")
            Expect.equal baselineLines.Length 3 "a header and one line per sigma"
            let html = File.ReadAllText(Path.Combine(out, RunFiles.Report))
            Expect.stringContains html "seed 001 Fig. 2" "Fig. 2 in the report"
            Expect.stringContains html "Fig. 6" "Fig. 6 in the report"
            // `ganflow report` rebuilds the study's table and report from the folder alone, the same table, and writes
            // a run folder's own report.
            File.Delete(Path.Combine(out, RunFiles.StudyTable))
            File.Delete(Path.Combine(out, RunFiles.Report))
            Expect.equal (ReportCommand.run out) 0 "report on the study folder"
            Expect.equal (File.ReadAllText(Path.Combine(out, RunFiles.StudyTable))) md "the rebuilt table is the study's"
            Expect.stringContains (File.ReadAllText(Path.Combine(out, RunFiles.Report))) "Fig. 6" "the rebuilt report"
            Expect.equal (ReportCommand.run (Path.Combine(out, "adv"))) 0 "report on a run folder"
            let runHtml = File.ReadAllText(Path.Combine(out, "adv", RunFiles.Report))
            Expect.stringContains runHtml "Completed" "the run's Table 1 row"
            Expect.stringContains runHtml (sprintf "src=\"%s\"" RunFiles.SampleGrid) "its samples, relative to the run folder")
        test "the spec refuses a non-NICE flow, a negative λ and a too small batch, naming the field" {
            let e = tiny (FlowGanMnistObjective.Hybrid -1.0) "x" 1
            let fields es = FlowGanMnist.errors es |> List.map _.Field
            Expect.contains (fields e) "objective.hybrid.lambda" "λ < 0"
            Expect.contains (fields { e with Flow = Flow.realNvpMoons }) "flow.architecture" "RealNVP refused"
            Expect.contains (fields { e with BatchSize = 1 }) "batchSize" "batch 1"
            Expect.isEmpty (FlowGanMnist.errors (tiny (FlowGanMnistObjective.Hybrid 0.1) "x" 1)) "a valid spec"
        }
        test "metrics.csv survives a round trip" {
            let rows =
                [ { Step = 0; WallSeconds = 0.5; TrainNll = -3.25; ValidationNll = 1e3; GeneratorLoss = nan; CriticLoss = nan }
                  { Step = 10; WallSeconds = 2.0; TrainNll = -2649.4; ValidationNll = -2648.2; GeneratorLoss = 0.1; CriticLoss = -4.5 } ]
            match FlowGanMnistMetricsCsv.parse (FlowGanMnistMetricsCsv.format rows) with
            | Ok back ->
                Expect.isTrue (System.Double.IsNaN back[0].CriticLoss) "NaN stays NaN"
                Expect.equal (back |> List.map _.Step) [ 0; 10 ] "steps"
                Expect.equal back[1] rows[1] "values"
            | Error m -> failtest m
        }
        test "the Jacobian spread of known singular values" {
            let j = JacobianSpread.ofSingularValues [| [| 1.0; 10.0 |]; [| 2.0; 2.0 |] |]
            Expect.floatClose Accuracy.high j.MeanLogAbsDet ((log 10.0 + 2.0 * log 2.0) / 2.0) "mean Σ log σ"
            Expect.floatClose Accuracy.high j.MedianSingularValue 2.0 "median of 1, 2, 2, 10"
            Expect.floatClose Accuracy.high j.MeanLog10ConditionNumber 0.5 "(1 + 0) / 2"
        }
        test "class shares of generated digits and the classes they cover" {
            let posteriors = [| [| 0.9; 0.1; 0.0 |]; [| 0.2; 0.8; 0.0 |]; [| 0.6; 0.3; 0.1 |]; [| 0.5; 0.5; 0.0 |] |]
            let shares = GanFlow.Core.Metrics.SampleQuality.labelShares posteriors
            Expect.equal shares [| 0.75; 0.25; 0.0 |] "argmax shares, a tie to the lower label"
            Expect.equal (GanFlow.Core.Metrics.SampleQuality.labelsCovered [| 1.0 / 3.0; 1.0 / 3.0; 1.0 / 3.0 |] shares) 2 "the third class is not generated"
            Expect.equal (GanFlow.Core.Metrics.SampleQuality.labelsCovered [| 0.05; 0.05; 0.9 |] [| 0.01; 0.5; 0.49 |]) 2 "0.01 is below a fifth of 0.05"
        }
        test "Table 1's text puts the measured numbers beside the paper's" {
            let summary =
                { Name = "seed001-mnist-adv-reduced"; Objective = "adv"; Seed = 1; Status = RunStatus.Completed; Message = ""; StepsCompleted = 200
                  FlowParameters = 1L; BestStep = Some 0; BestValidationNll = Some 5.0; TestNll = Some -1234.5; TestBitsPerDim = Some 5.73
                  ModeScore = Some 3.21; InceptionScore = Some 3.0; ClassifierAccuracy = Some 0.96
                  ClassShares = Some [ 0.5; 0.5; 0.0; 0.0; 0.0; 0.0; 0.0; 0.0; 0.0; 0.0 ]; ClassesCovered = Some 2; Jacobian = None
                  ExactNllParzenPoints = Some -1200.0; Parzen = Some { Nll = -150.0; StandardError = 1.0; Bandwidth = 0.1; Samples = 10; Points = 5 }
                  ExactNllAisPoints = None; Ais = None; WallSeconds = 1.0 }
            let md = GanFlow.Report.FlowGanMnistTables.markdown "t" (Some 0.96) [ summary ]
            Expect.stringContains md "| adv | Completed | 200 | 0 | -1234.50 | 5.730 | 3.21 | 3.00 | 2 | 0.500 | 9.24 | -1604.09 |" "the adv row"
            Expect.stringContains (GanFlow.Report.FlowGanMnistTables.csv [ summary ]) "adv,Completed,200,0,-1234.50,5.730,3.21,3.00,2,0.500,9.24,-1604.09" "csv row"
            Expect.stringContains md "| adv | -1200.00 | -150.00 | 0.1000 | — | — | — | 26350.30 | -2916.10 | -3.03 |" "Table 3's adv row"
        }
    ]
