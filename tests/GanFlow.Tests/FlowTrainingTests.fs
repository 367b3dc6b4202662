/// Short maximum-likelihood runs per flow family: the NLL must fall clearly below its initial value.
module GanFlow.Tests.FlowTrainingTests

open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Flows
open GanFlow.Runtime.Modules
open GanFlow.Runtime.Training
open GanFlow.Tests.FlowTestSupport

let private gaussian = Distribution.Gaussian(1.0, 0.5)

/// Samples of the final evaluation, whose NLL is compared with the untrained flow's on the same points.
let private evaluationSamples = 4_096

/// A flow trained by maximum likelihood for `steps` steps, evaluated once at the end.
let private experiment (spec: Flow) dataset steps batch seed =
    { Experiment.create "flow-training-test" "" dataset with
        Model = Model.Flow spec
        Budget = { Steps = steps; BatchSize = batch; Epochs = None }
        Evaluation = { Evaluation.Default with Every = steps; Samples = evaluationSamples; FinalSamples = evaluationSamples }
        Seed = seed }

/// Runs `e` in a fresh folder: its summary, and the NLL the untrained flow (same initial weights) has on the final
/// evaluation's data samples.
let private trainAndCompare (e: Experiment) =
    let dimension = e.Dimension
    let data = Sampling.sample (StepSeeds.Random(e.Seed, e.Budget.Steps, StepSeeds.Stream.EvaluationData)) e.Law.Value evaluationSamples
    let initialData = Sampling.sample (StepSeeds.Random(e.Seed, 0, StepSeeds.Stream.Initialization)) e.Law.Value FlowGeneratorModule.InitialDataPoints
    use networks = ModelNetworks.Create(e.Model, dimension, StepSeeds.Of(e.Seed, 0, StepSeeds.Stream.Initialization), torch.CPU, FlowTrainer.ToTensor(initialData, dimension))
    networks.Train false
    let initial = -(Array.average (networks.Generator.LogDensity data))
    let folder = GanFlow.Tests.TestRuns.scratchFolder "flow-training"
    let summary = ExperimentRunner.Run(e, RunContext(torch.CPU, folder))
    summary, initial

let private train name spec dataset steps batch margin =
    testCase (sprintf "%s: the NLL after %d steps is at least %.2f nats below the NLL at initialisation" name steps margin) (fun () ->
        useOneThread ()
        let summary, initial = trainAndCompare (experiment spec dataset steps batch 7)
        let final = summary.Final |> Option.map _.Nll |> Option.defaultValue nan
        printfn "%s: NLL %.4f -> %.4f nats in %d steps, %.2f s" name initial final summary.StepsCompleted summary.WallSeconds
        Expect.equal summary.Status GanFlow.Core.Experiments.RunStatus.Completed summary.Message
        Expect.isLessThan final (initial - margin) "NLL fell")

