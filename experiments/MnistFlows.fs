/// Flows by maximum likelihood on MNIST through the one run path (`DataSource.Images`): seed 001's NICE and a RealNVP,
/// which could not run on images before there was one experiment for every data shape. Both at seed 001's reduced
/// budget (`Seed001Mnist.reduced`: coupling nets 784 → 100 ×3 → 784, 500 steps of batch 64, Adam(5e-4, 0.5, 0.9)), on the
/// dequantized logit images of seed 001's split, so their test NLL (nats per image on the [0, 1] scale) and bits/dim
/// stand beside the seed 001 MNIST table's NICE. The data folder defaults to `data/mnist` (`ganflow data mnist --out
/// data/mnist`); `--data DIR` overrides it.
module GanFlow.Experiments.MnistFlows

open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments

let private reducedAdam = Optimizer.Adam { LearningRate = 5e-4; Beta1 = 0.5; Beta2 = 0.9; WeightDecay = 0.0 }

/// Evaluation every 50 steps on 500 samples (and the test split's first 500 images), 1,000 final samples; the final
/// model's exact NLL on 1,000 test images (`heldout.json`).
let private evaluation = { Evaluation.Default with Every = 50; Samples = 500; FinalSamples = 1_000 }

let private run name description (flow: Flow) =
    { Experiment.create name description NamedDatasets.moons with
        Data = DataSource.mnist "data/mnist"
        Model = Model.Flow { flow with Optimizer = reducedAdam }
        Budget = { Steps = 500; BatchSize = 64; Epochs = None }
        Evaluation = evaluation }

/// Seed 001's NICE (4 additive couplings, logistic base, diagonal scaling) with reduced coupling nets.
let nice =
    run "mnist-nice-mle" "NICE by MLE on dequantized logit MNIST through the one run path (nets 3 x 100, 500 steps of 64)"
        { GanFlow.Core.Images.NiceMnist.flow with Architecture = FlowArchitecture.Nice { Nice.Default with Width = 100; Depth = 4 } }

/// RealNVP (seed 003's affine couplings, alternating pixel masks, Gaussian base) with the same coupling nets as NICE.
let realNvp =
    run "mnist-realnvp-mle" "RealNVP by MLE on dequantized logit MNIST through the one run path (4 affine couplings, nets 3 x 100, 500 steps of 64)"
        { Flow.realNvpMoons with Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 4; Width = 100; Depth = 4 } }

/// A neural spline flow (Durkan et al. 2019): 4 coupling layers of 8-bin rational-quadratic splines on [−3, 3], coupling
/// nets 784 → 100 → 100 → 784 · 23, on the standardized logit images.
let nsf =
    run "mnist-nsf-mle" "Neural spline flow by MLE on dequantized logit MNIST through the one run path (4 spline couplings, nets 2 x 100, 500 steps of 64)"
        { Flow.spline with Architecture = FlowArchitecture.Spline { SplineFlow.Default with Width = 100 } }

/// Every declared flow on MNIST.
let all = [ nice; realNvp; nsf ]

/// Seed 001's Flow-GAN on MNIST through the one run path, at a reduced scale: the reduced NICE of `nice` trained by the
/// Hybrid objective (eq. 7; WGAN-GP, λ_GP = 10) with an MLP critic 784 → 128 → 128 → 1 (the seed 001 runner's DCGAN
/// critic is a conv net, which the one path does not have yet) and 2 critic steps per generator step, batch 64.
let flowGan (lambda: float) (learningRate: float) =
    let adam = Optimizer.Adam { LearningRate = learningRate; Beta1 = 0.5; Beta2 = 0.9; WeightDecay = 0.0 }
    let game =
        { Adversarial.WganGp with
            Critic = CriticNetwork.Mlp { Mlp.Default with Width = 128 }
            CriticSteps = 2
            CriticOptimizer = Optimizer.Adam { LearningRate = 1e-4; Beta1 = 0.5; Beta2 = 0.9; WeightDecay = 0.0 } }
    match nice.Model.Generator with
    | GeneratorSpec.Flow _ -> { nice.Model with Objective = Objective.Hybrid(game, lambda); Optimizer = adam }
    | other -> failwithf "mnist-nice-mle's generator is not a flow: %A" other

/// Every family can be searched (issue 17): ASHA over the MNIST Flow-GAN's λ (log-uniform on [0.01, 1]) and the flow's
/// learning rate (log-uniform on [1e-4, 2e-3]), ranked by the validation NLL (nats per image, minimised): 8 trials,
/// rungs at 50, 100, 200 and 400 steps (η = 2). Image runs stop at milestones and resume like every run.
let search: GanFlow.Core.Search.Search =
    { Name = "mnist-flowgan-search"
      Description = "ASHA over seed 001's MNIST Flow-GAN (Hybrid lambda, flow learning rate) at a reduced scale, by validation NLL"
      Base =
        { nice with
            Name = "mnist-flowgan-search"
            Model = flowGan 0.1 5e-4
            Budget = { Steps = 400; BatchSize = 64; Epochs = None } }
      Space =
        [ GanFlow.Core.Search.SearchSpace.parameter "lambda" (GanFlow.Core.Search.Domain.LogUniform(0.01, 1.0))
          GanFlow.Core.Search.SearchSpace.parameter "learning_rate" (GanFlow.Core.Search.Domain.LogUniform(1e-4, 2e-3)) ]
      Resolve =
        fun baseExperiment a ->
            let number name =
                match GanFlow.Core.Search.SearchSpace.tryGet name a with
                | Some(GanFlow.Core.Search.ParameterValue.Float f) -> f
                | v -> failwithf "%s = %A" name v
            { baseExperiment with Model = flowGan (number "lambda") (number "learning_rate") }
      Scheduler =
        { GanFlow.Core.Search.SchedulerSpec.Default with
            Scheduler = GanFlow.Core.Search.Scheduler.Asha { MinSteps = 50; MaxSteps = 400; ReductionFactor = 2 }
            Metric = GanFlow.Core.Search.SearchMetric.Column "validation_nll" }
      Trials = 8
      Seed = 1
      Workers = 2
      Trainer = GanFlow.Core.Search.TrialTrainer.Experiment }
