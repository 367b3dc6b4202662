namespace GanFlow.Core.Models

open GanFlow.Core.Training

/// A model: a generator and an objective (seed 001: a Flow-GAN is a flow generator with an adversarial or hybrid
/// objective), the optimiser of the generator's parameters and the learning-rate schedule. The runtime interprets the
/// generator in one place and the objective in another; what a run records follows from what the model can do
/// (`Model.hasDensity`, `Model.adversarial`).
type Model =
    { /// Where samples come from. Default an MLP generator with a 1-D Gaussian prior.
      Generator: GeneratorSpec
      /// What training optimises. Default WGAN-GP.
      Objective: Objective
      /// Optimiser of the generator's (flow's) parameters. Default Adam(1e-4, 0.5, 0.9).
      Optimizer: Optimizer
      /// Learning-rate schedule applied to every optimiser of the run (generator and critic), indexed by training
      /// (generator) step. Default constant.
      Schedule: LearningRateSchedule
      /// Where the generator's weights start. Default `Random`; seed 003's VAE-initialised GANs: `FromVae`.
      Init: GeneratorInit }

    /// Seed 000's GAN: an MLP generator trained adversarially (the combination `Gan` describes).
    static member Gan(g: Gan) : Model =
        { Generator = GeneratorSpec.Mlp { Prior = g.Prior; Network = g.Generator }
          Objective =
            Objective.Adversarial
                { Loss = g.Objective
                  Critic = CriticNetwork.Mlp g.Critic
                  Lipschitz = g.Lipschitz
                  CriticSteps = g.CriticSteps
                  CriticOptimizer = g.CriticOptimizer }
          Optimizer = g.GeneratorOptimizer
          Schedule = g.Schedule
          Init = GeneratorInit.Random }

    /// A normalizing flow trained by maximum likelihood (OT-Flow: its combined loss), the combination `Flow` describes.
    static member Flow(f: Flow) : Model =
        { Generator = GeneratorSpec.Flow { Architecture = f.Architecture; Base = f.Base; Standardize = f.Standardize }
          Objective = Objective.MaximumLikelihood
          Optimizer = f.Optimizer
          Schedule = f.Schedule
          Init = GeneratorInit.Random }

    /// A Flow-GAN (seed 001 sec. 3): the flow of `f` (its architecture, base, standardization, optimiser and schedule)
    /// trained with `objective` instead of maximum likelihood.
    static member FlowGan(f: Flow, objective: Objective) : Model = { Model.Flow f with Objective = objective }

/// What a model can do, as the run, the report and the validation ask it.
module Model =

    /// Whether the generator has an exact density (a flow): NLL, bits/dim, KL and the maximum-likelihood and hybrid
    /// objectives need one.
    let hasDensity (model: Model) =
        match model.Generator with
        | GeneratorSpec.Flow _ -> true
        | GeneratorSpec.Mlp _
        | GeneratorSpec.Conv _ -> false

    /// The adversarial game of the objective, if it has one (adversarial and hybrid objectives): then the run trains
    /// and records a critic.
    let adversarial (model: Model) =
        match model.Objective with
        | Objective.Adversarial a
        | Objective.Hybrid(a, _) -> Some a
        | Objective.MaximumLikelihood
        | Objective.Elbo _ -> None

    /// Whether the objective trains a critic.
    let hasCritic (model: Model) = (adversarial model).IsSome

    /// The flow architecture of a flow generator.
    let flowArchitecture (model: Model) =
        match model.Generator with
        | GeneratorSpec.Flow f -> Some f.Architecture
        | GeneratorSpec.Mlp _
        | GeneratorSpec.Conv _ -> None

    /// Whether the generator is a continuous flow (FFJORD, OT-Flow), whose ODE solves count function evaluations.
    let isContinuous (model: Model) =
        match flowArchitecture model with
        | Some(FlowArchitecture.Ffjord _ | FlowArchitecture.OtFlow _) -> true
        | _ -> false

    /// Whether the generator's sampling direction z ↦ x is differentiable by autograd (adversarial training and the
    /// Jacobian spectrum need it): every generator but the Gaussianization flow, whose inverse is a Newton/bisection search.
    let sampleGradients (model: Model) =
        match flowArchitecture model with
        | Some(FlowArchitecture.Gaussianization _) -> false
        | _ -> true

    let private critic (a: Adversarial) =
        match a.Critic with
        | CriticNetwork.Mlp _ -> ""
        | CriticNetwork.Conv _ -> ", conv critic"

    /// One line for `ganflow list --verbose`, e.g. `MLP generator, adversarial Wasserstein [GradientPenalty 10.0]`.
    let describe (model: Model) =
        let generator =
            match model.Generator with
            | GeneratorSpec.Mlp m -> sprintf "MLP generator (prior %d-D)" m.Prior.Dimension
            | GeneratorSpec.Conv c -> sprintf "conv generator (latent %d-D)" c.Latent
            | GeneratorSpec.Flow f ->
                let name =
                    match f.Architecture with
                    | FlowArchitecture.Gaussianization _ -> "Gaussianization"
                    | FlowArchitecture.RealNvp _ -> "RealNVP"
                    | FlowArchitecture.Nice _ -> "NICE"
                    | FlowArchitecture.Ffjord _ -> "FFJORD"
                    | FlowArchitecture.OtFlow _ -> "OT-Flow"
                    | FlowArchitecture.Spline _ -> "neural spline"
                sprintf "%s flow generator" name
        let objective =
            match model.Objective with
            | Objective.MaximumLikelihood -> "maximum likelihood"
            | Objective.Adversarial a -> sprintf "adversarial %A %A%s" a.Loss a.Lipschitz (critic a)
            | Objective.Hybrid(a, lambda) -> sprintf "hybrid (λ = %g) %A %A%s" lambda a.Loss a.Lipschitz (critic a)
            | Objective.Elbo e ->
                let encoder =
                    match e.Encoder with
                    | EncoderNetwork.Mlp _ -> "MLP"
                    | EncoderNetwork.Conv _ -> "conv"
                match e.Likelihood with
                | DecoderLikelihood.Gaussian std -> sprintf "ELBO (%s encoder, Gaussian likelihood σ = %g)" encoder std
                | DecoderLikelihood.Bernoulli -> sprintf "ELBO (%s encoder, Bernoulli likelihood)" encoder
        let init =
            match model.Init with
            | GeneratorInit.Random -> ""
            | GeneratorInit.FromVae folder -> sprintf ", generator from the VAE run %s" folder
        sprintf "%s, %s%s" generator objective init