[<Tests>]
let tests =
    testList "Flow training" [
        train "Gaussianization flow on N(1, 0.5²)"
            { Flow.gaussianization1d with
                Architecture = FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 2; Anchors = 20; Bandwidth = BandwidthInit.Fixed 1.0 } }
            gaussian 150 256 0.3
        train "RealNVP on moons"
            { Flow.realNvpMoons with
                Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 4; Width = 32 }
                Optimizer = Flow.adam 3e-3 }
            NamedDatasets.moons 200 256 0.3
        train "NICE on moons"
            { Flow.niceLogistic with
                Architecture = FlowArchitecture.Nice { Nice.Default with Couplings = 4; Width = 32; Depth = 3 }
                Optimizer = Flow.adam 3e-3 }
            NamedDatasets.moons 200 256 0.3
        train "neural spline flow on seed 000's multimodal set" GanFlow.Experiments.NeuralSplineFlows.oneD NamedDatasets.multimodal 150 512 0.3
        train "neural spline flow on the ring of 8" GanFlow.Experiments.NeuralSplineFlows.twoD NamedDatasets.ring8 200 256 0.5
        train "FFJORD on N(1, 0.5²)"
            { Flow.ffjord1d with
                Architecture = FlowArchitecture.Ffjord { Ffjord.Default with Hidden = [ 16; 16 ]; Solver = OdeSolver.Rk4 4 }
                Optimizer = Flow.adam 1e-2 }
            gaussian 60 256 0.2
        train "OT-Flow on moons" Flow.otFlowMoons NamedDatasets.moons 100 256 0.3
        testCase "every evaluation records recall beside precision: on the ring of 8 a broad early flow has recall without precision, training adds precision and coverage, and the final scores are the k-NN scores of the run's own samples" (fun () ->
            useOneThread ()
            let e =
                { experiment GanFlow.Experiments.NeuralSplineFlows.twoD NamedDatasets.ring8 200 256 7 with
                    Evaluation = { Evaluation.Default with Every = 20; Samples = evaluationSamples; FinalSamples = evaluationSamples } }
            let folder = GanFlow.Tests.TestRuns.scratchFolder "flow-recall"
            let summary = ExperimentRunner.Run(e, RunContext(torch.CPU, folder))
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let records = GanFlow.Store.MetricsCsv.Parse(System.IO.File.ReadAllText(System.IO.Path.Combine(folder, GanFlow.Store.RunFiles.Metrics))) |> List.ofSeq
            let first, final = List.head records, List.last records
            printfn "NSF on the ring of 8: precision %.3f -> %.3f, recall %.3f -> %.3f, coverage %.3f -> %.3f"
                first.Samples.PrecisionRecall.Precision final.Samples.PrecisionRecall.Precision first.Samples.PrecisionRecall.Recall final.Samples.PrecisionRecall.Recall first.Samples.PrecisionRecall.Coverage final.Samples.PrecisionRecall.Coverage
            // Early on the flow is still broad: its samples reach nearly all the data (recall) but few lie in it
            // (precision); training brings precision and coverage up while recall stays.
            Expect.isLessThan first.Samples.PrecisionRecall.Precision 0.3 "the broad early flow puts most samples off the ring"
            Expect.isGreaterThan final.Samples.PrecisionRecall.Precision (first.Samples.PrecisionRecall.Precision + 0.3) "precision rose"
            Expect.isGreaterThan final.Samples.PrecisionRecall.Coverage (first.Samples.PrecisionRecall.Coverage + 0.3) "coverage rose"
            Expect.isGreaterThan final.Samples.PrecisionRecall.Recall 0.9 "the trained flow still reaches nearly all the data"
            // The recorded scores are exactly PrecisionRecall's on the final evaluation's samples: the model's (samples.txt)
            // and the data's (the evaluation's seeded draw).
            let model =
                System.IO.File.ReadAllLines(System.IO.Path.Combine(folder, GanFlow.Store.RunFiles.Samples))
                |> Array.collect (fun l -> l.Split(',') |> Array.map (fun v -> System.Double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)))
            let data = Sampling.sample (StepSeeds.Random(e.Seed, e.Budget.Steps, StepSeeds.Stream.EvaluationData)) e.Law.Value evaluationSamples
            let expected = (GanFlow.Core.Metrics.PrecisionRecall.ofEvaluation 2 model data).Value
            Expect.equal (final.Samples.PrecisionRecall.Precision, final.Samples.PrecisionRecall.Recall, final.Samples.PrecisionRecall.Density, final.Samples.PrecisionRecall.Coverage)
                (expected.Precision, expected.Recall, expected.Density, expected.Coverage) "the run's final scores")
        testCase "training twice with the same seed gives the same NLL" (fun () ->
            useOneThread ()
            let spec =
                { Flow.realNvpMoons with
                    Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 8 }
                    Optimizer = Flow.adam 1e-2 }
            let run () = trainAndCompare (experiment spec NamedDatasets.moons 20 64 5)
            let (a, initialA), (b, initialB) = run (), run ()
            Expect.equal initialA initialB "initial NLL"
            Expect.equal a.Final.Value.Nll b.Final.Value.Nll "final NLL")
        testCase "a diverging run stops and reports it without throwing" (fun () ->
            useOneThread ()
            let spec =
                { Flow.gaussianization1d with
                    Architecture = FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 1; Anchors = 5 }
                    Optimizer = Flow.adam 1e12 }
            let summary, _ = trainAndCompare (experiment spec gaussian 50 64 3)
            Expect.equal summary.Status GanFlow.Core.Experiments.RunStatus.Diverged (sprintf "diverged (%s)" summary.Message))
    ]
