namespace GanFlow.Core.Datasets

/// The datasets of the papers, as named specs.
module NamedDatasets =

    /// Seed 000's building block (eqs. 1-3): with probability `p` a Gaussian N(μ, σ²), otherwise
    /// Uniform(μ − rσ, μ + rσ).
    let uniformGaussianBlend (mu: float) (sigma: float) (r: float) (p: float) =
        Distribution.Mixture
            [ { Weight = p; Distribution = Distribution.Gaussian(mu, sigma) }
              { Weight = 1.0 - p; Distribution = Distribution.Uniform(mu - r * sigma, mu + r * sigma) } ]

    /// Seed 000 sec. 2.1, the unimodal dataset: p = 0.75, μ = 5, σ = 0.1, r = 5.
    let unimodal = uniformGaussianBlend 5.0 0.1 5.0 0.75

    /// Seed 000 sec. 2.2, the multimodal dataset: K = 8 equally weighted blends with
    /// μ_k = 10k, p = 0.5, σ = 2, r = 1.5 (eqs. 4-7).
    let multimodal =
        Distribution.Mixture
            [ for k in 1..8 -> { Weight = 1.0 / 8.0; Distribution = uniformGaussianBlend (10.0 * float k) 2.0 1.5 0.5 } ]

    /// Seed 002 sec. 2: the uniform mixture ½N(μ₁, 1) + ½N(μ₂, 1) of Li, Mądry, Peebles and Schmidt.
    let twoGaussians (mu1: float) (mu2: float) =
        Distribution.Mixture
            [ { Weight = 0.5; Distribution = Distribution.Gaussian(mu1, 1.0) }
              { Weight = 0.5; Distribution = Distribution.Gaussian(mu2, 1.0) } ]

    /// Seed 002's mixture with the modes at ±2.
    let twoGaussiansDefault = twoGaussians -2.0 2.0

    /// Seed 003's two moons: scikit-learn `make_moons(noise = 0.05)`.
    let moons = Distribution.TwoMoons 0.05

    /// `count` equally weighted isotropic Gaussians of std `std` with means on a circle of radius `radius`, the k-th at
    /// angle 2πk/count (Metz et al. 2017, unrolled GANs: 8 modes, radius 2, std 0.02).
    let ring (count: int) (radius: float) (std: float) =
        Distribution.Mixture
            [ for k in 0 .. count - 1 ->
                  let angle = 2.0 * System.Math.PI * float k / float count
                  { Weight = 1.0; Distribution = Distribution.IsotropicGaussian([ radius * cos angle; radius * sin angle ], std) } ]

    /// `side`² equally weighted isotropic Gaussians of std `std` with means on the square grid of `side` points per axis,
    /// `spacing` apart and centred on the origin (Srivastava et al. 2017, VEEGAN: 25 modes on {−4, −2, 0, 2, 4}², std 0.02).
    let grid (side: int) (spacing: float) (std: float) =
        let offset = 0.5 * float (side - 1) * spacing
        Distribution.Mixture
            [ for i in 0 .. side - 1 do
                  for j in 0 .. side - 1 ->
                      { Weight = 1.0
                        Distribution = Distribution.IsotropicGaussian([ float i * spacing - offset; float j * spacing - offset ], std) } ]

    /// The ring of 8 of the mode-collapse literature: radius 2, std 0.02.
    let ring8 = ring 8 2.0 0.02

    /// The grid of 25 of the mode-collapse literature: {−4, −2, 0, 2, 4}², std 0.02.
    let grid25 = grid 5 2.0 0.02

    /// Every named dataset, for the CLI and reports.
    let all =
        [ "unimodal", unimodal
          "multimodal", multimodal
          "two-gaussians", twoGaussiansDefault
          "moons", moons
          "ring8", ring8
          "grid25", grid25 ]
