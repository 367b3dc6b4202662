/// Seed 001 (Grover et al., Flow-GAN) on MNIST as ordinary experiments on the one run path: NICE trained by MLE, ADV
/// (WGAN-GP, DCGAN critic without batch norm) and Hybrid (eq. 7, λ = 0.1), each at the paper's architecture and a budget
/// of 30,000 steps, and at a reduced budget that finishes in minutes on 2 CPU cores; and their tables study (Tables 1
/// and 3, Figs. 2, 4 and 6). MODE and Inception scores come from a digit classifier (`evaluation.classifier`), trained
/// once in the study folder and shared by its cells. The data folder defaults to `data/mnist` (`ganflow data mnist
/// --out data/mnist`); `--data DIR` overrides it.
module GanFlow.Experiments.Seed001Mnist

open GanFlow.Core.Baselines
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Images
open GanFlow.Core.Models
open GanFlow.Core.Training

/// Adam(lr, 0.5, 0.9): WGAN-GP's optimiser (seed 001's reference code: β₂ 0.9), for the flow and the critic.
let private adam learningRate = Optimizer.Adam { LearningRate = learningRate; Beta1 = 0.5; Beta2 = 0.9; WeightDecay = 0.0 }

/// WGAN-GP (λ_GP 10, 5 critic steps, Adam 1e-4) with seed 003's DCGAN discriminator without sigmoid and without batch
/// norm (Gulrajani et al.: the gradient penalty is per sample) as the critic, read on the [0, 1]-scaled image.
let private game (firstChannels: int) (secondChannels: int) =
    { Adversarial.WganGp with
        Critic = CriticNetwork.Conv { ConvDiscriminator.Default with BatchNorm = false; FirstChannels = firstChannels; SecondChannels = secondChannels }
        CriticOptimizer = adam 1e-4 }

/// The three objectives: (table row, name slug, objective of a critic with these channels).
let private objectives =
    [ "MLE", "mle", (fun _ -> Objective.MaximumLikelihood)
      "ADV", "adv", (fun (c1, c2) -> Objective.Adversarial(game c1 c2))
      "Hybrid (λ = 0.1)", "hybrid", (fun (c1, c2) -> Objective.Hybrid(game c1 c2, 0.1)) ]

/// One seed 001 MNIST experiment: NICE `flow` on the dequantized logit digits of seed 001's split by `objective`.
let private experiment name description (flow: Flow) objective learningRate steps batch (evaluation: Evaluation) =
    { Experiment.create name description NamedDatasets.moons with
        Data = DataSource.mnist "data/mnist"
        Model = (match objective with Objective.MaximumLikelihood -> Model.Flow { flow with Optimizer = adam learningRate } | o -> Model.FlowGan({ flow with Optimizer = adam learningRate }, o))
        Budget = { Steps = steps; BatchSize = batch; Epochs = None }
        Evaluation = evaluation
        Seed = 1 }

/// The paper's evaluation: every 1,000 steps on 10,000 samples (train and validation NLL, Fig. 2, the best-validated
/// checkpoint; MODE and Inception under the classifier), then the Parzen window (10,000 samples, 1,000 test points), AIS
/// (16 chains, 1,000 intermediates, σ 0.05, 100 test points) and the Jacobian at 64 prior draws (Fig. 4).
let private paperEvaluation =
    { Evaluation.Default with
        Every = 1_000
        Samples = 10_000
        FinalSamples = 10_000
        Parzen = Some Parzen.Default
        Ais = Some { Ais.Default with SimulatedPoints = 0 }
        Jacobian = Some JacobianSpectrum.Default
        Classifier = Some DigitClassifier.Default }

/// The paper's NICE (4 couplings, 5 × 1,000 ReLU, 22,295,920 weights), batch 100, 30,000 steps, Adam(1e-4, 0.5, 0.9),
/// the DCGAN critic with 32 and 64 channels.
let paper =
    objectives
    |> List.map (fun (label, slug, objective) ->
        experiment (sprintf "seed001-mnist-%s" slug)
            (sprintf "seed 001 Table 1: NICE on dequantized logit MNIST by %s, paper architecture, 30,000 steps of batch 100" label)
            NiceMnist.flow (objective (32, 64)) 1e-4 30_000 100 paperEvaluation)

