/// A model is a generator and an objective: every combination the validation accepts trains, records exactly the
/// metrics it can have, and resumes to the numbers of an uninterrupted run; the hybrid loss (seed 001 eq. 7) is the
/// adversarial loss at λ = 0 and approaches maximum likelihood's gradient as λ grows.
module GanFlow.Tests.GeneratorObjectiveTests

open System
open System.IO
open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Modules
open GanFlow.Runtime.Training
open GanFlow.Store
open GanFlow.Tests.TestRuns

let private adam = Optimizer.Adam { Adam.Default with LearningRate = 1e-3 }
let private game = { Adversarial.WganGp with Critic = CriticNetwork.Mlp { Mlp.Default with Width = 16 }; CriticSteps = 2; CriticOptimizer = adam }
let private smallRealNvp = { Flow.realNvpMoons with Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 16 }; Optimizer = adam }
let private smallNice =
    { Flow.niceLogistic with Architecture = FlowArchitecture.Nice { Nice.Default with Couplings = 2; Width = 16; Depth = 3 }; Optimizer = adam }
let private smallFfjord =
    { Flow.ffjord1d with Architecture = FlowArchitecture.Ffjord { Ffjord.Default with Hidden = [ 8 ]; Solver = OdeSolver.Rk4 2 }; Optimizer = adam }
let private smallOtFlow = { Flow.otFlowMoons with Architecture = FlowArchitecture.OtFlow { OtFlow.Default with Width = 8; Solver = OdeSolver.Rk4 2 }; Optimizer = adam }
let private gaussian = Distribution.Gaussian(2.0, 0.5)

/// A small VAE of `latent` dimensions: decoder and encoder of width 16, σ = 0.1.
let smallVae (latent: int) =
    { Generator = GeneratorSpec.Mlp { Prior = { Prior.Default with Dimension = latent }; Network = { Mlp.Default with Width = 16 } }
      Objective = Objective.Elbo { Encoder = EncoderNetwork.Mlp { Mlp.Default with Width = 16 }; Likelihood = DecoderLikelihood.Gaussian 0.1 }
      Optimizer = adam
      Schedule = LearningRateSchedule.Constant; Init = GeneratorInit.Random }

/// Every family of generator × objective, each small.
let combinations =
    [ "MLP generator, adversarial (WGAN-GP)", gaussian, Model.Gan { smallWganGp with CriticSteps = 2 }
      "RealNVP, maximum likelihood", NamedDatasets.moons, Model.Flow smallRealNvp
      "RealNVP, adversarial (WGAN-GP)", NamedDatasets.moons, Model.FlowGan(smallRealNvp, Objective.Adversarial game)
      "RealNVP, hybrid λ = 1", NamedDatasets.moons, Model.FlowGan(smallRealNvp, Objective.Hybrid(game, 1.0))
      "NICE, hybrid λ = 0.1, minimax loss with spectral norm",
      NamedDatasets.moons, Model.FlowGan(smallNice, Objective.Hybrid({ game with Loss = GanObjective.Minimax; Lipschitz = [ LipschitzConstraint.SpectralNorm 1 ] }, 0.1))
      "FFJORD (RK4), adversarial", gaussian, Model.FlowGan(smallFfjord, Objective.Adversarial game)
      "OT-Flow (RK4), hybrid λ = 1", NamedDatasets.moons, Model.FlowGan(smallOtFlow, Objective.Hybrid(game, 1.0))
      "MLP generator, ELBO (a VAE: MLP encoder, Gaussian likelihood), 1-D", gaussian, smallVae 1
      "MLP generator, ELBO (a VAE: MLP encoder, Gaussian likelihood), ring of 8", NamedDatasets.ring8, smallVae 2 ]

let private experimentOf dataset model =
    { Experiment.create "combination" "" dataset with
        Model = model
        Budget = { Steps = 4; BatchSize = 64; Epochs = None }
        Evaluation = { Evaluation.Default with Every = 2; Samples = 300; FinalSamples = 300 }
        Seed = 3 }

