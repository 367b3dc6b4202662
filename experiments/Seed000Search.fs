/// Seed 000 sec. 4.1: every WGAN of the paper was tuned by random search through ASHA over the reference's space (100
/// trials, grace period 5,000, maximum 50,000 iterations, reduction factor 4, metric W1, minimise, batch 2,048). Declared
/// here at the paper's scale and at a reduced scale that finishes on 2 CPU cores in under 30 minutes, for both datasets,
/// with plain random search at the reduced scale for the comparison at equal compute.
module GanFlow.Experiments.Seed000Search

open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Core.Search

let private choiceOf name values = SearchSpace.parameter name values

/// The reference's WGAN space (PAPER-NOTES). Conditional parts: the depth is drawn from {1, 2, 3, 4} without residual
/// blocks and from {1, 3, 5, 7} with them; the cyclic schedule's base-rate divisor and step size only when the schedule
/// is cyclic. `stepScale` scales the cyclic step sizes {2,000 … 8,000} (1 at the paper's 50,000 steps); `criticSteps`
/// is the set of critic updates per generator step ({1, 5, 10, 50, 100} in the reference).
let space (stepScale: float) (criticSteps: int list) : SearchSpace =
    let on = [ ParameterValue.Bool true ]
    let off = [ ParameterValue.Bool false ]
    [ choiceOf "prior_size" (SearchSpace.ints [ 1; 3; 5 ])
      choiceOf "width" (SearchSpace.ints [ 64; 128; 256 ])
      choiceOf "residual" SearchSpace.onOff
      choiceOf "depth" (SearchSpace.ints [ 1; 2; 3; 4 ]) |> SearchSpace.onlyWhen "residual" off
      choiceOf "residual_depth" (SearchSpace.ints [ 1; 3; 5; 7 ]) |> SearchSpace.onlyWhen "residual" on
      choiceOf "activation" (SearchSpace.texts [ "relu"; "leaky_relu"; "tanh" ])
      choiceOf "init" (SearchSpace.texts [ "default"; "xavier_uniform" ])
      choiceOf "learning_rate" (SearchSpace.floats [ 1e-5; 5e-5; 1e-4; 5e-4; 1e-3 ])
      choiceOf "weight_decay" (SearchSpace.floats [ 0.0; 1e-6; 5e-6; 1e-5; 5e-5; 1e-4; 1e-3 ])
      choiceOf "beta1" (SearchSpace.floats [ 0.5; 0.6; 0.7; 0.8; 0.9 ])
      choiceOf "beta2" (SearchSpace.floats [ 0.7; 0.8; 0.9; 0.999 ])
      choiceOf "critic_steps" (SearchSpace.ints criticSteps)
      choiceOf "gp_weight" (SearchSpace.floats [ 0.0; 1e-2; 1e-1; 1.0; 10.0 ])
      choiceOf "generator_batch_norm" SearchSpace.onOff
      choiceOf "spectral_norm" SearchSpace.onOff
      choiceOf "cyclic_lr" SearchSpace.onOff
      choiceOf "cyclic_divisor" (SearchSpace.ints [ 2; 3; 4; 5 ]) |> SearchSpace.onlyWhen "cyclic_lr" on
      choiceOf "cyclic_step_size" (Domain.IntRange(max 1 (int (2_000.0 * stepScale)), max 1 (int (8_000.0 * stepScale))))
      |> SearchSpace.onlyWhen "cyclic_lr" on ]

