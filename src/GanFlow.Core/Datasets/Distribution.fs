namespace GanFlow.Core.Datasets

/// A data distribution as a composable spec. Training draws fresh samples from it at every step (the dataset is
/// effectively infinite, seed 000 sec. 2) unless the experiment asks for a finite training set (`FiniteSample`).
[<RequireQualifiedAccess>]
type Distribution =
    /// Uniform on [low, high] (1-D). `low` < `high`, both finite and at most 1e15 in magnitude (the models compute in
    /// float32; `DistributionValidation.maxMagnitude`).
    | Uniform of low: float * high: float
    /// Gaussian N(mean, std²) (1-D). `std` is the standard deviation (> 0), not the variance; both at most 1e15 in
    /// magnitude.
    | Gaussian of mean: float * std: float
    /// Weighted mixture of components of one dimension. Weights are relative (normalised to
    /// sum 1) and must be > 0; at least one component.
    | Mixture of components: MixtureComponent list
    /// Location/scale family: x = location + scale · b with b drawn from `baseDistribution`.
    /// `scale` > 0 (a positive scale keeps cdfs monotone); `location` and `scale` at most 1e15 in magnitude, the range
    /// they give the base distribution at most 1e17 (`DistributionValidation.maxSpread`).
    | LocationScale of location: float * scale: float * baseDistribution: Distribution
    /// Two interleaving half circles in 2-D exactly as scikit-learn's `make_moons`: each
    /// sample picks a moon with probability ½; outer moon (cos t, sin t), inner moon
    /// (1 − cos t, ½ − sin t), t ~ U(0, π); plus isotropic Gaussian noise of std `noise`
    /// (>= 0, at most 1e15; seed 003 uses 0.05).
    | TwoMoons of noise: float
    /// Isotropic Gaussian N(μ, σ²I) in as many dimensions as `mean` has coordinates (>= 1, finite), `std` σ > 0 the
    /// standard deviation of every coordinate, all at most 1e15 in magnitude. The components of the 2-D ring and grid mixtures (`NamedDatasets`).
    | IsotropicGaussian of mean: float list * std: float

/// One weighted component of a `Distribution.Mixture`.
and MixtureComponent =
    { /// Relative weight (> 0); the mixture normalises weights to sum 1.
      Weight: float
      /// The component's distribution.
      Distribution: Distribution }
