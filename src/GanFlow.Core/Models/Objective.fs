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

/// The critic D_φ of an adversarial game: data point → one number (a score, or a logit for the original GAN losses).
[<RequireQualifiedAccess>]
type CriticNetwork =
    /// An MLP from the data's coordinates to 1 (seed 000, seed 001 on 2-D data).
    | Mlp of Mlp
    /// Seed 003's discriminator (eq. 33) on square images, its sigmoid left to the loss: the DCGAN's discriminator, the
    /// WGAN's potential f_φ, seed 001's MNIST critic. Image data only (`data.images`, side divisible by 4); a spectral
    /// norm (which acts on linear layers) is refused on it.
    | Conv of ConvDiscriminator

/// The adversarial game of an objective (seed 001 eq. 4): a critic D_φ, the loss pair the two players optimise, the
/// critic's Lipschitz constraints, how many critic updates come per generator update, and the critic's optimiser.
type Adversarial =
    { /// The loss pair (seed 001 eqs. 3 and 5). Default Wasserstein.
      Loss: GanObjective
      /// The critic/discriminator (data point → 1). Default an MLP, `Mlp.Default`.
      Critic: CriticNetwork
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
          Critic = CriticNetwork.Mlp Mlp.Default
          Lipschitz = [ LipschitzConstraint.GradientPenalty 10.0 ]
          CriticSteps = 5
          CriticOptimizer = Optimizer.Adam Adam.Default }

/// The encoder q_ψ(z | x) of a variational autoencoder: the mean μ_ψ(x) and log-variance Σ_ψ(x) of a Gaussian over the
/// generator's latent space (seed 003 eq. 24).
[<RequireQualifiedAccess>]
type EncoderNetwork =
    /// An MLP from the data's coordinates to 2 × the latent dimension (the first half the mean, the second the
    /// log-variance).
    | Mlp of Mlp
    /// Seed 003's convolutional encoder (eqs. 27-28) on square images, side divisible by 4; its `Latent` must equal the
    /// generator's.
    | Conv of ConvEncoder

/// The decoder likelihood p_θ(x | z) of a variational autoencoder.
[<RequireQualifiedAccess>]
type DecoderLikelihood =
    /// N(x; G(z), σ²I) with a fixed observation std σ > 0 in data units: −log p = ‖x − G(z)‖²/(2σ²) + d·log σ +
    /// (d/2)·log 2π, and the model's samples are G(z) + σ·ε (its marginal p(x) = ∫ p(z) N(x; G(z), σ²I) dz, the
    /// observation model AIS also uses, seed 001 sec. 5).
    | Gaussian of std: float
    /// Bernoulli with the generator's output g = σ(logits) as every coordinate's mean (seed 003 eq. 4): log p(x | z) =
    /// Σ x·log g + (1 − x)·log(1 − g), from the logits (stable). Data in [0, 1] (images, b/255 in seed 003); needs the
    /// conv generator, whose output is a sigmoid. The model's samples are the means G(z) (seed 003 Fig. 9), not
    /// Bernoulli draws.
    | Bernoulli

/// Variational inference (Kingma & Welling 2014; seed 003 eqs. 4 and 22–26): an encoder q_ψ(z | x) =
/// N(μ_ψ(x), diag e^{Σ_ψ(x)}) trained with the generator (the decoder) to maximise the one-sample ELBO
/// E_q[log p_θ(x | z)] − KL(q_ψ(z | x) ‖ p(z)), z = μ + e^{Σ/2}·ε (reparameterised; the KL in closed form).
type Elbo =
    { /// The encoder: data point → the mean μ and the log-variance Σ over the prior's dimension. Default an MLP,
      /// `Mlp.Default`.
      Encoder: EncoderNetwork
      /// p_θ(x | z). Default Gaussian with σ = 0.1.
      Likelihood: DecoderLikelihood }

    /// An MLP encoder of the default shape and a Gaussian likelihood with σ = 0.1.
    static member Default = { Encoder = EncoderNetwork.Mlp Mlp.Default; Likelihood = DecoderLikelihood.Gaussian 0.1 }

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
    /// a standard Gaussian prior or the conv generator (seed 003's VAE); no critic. The model has no exact density, so it is scored by its samples.
    | Elbo of Elbo
