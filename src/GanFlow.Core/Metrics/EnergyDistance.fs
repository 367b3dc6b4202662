namespace GanFlow.Core.Metrics

/// Energy distance (Székely & Rizzo) between the empirical distributions of two samples, and the
/// scaled two-sample statistic of seed 003 (sec. 3, its moons experiments).
///
/// All forms are V-statistics: every mean runs over all pairs, the pairs of a point with itself
/// included, so the distance of a sample to itself is exactly zero and the 1-D fast form equals
/// the brute-force definition exactly (up to rounding).
module EnergyDistance =

    let private requireRows name (dim: int) (sample: float[]) =
        if dim < 1 then invalidArg "dim" (sprintf "dim must be >= 1, got %d" dim)
        EmpiricalCdf.requireSample name sample
        if sample.Length % dim <> 0 then
            invalidArg name (sprintf "%s has %d values, not a whole number of rows of %d" name sample.Length dim)

    /// 1-D energy distance E = 2·E|X − Y| − E|X − X'| − E|Y − Y'| between the empirical
    /// distributions of `x` and `y` (V-statistic; in the data's units, ≥ 0, 0 iff the empirical
    /// distributions are equal). Computed in O(n log n) through the identity
    /// E = 2 ∫ (F̂_X(t) − F̂_Y(t))² dt (Székely & Rizzo 2013, eq. 2.4 in 1-D), integrated exactly
    /// over the sorted pooled points, where both empirical cdfs are constant between neighbours.
    let energyDistance (x: float[]) (y: float[]) = 2.0 * EmpiricalCdf.integrateGap (fun gap -> gap * gap) x y

    /// Mean of `cost row_a row_b` over all pairs of rows of `a` and `b` (row-major, `dim` wide).
    let private meanPairCost (cost: float -> float) (dim: int) (a: float[]) (b: float[]) =
        let na, nb = a.Length / dim, b.Length / dim
        let mutable total = 0.0
        for i in 0 .. na - 1 do
            for j in 0 .. nb - 1 do
                let mutable squared = 0.0
                for k in 0 .. dim - 1 do
                    let d = a[i * dim + k] - b[j * dim + k]
                    squared <- squared + d * d
                total <- total + cost squared
        total / (float na * float nb)

    /// d-dimensional energy distance 2·E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖ (Euclidean norm,
    /// V-statistic) between samples stored row-major: `x` holds n rows of `dim` coordinates,
    /// `y` holds m rows. Brute force, O((n + m)² · dim): for 1-D data prefer `energyDistance`.
    let energyDistanceNd (dim: int) (x: float[]) (y: float[]) =
        requireRows "x" dim x
        requireRows "y" dim y
        let distance squared = sqrt squared
        2.0 * meanPairCost distance dim x y - meanPairCost distance dim x x - meanPairCost distance dim y y

    /// The smoothing constant of seed 003's cost C(x, y) = √(‖x − y‖² + 0.1).
    [<Literal>]
    let Seed003Smoothing = 0.1

    /// Seed 003's scaled energy statistic (its moons experiments; the reference code's
    /// two-sample test on 64-vs-64 batches): with C(x, y) = √(‖x − y‖² + 0.1),
    /// statistic = n·m/(n + m) · (2·mean C_XY − mean C_XX − mean C_YY), every mean over all
    /// pairs (diagonal included, where C = √0.1). Rows are row-major, `dim` wide. The n·m/(n + m)
    /// factor makes it a test statistic that stays O(1) under the null hypothesis as the
    /// samples grow, rather than a distance; it is in data units. Brute force, O((n + m)² · dim).
    let energyStatistic (dim: int) (x: float[]) (y: float[]) =
        requireRows "x" dim x
        requireRows "y" dim y
        let cost squared = sqrt (squared + Seed003Smoothing)
        let n, m = float (x.Length / dim), float (y.Length / dim)
        n * m / (n + m)
        * (2.0 * meanPairCost cost dim x y - meanPairCost cost dim x x - meanPairCost cost dim y y)

    /// Points of each sample the d-dimensional form uses during a run's evaluation (it is O(n²)).
    [<Literal>]
    let NdPoints = 2_000

    /// The energy distance a run records between model and data samples (row-major, `dim` wide): the exact
    /// O(n log n) form in 1-D; in d > 1 the O(n²) form on the first `NdPoints` points of each.
    let ofSamples (dim: int) (model: float[]) (data: float[]) =
        if dim = 1 then energyDistance model data
        else
            let take = (min NdPoints (min model.Length data.Length / dim)) * dim
            energyDistanceNd dim model[.. take - 1] data[.. take - 1]

    /// Energy distance 2·E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖ between two samples of points in any dimension, the
    /// V-statistic over all pairs (each mean includes the pairs of a point with itself): in 1-D the exact O(n log n)
    /// `energyDistance`; in d > 1 vectorised, cache-blocked sums over all pairs (`BlockedScan.pairSum`), O((n + m)²·d).
    /// In data units, >= 0, exactly 0 for a sample against itself.
    let ofPoints (x: Points) (y: Points) =
        if x.Dimension <> y.Dimension then invalidArg "y" (sprintf "%d-D and %d-D samples" x.Dimension y.Dimension)
        if x.Dimension = 1 then energyDistance x.Values y.Values
        else
            let meanDistance (a: Points) (b: Points) =
                BlockedScan.pairSum System.Numerics.Vector.SquareRoot a b / (float a.Count * float b.Count)
            2.0 * meanDistance x y - meanDistance x x - meanDistance y y
