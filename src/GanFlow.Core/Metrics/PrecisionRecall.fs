namespace GanFlow.Core.Metrics

/// Computing `PrecisionRecall` with any exact `NeighbourSearch`: the k-th neighbours within each sample, then one
/// ball-incidence question between them; O((N + M) log(N + M)) with a k-d tree in low dimension, O(N·M·d) blocked
/// in high dimension (three passes over the pairs).
[<CompilationRepresentation(CompilationRepresentationFlags.ModuleSuffix)>]
module PrecisionRecall =

    /// k of improved precision and recall (Kynkäänniemi et al. 2019 use 3).
    [<Literal>]
    let PrecisionRecallK = 3

    /// k of density and coverage (Naeem et al. 2020 use 5).
    [<Literal>]
    let DensityCoverageK = 5

    /// The fewest points a sample needs for a k-th nearest neighbour besides the point itself.
    let pointsNeeded (k: int) = k + 1

    /// The four scores of model samples `fake` against data samples `real` with neighbour counts `kPr` (precision and
    /// recall) and `kDc` (density and coverage). `real` needs max(kPr, kDc) + 1 points, `fake` kPr + 1.
    let computeWith (search: NeighbourSearch) (kPr: int) (kDc: int) (real: Points) (fake: Points) : PrecisionRecall =
        if real.Dimension <> fake.Dimension then invalidArg "fake" (sprintf "%d-D data and %d-D model samples" real.Dimension fake.Dimension)
        let kReal = max kPr kDc
        if real.Count < pointsNeeded kReal then
            invalidArg "real" (sprintf "%d data points; k = %d needs at least %d" real.Count kReal (pointsNeeded kReal))
        if fake.Count < pointsNeeded kPr then
            invalidArg "fake" (sprintf "%d model samples; k = %d needs at least %d" fake.Count kPr (pointsNeeded kPr))
        // Within its own sample a point is its own nearest neighbour: the k-th other point is neighbour k + 1.
        let realNeighbours = search.Nearest real real (kReal + 1)
        let realPr = Neighbours.kthSquared (kPr + 1) realNeighbours
        // Density and coverage count open balls (‖g − r‖ < NND_k(r)), as Naeem et al.'s code (`prdc`) does; precision and
        // recall closed ones, as Kynkäänniemi et al.'s. For doubles d² < r² holds exactly when d² <= the largest double
        // below r², so the searches' one closed-ball question answers both (a radius of 0 becomes negative: no point).
        let realDc = Neighbours.kthSquared (kDc + 1) realNeighbours |> Array.map System.Math.BitDecrement
        let fakePr = Neighbours.kthSquared (kPr + 1) (search.Nearest fake fake (kPr + 1))
        // One question over the (model, data) pairs: which data balls hold each model sample (precision: any of the
        // k = kPr balls; density: how many k = kDc balls), which data balls hold a model sample (coverage), which data
        // points lie in a model ball (recall).
        let incidence = search.Incidence fake real [| realPr; realDc |] [| fakePr |]
        let share (flags: bool[]) = float (flags |> Array.filter id |> Array.length) / float flags.Length
        { Precision = share (incidence.QueryCounts[0] |> Array.map (fun c -> c > 0))
          Recall = share incidence.ReferenceHeld[0]
          Density = float (Array.sum incidence.QueryCounts[1]) / (float kDc * float fake.Count)
          Coverage = share incidence.ReferenceHolds[1] }

    /// The four scores with the papers' k (3 and 5).
    let compute (search: NeighbourSearch) (real: Points) (fake: Points) =
        computeWith search PrecisionRecallK DensityCoverageK real fake

    /// The four scores a run records at an evaluation (`SampleScores`): model samples `model` against data samples `data`,
    /// both row-major `dimension`-D, on the first `RecallScores.Points` of each with the exact search; None when either
    /// holds fewer than `RecallScores.PointsNeeded` points.
    let ofEvaluation (dimension: int) (model: float[]) (data: float[]) : PrecisionRecall option =
        let first (values: float[]) = Points.create dimension values[.. min values.Length (GanFlow.Core.Experiments.RecallScores.Points * dimension) - 1]
        let fake, real = first model, first data
        if fake.Count < GanFlow.Core.Experiments.RecallScores.PointsNeeded || real.Count < GanFlow.Core.Experiments.RecallScores.PointsNeeded then None
        else Some(compute NeighbourSearches.exact real fake)
