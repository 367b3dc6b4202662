/// Seed 001 (Grover et al., Flow-GAN) on MNIST: NICE trained by MLE, ADV (WGAN-GP, DCGAN critic) and Hybrid (eq. 7,
/// λ = 0.1), each at the paper's architecture and a budget of 30,000 steps, and at a reduced budget that finishes in a
/// few minutes on 2 CPU cores; and the reduced tables study (Table 1, Figs. 2 and 4). The data folder defaults to
/// `data/mnist` (`ganflow data mnist --out data/mnist`); `--data` overrides it.
module GanFlow.Experiments.Seed001Mnist

open GanFlow.Core.Images
open GanFlow.Core.Models

let private folder = "data/mnist"

let private objectives =
    [ FlowGanMnistObjective.MaximumLikelihood, "MLE (eq. 1)"
      FlowGanMnistObjective.Adversarial, "ADV (WGAN-GP, lambda_GP 10, 5 critic steps, DCGAN critic)"
      FlowGanMnistObjective.Hybrid 0.1, "Hybrid (eq. 7, lambda 0.1)" ]

/// The paper's NICE (4 couplings, 5 × 1,000 ReLU, 22,295,920 weights), batch 100, 30,000 steps, Adam(1e-4, 0.5, 0.9).
let paper =
    objectives
    |> List.map (fun (objective, what) ->
        FlowGanMnist.paper (sprintf "seed001-mnist-%s" objective.Short)
            (sprintf "seed 001 Table 1: NICE on dequantized logit MNIST by %s, paper architecture, 30,000 steps of batch 100" what)
            objective folder)

/// The reduced width of the coupling nets.
[<Literal>]
let ReducedWidth = 100

/// Reduced: NICE with 4 couplings of nets 784 → 100 → 100 → 100 → 784 (3 hidden layers instead of 5 × 1,000),
/// batch 64, 500 steps, Adam(5e-4, 0.5, 0.9) for the flow, evaluation every 50 steps on 500 training and 500
/// validation images, MODE/Inception on 1,000 samples, the Jacobian at 64 draws; the DCGAN critic with 16 and 32
/// channels (instead of 32 and 64), λ_GP 10 and 5 critic steps as in the paper.
let reduced =
    paper
    |> List.map (fun e ->
        { e with
            Name = e.Name + "-reduced"
            Description =
                e.Description.Replace("paper architecture, 30,000 steps of batch 100",
                    sprintf "REDUCED budget: coupling nets 3 x %d instead of 5 x 1,000, critic 16/32 channels, 500 steps of batch 64, flow Adam 5e-4 (minutes on 2 CPU cores)" ReducedWidth)
            Flow = { NiceMnist.flow with Architecture = FlowArchitecture.Nice { Nice.Default with Width = ReducedWidth; Depth = 4 } }
            GeneratorOptimizer = { FlowGanMnist.adam with LearningRate = 5e-4 }
            Critic = { e.Critic with FirstChannels = 16; SecondChannels = 32 }
            BatchSize = 64
            Steps = 500
            EvaluateEvery = 50
            EvaluationImages = 500
            Samples = 1_000
            Parzen = Some { GanFlow.Core.Experiments.Parzen.Default with Samples = 2_000; Points = 500 }
            Ais = Some { GanFlow.Core.Experiments.Ais.Default with Chains = 4; Intermediates = 100; LeapfrogSteps = 5; Points = 20; SimulatedPoints = 0 } })

/// Tables 1 and 3, Figs. 2, 4 and 6 at the reduced budget.
let tablesReduced =
    { Name = "seed001-mnist-flowgan-tables"
      Description = "seed 001 Tables 1 and 3, Figs. 2, 4 and 6 on MNIST at the REDUCED budget (NICE 3 x 100, 500 steps; MLE, ADV, Hybrid lambda 0.1)"
      Cells = reduced
      Baseline = Some { MnistMemorizingBaseline.Default with Points = 500 } }

/// Tables 1 and 3, Figs. 2, 4 and 6 at the paper's budget.
let tablesPaper =
    { Name = "seed001-mnist-flowgan-tables-paper"
      Description = "seed 001 Tables 1 and 3, Figs. 2, 4 and 6 on MNIST at the paper's architecture and 30,000 steps (MLE, ADV, Hybrid lambda 0.1)"
      Cells = paper
      Baseline = Some MnistMemorizingBaseline.Default }

/// Every declared seed 001 MNIST item.
let all =
    (paper @ reduced |> List.map FlowGanMnistDeclared.Run)
    @ [ FlowGanMnistDeclared.Tables tablesReduced; FlowGanMnistDeclared.Tables tablesPaper ]