/// The reduced width of the coupling nets.
[<Literal>]
let ReducedWidth = 100

/// Reduced: NICE with 4 couplings of nets 784 → 100 → 100 → 100 → 784 (3 hidden layers instead of 5 × 1,000), batch 64,
/// 500 steps, Adam(5e-4, 0.5, 0.9) for the flow, evaluation every 50 steps on 1,000 samples, Parzen on 2,000 samples and
/// 500 test points, AIS with 4 chains, 100 intermediates and 5 leapfrog steps on 20 test points, the Jacobian at 64
/// draws; the DCGAN critic with 16 and 32 channels (instead of 32 and 64), λ_GP 10 and 5 critic steps as in the paper.
let reduced =
    let evaluation =
        { paperEvaluation with
            Every = 50
            Samples = 1_000
            FinalSamples = 1_000
            Parzen = Some { Parzen.Default with Samples = 2_000; Points = 500 }
            Ais = Some { Ais.Default with Chains = 4; Intermediates = 100; LeapfrogSteps = 5; Points = 20; SimulatedPoints = 0 } }
    let flow = { NiceMnist.flow with Architecture = FlowArchitecture.Nice { Nice.Default with Width = ReducedWidth; Depth = 4 } }
    objectives
    |> List.map (fun (label, slug, objective) ->
        experiment (sprintf "seed001-mnist-%s-reduced" slug)
            (sprintf "seed 001 Table 1: NICE on dequantized logit MNIST by %s, REDUCED budget: coupling nets 3 x %d instead of 5 x 1,000, critic 16/32 channels, 500 steps of batch 64, flow Adam 5e-4 (minutes on 2 CPU cores)" label ReducedWidth)
            flow (objective (16, 32)) 5e-4 500 64 evaluation)

/// Tables 1 and 3, Figs. 2, 4 and 6 as a study of `cells` (MLE, ADV, Hybrid in that order), one column of MNIST.
let private tables name description (cells: Experiment list) (baseline: MemorizingBaseline) =
    { Name = name
      Description = description
      Rows = objectives |> List.map (fun (label, _, _) -> label)
      Columns = [ "MNIST" ]
      Cells = List.map2 (fun (label, _, _) e -> { Row = label; Column = "MNIST"; Experiment = e }) objectives cells
      Reference = []
      Searches = []
      Parallelism = 2
      Table = Seed001FlowGan.flowGanTable baseline }

/// Fig. 6's baseline on images: 12 log-spaced bandwidths from 0.01 to 1, 1,000 samples per σ for the MODE score.
let private imageBaseline points =
    { MemorizingBaseline.Default with
        Sigmas = List.init 12 (fun i -> 10.0 ** (-2.0 + 2.0 * float i / 11.0))
        Samples = 1_000
        Points = Some points }

/// Tables 1 and 3, Figs. 2, 4 and 6 at the reduced budget.
let tablesReduced =
    tables "seed001-mnist-flowgan-tables"
        "seed 001 Tables 1 and 3, Figs. 2, 4 and 6 on MNIST at the REDUCED budget (NICE 3 x 100, 500 steps; MLE, ADV, Hybrid lambda 0.1)"
        reduced (imageBaseline 500)

/// Tables 1 and 3, Figs. 2, 4 and 6 at the paper's budget.
let tablesPaper =
    tables "seed001-mnist-flowgan-tables-paper"
        "seed 001 Tables 1 and 3, Figs. 2, 4 and 6 on MNIST at the paper's architecture and 30,000 steps (MLE, ADV, Hybrid lambda 0.1)"
        paper (imageBaseline 1_000)

/// Every declared seed 001 MNIST item: the two studies, whose cells (`seed001-mnist-{mle,adv,hybrid}[-reduced]`) each
/// run on their own too (`ganflow run seed001-mnist-mle-reduced`).
let all = [ Declared.Study tablesReduced; Declared.Study tablesPaper ]
