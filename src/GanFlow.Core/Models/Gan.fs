namespace GanFlow.Core.Models

open GanFlow.Core.Training

/// What the two players optimise.
[<RequireQualifiedAccess>]
type GanObjective =
    /// WGAN (Arjovsky et al. 2017): the critic maximises E c(x) − E c(G(z)); the generator
    /// minimises −E c(G(z)). Needs a Lipschitz constraint on the critic.
    | Wasserstein
    /// Original GAN (Goodfellow et al. 2014), generator minimises E log(1 − D(G(z))).
    | Minimax
    /// Original GAN with the non-saturating generator loss −E log D(G(z)).
    | NonSaturating

/// A way of keeping the critic (approximately) 1-Lipschitz; several may be combined.
[<RequireQualifiedAccess>]
type LipschitzConstraint =
    /// Clamp every critic parameter to [−clip, clip] after each critic step (Arjovsky et al.;
    /// 0.01 there and in seed 003).
    | WeightClipping of clip: float
    /// Gulrajani et al. 2017: λ · E[(‖∇c(x̂)‖ − 1)²] at random interpolates x̂ (λ = 10 there).
    | GradientPenalty of weight: float
    /// Miyato et al. 2018: each critic weight matrix divided by its largest singular value,
    /// estimated by `powerIterations` power-iteration steps per forward pass (1 there).
    | SpectralNorm of powerIterations: int

/// A GAN and how it is trained: architecture, objective and both players' optimisers.
type Gan =
    { /// Latent noise of the generator. Default 1-D standard Gaussian.
      Prior: Prior
      /// Generator MLP (prior dimension → data dimension). Default `Mlp.Default`.
      Generator: Mlp
      /// Critic/discriminator MLP (data dimension → 1). Default `Mlp.Default`.
      Critic: Mlp
      /// Loss pair. Default Wasserstein.
      Objective: GanObjective
      /// Constraints on the critic; empty = unconstrained. Default [GradientPenalty 10].
      Lipschitz: LipschitzConstraint list
      /// Critic updates per generator update (seed 000 searches 1 to 100). Default 5.
      CriticSteps: int
      /// Generator optimiser. Default Adam(1e-4, 0.5, 0.9).
      GeneratorOptimizer: Optimizer
      /// Critic optimiser. Default Adam(1e-4, 0.5, 0.9).
      CriticOptimizer: Optimizer
      /// Learning-rate schedule applied to both optimisers, indexed by generator step.
      /// Default constant.
      Schedule: LearningRateSchedule }

    /// WGAN-GP (Gulrajani et al. 2017): λ = 10, 5 critic steps, Adam(1e-4, 0.5, 0.9).
    static member WganGp =
        { Prior = Prior.Default
          Generator = Mlp.Default
          Critic = Mlp.Default
          Objective = GanObjective.Wasserstein
          Lipschitz = [ LipschitzConstraint.GradientPenalty 10.0 ]
          CriticSteps = 5
          GeneratorOptimizer = Optimizer.Adam Adam.Default
          CriticOptimizer = Optimizer.Adam Adam.Default
          Schedule = LearningRateSchedule.Constant }

    /// The default GAN is WGAN-GP.
    static member Default = Gan.WganGp

    /// WGAN with weight clipping at 0.01 and RMSprop(5e-5), as in Arjovsky et al.
    static member WganClipping =
        { Gan.WganGp with
            Lipschitz = [ LipschitzConstraint.WeightClipping 0.01 ]
            GeneratorOptimizer = Optimizer.RmsProp RmsProp.Default
            CriticOptimizer = Optimizer.RmsProp RmsProp.Default }

    /// WGAN with a spectrally normalised critic (one power iteration), no penalty.
    static member WganSpectralNorm = { Gan.WganGp with Lipschitz = [ LipschitzConstraint.SpectralNorm 1 ] }
