namespace GanFlow.Core.Metrics

open GanFlow.Core.Specs

/// One cell of the data-copying test.
type CopyingCell =
    { /// Z_U in the cell (NaN when the cell is not counted).
      Z: float
      /// Held-out data points in the cell.
      TestPoints: int
      /// Model samples in the cell.
      GeneratedPoints: int
      /// Whether the cell enters C_T: at least `DataCopying.MinGenerated` model samples and one held-out point.
      Counted: bool }

/// The data-copying test and the closer-than-training share.
type CopyingTest =
    { /// C_T (Meehan et al. 2020, eq. 2): the average of the counted cells' Z_U weighted by their share of held-out
      /// points. ≪ 0: the model's samples sit closer to training points than fresh data does (data copying); ≫ 0:
      /// farther (underfitting); about 0 otherwise. NaN when no cell is counted.
      Z: float
      /// The cells, in k-means order.
      Cells: CopyingCell[]
      /// The share of model samples closer to their nearest training point than that training point is to its own
      /// nearest other training point (strictly): near-copies of training points. In [0, 1].
      CloserThanTrain: float }

/// The three-sample data-copying test of Meehan, Chaudhuri & Dasgupta 2020 ("A non-parametric test to detect
/// data-copying in generative models", AISTATS): with T the training set, P the held-out data and Q the model's
/// samples, L(x) = distance from x to its nearest training point. In each cell π of a k-means partition of T, the
/// Mann-Whitney U of L(Q ∩ π) against L(P ∩ π), U = #{(q, p): L(q) > L(p)} + ½ #{ties}, standardised as
/// Z_U = (U − mn/2) / √(mn(m + n + 1)/12) (m, n the points of Q and P in π); C_T averages Z_U over the cells holding
/// enough model samples, weighted by P's share. Nearest-neighbour cost: one question per sample against T.
module DataCopying =

    /// A cell counts only with at least this many model samples (the paper's τ threshold, as a count).
    [<Literal>]
    let MinGenerated = 20

    /// Default cells: 10, fewer when the held-out data would average under 20 points a cell.
    let defaultCells (testPoints: int) = max 1 (min 10 (testPoints / 20))

    /// The k-means partition is fitted on at most this many training points (a seeded subsample).
    [<Literal>]
    let FitPoints = 20_000

    /// Z_U of `generated` against `test` distances: (U − mn/2) / √(mn(m + n + 1)/12), U counting the pairs where the
    /// generated distance is larger (ties ½), from the pooled ranks (ties share their mean rank).
    let mannWhitneyZ (generated: float[]) (test: float[]) =
        let m, n = generated.Length, test.Length
        let pooled = Array.append generated test
        let order = Array.init pooled.Length id |> Array.sortBy (fun i -> pooled[i])
        let ranks = Array.zeroCreate pooled.Length
        let mutable i = 0
        while i < order.Length do
            let mutable j = i
            while j + 1 < order.Length && pooled[order[j + 1]] = pooled[order[i]] do
                j <- j + 1
            let mean = float (i + j) / 2.0 + 1.0
            for r in i .. j do
                ranks[order[r]] <- mean
            i <- j + 1
        let u = (Array.sum ranks[.. m - 1]) - float m * float (m + 1) / 2.0
        (u - float m * float n / 2.0) / sqrt (float m * float n * float (m + n + 1) / 12.0)

    /// The test of model samples `generated` against held-out data `heldOut`, given the training set `train` (at least
    /// 2 points), with `cells` k-means cells drawn from `seed`.
    let test (search: NeighbourSearch) (seed: int) (cells: int) (train: Points) (heldOut: Points) (generated: Points) : CopyingTest =
        if train.Count < 2 then invalidArg "train" "the data-copying test needs at least two training points"
        if heldOut.Dimension <> train.Dimension || generated.Dimension <> train.Dimension then
            invalidArg "train" "training, held-out and model samples must have one dimension"
        let cells = max 1 (min cells train.Count)
        let fitted = Points.atMost (Seeds.random seed 0 1) FitPoints train
        let centres = KMeans.fit search (Seeds.random seed 0 2) cells KMeans.DefaultIterations fitted
        let cellOfTest, cellOfGenerated = KMeans.assign search centres heldOut, KMeans.assign search centres generated
        // Squared distances rank as the distances do.
        let distanceToTrain (p: Points) = Neighbours.kthSquared 1 (search.Nearest p train 1)
        let lTest, lGenerated = distanceToTrain heldOut, distanceToTrain generated
        let perCell =
            Array.init cells (fun c ->
                let inCell (cellOf: int[]) (l: float[]) = Array.zip cellOf l |> Array.filter (fun (cell, _) -> cell = c) |> Array.map snd
                let p, q = inCell cellOfTest lTest, inCell cellOfGenerated lGenerated
                let counted = q.Length >= MinGenerated && p.Length >= 1
                { Z = (if counted then mannWhitneyZ q p else nan); TestPoints = p.Length; GeneratedPoints = q.Length; Counted = counted })
        let counted = perCell |> Array.filter _.Counted
        let weight (cell: CopyingCell) = float cell.TestPoints / float heldOut.Count
        let cT =
            if counted.Length = 0 then nan
            else (counted |> Array.sumBy (fun c -> weight c * c.Z)) / (counted |> Array.sumBy weight)
        // Closer than training: ‖g − t*‖ < ‖t* − its nearest other training point‖, t* the nearest training point to g.
        let trainGaps = Neighbours.kthSquared 2 (search.Nearest train train 2)
        let nearest = search.Nearest generated train 1
        let closer =
            Array.init generated.Count (fun i -> if nearest.SquaredDistances[i] < trainGaps[nearest.Indices[i]] then 1.0 else 0.0)
        { Z = cT; Cells = perCell; CloserThanTrain = Array.average closer }
