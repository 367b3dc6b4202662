namespace GanFlow.Core.Metrics

open System.Threading.Tasks

/// An exact k-d tree over a set of points (Bentley 1975; Friedman, Bentley & Finkel 1977): each node splits its
/// points at the median of the coordinate where their bounding box is widest, down to leaves of at most `LeafSize`
/// points; every node keeps its bounding box, so a search skips every node whose box is farther than what it still
/// looks for. Building costs O(n log² n); a nearest-neighbour query visits O(log n) nodes on low-dimensional data
/// (it degrades towards a full scan as the dimension grows, where `BlockedScan` takes over).
type KdTree =
    private
        { Dimension: int
          /// The points in tree order (each leaf's points contiguous).
          Coordinates: float[]
          /// Tree position → index of the point in the original set.
          Order: int[]
          /// Per node: first and one-past-last tree position, children (-1 at a leaf).
          Start: int[]
          End: int[]
          Left: int[]
          Right: int[]
          /// Per node: bounding box, d coordinates each.
          Low: float[]
          High: float[] }

/// Building and searching `KdTree`s; the searches are `NeighbourSearch`'s two questions.
module KdTree =

    /// Most points in a leaf.
    [<Literal>]
    let LeafSize = 16

    /// The tree of `points` (at least one point).
    let build (points: Points) : KdTree =
        let d, n = points.Dimension, points.Count
        if n < 1 then invalidArg "points" "a k-d tree needs at least one point"
        let order = Array.init n id
        let nodes = 2 * (n / LeafSize + 1) * 2
        let start, finish = ResizeArray<int>(nodes), ResizeArray<int>(nodes)
        let left, right = ResizeArray<int>(nodes), ResizeArray<int>(nodes)
        let low, high = ResizeArray<float>(nodes * d), ResizeArray<float>(nodes * d)
        let keys = Array.zeroCreate<float> n
        let rec node (from: int) (until: int) =
            let id = start.Count
            start.Add from
            finish.Add until
            left.Add -1
            right.Add -1
            let mutable widest, width = 0, -1.0
            for k in 0 .. d - 1 do
                let mutable lo, hi = infinity, -infinity
                for p in from .. until - 1 do
                    let v = points.Values[order[p] * d + k]
                    if v < lo then lo <- v
                    if v > hi then hi <- v
                low.Add lo
                high.Add hi
                if hi - lo > width then
                    widest <- k
                    width <- hi - lo
            if until - from > LeafSize && width > 0.0 then
                for p in from .. until - 1 do
                    keys[p] <- points.Values[order[p] * d + widest]
                System.Array.Sort(keys, order, from, until - from)
                let middle = from + (until - from) / 2
                let l = node from middle
                let r = node middle until
                left[id] <- l
                right[id] <- r
            id
        node 0 n |> ignore
        let coordinates = Array.zeroCreate (n * d)
        for p in 0 .. n - 1 do
            Array.blit points.Values (order[p] * d) coordinates (p * d) d
        { Dimension = d; Coordinates = coordinates; Order = order
          Start = start.ToArray(); End = finish.ToArray(); Left = left.ToArray(); Right = right.ToArray()
          Low = low.ToArray(); High = high.ToArray() }

    /// Squared distance from the query (d coordinates of `q` from `at`) to node `id`'s bounding box.
    let inline private boxDistance (tree: KdTree) (id: int) (q: float[]) (at: int) =
        let d = tree.Dimension
        let mutable s = 0.0
        for k in 0 .. d - 1 do
            let v = q[at + k]
            let lo = tree.Low[id * d + k]
            let hi = tree.High[id * d + k]
            if v < lo then s <- s + (lo - v) * (lo - v)
            elif v > hi then s <- s + (v - hi) * (v - hi)
        s

    /// Squared distance from the query to the point at tree position `p`, summed as `Points.squaredDistance` does.
    let inline private pointDistance (tree: KdTree) (p: int) (q: float[]) (at: int) =
        let d = tree.Dimension
        let mutable s = 0.0
        for k in 0 .. d - 1 do
            let diff = q[at + k] - tree.Coordinates[p * d + k]
            s <- s + diff * diff
        s

    /// Runs `body` for every query index, in parallel chunks (each query writes only its own results, so the
    /// outcome does not depend on the schedule).
    let internal forEachQuery (count: int) (body: int -> unit) =
        let chunk = 256
        Parallel.For(0, (count + chunk - 1) / chunk, fun c ->
            for q in c * chunk .. min count ((c + 1) * chunk) - 1 do
                body q)
        |> ignore

    /// The k nearest points of the tree to each query (`NeighbourSearch.Nearest`).
    let nearest (tree: KdTree) (queries: Points) (k: int) : Neighbours =
        if queries.Dimension <> tree.Dimension then
            invalidArg "queries" (sprintf "%d-D queries against a %d-D tree" queries.Dimension tree.Dimension)
        if k < 1 || k > tree.Order.Length then invalidArg "k" (sprintf "k = %d neighbours among %d points" k tree.Order.Length)
        let m = queries.Count
        let squared = Array.create (m * k) infinity
        let indices = Array.create (m * k) System.Int32.MaxValue
        let q = queries.Values
        let d = tree.Dimension
        forEachQuery m (fun i ->
            let at = i * d
            let offset = i * k
            let rec visit (id: int) =
                if tree.Left[id] < 0 then
                    for p in tree.Start[id] .. tree.End[id] - 1 do
                        Neighbours.insert squared indices offset k (pointDistance tree p q at) tree.Order[p]
                else
                    let l, r = tree.Left[id], tree.Right[id]
                    let dl, dr = boxDistance tree l q at, boxDistance tree r q at
                    let first, dFirst, second, dSecond = if dl <= dr then l, dl, r, dr else r, dr, l, dl
                    if dFirst <= squared[offset + k - 1] then visit first
                    if dSecond <= squared[offset + k - 1] then visit second
            visit 0)
        { K = k; SquaredDistances = squared; Indices = indices }

    /// How many closed balls around the tree's points hold each query (`NeighbourSearch.BallCounts`);
    /// `squaredRadii` is indexed like the points the tree was built from.
    let ballCounts (tree: KdTree) (queries: Points) (squaredRadii: float[]) (firstOnly: bool) : int[] =
        if queries.Dimension <> tree.Dimension then
            invalidArg "queries" (sprintf "%d-D queries against a %d-D tree" queries.Dimension tree.Dimension)
        if squaredRadii.Length <> tree.Order.Length then
            invalidArg "squaredRadii" (sprintf "%d radii for %d points" squaredRadii.Length tree.Order.Length)
        // The largest radius under each node bounds how far from its box a query can still fall in a ball.
        let nodes = tree.Start.Length
        let largest = Array.create nodes -infinity
        for id in nodes - 1 .. -1 .. 0 do
            if tree.Left[id] < 0 then
                for p in tree.Start[id] .. tree.End[id] - 1 do
                    largest[id] <- max largest[id] squaredRadii[tree.Order[p]]
            else largest[id] <- max largest[tree.Left[id]] largest[tree.Right[id]]
        let radii = Array.init tree.Order.Length (fun p -> squaredRadii[tree.Order[p]])
        let m = queries.Count
        let counts = Array.zeroCreate m
        let q = queries.Values
        let d = tree.Dimension
        forEachQuery m (fun i ->
            let at = i * d
            let mutable count = 0
            let rec visit (id: int) =
                if not (firstOnly && count > 0) && boxDistance tree id q at <= largest[id] then
                    if tree.Left[id] < 0 then
                        let mutable p = tree.Start[id]
                        while p < tree.End[id] && not (firstOnly && count > 0) do
                            if pointDistance tree p q at <= radii[p] then count <- count + 1
                            p <- p + 1
                    else
                        visit tree.Left[id]
                        visit tree.Right[id]
            visit 0
            counts[i] <- count)
        counts
