namespace GanFlow.Core.Metrics

open GanFlow.Core.Numerics
open GanFlow.Core.Experiments

/// Parzen-window (Gaussian kernel) density estimates in any dimension (Parzen 1962; Goodfellow et al. 2014's estimator
/// of a GAN's log-likelihood, seed 001 Table 3): p̂(x) = (1/N) Σᵢ N(x; sᵢ, h²I). Exact sums in log space, O(N · points
/// · d); rows are row-major, `dim` wide. Pure.
module ParzenWindow =

    /// log p̂(x) at each point for each bandwidth of `bandwidths` (result[b][j]), the squared distances computed once.
    let logDensitiesFor (dim: int) (samples: float[]) (bandwidths: float[]) (points: float[]) : float[][] =
        let n = samples.Length / dim
        if n < 1 then invalidArg "samples" "a Parzen window needs at least one sample"
        let m = points.Length / dim
        let result = Array.init bandwidths.Length (fun _ -> Array.zeroCreate m)
        let squared = Array.zeroCreate n
        for j in 0 .. m - 1 do
            let mutable nearest = infinity
            for i in 0 .. n - 1 do
                let mutable s = 0.0
                for k in 0 .. dim - 1 do
                    let diff = points[j * dim + k] - samples[i * dim + k]
                    s <- s + diff * diff
                squared[i] <- s
                if s < nearest then nearest <- s
            for b in 0 .. bandwidths.Length - 1 do
                let h = bandwidths[b]
                let scale = 1.0 / (2.0 * h * h)
                // log-sum-exp around the nearest kernel, so that far-off points and tiny bandwidths stay finite.
                let mutable total = 0.0
                for i in 0 .. n - 1 do
                    total <- total + exp (-(squared[i] - nearest) * scale)
                result[b][j] <- -nearest * scale + log total - log (float n) - 0.5 * float dim * log (2.0 * System.Math.PI * h * h)
        result

    /// log p̂(x) at each point, bandwidth `h`.
    let logDensities (dim: int) (samples: float[]) (h: float) (points: float[]) = (logDensitiesFor dim samples [| h |] points)[0]

    /// `count` (>= 2) log-spaced values from `low` to `high`, both included exactly.
    let logSpaced (low: float) (high: float) (count: int) =
        // The ends are `low` and `high` themselves (exp ∘ log would miss them by a rounding).
        Array.init count (fun i ->
            if i = 0 then low
            elif i = count - 1 then high
            else exp (log low + (log high - log low) * float i / float (count - 1)))

    /// The mean and standard error (the sample standard deviation over √n) of a set of values (MathNet's
    /// `Statistics.MeanStandardDeviation`). One value has no spread to estimate an error from: NaN, not 0.
    let meanAndError (values: float[]) =
        if values.Length = 1 then values[0], nan
        else
            let struct (mean, deviation) = MathNet.Numerics.Statistics.ArrayStatistics.MeanStandardDeviation values
            mean, deviation / sqrt (float values.Length)

    /// The scale of the bandwidth candidates: the population standard deviation of every coordinate value of the
    /// validation points, row-major (MathNet's `ArrayStatistics.PopulationStandardDeviation`).
    let scaleOf (validation: float[]) = MathNet.Numerics.Statistics.ArrayStatistics.PopulationStandardDeviation validation

    /// The Parzen estimate of `samples`' log-likelihood on `test`, its bandwidth the candidate (log-spaced from 1e-3 to
    /// 1 times `scale`) with the highest mean log-likelihood on `validation`.
    let estimate (dim: int) (samples: float[]) (scale: float) (candidates: int) (validation: float[]) (test: float[]) : ParzenEstimate =
        let bandwidths = logSpaced (1e-3 * scale) scale candidates
        let onValidation = logDensitiesFor dim samples bandwidths validation |> Array.map Array.average
        let best = bandwidths[Finite.argMax "the mean validation log-likelihood of a Parzen bandwidth" onValidation]
        let mean, error = meanAndError (logDensities dim samples best test)
        { Nll = -mean; StandardError = error; Bandwidth = best; Samples = samples.Length / dim; Points = test.Length / dim }
