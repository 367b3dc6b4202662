namespace GanFlow.Core.Metrics

/// The k nearest reference points of every query point: row q holds its k neighbours, nearest first (ties in index
/// order), `SquaredDistances[q·k + j]` the squared Euclidean distance of the j-th and `Indices[q·k + j]` its index
/// among the reference points. Squared, so that a ball whose radius is a neighbour distance holds that neighbour
/// exactly (no square root and back).
type Neighbours =
    { /// k, neighbours per query.
      K: int
      /// Squared Euclidean distances, row-major (queries × k), ascending within a row.
      SquaredDistances: float[]
      /// Indices of the neighbours among the reference points, row-major like `SquaredDistances`.
      Indices: int[] }

    /// The Euclidean distance from query `q` to its j-th nearest reference point (j = 0 the nearest).
    member n.Distance(q: int, j: int) = sqrt n.SquaredDistances[q * n.K + j]

    /// The number of queries.
    member n.Count = n.Indices.Length / n.K

/// Which closed balls hold which points between queries and references, for several radius sets at once (the
/// answers of `NeighbourSearch.Incidence`; balls are closed: ‖q − r‖² <= the squared radius).
type BallIncidence =
    { /// [s][i]: how many references' balls of radius set s hold query i.
      QueryCounts: int[][]
      /// [s][j]: whether reference j's ball of radius set s holds at least one query.
      ReferenceHolds: bool[][]
      /// [t][j]: whether reference j lies in at least one query's ball of query radius set t.
      ReferenceHeld: bool[][] }

/// The questions every nearest-neighbour metric asks of a sample, as functions, so that the metrics stay pure
/// and the kernel that answers them can be swapped (a k-d tree in low dimension, a blocked scan in high dimension,
/// or one a runtime supplies). Every implementation is exact: the same squared distances (`Points.squaredDistance`)
/// and therefore the same answers.
type NeighbourSearch =
    { /// `Nearest queries references k`: the k nearest points of `references` to each point of `queries` (k <=
      /// the number of references). A point of both sets is its own nearest neighbour at distance 0, so the k-th
      /// neighbour of a point within its own sample, itself excluded, is neighbour k of k + 1.
      Nearest: Points -> Points -> int -> Neighbours
      /// `BallCounts queries references squaredRadii firstOnly`: for each query, how many closed balls around the
      /// reference points hold it (‖q − rⱼ‖² <= squaredRadii[j]); with `firstOnly`, the count stops at 1 (is the query
      /// in any ball), which lets the search stop early.
      BallCounts: Points -> Points -> float[] -> bool -> int[]
      /// `Incidence queries references referenceRadii queryRadii`: the `BallIncidence` of the two sets, squared
      /// radii given per set (`referenceRadii[s][j]` for reference j, `queryRadii[t][i]` for query i). Precision,
      /// recall, density and coverage are one such question: a kernel may answer it in one pass over the pairs.
      Incidence: Points -> Points -> float[][] -> float[][] -> BallIncidence }

/// Helpers shared by the neighbour searches.
module Neighbours =

    /// `NeighbourSearch.Incidence` from the other two questions: ball counts for the queries, the nearest query of
    /// each reference, ball counts for the references in the queries' balls.
    let incidenceFrom (nearest: Points -> Points -> int -> Neighbours) (ballCounts: Points -> Points -> float[] -> bool -> int[])
                      (queries: Points) (references: Points) (referenceRadii: float[][]) (queryRadii: float[][]) : BallIncidence =
        let nearestQuery = lazy (nearest references queries 1)
        { QueryCounts = referenceRadii |> Array.map (fun radii -> ballCounts queries references radii false)
          ReferenceHolds =
            referenceRadii
            |> Array.map (fun radii -> Array.init references.Count (fun j -> nearestQuery.Value.SquaredDistances[j] <= radii[j]))
          ReferenceHeld = queryRadii |> Array.map (fun radii -> ballCounts references queries radii true |> Array.map (fun c -> c > 0)) }

    /// The squared distance from every query to its k-th nearest reference point (1 <= k <= n.K).
    let kthSquared (k: int) (n: Neighbours) = Array.init n.Count (fun q -> n.SquaredDistances[q * n.K + k - 1])

    /// The distance from every query to its k-th nearest reference point (1 <= k <= n.K).
    let kth (k: int) (n: Neighbours) = kthSquared k n |> Array.map sqrt

    /// Fails unless both sets have the same dimension and `references` holds at least `k` points.
    let require (queries: Points) (references: Points) (k: int) =
        if queries.Dimension <> references.Dimension then
            invalidArg "references" (sprintf "%d-D queries against %d-D references" queries.Dimension references.Dimension)
        if k < 1 then invalidArg "k" (sprintf "k = %d: must be >= 1" k)
        if references.Count < k then invalidArg "k" (sprintf "k = %d neighbours among %d points" k references.Count)

    /// The k smallest of a stream of (squared distance, index) pairs, kept sorted in `distances`/`indices` (length k,
    /// initialised to +∞): inserts one pair if it beats the current k-th (ties: the lower index first, which the
    /// searches get by visiting indices in order within a leaf or block and by comparing with `<`).
    let inline insert (distances: float[]) (indices: int[]) (offset: int) (k: int) (squared: float) (index: int) =
        if squared < distances[offset + k - 1] || (squared = distances[offset + k - 1] && index < indices[offset + k - 1]) then
            let mutable j = offset + k - 1
            while j > offset && (distances[j - 1] > squared || (distances[j - 1] = squared && indices[j - 1] > index)) do
                distances[j] <- distances[j - 1]
                indices[j] <- indices[j - 1]
                j <- j - 1
            distances[j] <- squared
            indices[j] <- index
