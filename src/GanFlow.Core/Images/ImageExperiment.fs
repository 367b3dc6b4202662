namespace GanFlow.Core.Images

open GanFlow.Core.Training

/// Where a GAN's generator starts (seed 003 sec. 5: "default random initialization" or "the optimal weights from the
/// VAE example").
[<RequireQualifiedAccess>]
type GeneratorInit =
    /// PyTorch's default initialisation (uniform with bound 1/√fan-in), drawn from the run's seed.
    | Random
    /// The generator (decoder) of a completed VAE run: its run folder (`ganflow run seed003-mnist-vae… --out DIR`),
    /// whose spec must declare the same generator. `ganflow run --vae DIR` overrides the folder.
    | FromVae of runFolder: string

/// Seed 003's VAE (sec. 4): encoder eqs. 27-28, decoder = the generator of eq. 5, Bernoulli likelihood (eq. 4),
/// trained by minimising the negative ELBO (eqs. 22-23) with the reparameterisation z = μ + exp(Σ/2)·ε (eq. 25, with
/// Σ the log-variance of eq. 24) and one ε per image.
type Vae =
    { /// The encoder e_ψ(z|x). Default `ConvEncoder.Default` (45,924 weights on MNIST).
      Encoder: ConvEncoder
      /// The decoder g_θ. Default `ConvGenerator.Default` (42,913 weights on MNIST).
      Generator: ConvGenerator
      /// Adam over encoder and decoder together. Default lr 1e-3, β = (0.9, 0.999), weight decay 1e-5 (sec. 4).
      Optimizer: Adam
      /// Images per minibatch. Default 64.
      BatchSize: int }

    static member Default =
        { Encoder = ConvEncoder.Default
          Generator = ConvGenerator.Default
          Optimizer = { LearningRate = 1e-3; Beta1 = 0.9; Beta2 = 0.999; WeightDecay = 1e-5 }
          BatchSize = 64 }

/// Seed 003's DCGAN (sec. 5.1, eqs. 29-33): the non-saturating cross-entropy game between the generator and the
/// discriminator of eq. 33, one discriminator step per generator step.
type Dcgan =
    { /// The generator g_θ. Default `ConvGenerator.Default`.
      Generator: ConvGenerator
      /// The discriminator d_φ. Default `ConvDiscriminator.Default` (36,705 weights on MNIST).
      Discriminator: ConvDiscriminator
      /// Where the generator starts. Default `Random`.
      Init: GeneratorInit
      /// Adam for both networks. Default lr 2e-4, β₁ 0.5, β₂ 0.999, no weight decay (sec. 5.1, after DCGAN).
      Optimizer: Adam
      /// Images per minibatch (real and generated). Default 64.
      BatchSize: int }

    static member Default =
        { Generator = ConvGenerator.Default
          Discriminator = ConvDiscriminator.Default
          Init = GeneratorInit.Random
          Optimizer = { LearningRate = 2e-4; Beta1 = 0.5; Beta2 = 0.999; WeightDecay = 0.0 }
          BatchSize = 64 }

/// Seed 003's WGAN (sec. 5.2, eq. 35): the potential f_φ is eq. 33's discriminator without its sigmoid, its weights
/// clamped to [−c, c] after every critic step (Arjovsky et al.), RMSprop for both networks.
type WganClip =
    { /// The generator g_θ. Default `ConvGenerator.Default`.
      Generator: ConvGenerator
      /// The potential f_φ. Default `ConvDiscriminator.Default`.
      Critic: ConvDiscriminator
      /// Where the generator starts. Default `Random`.
      Init: GeneratorInit
      /// RMSprop for both networks. Default lr 5e-5, α 0.99 (the reference code; Arjovsky et al.).
      Optimizer: RmsProp
      /// Clamp bound c of every critic parameter. Default 0.01.
      Clip: float
      /// Critic steps per generator step. Default 5.
      CriticSteps: int
      /// Images per minibatch. Default 64.
      BatchSize: int }

    static member Default =
        { Generator = ConvGenerator.Default
          Critic = ConvDiscriminator.Default
          Init = GeneratorInit.Random
          Optimizer = RmsProp.Default
          Clip = 0.01
          CriticSteps = 5
          BatchSize = 64 }

