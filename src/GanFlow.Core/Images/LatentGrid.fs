namespace GanFlow.Core.Images

open GanFlow.Core.Numerics
/// A square of the 2-D latent plane, the domain of a `LatentGrid`.
type LatentWindow =
    { /// The square's centre (z₁, z₂).
      Centre: float * float
      /// Half the square's side, in latent units (> 0).
      HalfWidth: float }

    /// [−extent, extent]², centred on the prior's mean.
    static member Centred(extent: float) = { Centre = (0.0, 0.0); HalfWidth = extent }

/// The true posterior of a 2-D latent model on a grid (seed 003 Fig. 7, possible because q = 2): p(z|x) ∝ p(x|z)·p(z)
/// evaluated at grid points and normalised, and log p(x) = log ∫ p(x|z) p(z) dz by the midpoint rule on the grid. A
/// grid is a window and a number of points per axis.
module LatentGrid =

    /// Spacing of `points` points per axis over the window.
    let spacing (window: LatentWindow) (points: int) = 2.0 * window.HalfWidth / float (points - 1)

    /// The `points` × `points` grid over the window, row-major as (z₁, z₂) with z₂ running fastest.
    let points (window: LatentWindow) (points: int) =
        let h = spacing window points
        let c1, c2 = window.Centre
        [| for i in 0 .. points - 1 do
               for j in 0 .. points - 1 -> c1 - window.HalfWidth + h * float i, c2 - window.HalfWidth + h * float j |]

    /// Area of one grid cell.
    let cellArea (window: LatentWindow) (points: int) =
        let h = spacing window points
        h * h

    /// log N(z; 0, I) in 2-D.
    let logStandardNormal (z1: float, z2: float) = -log (2.0 * System.Math.PI) - 0.5 * (z1 * z1 + z2 * z2)

    /// log Σ exp(values), stable.
    let logSumExp (values: float[]) =
        let m = Array.max values
        if System.Double.IsNegativeInfinity m then m else m + log (values |> Array.sumBy (fun v -> exp (v - m)))

    /// log p(x) ≈ log Σ_k p(x|z_k) p(z_k) · cell area, from log p(x|z_k) at the grid points of `points window n`.
    let logEvidence (window: LatentWindow) (n: int) (logLikelihoods: float[]) =
        let joint = Array.map2 (fun ll z -> ll + logStandardNormal z) logLikelihoods (points window n)
        logSumExp joint + log (cellArea window n)

    /// The posterior mass of every grid cell (sums to 1), from log p(x|z_k) at the grid points.
    let posterior (window: LatentWindow) (n: int) (logLikelihoods: float[]) =
        let joint = Array.map2 (fun ll z -> ll + logStandardNormal z) logLikelihoods (points window n)
        let total = logSumExp joint
        joint |> Array.map (fun v -> exp (v - total))

    /// The posterior mass on the grid's outermost rows and columns: above a small value the window cuts the posterior
    /// off, and log p(x) on it is too low.
    let edgeMass (n: int) (mass: float[]) =
        seq {
            for i in 0 .. n - 1 do
                for j in 0 .. n - 1 do
                    if i = 0 || j = 0 || i = n - 1 || j = n - 1 then yield mass[i * n + j]
        }
        |> Seq.sum

    /// The square window around every cell of the grid holding at least `threshold` of the posterior mass, widened by
    /// two cells on each side: where a finer grid resolves the posterior (a 2-D VAE's posterior is far narrower than
    /// the prior, seed 003 Fig. 7, so a grid over the prior's range puts it in a few cells).
    let focus (window: LatentWindow) (n: int) (threshold: float) (mass: float[]) =
        let grid = points window n
        let held = [| for k in 0 .. mass.Length - 1 do if mass[k] >= threshold then grid[k] |]
        let held = if held.Length = 0 then [| grid[Finite.argMax "the posterior mass of a latent grid cell" mass] |] else held
        let low1, high1 = held |> Array.map fst |> Array.min, held |> Array.map fst |> Array.max
        let low2, high2 = held |> Array.map snd |> Array.min, held |> Array.map snd |> Array.max
        let margin = 2.0 * spacing window n
        { Centre = ((low1 + high1) / 2.0, (low2 + high2) / 2.0)
          HalfWidth = max (high1 - low1) (high2 - low2) / 2.0 + margin }

    /// The density of N(μ, diag exp(logVariance)) at every grid point, scaled to cell masses (sums to about 1 when
    /// the Gaussian lies inside the grid): the encoder's posterior beside the true one.
    let gaussianMasses (window: LatentWindow) (n: int) (mean: float * float) (logVariance: float * float) =
        let (m1, m2), (l1, l2) = mean, logVariance
        let area = cellArea window n
        points window n
        |> Array.map (fun (z1, z2) ->
            let d1, d2 = z1 - m1, z2 - m2
            area * exp (-log (2.0 * System.Math.PI) - 0.5 * (l1 + l2) - 0.5 * (d1 * d1 / exp l1 + d2 * d2 / exp l2)))
