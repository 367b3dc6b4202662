namespace GanFlow.Core.Images

/// The true posterior of a 2-D latent model on a grid (seed 003 Fig. 7, possible because q = 2): p(z|x) ∝ p(x|z)·p(z)
/// evaluated at grid points and normalised, and log p(x) = log ∫ p(x|z) p(z) dz by the midpoint rule on the grid.
module LatentGrid =

    /// The `points` × `points` grid over [−extent, extent]², row-major as (z₁, z₂) with z₂ running fastest.
    let points (extent: float) (points: int) =
        let h = 2.0 * extent / float (points - 1)
        [| for i in 0 .. points - 1 do
               for j in 0 .. points - 1 -> -extent + h * float i, -extent + h * float j |]

    /// Area of one grid cell.
    let cellArea (extent: float) (points: int) =
        let h = 2.0 * extent / float (points - 1)
        h * h

    /// log N(z; 0, I) in 2-D.
    let logStandardNormal (z1: float, z2: float) = -log (2.0 * System.Math.PI) - 0.5 * (z1 * z1 + z2 * z2)

    /// log Σ exp(values), stable.
    let logSumExp (values: float[]) =
        let m = Array.max values
        if System.Double.IsNegativeInfinity m then m else m + log (values |> Array.sumBy (fun v -> exp (v - m)))

    /// log p(x) ≈ log Σ_k p(x|z_k) p(z_k) · cell area, from log p(x|z_k) at the grid points of `points extent n`.
    let logEvidence (extent: float) (n: int) (logLikelihoods: float[]) =
        let joint = Array.map2 (fun ll z -> ll + logStandardNormal z) logLikelihoods (points extent n)
        logSumExp joint + log (cellArea extent n)

    /// The posterior mass of every grid cell (sums to 1), from log p(x|z_k) at the grid points.
    let posterior (extent: float) (n: int) (logLikelihoods: float[]) =
        let joint = Array.map2 (fun ll z -> ll + logStandardNormal z) logLikelihoods (points extent n)
        let total = logSumExp joint
        joint |> Array.map (fun v -> exp (v - total))

    /// The density of N(μ, diag exp(logVariance)) at every grid point, scaled to cell masses (sums to about 1 when
    /// the Gaussian lies inside the grid): the encoder's posterior beside the true one.
    let gaussianMasses (extent: float) (n: int) (mean: float * float) (logVariance: float * float) =
        let (m1, m2), (l1, l2) = mean, logVariance
        let area = cellArea extent n
        points extent n
        |> Array.map (fun (z1, z2) ->
            let d1, d2 = z1 - m1, z2 - m2
            area * exp (-log (2.0 * System.Math.PI) - 0.5 * (l1 + l2) - 0.5 * (d1 * d1 / exp l1 + d2 * d2 / exp l2)))
