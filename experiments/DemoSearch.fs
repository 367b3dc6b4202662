/// A search small enough to watch (docs/search.md): the demo's WGAN on seed 000's unimodal set.
module GanFlow.Experiments.DemoSearch

open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Core.Search

/// A search small enough to watch: the demo's WGAN on the unimodal set with a five-parameter space (a log-uniform
/// learning rate, an integer range of critic steps, a choice of widths, and the penalty weight only when the constraint
/// is a gradient penalty), ASHA with grace 100, maximum 1,600, η = 4, 16 trials, batch 256. A few minutes on 2 cores.
let search =
    let constraintIs value = SearchSpace.onlyWhen "constraint" [ ParameterValue.Text value ]
    { Name = "demo-search-unimodal"
      Description = "A small ASHA search around the demo WGAN on seed 000's unimodal set (16 trials, grace 100, max 1,600)"
      Base =
        { GanFlow.Experiments.WganGpUnimodalDemo.experiment with
            Name = "demo-search-unimodal"
            Budget = { Steps = 1_600; BatchSize = 256; Epochs = None }
            Evaluation = { Evaluation.Default with Every = 100; Samples = 5_000; FinalSamples = 20_000 } }
      Space =
        [ SearchSpace.parameter "constraint" (SearchSpace.texts [ "gradient_penalty"; "spectral_norm" ])
          SearchSpace.parameter "gp_weight" (Domain.LogUniform(0.01, 1.0)) |> constraintIs "gradient_penalty"
          SearchSpace.parameter "learning_rate" (Domain.LogUniform(1e-4, 3e-3))
          SearchSpace.parameter "critic_steps" (Domain.IntRange(1, 5))
          SearchSpace.parameter "width" (SearchSpace.ints [ 16; 32; 64 ]) ]
      Resolve =
        fun baseExperiment a ->
            let value name = SearchSpace.tryGet name a
            let number name = match value name with Some(ParameterValue.Float f) -> f | v -> failwithf "%s = %A" name v
            let whole name = match value name with Some(ParameterValue.Int i) -> i | v -> failwithf "%s = %A" name v
            let adam = Optimizer.Adam { Adam.Default with LearningRate = number "learning_rate" }
            let net = { Mlp.Default with Width = whole "width" }
            let lipschitz =
                match value "constraint" with
                | Some(ParameterValue.Text "spectral_norm") -> [ LipschitzConstraint.SpectralNorm 1 ]
                | _ -> [ LipschitzConstraint.GradientPenalty(number "gp_weight") ]
            { baseExperiment with
                Model =
                  Model.Gan
                      { Gan.WganGp with
                          Generator = net
                          Critic = net
                          Lipschitz = lipschitz
                          CriticSteps = whole "critic_steps"
                          GeneratorOptimizer = adam
                          CriticOptimizer = adam } }
      Scheduler = { SchedulerSpec.Default with Scheduler = Scheduler.Asha { MinSteps = 100; MaxSteps = 1_600; ReductionFactor = 4 } }
      Trials = 16
      Seed = 1
      Workers = 2
      Trainer = TrialTrainer.Experiment }

