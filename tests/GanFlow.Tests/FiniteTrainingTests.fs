/// Runs on data with known truth: a finite training set's splits and their NLLs, KL(data ‖ model) from both exact
/// densities, bits per dimension, and mode scores on mixtures.
module GanFlow.Tests.FiniteTrainingTests

open System
open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Training
open GanFlow.Store
open GanFlow.Tests.TestRuns

let private flow =
    { Flow.realNvpMoons with
        Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 4; Width = 32 }
        Optimizer = Flow.adam 3e-3 }

let private experiment dataset model steps trainingSet =
    { Experiment.create "finite" "" dataset with
        Model = model
        Data = (match trainingSet with Some s -> DataSource.Sample(dataset, s) | None -> DataSource.Law dataset)
        Budget = { Steps = steps; BatchSize = 64; Epochs = None }
        Evaluation = { Evaluation.Default with Every = steps; Samples = 2_000; FinalSamples = 2_000 }
        Seed = 2 }

let private runIn (e: Experiment) =
    TorchSetup.Initialize 1
    let folder = scratchFolder "finite"
    ExperimentRunner.Run(e, RunContext(torch.CPU, folder)), folder

[<Tests>]
let tests =
    testList "finite training sets and known truth" [
        test "a flow trained on 16 points memorises them: its training NLL falls below its validation NLL" {
            let e = experiment (NamedDatasets.ring 8 2.0 0.2) (Model.Flow flow) 300 (Some(FiniteSample.create 216 100 100 7))
            let summary, _ = runIn e
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let d = summary.Final.Value.Density.Value
            Expect.isLessThan d.TrainNll.Value (d.ValidationNll.Value - 0.2) (sprintf "train %.3f < validation %.3f" d.TrainNll.Value d.ValidationNll.Value)
        }
        test "KL(data ‖ model) is the NLL minus the data's entropy on the same samples, bits per dimension the NLL over d ln 2" {
            let dataset = NamedDatasets.ring 8 2.0 0.2
            let e = experiment dataset (Model.Flow flow) 20 None
            let summary, _ = runIn e
            let d = summary.Final.Value.Density.Value
            let data = Sampling.sample (StepSeeds.Random(e.Seed, 20, StepSeeds.Stream.EvaluationData)) dataset 2_000 |> Array.chunkBySize 2
            let entropy = -(data |> Array.averageBy (Densities.logDensity dataset))
            Expect.floatClose Accuracy.high d.Kl.Value (d.Nll - entropy) "kl = nll − H on the evaluation's data"
            Expect.isGreaterThan d.Kl.Value 0.0 "an untrained flow is far from the truth"
            Expect.floatClose Accuracy.veryHigh d.BitsPerDim (d.Nll / (2.0 * log 2.0)) "bits per dimension"
            Expect.isNone d.TrainNll "no splits without a finite training set"
        }
        test "a Flow-GAN run on a finite set keeps its best-validated checkpoint and measures the held-out data at its end" {
            let game = { Adversarial.WganGp with Critic = CriticNetwork.Mlp { Mlp.Default with Width = 16 }; CriticSteps = 1 }
            let model = Model.FlowGan(flow, Objective.Hybrid(game, 1.0))
            let e =
                { experiment (NamedDatasets.ring 8 2.0 0.2) model 40 (Some(FiniteSample.create 400 100 100 7)) with
                    Evaluation =
                        { Evaluation.Default with
                            Every = 10
                            Samples = 500
                            FinalSamples = 500
                            Ais = Some { Ais.Default with Intermediates = 20; Chains = 4; Points = 10; SimulatedPoints = 3 }
                            Parzen = Some { Parzen.Default with Samples = 500; Points = 100 }
                            Jacobian = Some JacobianSpectrum.Default } }
            let summary, folder = runIn e
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let store = RunStore folder
            let heldOut = store.ReadHeldOut() |> nonNull
            Expect.equal heldOut.Points "test split" "the test split"
            let records = store.ReadMetrics() |> List.ofSeq
            let bestRecord = records |> List.minBy (fun r -> r.Density.Value.ValidationNll.Value)
            let best = heldOut.BestValidated.Value
            Expect.equal best.Step bestRecord.Step "the best-validated checkpoint is the evaluation with the lowest validation NLL"
            Expect.floatClose Accuracy.high best.ValidationNll bestRecord.Density.Value.ValidationNll.Value "its validation NLL, recomputed from the checkpoint"
            Expect.isTrue (IO.Directory.Exists(IO.Path.Combine(folder, RunFiles.BestCheckpoint))) "checkpoint.best"
            Expect.isTrue (heldOut.ExactNll.IsSome && heldOut.Ais.IsSome && heldOut.Parzen.IsSome) "exact, AIS and Parzen"
            Expect.equal heldOut.ExactNllPoints (Some 100) "the exact NLL's points: the first parzen.points of the test split"
            Expect.stringContains (IO.File.ReadAllText(GanFlow.Report.RunReport.write folder)) "exact NLL of the final model on the first 100 held-out points" "the report says how many"
            Expect.isSome heldOut.Ais.Value.BidirectionalGap "the bidirectional check ran"
            let jacobian = IO.File.ReadAllLines(IO.Path.Combine(folder, RunFiles.Jacobian))
            Expect.hasLength jacobian (1 + 64 * 2) "64 draws × 2 singular values"
            Expect.isSome heldOut.Jacobian.Value.MeanLogAbsDet "square: log|det|"
        }
        test "a --until pause off the evaluation schedule never becomes the best-validated checkpoint: paused and resumed, the run keeps an uninterrupted run's" {
            let e = { experiment (NamedDatasets.ring 8 2.0 0.2) (Model.Flow flow) 40 (Some(FiniteSample.create 400 100 100 7)) with
                        Evaluation = { Evaluation.Default with Every = 10; Samples = 500; FinalSamples = 500 } }
            TorchSetup.Initialize 1
            let paused, direct = scratchFolder "best-paused", scratchFolder "best-direct"
            let first = ExperimentRunner.Run(e, RunContext(torch.CPU, paused, StopAtStep = Nullable 25))
            Expect.equal first.Status RunStatus.Paused first.Message
            let bestStep () = GanFlow.Runtime.Checkpoints.CheckpointStore.Best(paused).Manifest.Step
            Expect.equal (bestStep () % 10) 0 "the best checkpoint is a scheduled evaluation's, not the pause's at 25"
            let resumed = ExperimentRunner.Run(e, RunContext(torch.CPU, paused, Resume = true))
            Expect.equal resumed.Status RunStatus.Completed resumed.Message
            ExperimentRunner.Run(e, RunContext(torch.CPU, direct)) |> ignore
            let bestOf folder = (RunStore(folder).ReadHeldOut() |> nonNull).BestValidated.Value
            Expect.equal (bestOf paused).Step (bestOf direct).Step "the best-validated step of an uninterrupted run"
            Expect.equal (bestOf paused).TestNll (bestOf direct).TestNll "its test NLL"
        }
        test "an MLP GAN gets AIS and Parzen estimates but no exact NLL" {
            let gan = Model.Gan { smallWganGp with Prior = { Prior.Default with Dimension = 2 }; CriticSteps = 1 }
            let e =
                { experiment NamedDatasets.ring8 gan 4 None with
                    Evaluation =
                        { Evaluation.Default with
                            Every = 4
                            Samples = 200
                            FinalSamples = 200
                            Ais = Some { Ais.Default with Intermediates = 10; Chains = 2; Points = 5; SimulatedPoints = 0 }
                            Parzen = Some { Parzen.Default with Samples = 300; Points = 50 } } }
            let summary, folder = runIn e
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let heldOut = RunStore(folder).ReadHeldOut() |> nonNull
            Expect.isNone heldOut.ExactNll "no density"
            Expect.isNone heldOut.ExactNllPoints "nor its count"
            Expect.equal heldOut.Points "fresh data" "fresh held-out data without a finite set"
            Expect.isTrue (Double.IsFinite heldOut.Ais.Value.Nll && Double.IsFinite heldOut.Parzen.Value.Nll) "finite estimates"
        }
        test "a GAN on the ring records mode scores and no density, a flow on the moons no KL" {
            let gan = Model.Gan { smallWganGp with Prior = { Prior.Default with Dimension = 2 }; CriticSteps = 1 }
            let summary, folder = runIn (experiment NamedDatasets.ring8 gan 4 (Some(FiniteSample.create 300 50 50 1)))
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let header = IO.File.ReadAllLines(IO.Path.Combine(folder, RunFiles.Metrics))[0]
            Expect.equal header "step,critic_w1,energy,generator_loss,critic_loss,wall_seconds,mode_score,inception_score,high_quality,modes_covered,precision,recall,density,coverage" "header"
            // Precision and recall score against fresh draws of the law, not the evaluation's draws from the 200-point
            // training split (with repeats, whose k-NN balls have radius 0): exactly the scores of samples.txt against them.
            let e = experiment NamedDatasets.ring8 gan 4 (Some(FiniteSample.create 300 50 50 1))
            let model =
                IO.File.ReadAllLines(IO.Path.Combine(folder, RunFiles.Samples))
                |> Array.collect (fun l -> l.Split(',') |> Array.map (fun v -> Double.Parse(v, Globalization.CultureInfo.InvariantCulture)))
            let fresh = Sampling.sample (StepSeeds.Random(e.Seed, e.Budget.Steps, StepSeeds.Stream.RecallData)) e.Law.Value e.Evaluation.FinalSamples
            let expected = (GanFlow.Core.Metrics.PrecisionRecall.ofEvaluation 2 model fresh).Value
            Expect.equal summary.Final.Value.Samples.PrecisionRecall expected "the final scores against fresh draws"
            let moons, moonsFolder = runIn (experiment NamedDatasets.moons (Model.Flow flow) 4 None)
            Expect.isNone moons.Final.Value.Density.Value.Kl "the moons' density is not known"
            Expect.isNone moons.Final.Value.Modes "nor are their modes"
            ignore moonsFolder
        }
    ]
