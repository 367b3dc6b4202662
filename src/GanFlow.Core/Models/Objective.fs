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

/// The adversarial game of an objective (seed 001 eq. 4): a critic D_φ, the loss pair the two players optimise, the
/// critic's Lipschitz constraints, how many critic updates come per generator update, and the critic's optimiser.
type Adversarial =
    { /// The loss pair (seed 001 eqs. 3 and 5). Default Wasserstein.
      Loss: GanObjective
      /// Critic/discriminator MLP (data dimension → 1). Default `Mlp.Default`.
      Critic: Mlp
      /// Constraints on the critic; empty = unconstrained. Default [GradientPenalty 10] (Gulrajani et al. 2017, seed 001).
      Lipschitz: LipschitzConstraint list
      /// Critic updates per generator update, each on a fresh data batch (seed 000 searches 1 to 100; seed 001: 5).
      /// Default 5.
      CriticSteps: int
      /// Critic optimiser. Default Adam(1e-4, 0.5, 0.9).
      CriticOptimizer: Optimizer }

    /// WGAN-GP (Gulrajani et al. 2017; seed 001's ADV): Wasserstein loss, λ_GP = 10, 5 critic steps, Adam(1e-4, 0.5, 0.9).
    static member WganGp =
        { Loss = GanObjective.Wasserstein
          Critic = Mlp.Default
          Lipschitz = [ LipschitzConstraint.GradientPenalty 10.0 ]
          CriticSteps = 5
          CriticOptimizer = Optimizer.Adam Adam.Default }

/// The decoder likelihood p_θ(x | z) of a variational autoencoder.
[<RequireQualifiedAccess>]
type DecoderLikelihood =
    /// N(x; G(z), σ²I) with a fixed observation std σ > 0 in data units: −log p = ‖x − G(z)‖²/(2σ²) + d·log σ +
    /// (d/2)·log 2π, and the model's samples are G(z) + σ·ε (its marginal p(x) = ∫ p(z) N(x; G(z), σ²I) dz, the
    /// observation model AIS also uses, seed 001 sec. 5).
    | Gaussian of std: float

/// Variational inference (Kingma & Welling 2014; seed 003 eqs. 4 and 22–26): an encoder q_ψ(z | x) =
/// N(μ_ψ(x), diag e^{Σ_ψ(x)}) trained with the generator (the decoder) to maximise the one-sample ELBO
/// E_q[log p_θ(x | z)] − KL(q_ψ(z | x) ‖ p(z)), z = μ + e^{Σ/2}·ε (reparameterised; the KL in closed form).
type Elbo =
    { /// The encoder MLP: data dimension → 2 × the prior's dimension (the mean μ and the log-variance Σ). Default
      /// `Mlp.Default`.
      Encoder: Mlp
      /// p_θ(x | z). Default Gaussian with σ = 0.1.
      Likelihood: DecoderLikelihood }

    /// An MLP encoder of the default shape and a Gaussian likelihood with σ = 0.1.
    static member Default = { Encoder = Mlp.Default; Likelihood = DecoderLikelihood.Gaussian 0.1 }

/// What training optimises (seed 001 sec. 3.1 and eq. 7). Every objective updates the generator with the model's
/// optimiser; the adversarial ones also train a critic.
[<RequireQualifiedAccess>]
type Objective =
    /// Maximum likelihood, seed 001 eq. 1: minimise −E_data log p_θ(x) (OT-Flow: its combined loss, whose NLL term is
    /// this). Needs a generator with a density (a flow); no critic.
    | MaximumLikelihood
    /// Adversarial learning, seed 001 eq. 4 (WGAN: eq. 5): min_θ max_φ V(G_θ, D_φ). Any generator.
    | Adversarial of Adversarial
    /// Hybrid, seed 001 eq. 7: min_θ max_φ V(G_θ, D_φ) − λ·E_data[log p_θ(x)], i.e. the generator minimises its
    /// adversarial loss plus λ times the NLL of a data batch; the critic plays the adversarial game alone. λ >= 0:
    /// λ = 0 is adversarial learning, large λ approaches maximum likelihood (seed 001 trains MNIST with λ = 0.1 in
    /// Table 1). Needs a generator with a density.
    | Hybrid of adversarial: Adversarial * lambda: float
    /// The evidence lower bound (a variational autoencoder): the generator is the decoder, an encoder is trained with it
    /// by the same optimiser, and the loss is −ELBO per point (the `generator_loss` column). Needs an MLP generator with
    /// a standard Gaussian prior; no critic. The model has no exact density, so it is scored by its samples.
    | Elbo of Elbo
