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

    /// MMD²ᵤ for each of a batch of at most `4·lanes` labellings of the pooled points (`labels[p][i]` = 1 when point i
    /// belongs to X under labelling p, else 0), from the pooled kernel matrix (diagonal zero) and its total, in one
    /// pass over the matrix: with u the indicator of X and w = K·u, ΣXX = uᵀw, ΣXY = (1 − u)ᵀw, ΣYY = total − ΣXX −
    /// 2ΣXY. Rows are split into blocks summed in parallel and added in block order (the same numbers every time).
    let private statistics (count: int) (kernel: float[]) (total: float) (labels: float[][]) (n: int) (m: int) =
        let lanes = System.Numerics.Vector<float>.Count
        let width = 4 * lanes
        let batch = labels.Length
        // The labellings side by side, padded to `width`: point j, labelling p at `j·width + p`.
        let side = Array.zeroCreate (count * width)
        for p in 0 .. batch - 1 do
            for j in 0 .. count - 1 do
                side[j * width + p] <- labels[p][j]
        let rowsPerBlock = 64
        let blocks = (count + rowsPerBlock - 1) / rowsPerBlock
        let partialXX = Array.init blocks (fun _ -> Array.zeroCreate<float> width)
        let partialXY = Array.init blocks (fun _ -> Array.zeroCreate<float> width)
        System.Threading.Tasks.Parallel.For(0, blocks, fun b ->
            for i in b * rowsPerBlock .. min count ((b + 1) * rowsPerBlock) - 1 do
                let row = i * count
                let mutable w0 = System.Numerics.Vector<float>.Zero
                let mutable w1 = System.Numerics.Vector<float>.Zero
                let mutable w2 = System.Numerics.Vector<float>.Zero
                let mutable w3 = System.Numerics.Vector<float>.Zero
                for j in 0 .. count - 1 do
                    let k = System.Numerics.Vector<float>(kernel[row + j])
                    let at = j * width
                    w0 <- w0 + k * System.Numerics.Vector<float>(side, at)
                    w1 <- w1 + k * System.Numerics.Vector<float>(side, at + lanes)
                    w2 <- w2 + k * System.Numerics.Vector<float>(side, at + 2 * lanes)
                    w3 <- w3 + k * System.Numerics.Vector<float>(side, at + 3 * lanes)
                let ws = [| w0; w1; w2; w3 |]
                for p in 0 .. batch - 1 do
                    let v = ws[p / lanes][p % lanes]
                    if labels[p][i] = 1.0 then partialXX[b][p] <- partialXX[b][p] + v else partialXY[b][p] <- partialXY[b][p] + v)
        |> ignore
        Array.init batch (fun p ->
            let xx = partialXX |> Array.sumBy (fun block -> block[p])
            let xy = partialXY |> Array.sumBy (fun block -> block[p])
            let yy = total - xx - 2.0 * xy
            xx / (float n * float (n - 1)) + yy / (float m * float (m - 1)) - 2.0 * xy / (float n * float m))

    /// Whether `h` can be the kernel's bandwidth: finite, > 0, and its kernel scale 2h² and that scale's reciprocal
    /// finite and > 0 (1e-300 made MMD² NaN, and so did 1e-160, whose 2h² is a subnormal with no finite reciprocal;
    /// 1e200 made every kernel value 1 and MMD² 0).
    let usableBandwidth (h: float) =
        let scale = 2.0 * h * h
        h > 0.0 && System.Double.IsFinite scale && scale > 0.0 && System.Double.IsFinite(1.0 / scale)

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
            | Some h when usableBandwidth h -> h
            | Some h -> invalidArg "bandwidth" (sprintf "bandwidth = %g: must be a finite number > 0 whose 2h² is neither 0 nor infinite and has a finite reciprocal" h)
            | None -> medianDistance count kernel
        let scale = 1.0 / (2.0 * h * h)
        let mutable total = 0.0
        for i in 0 .. count - 1 do
            for j in 0 .. count - 1 do
                // Coincident points have kernel value 1 at any bandwidth: 0 · scale would be NaN where the median
                // heuristic's h is so small that scale overflows (samples of mixed scale near 1e-158).
                let squared = kernel[i * count + j]
                let v = if i = j then 0.0 elif squared = 0.0 then 1.0 else exp (-squared * scale)
                kernel[i * count + j] <- v
                total <- total + v
        let n, m = x.Count, y.Count
        // The observed labelling first, then the relabellings, in batches of 4·lanes (16 with AVX2) per pass over the
        // kernel matrix.
        let rng = System.Random seed
        let labellings =
            Array.init (permutations + 1) (fun p ->
                let inX = Array.zeroCreate count
                if p = 0 then
                    for i in 0 .. n - 1 do
                        inX[i] <- 1.0
                else
                    let order = GanFlow.Core.Datasets.Sampling.permutation rng count
                    for r in 0 .. n - 1 do
                        inX[order[r]] <- 1.0
                inX)
        let values = labellings |> Array.chunkBySize (4 * System.Numerics.Vector<float>.Count) |> Array.collect (fun chunk -> statistics count kernel total chunk n m)
        let observed = values[0]
        let atLeast = values |> Array.skip 1 |> Array.filter (fun v -> v >= observed) |> Array.length
        // A NaN statistic (a kernel that overflowed) has no p-value: no relabelling compares with it.
        let pValue = if System.Double.IsNaN observed then nan else float (1 + atLeast) / float (1 + permutations)
        { Mmd2 = observed; Bandwidth = h; PValue = pValue; Permutations = permutations }

    /// MMD² between two isotropic Gaussians N(μ₁, σ₁²I) and N(μ₂, σ₂²I) in d dimensions under the kernel of bandwidth
    /// h, in closed form: with E exp(−‖Z‖²/(2h²)) = (h²/(h² + s²))^{d/2} exp(−‖μ‖²/(2(h² + s²))) for Z ~ N(μ, s²I),
    /// MMD² = (h²/(h² + 2σ₁²))^{d/2} + (h²/(h² + 2σ₂²))^{d/2} − 2 (h²/(h² + σ₁² + σ₂²))^{d/2} exp(−‖μ₁ − μ₂‖²/(2(h² + σ₁² + σ₂²))).
    let betweenGaussians (dimension: int) (meanDistance: float) (sigma1: float) (sigma2: float) (h: float) =
        let term (s2: float) (shift: float) = (h * h / (h * h + s2)) ** (float dimension / 2.0) * exp (-shift * shift / (2.0 * (h * h + s2)))
        term (2.0 * sigma1 * sigma1) 0.0 + term (2.0 * sigma2 * sigma2) 0.0 - 2.0 * term (sigma1 * sigma1 + sigma2 * sigma2) meanDistance
