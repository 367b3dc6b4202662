namespace GanFlow.Core.Metrics

open GanFlow.Core.Datasets

/// A sliced W1 estimate and its Monte Carlo error.
type SlicedW1 =
    { /// The mean over the directions of the 1-D W1 between the projected samples, in data units.
      Distance: float
      /// Standard error of that mean over directions: sd / √L (0 in 1-D, where every direction gives W1 itself).
      StandardError: float
      /// L, the number of directions.
      Projections: int }

/// Sliced Wasserstein-1 distance (Rabin et al. 2011; Bonneel et al. 2015): SW1(X, Y) = E_θ W1(⟨θ, X⟩, ⟨θ, Y⟩) over
/// θ uniform on the unit sphere S^{d−1}, estimated with L seeded random directions, each projection's W1 exact
/// (`Wasserstein.w1`, seed 000 eq. 8). Cost O(L · (n + m) · (d + log(n + m))). A metric on distributions; in 1-D it
/// is W1.
module SlicedWasserstein =

    /// Default number of directions.
    [<Literal>]
    let DefaultProjections = 1_000

    /// `count` unit vectors in d dimensions, uniform on the sphere (normalised standard normal draws from `rng`),
    /// row-major.
    let directions (rng: System.Random) (dimension: int) (count: int) : float[][] =
        Array.init count (fun _ ->
            let mutable v = Array.init dimension (fun _ -> Sampling.standardNormal rng)
            let mutable norm = sqrt (Array.sumBy (fun c -> c * c) v)
            while norm = 0.0 do
                v <- Array.init dimension (fun _ -> Sampling.standardNormal rng)
                norm <- sqrt (Array.sumBy (fun c -> c * c) v)
            v |> Array.map (fun c -> c / norm))

    /// The W1 of the projections of `x` and `y` onto each direction, in the directions' order (computed in parallel;
    /// each direction's value depends only on it).
    let projectedW1 (directions: float[][]) (x: Points) (y: Points) =
        if x.Dimension <> y.Dimension then invalidArg "y" (sprintf "%d-D and %d-D samples" x.Dimension y.Dimension)
        let result = Array.zeroCreate directions.Length
        System.Threading.Tasks.Parallel.For(0, directions.Length, fun i ->
            result[i] <- Wasserstein.w1 (Points.project directions[i] x) (Points.project directions[i] y))
        |> ignore
        result

    /// SW1 between `x` and `y` over `projections` directions drawn from `seed`, with its standard error.
    let estimate (seed: int) (projections: int) (x: Points) (y: Points) : SlicedW1 =
        if projections < 1 then invalidArg "projections" (sprintf "projections = %d: must be >= 1" projections)
        let values = projectedW1 (directions (System.Random seed) x.Dimension projections) x y
        let mean, error = ParzenWindow.meanAndError values
        { Distance = mean; StandardError = error; Projections = projections }
