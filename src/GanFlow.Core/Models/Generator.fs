namespace GanFlow.Core.Models

/// A generator that pushes prior noise through an MLP, x = G(z): samples, but no density (seed 000's GANs; the
/// likelihood of such a generator is ill-defined, seed 001 sec. 2.3).
type MlpGenerator =
    { /// Latent noise z. Default 1-D standard Gaussian.
      Prior: Prior
      /// The network G: prior dimension → data dimension. Default `Mlp.Default`.
      Network: Mlp }

/// A normalizing flow as a generator (seed 001 sec. 3): x = g(z) with z from the base distribution, and the exact
/// density p_θ(x) = p_Z(g⁻¹(x))·|det ∂g⁻¹/∂x| (eq. 6). Latent and data dimensions agree.
type FlowGenerator =
    { /// The bijection x ↦ z. Default seed 003's RealNVP.
      Architecture: FlowArchitecture
      /// The latent distribution p_Z. Default standard Gaussian.
      Base: BaseDistribution
      /// Precede the bijection by the fixed per-dimension affine map x ↦ (x − m)/s (see `Flow.Standardize`).
      /// Default false.
      Standardize: bool }

/// Where a model's samples come from, and whether it has a density.
[<RequireQualifiedAccess>]
type GeneratorSpec =
    /// An MLP with a prior: samples only.
    | Mlp of MlpGenerator
    /// A normalizing flow: samples and the exact density.
    | Flow of FlowGenerator
    /// Seed 003's convolutional generator (eq. 5) from a standard Gaussian latent of `Latent` coordinates to square
    /// images in (0, 1): samples only (a VAE's decoder, a DCGAN's or WGAN's generator). Image data only
    /// (`data.images`, side divisible by 4).
    | Conv of ConvGenerator

/// Where a generator's weights start.
[<RequireQualifiedAccess>]
type GeneratorInit =
    /// Drawn from the run's seed (PyTorch's default bounds, from the run's own random generator).
    | Random
    /// The decoder of a completed VAE run (its run folder, `ganflow run seed003-mnist-vae… --out DIR`), whose generator
    /// must be the same spec: seed 003 sec. 5 starts its GANs from "the optimal weights from the VAE example" (weights
    /// and batch-norm statistics; the critic starts at random). `ganflow run --vae DIR` overrides the folder.
    | FromVae of runFolder: string
