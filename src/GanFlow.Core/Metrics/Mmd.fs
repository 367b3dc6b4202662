namespace GanFlow.Core.Metrics

/// An MMD² estimate with its bandwidth and permutation test.
type MmdTest =
    { /// The unbiased MMD² (can be slightly negative when the samples agree).
      Mmd2: float
      /// h, the Gaussian kernel's bandwidth, in data units.
      Bandwidth: float
      /// The permutation test's p-value (1 + #{permuted MMD² >= observed}) / (1 + permutations), in (0, 1].
      PValue: float
      /// Random relabellings the p-value used.
      Permutations: int }

/// Maximum mean discrepancy with a Gaussian kernel k(a, b) = exp(−‖a − b‖² / (2h²)) (Gretton et al. 2012, JMLR 13,
/// "A kernel two-sample test"): the unbiased estimator of their eq. 3,
///   MMD²ᵤ = Σ_{i≠j} k(xᵢ, xⱼ) / (n(n−1)) + Σ_{i≠j} k(yᵢ, yⱼ) / (m(m−1)) − 2 Σ_{i,j} k(xᵢ, yⱼ) / (nm),
/// h either given or the median of the pooled sample's pairwise distances (their sec. 8, the median heuristic), and
/// a permutation test of "same distribution" (relabel the pooled points at random, keeping n and m). Cost: the pooled
/// kernel matrix, O((n + m)²·d) time and (n + m)² doubles of memory, then O((n + m)²) per permutation; callers cap
/// the points (`Comparison`).
module Mmd =

    /// Default number of permutations.
    [<Literal>]
    let DefaultPermutations = 200

    /// Squared distances between all pooled points, row-major (n + m)².
    let private squaredDistances (pooled: Points) =
        let n = pooled.Count
        let result = Array.zeroCreate (n * n)
        System.Threading.Tasks.Parallel.For(0, n, fun i ->
            for j in 0 .. n - 1 do
                result[i * n + j] <- Points.squaredDistance pooled i pooled j)
        |> ignore
        result

    /// The median of the pairwise distances (i < j) of the pooled points, from their squared distances; when half
    /// the pairs or more coincide (median 0), the mean of the positive distances, and 1 when every point coincides.
    let medianDistance (count: int) (squared: float[]) =
        let pairs = [| for i in 0 .. count - 1 do for j in i + 1 .. count - 1 -> squared[i * count + j] |]
        if pairs.Length = 0 then 1.0
        else
            let median = sqrt (MathNet.Numerics.Statistics.ArrayStatistics.MedianInplace pairs)
            if median > 0.0 then median
            else
                let positive = pairs |> Array.filter (fun s -> s > 0.0)
                if positive.Length = 0 then 1.0 else positive |> Array.averageBy sqrt

    /// MMD²ᵤ from the pooled kernel matrix (diagonal zero) and the labels (`inX[i]` = 1 when point i belongs to X,
    /// 0 otherwise).
    let private statistic (count: int) (kernel: float[]) (total: float) (inX: float[]) (n: int) (m: int) =
        // w = K·u with u the indicator of X; then ΣXX = uᵀw, ΣXY = (1 − u)ᵀw, ΣYY = total − ΣXX − 2ΣXY.
        let lanes = System.Numerics.Vector<float>.Count
        let mutable xx = 0.0
        let mutable xy = 0.0
        for i in 0 .. count - 1 do
            let row = i * count
            let mutable acc = System.Numerics.Vector<float>.Zero
            let mutable j = 0
            while j + lanes <= count do
                acc <- acc + System.Numerics.Vector<float>(kernel, row + j) * System.Numerics.Vector<float>(inX, j)
                j <- j + lanes
            let mutable w = System.Numerics.Vector.Sum acc
            while j < count do
                w <- w + kernel[row + j] * inX[j]
                j <- j + 1
            if inX[i] = 1.0 then xx <- xx + w else xy <- xy + w
        let yy = total - xx - 2.0 * xy
        xx / (float n * float (n - 1)) + yy / (float m * float (m - 1)) - 2.0 * xy / (float n * float m)

    /// MMD²ᵤ between `x` and `y` (at least 2 points each) with bandwidth `bandwidth` (None: the median heuristic),
    /// and its p-value from `permutations` relabellings drawn from `seed`.
    let test (seed: int) (permutations: int) (bandwidth: float option) (x: Points) (y: Points) : MmdTest =
        if x.Dimension <> y.Dimension then invalidArg "y" (sprintf "%d-D and %d-D samples" x.Dimension y.Dimension)
        if x.Count < 2 || y.Count < 2 then invalidArg "x" "MMD² needs at least two points in each sample"
        if permutations < 0 then invalidArg "permutations" (sprintf "permutations = %d: must be >= 0" permutations)
        let pooled = Points.append x y
        let count = pooled.Count
        let kernel = squaredDistances pooled
        let h =
            match bandwidth with
            | Some h when h > 0.0 && System.Double.IsFinite h -> h
            | Some h -> invalidArg "bandwidth" (sprintf "bandwidth = %g: must be a finite number > 0" h)
            | None -> medianDistance count kernel
        let scale = 1.0 / (2.0 * h * h)
        let mutable total = 0.0
        for i in 0 .. count - 1 do
            for j in 0 .. count - 1 do
                let v = if i = j then 0.0 else exp (-kernel[i * count + j] * scale)
                kernel[i * count + j] <- v
                total <- total + v
        let n, m = x.Count, y.Count
        let observed = statistic count kernel total (Array.init count (fun i -> if i < n then 1.0 else 0.0)) n m
        let rng = System.Random seed
        let mutable atLeast = 0
        for _ in 1..permutations do
            let order = GanFlow.Core.Datasets.Sampling.permutation rng count
            let inX = Array.zeroCreate count
            for r in 0 .. n - 1 do
                inX[order[r]] <- 1.0
            if statistic count kernel total inX n m >= observed then atLeast <- atLeast + 1
        { Mmd2 = observed; Bandwidth = h; PValue = float (1 + atLeast) / float (1 + permutations); Permutations = permutations }

    /// MMD² between two isotropic Gaussians N(μ₁, σ₁²I) and N(μ₂, σ₂²I) in d dimensions under the kernel of bandwidth
    /// h, in closed form: with E exp(−‖Z‖²/(2h²)) = (h²/(h² + s²))^{d/2} exp(−‖μ‖²/(2(h² + s²))) for Z ~ N(μ, s²I),
    /// MMD² = (h²/(h² + 2σ₁²))^{d/2} + (h²/(h² + 2σ₂²))^{d/2} − 2 (h²/(h² + σ₁² + σ₂²))^{d/2} exp(−‖μ₁ − μ₂‖²/(2(h² + σ₁² + σ₂²))).
    let betweenGaussians (dimension: int) (meanDistance: float) (sigma1: float) (sigma2: float) (h: float) =
        let term (s2: float) (shift: float) = (h * h / (h * h + s2)) ** (float dimension / 2.0) * exp (-shift * shift / (2.0 * (h * h + s2)))
        term (2.0 * sigma1 * sigma1) 0.0 + term (2.0 * sigma2 * sigma2) 0.0 - 2.0 * term (sigma1 * sigma1 + sigma2 * sigma2) meanDistance
