namespace GanFlow.Core.Models

/// The distribution of a generator's latent noise z.
[<RequireQualifiedAccess>]
type PriorKind =
    /// z ~ N(0, I).
    | StandardGaussian
    /// z ~ U(−1, 1)^d (seed 000 Table 2 "with uniform prior"; drawn uniformly, unlike the
    /// reference code, which drew Gaussian noise under that name).
    | SymmetricUniform

/// Latent prior of a generator.
type Prior =
    { /// Shape of the noise. Default standard Gaussian.
      Kind: PriorKind
      /// Number of latent coordinates (>= 1; seed 000 searches 1, 3, 5). Default 1.
      Dimension: int }

    static member Default = { Kind = PriorKind.StandardGaussian; Dimension = 1 }
