namespace GanFlow.Core.Metrics

open System.Numerics

/// Exact nearest-neighbour answers by scanning every (query, reference) pair, blocked for the caches and vectorised
/// over references: the references are stored transposed in groups of `Vector<float>.Count`, and each query's squared
/// distances to a group are computed lane by lane with the same subtractions, products and sums, in the same
/// coordinate order, as `Points.squaredDistance` (no fused multiply-add), so the answers equal the k-d tree's bit for
/// bit. O(n·m·d) work, no tree: the choice in high dimension, where a k-d tree visits most of its leaves anyway.
module BlockedScan =

    let private lanes = Vector<float>.Count

    /// Groups of `lanes` references scanned together: four independent sums keep the vector units busy (one sum's
    /// additions wait on each other).
    [<Literal>]
    let private Unroll = 4

    /// References per block: `Unroll · lanes` (16 with AVX2).
    let private block = Unroll * lanes

    /// References per tile: a tile of 20-D references (1,024 × 20 doubles, 160 KB) stays in the L2 cache while a
    /// tile of queries scans it.
    let private referenceTile = 1_024

    /// Queries per tile (the unit of parallel work).
    let private queryTile = 64

    /// The references transposed: block b, coordinate k, group u, lane l at `((b·d + k)·Unroll + u)·lanes + l`
    /// (reference b·block + u·lanes + l); the padding of the last block is +∞ (its distance is +∞, beyond any radius
    /// or neighbour).
    let private transpose (references: Points) =
        let d, n = references.Dimension, references.Count
        let blocks = (n + block - 1) / block
        let data = Array.create (blocks * d * block) infinity
        for i in 0 .. n - 1 do
            let b, r = i / block, i % block
            for k in 0 .. d - 1 do
                data[(b * d + k) * block + r] <- references.Values[i * d + k]
        data, blocks

    /// The query's coordinates, each broadcast to a vector.
    let private broadcast (q: float[]) (at: int) (d: int) = Array.init d (fun k -> Vector<float>(q[at + k]))

    /// Squared distances from a query (broadcast coordinates `qv`) to the references of block `b`, four vectors of
    /// `lanes` each, summed coordinate by coordinate as `Points.squaredDistance` sums.
    let inline private blockDistances (data: float[]) (d: int) (b: int) (qv: Vector<float>[]) =
        let mutable a0 = Vector<float>.Zero
        let mutable a1 = Vector<float>.Zero
        let mutable a2 = Vector<float>.Zero
        let mutable a3 = Vector<float>.Zero
        let mutable at = b * d * block
        for k in 0 .. d - 1 do
            let c = qv[k]
            let d0 = c - Vector<float>(data, at)
            let d1 = c - Vector<float>(data, at + lanes)
            let d2 = c - Vector<float>(data, at + 2 * lanes)
            let d3 = c - Vector<float>(data, at + 3 * lanes)
            a0 <- a0 + d0 * d0
            a1 <- a1 + d1 * d1
            a2 <- a2 + d2 * d2
            a3 <- a3 + d3 * d3
            at <- at + block
        struct (a0, a1, a2, a3)

    /// Runs `body queries blockFrom blockUntil` for every query tile (in parallel) and, within one, every reference
    /// tile in order; `queries` are the tile's query indices with their broadcast coordinates.
    let private tiles (points: Points) (blocks: int) (body: struct (int * Vector<float>[])[] -> int -> int -> unit) =
        let d, m = points.Dimension, points.Count
        let blocksPerTile = referenceTile / block
        let queryTiles = (m + queryTile - 1) / queryTile
        System.Threading.Tasks.Parallel.For(0, queryTiles, fun t ->
            let tile = [| for i in t * queryTile .. min m ((t + 1) * queryTile) - 1 -> struct (i, broadcast points.Values (i * d) d) |]
            let mutable b = 0
            while b < blocks do
                body tile b (min blocks (b + blocksPerTile))
                b <- b + blocksPerTile)
        |> ignore

    /// Offers the `lanes` distances of `acc` (references from `first`, those at `n` and beyond padding) to query's
    /// k-nearest list at `offset`.
    let private offer (squared: float[]) (indices: int[]) (offset: int) (k: int) (acc: Vector<float>) (first: int) (n: int) =
        if Vector.LessThanOrEqualAny(acc, Vector<float>(squared[offset + k - 1])) then
            for l in 0 .. lanes - 1 do
                if first + l < n then Neighbours.insert squared indices offset k acc[l] (first + l)

    /// The k nearest references to each query (`NeighbourSearch.Nearest`).
    let nearest (queries: Points) (references: Points) (k: int) : Neighbours =
        Neighbours.require queries references k
        let d, m, n = queries.Dimension, queries.Count, references.Count
        let data, blocks = transpose references
        let squared = Array.create (m * k) infinity
        let indices = Array.create (m * k) System.Int32.MaxValue
        tiles queries blocks (fun tile bFrom bUntil ->
            for struct (i, qv) in tile do
                let offset = i * k
                for b in bFrom .. bUntil - 1 do
                    let struct (a0, a1, a2, a3) = blockDistances data d b qv
                    if Vector.LessThanOrEqualAny(Vector.Min(Vector.Min(a0, a1), Vector.Min(a2, a3)), Vector<float>(squared[offset + k - 1])) then
                        let first = b * block
                        offer squared indices offset k a0 first n
                        offer squared indices offset k a1 (first + lanes) n
                        offer squared indices offset k a2 (first + 2 * lanes) n
                        offer squared indices offset k a3 (first + 3 * lanes) n)
        { K = k; SquaredDistances = squared; Indices = indices }

    /// How many closed balls around the references hold each query (`NeighbourSearch.BallCounts`).
    let ballCounts (queries: Points) (references: Points) (squaredRadii: float[]) (firstOnly: bool) : int[] =
        Neighbours.require queries references 1
        if squaredRadii.Length <> references.Count then
            invalidArg "squaredRadii" (sprintf "%d radii for %d points" squaredRadii.Length references.Count)
        let d, m = queries.Dimension, queries.Count
        let data, blocks = transpose references
        let radii = Array.create (blocks * block) -1.0
        Array.blit squaredRadii 0 radii 0 squaredRadii.Length
        let counts = Array.zeroCreate m
        tiles queries blocks (fun tile bFrom bUntil ->
            for struct (i, qv) in tile do
                let mutable count = counts[i]
                let mutable b = bFrom
                while b < bUntil && not (firstOnly && count > 0) do
                    let struct (a0, a1, a2, a3) = blockDistances data d b qv
                    let at = b * block
                    let inside =
                        Vector.LessThanOrEqual(a0, Vector<float>(radii, at))
                        + Vector.LessThanOrEqual(a1, Vector<float>(radii, at + lanes))
                        + Vector.LessThanOrEqual(a2, Vector<float>(radii, at + 2 * lanes))
                        + Vector.LessThanOrEqual(a3, Vector<float>(radii, at + 3 * lanes))
                    if inside <> Vector<int64>.Zero then count <- count - int (Vector.Sum inside)
                    b <- b + 1
                counts[i] <- count)
        if firstOnly then counts |> Array.map (min 1) else counts

    /// Σᵢ Σⱼ f(‖aᵢ − bⱼ‖²) over every pair of a point of `a` and a point of `b`: `f` applied lane-wise (a vectorised
    /// kernel such as √ or a Gaussian), the padding lanes masked out. Partial sums per query tile are added in tile
    /// order, so the total does not depend on the schedule.
    let pairSum (f: Vector<float> -> Vector<float>) (a: Points) (b: Points) : float =
        if a.Dimension <> b.Dimension then invalidArg "b" (sprintf "%d-D and %d-D samples" a.Dimension b.Dimension)
        let d, n = a.Dimension, b.Count
        let data, blocks = transpose b
        // Lane masks of the last block: all bits set where a reference exists.
        let valid = Array.init block (fun r -> if (blocks - 1) * block + r < n then -1L else 0L)
        let masked (mask: int) (v: Vector<float>) = Vector.ConditionalSelect(Vector<int64>(valid, mask * lanes), v, Vector<float>.Zero)
        let partial = Array.zeroCreate ((a.Count + queryTile - 1) / queryTile)
        tiles a blocks (fun tile bFrom bUntil ->
            let mutable total = Vector<float>.Zero
            for struct (_, qv) in tile do
                for bl in bFrom .. bUntil - 1 do
                    let struct (a0, a1, a2, a3) = blockDistances data d bl qv
                    if bl < blocks - 1 then total <- total + (f a0 + f a1 + f a2 + f a3)
                    else total <- total + (masked 0 (f a0) + masked 1 (f a1) + masked 2 (f a2) + masked 3 (f a3))
            match tile with
            | [||] -> ()
            | _ ->
                let struct (first, _) = tile[0]
                partial[first / queryTile] <- partial[first / queryTile] + Vector.Sum total)
        Array.sum partial