/// The image model a run trains.
[<RequireQualifiedAccess>]
type ImageModel =
    | Vae of Vae
    | Dcgan of Dcgan
    | Wgan of WganClip

    /// The generator every family trains.
    member this.Generator =
        match this with
        | Vae v -> v.Generator
        | Dcgan d -> d.Generator
        | Wgan w -> w.Generator

    /// Images per minibatch.
    member this.BatchSize =
        match this with
        | Vae v -> v.BatchSize
        | Dcgan d -> d.BatchSize
        | Wgan w -> w.BatchSize

    /// Where the generator starts (a VAE's always at random).
    member this.Init =
        match this with
        | Vae _ -> GeneratorInit.Random
        | Dcgan d -> d.Init
        | Wgan w -> w.Init

    /// The family's name in file names and messages: `vae`, `dcgan`, `wgan`.
    member this.Family =
        match this with
        | Vae _ -> "vae"
        | Dcgan _ -> "dcgan"
        | Wgan _ -> "wgan"

/// How long an image run trains.
[<RequireQualifiedAccess>]
type ImageBudget =
    /// Passes over the training images (seed 003's VAE: 50); a step is one minibatch, an epoch ⌊train / batch⌋ steps
    /// (each epoch a fresh permutation; the last partial batch is dropped, so batch norm never sees a tiny batch).
    | Epochs of int
    /// Generator steps (seed 003's GANs: 50,000).
    | Steps of int

/// Budget arithmetic.
module ImageBudget =
    /// Generator steps of `budget` for `trainImages` training images in minibatches of `batchSize`.
    let steps (trainImages: int) (batchSize: int) (budget: ImageBudget) =
        match budget with
        | ImageBudget.Steps n -> n
        | ImageBudget.Epochs e -> e * (trainImages / batchSize)

/// What is measured during training, written to metrics.csv.
type ImageEvaluation =
    { /// Evaluate (and checkpoint) after every this many steps, and at the end. Default 1,000.
      Every: int
      /// 64-vs-64 batches whose energy statistics are averaged per evaluation (each batch: fresh test images against
      /// fresh generator samples). Default 10.
      EnergyBatches: int
      /// Images of each sample of one energy statistic. Default 64 (seed 003's reference code).
      EnergyBatchSize: int
      /// Test images the VAE's test ELBO (and the encoder's latent means picture) use; at most the test split. Default
      /// 10,000.
      TestImages: int }

    static member Default = { Every = 1_000; EnergyBatches = 10; EnergyBatchSize = 64; TestImages = 10_000 }

/// The pictures written at the end of a run (PNG files and the report).
type ImagePictures =
    { /// Side of the square sample grid (side² samples from the prior). Default 8.
      GridSide: int
      /// Images of the latent interpolation from −e to e, e = (1, …, 1) (Fig. 10). Default 20.
      InterpolationSteps: int
      /// Test images whose true posterior p(z|x) is computed on the grid (VAE only, q = 2; Fig. 7). Default 4.
      PosteriorImages: int
      /// Grid points per latent axis of the true posterior's picture (the evidence uses a grid twice as fine). Default 81.
      PosteriorPoints: int
      /// The first search grid spans [−extent, extent]² in latent space; it doubles (up to 64) while it cuts the
      /// posterior off, and the picture and the evidence then use a window around the posterior's mass
      /// (`LatentGrid.focus`). Default 4.
      PosteriorExtent: float }

    static member Default = { GridSide = 8; InterpolationSteps = 20; PosteriorImages = 4; PosteriorPoints = 81; PosteriorExtent = 4.0 }

/// One declared image experiment (seed 003 secs. 4-5 on MNIST).
type ImageExperiment =
    { /// Name used on the command line (`ganflow run NAME`); names start with `seed003-mnist`.
      Name: string
      /// One line shown by `ganflow list --verbose` and in the report.
      Description: string
      /// Where the digits come from; `--data DIR` overrides the folder. Pixels enter the models as byte/255 in [0, 1].
      Data: MnistData
      /// Train on the first this many training images only (reduced budgets); None: all of them. Default None.
      TrainImages: int option
      /// The model and its training settings.
      Model: ImageModel
      /// How long it trains.
      Budget: ImageBudget
      /// What is measured during training.
      Evaluation: ImageEvaluation
      /// The pictures written at the end.
      Pictures: ImagePictures
      /// Seed of every random draw (initial weights, minibatches, noise). Same spec and seed: same numbers on CPU.
      Seed: int }
