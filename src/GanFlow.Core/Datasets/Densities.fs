namespace GanFlow.Core.Datasets

open MathNet.Numerics.Distributions

/// Exact, closed-form functions of a `Distribution`: in 1-D pdf, cdf, the integrated cdf (for exact W1 against a
/// sample), mean, variance, quantiles and a plotting range; in any dimension the log-density, the components' centres
/// and spreads, and a mixture's component posterior p(y|x). Pure.
module Densities =

    /// Number of coordinates of one sample.
    let rec dimension distribution =
        match distribution with
        | Distribution.Uniform _
        | Distribution.Gaussian _ -> 1
        | Distribution.TwoMoons _ -> 2
        | Distribution.IsotropicGaussian(mean, _) -> List.length mean
        | Distribution.LocationScale(_, _, inner) -> dimension inner
        | Distribution.Mixture components ->
            match components with
            | [] -> 1
            | first :: _ -> dimension first.Distribution

    let private normalisedWeights (components: MixtureComponent list) =
        let total = components |> List.sumBy (fun c -> c.Weight)
        components |> List.map (fun c -> c.Weight / total, c.Distribution)

    let private requireOneDimensional name distribution =
        if dimension distribution <> 1 then
            invalidArg "distribution" (sprintf "%s is defined for 1-D distributions only" name)

    /// Probability density at x.
    let rec pdf distribution (x: float) =
        match distribution with
        | Distribution.Uniform(low, high) -> if x >= low && x <= high then 1.0 / (high - low) else 0.0
        | Distribution.Gaussian(mean, std) -> Normal.PDF(mean, std, x)
        | Distribution.Mixture components ->
            normalisedWeights components |> List.sumBy (fun (w, d) -> w * pdf d x)
        | Distribution.LocationScale(location, scale, inner) -> pdf inner ((x - location) / scale) / scale
        | Distribution.TwoMoons _ -> requireOneDimensional "pdf" distribution; nan
        | Distribution.IsotropicGaussian(mean, std) -> requireOneDimensional "pdf" distribution; Normal.PDF(List.head mean, std, x)

    /// Cumulative distribution function P(X <= x).
    let rec cdf distribution (x: float) =
        match distribution with
        | Distribution.Uniform(low, high) -> if x <= low then 0.0 elif x >= high then 1.0 else (x - low) / (high - low)
        | Distribution.Gaussian(mean, std) -> Normal.CDF(mean, std, x)
        | Distribution.Mixture components ->
            normalisedWeights components |> List.sumBy (fun (w, d) -> w * cdf d x)
        | Distribution.LocationScale(location, scale, inner) -> cdf inner ((x - location) / scale)
        | Distribution.TwoMoons _ -> requireOneDimensional "cdf" distribution; nan
        | Distribution.IsotropicGaussian(mean, std) -> requireOneDimensional "cdf" distribution; Normal.CDF(List.head mean, std, x)

    /// Mean E[X].
    let rec mean distribution =
        match distribution with
        | Distribution.Uniform(low, high) -> 0.5 * (low + high)
        | Distribution.Gaussian(m, _) -> m
        | Distribution.Mixture components -> normalisedWeights components |> List.sumBy (fun (w, d) -> w * mean d)
        | Distribution.LocationScale(location, scale, inner) -> location + scale * mean inner
        | Distribution.TwoMoons _ -> requireOneDimensional "mean" distribution; nan
        | Distribution.IsotropicGaussian(mean, _) -> requireOneDimensional "mean" distribution; List.head mean

    /// The integrated cdf G(x) = ∫_{-∞}^{x} F(t) dt, in closed form. With it, ∫_a^b F = G(b) − G(a),
    /// which makes W1 between a sample and the exact distribution exact (no quadrature).
    let rec integratedCdf distribution (x: float) =
        match distribution with
        | Distribution.Uniform(low, high) ->
            if x <= low then 0.0
            elif x >= high then 0.5 * (high - low) + (x - high)
            else (x - low) * (x - low) / (2.0 * (high - low))
        | Distribution.Gaussian(m, std) ->
            let z = (x - m) / std
            (x - m) * Normal.CDF(0.0, 1.0, z) + std * Normal.PDF(0.0, 1.0, z)
        | Distribution.Mixture components ->
            normalisedWeights components |> List.sumBy (fun (w, d) -> w * integratedCdf d x)
        | Distribution.LocationScale(location, scale, inner) -> scale * integratedCdf inner ((x - location) / scale)
        | Distribution.TwoMoons _ -> requireOneDimensional "integratedCdf" distribution; nan
        | Distribution.IsotropicGaussian(mean, std) ->
            requireOneDimensional "integratedCdf" distribution
            integratedCdf (Distribution.Gaussian(List.head mean, std)) x

    /// The integrated survival function H(x) = ∫_{x}^{∞} (1 − F(t)) dt = G(x) − x + E[X].
    let integratedSurvival distribution (x: float) =
        integratedCdf distribution x - x + mean distribution

    /// A range [low, high] holding all but about 1e-7 of the mass on either side; plots use it.
    let rec range distribution =
        match distribution with
        | Distribution.Uniform(low, high) -> low, high
        | Distribution.Gaussian(m, std) -> m - 5.5 * std, m + 5.5 * std
        | Distribution.Mixture components ->
            let ranges = components |> List.map (fun c -> range c.Distribution)
            (ranges |> List.map fst |> List.min), (ranges |> List.map snd |> List.max)
        | Distribution.LocationScale(location, scale, inner) ->
            let low, high = range inner
            location + scale * low, location + scale * high
        | Distribution.TwoMoons _ -> requireOneDimensional "range" distribution; nan, nan
        | Distribution.IsotropicGaussian(mean, std) ->
            requireOneDimensional "range" distribution
            range (Distribution.Gaussian(List.head mean, std))

    /// The p-quantile F⁻¹(p) by bisection on the exact cdf (to ~1e-12 of the range).
    let quantile distribution (p: float) =
        let low, high = range distribution
        let width = high - low
        let mutable a = low - width
        let mutable b = high + width
        for _ in 1..100 do
            let mid = 0.5 * (a + b)
            if cdf distribution mid < p then a <- mid else b <- mid
        0.5 * (a + b)

    /// Variance Var[X] (1-D).
    let rec variance distribution =
        match distribution with
        | Distribution.Uniform(low, high) -> (high - low) * (high - low) / 12.0
        | Distribution.Gaussian(_, std) -> std * std
        | Distribution.Mixture components ->
            let m = mean distribution
            normalisedWeights components |> List.sumBy (fun (w, d) -> w * (variance d + (mean d - m) * (mean d - m)))
        | Distribution.LocationScale(_, scale, inner) -> scale * scale * variance inner
        | Distribution.IsotropicGaussian(_, std) -> requireOneDimensional "variance" distribution; std * std
        | Distribution.TwoMoons _ -> requireOneDimensional "variance" distribution; nan

    /// Whether the distribution has a known density in its dimension (every spec but the two moons, whose
    /// scikit-learn construction has none in closed form).
    let rec hasDensity distribution =
        match distribution with
        | Distribution.TwoMoons _ -> false
        | Distribution.Mixture components -> components |> List.forall (fun c -> hasDensity c.Distribution)
        | Distribution.LocationScale(_, _, inner) -> hasDensity inner
        | Distribution.Uniform _
        | Distribution.Gaussian _
        | Distribution.IsotropicGaussian _ -> true

    /// log p(x) in nats at the point `x` (as many coordinates as the distribution's dimension); −∞ outside a
    /// uniform's support. Mixtures by log-sum-exp, so far-off points do not underflow to −∞.
    let rec logDensity distribution (x: float[]) =
        match distribution with
        | Distribution.IsotropicGaussian(mean, std) ->
            let mutable squared = 0.0
            mean |> List.iteri (fun k m -> squared <- squared + (x[k] - m) * (x[k] - m))
            -0.5 * squared / (std * std) - 0.5 * float x.Length * log (2.0 * System.Math.PI * std * std)
        | Distribution.Mixture components when dimension distribution > 1 ->
            let terms = normalisedWeights components |> List.map (fun (w, d) -> log w + logDensity d x) |> Array.ofList
            let top = Array.max terms
            if System.Double.IsNegativeInfinity top then top else top + log (terms |> Array.sumBy (fun t -> exp (t - top)))
        | Distribution.TwoMoons _ -> invalidArg "distribution" "the two moons have no density in closed form"
        | Distribution.LocationScale(location, scale, inner) when dimension inner > 1 ->
            logDensity inner (x |> Array.map (fun v -> (v - location) / scale)) - float x.Length * log scale
        | _ ->
            // 1-D: mixtures of 1-D components by log-sum-exp too, so the tails of Gaussian modes stay finite.
            match distribution with
            | Distribution.Mixture components ->
                let terms = normalisedWeights components |> List.map (fun (w, d) -> log w + logDensity d x) |> Array.ofList
                let top = Array.max terms
                if System.Double.IsNegativeInfinity top then top else top + log (terms |> Array.sumBy (fun t -> exp (t - top)))
            | Distribution.Gaussian(m, std) -> -0.5 * ((x[0] - m) / std) ** 2.0 - log (std * sqrt (2.0 * System.Math.PI))
            | Distribution.LocationScale(location, scale, inner) -> logDensity inner [| (x[0] - location) / scale |] - log scale
            | _ -> log (pdf distribution x[0])

    /// The top-level components of a distribution (a mixture's, with weights normalised to sum 1; one component of
    /// weight 1 otherwise).
    let components distribution =
        match distribution with
        | Distribution.Mixture cs -> normalisedWeights cs |> Array.ofList
        | other -> [| 1.0, other |]

    /// The centre E[X] of a component as a point, in any dimension (1-D: its mean).
    let centre distribution =
        match distribution with
        | Distribution.IsotropicGaussian(m, _) -> Array.ofList m
        | Distribution.TwoMoons _ -> invalidArg "distribution" "the two moons have no centre in closed form"
        | d when dimension d > 1 -> invalidArg "distribution" "centres are defined for 1-D specs and isotropic Gaussians"
        | d -> [| mean d |]

    /// The spread of a component: the standard deviation of each coordinate (1-D: √Var[X]).
    let spread distribution =
        match distribution with
        | Distribution.IsotropicGaussian(_, std) -> std
        | d -> sqrt (variance d)

    /// Whether the distribution is a mixture of at least two components with pairwise distinct centres and known
    /// densities: then its component posterior p(y|x) is an exact classifier, and mode scores exist (seed 001's MODE
    /// score, the mode-collapse papers' counts). Seed 000's unimodal set (a Gaussian and a uniform around one centre)
    /// is not one; its multimodal set, seed 002's two Gaussians and the ring and grid are.
    let hasModes distribution =
        match distribution with
        | Distribution.Mixture cs when cs.Length >= 2 && hasDensity distribution ->
            let centres = cs |> List.map (fun c -> try Some(centre c.Distribution) with :? System.ArgumentException -> None)
            centres |> List.forall Option.isSome && (centres |> List.choose id |> List.distinct |> List.length) = cs.Length
        | _ -> false

    /// The component posterior p(y = k | x) of a mixture at `x` (softmax of log w_k + log p_k(x)); uniform where every
    /// component has zero density.
    let posterior distribution (x: float[]) =
        let cs = components distribution
        let terms = cs |> Array.map (fun (w, d) -> log w + logDensity d x)
        let top = Array.max terms
        if System.Double.IsNegativeInfinity top then Array.create cs.Length (1.0 / float cs.Length)
        else
            let e = terms |> Array.map (fun t -> exp (t - top))
            let total = Array.sum e
            e |> Array.map (fun v -> v / total)
