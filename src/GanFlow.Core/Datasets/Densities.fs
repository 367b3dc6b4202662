namespace GanFlow.Core.Datasets

open MathNet.Numerics.Distributions

/// Exact, closed-form functions of a 1-D `Distribution`: pdf, cdf, the integrated cdf (for
/// exact W1 against a sample), mean, quantiles and a plotting range. Pure.
module Densities =

    /// Number of coordinates of one sample.
    let rec dimension distribution =
        match distribution with
        | Distribution.Uniform _
        | Distribution.Gaussian _ -> 1
        | Distribution.TwoMoons _ -> 2
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

    /// Cumulative distribution function P(X <= x).
    let rec cdf distribution (x: float) =
        match distribution with
        | Distribution.Uniform(low, high) -> if x <= low then 0.0 elif x >= high then 1.0 else (x - low) / (high - low)
        | Distribution.Gaussian(mean, std) -> Normal.CDF(mean, std, x)
        | Distribution.Mixture components ->
            normalisedWeights components |> List.sumBy (fun (w, d) -> w * cdf d x)
        | Distribution.LocationScale(location, scale, inner) -> cdf inner ((x - location) / scale)
        | Distribution.TwoMoons _ -> requireOneDimensional "cdf" distribution; nan

    /// Mean E[X].
    let rec mean distribution =
        match distribution with
        | Distribution.Uniform(low, high) -> 0.5 * (low + high)
        | Distribution.Gaussian(m, _) -> m
        | Distribution.Mixture components -> normalisedWeights components |> List.sumBy (fun (w, d) -> w * mean d)
        | Distribution.LocationScale(location, scale, inner) -> location + scale * mean inner
        | Distribution.TwoMoons _ -> requireOneDimensional "mean" distribution; nan

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