let private combinationTest (name, dataset, model) =
    test (sprintf "%s: trains, records exactly its metrics (all finite), and a paused run resumes to the uninterrupted one's numbers" name) {
        let e = experimentOf dataset model
        Expect.isEmpty (ExperimentValidation.errors e) "the combination is valid"
        let folder = scratchFolder "combination"
        let summary = runIn folder e false None
        Expect.equal summary.Status RunStatus.Completed summary.Message
        let header = File.ReadAllLines(Path.Combine(folder, RunFiles.Metrics))[0]
        Expect.equal header (MetricsCsv.Header(MetricColumns.ofExperiment e)) "the header is the model's columns"
        Expect.equal (header.Contains "critic_w1") (Model.hasCritic model) "a critic column exactly when the objective has a critic"
        Expect.equal (header.Contains "nll") (Model.hasDensity model) "an NLL column exactly when the generator has a density"
        for r in RunStore(folder).ReadMetrics() do
            for c in MetricColumns.ofRecord r do
                Expect.isTrue (Double.IsFinite (c.Get r).Value) (sprintf "%s at step %d is finite" c.Name r.Step)
        Expect.equal (summary.CriticParameters > 0) (Model.hasCritic model) "critic parameters exactly with a critic"
        let paused = scratchFolder "combination-paused"
        Expect.equal (runIn paused e false (Some 2)).Status RunStatus.Paused "paused at step 2"
        let resumed = runIn paused e true None
        Expect.equal resumed.Status RunStatus.Completed resumed.Message
        let rows f = RunStore(f).ReadMetrics() |> Seq.map withoutWallTime |> List.ofSeq
        Expect.sequenceEqual (rows paused) (rows folder) "the same metrics"
        Expect.equal (File.ReadAllText(Path.Combine(paused, RunFiles.Samples))) (File.ReadAllText(Path.Combine(folder, RunFiles.Samples))) "the same samples"
    }

/// A RealNVP Flow-GAN's networks on moons, a data batch and generated samples, and the gradient of a loss with respect
/// to the flow's parameters (flattened).
let private hybridParts () =
    let model = Model.FlowGan(smallRealNvp, Objective.Hybrid(game, 1.0))
    let initial = FlowTestSupport.tensorOf 2 (Sampling.sample (Random 1) NamedDatasets.moons 500)
    let networks = ModelNetworks.Create(model, 2, 11L, torch.CPU, initial)
    let x = networks.Generator.DataTensor(Sampling.sample (Random 2) NamedDatasets.moons 128, 2, torch.CPU)
    let gradient (loss: unit -> torch.Tensor) =
        networks.Generator.Module.zero_grad()
        let l = loss ()
        l.backward()
        let g = networks.Generator.Module.parameters() |> Seq.collect (fun p -> (nonNull p.grad).data<float>().ToArray()) |> Array.ofSeq
        l.item<float>(), g
    let adversarial () =
        use noise = new torch.Generator(5UL)
        networks.Generator.BeginStep(1L, 2L)
        GanLosses.Generator(game.Loss, (nonNull networks.Critic).forward(networks.Generator.SampleForTraining(128L, noise, torch.CPU)))
    let nll () =
        let struct (loss, _) = networks.Generator.LikelihoodLoss x
        loss
    networks, gradient, adversarial, nll

let private cosine (a: float[]) (b: float[]) =
    let dot = Array.fold2 (fun s u v -> s + u * v) 0.0 a b
    dot / sqrt (Array.sumBy (fun u -> u * u) a * Array.sumBy (fun v -> v * v) b)

[<Tests>]
let tests =
    testList "generator and objective" [
        yield! combinations |> List.map combinationTest
        test "the hybrid loss at λ = 0 is the adversarial loss, value and gradient" {
            let networks, gradient, adversarial, nll = hybridParts ()
            use _ = networks
            let adv, advGrad = gradient adversarial
            let hyb, hybGrad = gradient (fun () -> ObjectiveLosses.Generator(Objective.Hybrid(game, 0.0), adversarial (), nll ()))
            Expect.equal hyb adv "same value"
            Expect.sequenceEqual hybGrad advGrad "same gradient"
        }
        test "the hybrid gradient turns towards maximum likelihood's as λ grows" {
            let networks, gradient, adversarial, nll = hybridParts ()
            use _ = networks
            let _, mle = gradient nll
            let _, adv = gradient adversarial
            let cosines =
                [ for lambda in [ 0.0; 0.01; 1.0; 100.0; 10_000.0 ] ->
                      let _, g = gradient (fun () -> ObjectiveLosses.Generator(Objective.Hybrid(game, lambda), adversarial (), nll ()))
                      cosine g mle ]
            Expect.floatClose Accuracy.high cosines[0] (cosine adv mle) "λ = 0: the adversarial direction"
            Expect.isTrue (List.pairwise cosines |> List.forall (fun (a, b) -> b >= a - 1e-9)) (sprintf "the cosine with the MLE gradient rises with λ: %A" cosines)
            Expect.isGreaterThan (List.last cosines) 0.9999 "λ = 10,000: the MLE direction"
        }
    ]