/// The WGAN of an assignment of `space`: both players share width, depth, activation, initialisation and Adam settings
/// (as in the reference); the gradient penalty is on when its weight is positive, spectral norm when drawn.
let resolve (baseExperiment: Experiment) (a: Assignment) : Experiment =
    let get name =
        match SearchSpace.tryGet name a with
        | Some v -> v
        | None -> failwithf "the assignment has no %s" name
    let int' name = match get name with ParameterValue.Int i -> i | v -> failwithf "%s = %O is not an integer" name v
    let float' name = match get name with ParameterValue.Float f -> f | v -> failwithf "%s = %O is not a number" name v
    let bool' name = match get name with ParameterValue.Bool b -> b | v -> failwithf "%s = %O is not on/off" name v
    let text name = match get name with ParameterValue.Text t -> t | v -> failwithf "%s = %O is not a name" name v
    let residual = bool' "residual"
    let net =
        { Mlp.Default with
            Width = int' "width"
            Depth = (if residual then int' "residual_depth" else int' "depth")
            Residual = residual
            Activation =
              (match text "activation" with
               | "relu" -> Activation.Relu
               | "leaky_relu" -> Activation.LeakyRelu 0.01
               | "tanh" -> Activation.Tanh
               | other -> failwithf "activation = %s is not in the space" other)
            Init = (if text "init" = "xavier_uniform" then WeightInit.XavierUniform else WeightInit.FrameworkDefault) }
    let adam =
        Optimizer.Adam { LearningRate = float' "learning_rate"; Beta1 = float' "beta1"; Beta2 = float' "beta2"; WeightDecay = float' "weight_decay" }
    let lr = float' "learning_rate"
    let gan =
        { Gan.WganGp with
            Prior = { Prior.Default with Dimension = int' "prior_size" }
            Generator = { net with BatchNorm = bool' "generator_batch_norm" }
            Critic = net
            Lipschitz =
              [ if float' "gp_weight" > 0.0 then LipschitzConstraint.GradientPenalty(float' "gp_weight")
                if bool' "spectral_norm" then LipschitzConstraint.SpectralNorm 1 ]
            CriticSteps = int' "critic_steps"
            GeneratorOptimizer = adam
            CriticOptimizer = adam
            Schedule =
              (if bool' "cyclic_lr" then LearningRateSchedule.CyclicTriangular(lr / float (int' "cyclic_divisor"), int' "cyclic_step_size")
               else LearningRateSchedule.Constant) }
    { baseExperiment with Model = Model.Gan gan }

/// A search over `space` on `dataset`. ASHA ranks a trial at a rung by the median of its last 3 evaluations up to the
/// milestone and promotes ⌊n/η⌋ of a rung's n trials (Li et al.), not the reference's single evaluation and Ray's ⌈n/η⌉:
/// one evaluation of a WGAN's W1 moves 2-3× between neighbours, and ⌈n/η⌉ promotes a rung's first arrival at once (issue
/// 18; `--quota ceiling --rung-value milestone` runs the reference's rule).
let private search name description dataset (batch: int) (every: int) (scheduler: Scheduler) (trials: int) (stepScale: float) (criticSteps: int list) =
    { Name = name
      Description = description
      Base =
        { Experiment.create name description dataset with
            Budget = { Steps = Rungs.maxSteps scheduler; BatchSize = batch; Epochs = None }
            Evaluation = { Evaluation.Default with Every = every; Samples = 10_000; FinalSamples = 100_000 } }
      Space = space stepScale criticSteps
      Resolve = resolve
      Scheduler = { SchedulerSpec.Default with Scheduler = scheduler; Quota = PromotionQuota.Floor; RungValue = RungValue.MedianOfLast 3 }
      Trials = trials
      Seed = 1
      Workers = 2
      Trainer = TrialTrainer.Experiment }

/// The reference's critic updates per generator step.
let referenceCriticSteps = [ 1; 5; 10; 50; 100 ]

/// The reduced scale's critic updates per generator step (see `reducedScale`).
let reducedCriticSteps = [ 1; 5; 10 ]

/// The reduced scale's rungs: grace 100, maximum 1,600 generator steps, η = 4 (rungs 100 and 400), batch 256.
let reducedHalving = { MinSteps = 100; MaxSteps = 1_600; ReductionFactor = 4 }

let private datasets = [ "unimodal", NamedDatasets.unimodal; "multimodal", NamedDatasets.multimodal ]

/// Paper scale: 100 trials, ASHA with grace 5,000, maximum 50,000, η = 4, batch 2,048 (days of CPU time).
let paperScale =
    [ for label, dataset in datasets ->
          search (sprintf "seed000-search-%s" label) (sprintf "Seed 000 sec. 4.1 at the paper's scale: ASHA over the WGAN space on the %s set (100 trials, grace 5,000, max 50,000, batch 2,048)" label)
              dataset 2_048 1_000 (Scheduler.Asha Halving.Seed000) 100 1.0 referenceCriticSteps ]

/// Reduced scale: 64 trials, ASHA with grace 100, maximum 1,600, η = 4, batch 256, an evaluation every 50 steps (so that
/// the rung value has evaluations to take the median of; cyclic step sizes scaled by 1,600 / 50,000),
/// and critic steps {1, 5, 10}: with 50 or 100 critic updates a generator step of the wider, deeper nets costs up to 4 s on
/// one core (measured: 300 steps of a 256-wide, 7-block, 100-critic-step trial took 1,229 s), and ASHA promotes exactly
/// those, so the reference's set cannot finish in 30 minutes on 2 cores.
let reducedScale =
    [ for label, dataset in datasets ->
          search (sprintf "seed000-search-%s-reduced" label) (sprintf "Seed 000's WGAN search on the %s set at a reduced scale: ASHA, 64 trials, grace 100, max 1,600, batch 256, critic steps {1, 5, 10}" label)
              dataset 256 50 (Scheduler.Asha reducedHalving) 64 (1_600.0 / 50_000.0) reducedCriticSteps ]

/// Plain random search at the reduced scale, with about the compute ASHA's reduced search spends: 10 trials to 1,600 steps.
let randomReduced =
    [ for label, dataset in datasets ->
          search (sprintf "seed000-random-search-%s-reduced" label) (sprintf "Seed 000's WGAN space on the %s set, plain random search at ASHA's reduced compute: 10 trials to 1,600 steps, batch 256, critic steps {1, 5, 10}" label)
              dataset 256 50 (Scheduler.RandomSearch 1_600) 10 (1_600.0 / 50_000.0) reducedCriticSteps ]


/// Every declared search.
let all = paperScale @ reducedScale @ randomReduced
