namespace GanFlow.Core.Metrics

open System.Numerics

/// Exact nearest-neighbour answers by scanning every (query, reference) pair, blocked for the caches and vectorised:
/// O(n·m·d) work, no tree, the choice in high dimension, where a k-d tree visits most of its leaves anyway.
///
/// `nearest`, `ballCounts` and `incidence` filter the pairs in single precision: centred points, distances
/// ‖q‖² + ‖r‖² − 2⟨q, r⟩ with fused multiply-adds, 4 queries × 2 vectors of references per register block, and a
/// rigorous bound on their rounding error; a pair the bound cannot settle is measured exactly by
/// `Points.squaredDistance`, so the answers equal the k-d tree's and brute force's bit for bit. `exactNearest`,
/// `exactBallCounts` and `pairSum` compute every distance in double precision lane by lane with the same
/// subtractions, products and sums, in the same coordinate order, as `Points.squaredDistance` (no fused
/// multiply-add); they are the fallback when coordinates are too large for single precision.
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

    /// The k nearest references to each query, every distance computed exactly (the fallback of `nearest`).
    let exactNearest (queries: Points) (references: Points) (k: int) : Neighbours =
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

    /// How many closed balls around the references hold each query, every distance computed exactly (the fallback of
    /// `ballCounts`).
    let exactBallCounts (queries: Points) (references: Points) (squaredRadii: float[]) (firstOnly: bool) : int[] =
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

    // ---- The filtered scan: single-precision distances bound the exact ones, the exact sum decides. ----

    let private wide = Vector<float32>.Count

    /// References per single-precision block: two vectors.
    let private wideBlock = 2 * wide

    /// Queries scanned together against a block (their sums stay in registers: 4 × 2 vectors).
    [<Literal>]
    let private QueryGroup = 4

    /// A sample in single precision, centred, for the filter: block b, coordinate k, slot r at `(b·d + k)·wideBlock + r`
    /// (point b·wideBlock + r), with each point's squared norm; padding slots have norm +∞.
    type private Wide =
        { Coordinates: float32[]
          Norms: float32[]
          Blocks: int }

    /// Whether single precision can bound distances of these samples: every centred coordinate well inside its range.
    let private fitsSingle (centre: float[]) (points: Points) =
        let d = points.Dimension
        points.Values |> Array.mapi (fun i v -> abs (v - centre[i % d])) |> Array.forall (fun v -> v < 1e15)

    /// The mean point of a sample.
    let private mean (p: Points) =
        let d = p.Dimension
        let sums = Array.zeroCreate d
        for i in 0 .. p.Values.Length - 1 do
            sums[i % d] <- sums[i % d] + p.Values[i]
        sums |> Array.map (fun s -> s / float p.Count)

    /// The points, minus `centre`, in single precision and the block layout (`blockSize` points a block).
    let private widen (centre: float[]) (blockSize: int) (p: Points) : Wide =
        let d, n = p.Dimension, p.Count
        let blocks = (n + blockSize - 1) / blockSize
        let coordinates = Array.zeroCreate (blocks * d * blockSize)
        let norms = Array.create (blocks * blockSize) System.Single.PositiveInfinity
        for i in 0 .. n - 1 do
            let b, r = i / blockSize, i % blockSize
            let mutable norm = 0.0
            for k in 0 .. d - 1 do
                let v = p.Values[i * d + k] - centre[k]
                coordinates[(b * d + k) * blockSize + r] <- float32 v
                norm <- norm + v * v
            norms[i] <- float32 norm
        { Coordinates = coordinates; Norms = norms; Blocks = blocks }

    /// The single-precision error bound's factor: |d̃² − d²| <= factor · (‖q‖² + ‖r‖²) for centred q, r, where d̃² =
    /// ‖q‖² + ‖r‖² − 2⟨q, r⟩ in single precision (unit roundoff u = 2⁻²⁴): the rounding of the coordinates and norms
    /// and of the final sums costs about 6u, the d-term dot product d·u (Higham, Accuracy and Stability of Numerical
    /// Algorithms, eq. 3.5); twice that sum is used.
    let private boundFactor (d: int) = float32 (float (2 * d + 12) * (1.0 / 16777216.0))

    /// The bound's absolute term, for sums that leave single precision's normal range (below 2⁻¹²⁶ ≈ 1.2e-38, where a
    /// rounding costs up to 2⁻¹⁵⁰ whatever the value, or 2⁻¹²⁶ where a thread flushes such values to zero): the same
    /// count of roundings, each at 2⁻¹²⁵. Without it, samples of scale ~1e-23 in 8-D (squared norms ~1e-45) rounded their
    /// bounds to 0 and skipped pairs the exact sum would have counted (density 0.90 → 2.19 at scale 2⁻⁷⁶); with it every
    /// such pair is measured exactly, and at ordinary scales it changes nothing (6.6e-37 in 8-D).
    let private boundFloor (d: int) = float32 (float (2 * d + 12) * System.Math.Pow(2.0, -125.0))

    /// |d̃² − d²| is at most this, for a query of squared norm `qn` and references of squared norms `rn`.
    let inline private errorBound (factor: float32) (absolute: float32) (qn: float32) (rn: Vector<float32>) =
        Vector<float32>(factor) * (Vector<float32>(qn) + rn) + Vector<float32>(absolute)

    /// `v` rounded up to single precision (a threshold no exact value above it can slip under).
    let private roundUp (v: float) =
        let f = float32 v
        if float f < v then System.MathF.BitIncrement f else f

    /// `v` rounded down to single precision.
    let private roundDown (v: float) =
        let f = float32 v
        if float f > v then System.MathF.BitDecrement f else f

    /// Runs `body group blockFrom blockUntil` for every group of up to `QueryGroup` queries and every tile of reference
    /// blocks: query tiles in parallel, within one the reference tiles in order, within those the groups.
    let private wideTiles (queries: int) (blocks: int) (body: int[] -> int -> int -> unit) =
        let blocksPerTile = max 1 (referenceTile / wideBlock)
        let queryTiles = (queries + queryTile - 1) / queryTile
        System.Threading.Tasks.Parallel.For(0, queryTiles, fun t ->
            let qFrom, qUntil = t * queryTile, min queries ((t + 1) * queryTile)
            let groups = [| for g in qFrom .. QueryGroup .. qUntil - 1 -> [| g .. min qUntil (g + QueryGroup) - 1 |] |]
            let mutable b = 0
            while b < blocks do
                let bUntil = min blocks (b + blocksPerTile)
                for group in groups do
                    body group b bUntil
                b <- bUntil)
        |> ignore

    /// For the group's queries (single precision, `QueryGroup` slots, missing ones zero) and block `b` of the
    /// references: the approximate squared distances, two vectors per query (`wideBlock` references).
    let inline private wideDistances (refs: Wide) (d: int) (b: int) (q: float32[]) (qn: float32[]) (out: Vector<float32>[]) =
        let mutable a00 = Vector<float32>.Zero
        let mutable a01 = Vector<float32>.Zero
        let mutable a10 = Vector<float32>.Zero
        let mutable a11 = Vector<float32>.Zero
        let mutable a20 = Vector<float32>.Zero
        let mutable a21 = Vector<float32>.Zero
        let mutable a30 = Vector<float32>.Zero
        let mutable a31 = Vector<float32>.Zero
        let mutable at = b * d * wideBlock
        for k in 0 .. d - 1 do
            let r0 = Vector<float32>(refs.Coordinates, at)
            let r1 = Vector<float32>(refs.Coordinates, at + wide)
            let c0 = Vector<float32>(q[k])
            let c1 = Vector<float32>(q[d + k])
            let c2 = Vector<float32>(q[2 * d + k])
            let c3 = Vector<float32>(q[3 * d + k])
            a00 <- Vector.FusedMultiplyAdd(c0, r0, a00)
            a01 <- Vector.FusedMultiplyAdd(c0, r1, a01)
            a10 <- Vector.FusedMultiplyAdd(c1, r0, a10)
            a11 <- Vector.FusedMultiplyAdd(c1, r1, a11)
            a20 <- Vector.FusedMultiplyAdd(c2, r0, a20)
            a21 <- Vector.FusedMultiplyAdd(c2, r1, a21)
            a30 <- Vector.FusedMultiplyAdd(c3, r0, a30)
            a31 <- Vector.FusedMultiplyAdd(c3, r1, a31)
            at <- at + wideBlock
        let rn0 = Vector<float32>(refs.Norms, b * wideBlock)
        let rn1 = Vector<float32>(refs.Norms, b * wideBlock + wide)
        let two = Vector<float32>(2.0f)
        let distance (n: float32) (rn: Vector<float32>) (dot: Vector<float32>) = Vector<float32>(n) + rn - two * dot
        out[0] <- distance qn[0] rn0 a00
        out[1] <- distance qn[0] rn1 a01
        out[2] <- distance qn[1] rn0 a10
        out[3] <- distance qn[1] rn1 a11
        out[4] <- distance qn[2] rn0 a20
        out[5] <- distance qn[2] rn1 a21
        out[6] <- distance qn[3] rn0 a30
        out[7] <- distance qn[3] rn1 a31

    /// The group's queries in single precision (row-major, `QueryGroup` rows, missing ones zero) and their norms.
    let private wideGroup (queries: Wide) (d: int) (group: int[]) =
        let q = Array.zeroCreate (QueryGroup * d)
        let qn = Array.zeroCreate QueryGroup
        group |> Array.iteri (fun slot i -> 
            for k in 0 .. d - 1 do
                q[slot * d + k] <- queries.Coordinates[i * d + k]
            qn[slot] <- queries.Norms[i])
        q, qn

    /// The exact answers of the filtered scan, or None when the samples do not fit single precision.
    let private prepare (queries: Points) (references: Points) =
        let centre = mean references
        if not (fitsSingle centre queries && fitsSingle centre references) then None
        else Some(widen centre 1 queries, widen centre wideBlock references)

    /// The k nearest references to each query (`NeighbourSearch.Nearest`): single-precision distances skip every
    /// reference whose lower bound exceeds the query's current k-th exact distance; the others are measured exactly.
    let nearest (queries: Points) (references: Points) (k: int) : Neighbours =
        Neighbours.require queries references k
        match prepare queries references with
        | None -> exactNearest queries references k
        | Some(wq, wr) ->
            let d, m, n = queries.Dimension, queries.Count, references.Count
            let factor, absolute = boundFactor d, boundFloor d
            let squared = Array.create (m * k) infinity
            let indices = Array.create (m * k) System.Int32.MaxValue
            wideTiles m wr.Blocks (fun group bFrom bUntil ->
                let q, qn = wideGroup wq d group
                let out = Array.zeroCreate<Vector<float32>> (2 * QueryGroup)
                for b in bFrom .. bUntil - 1 do
                    wideDistances wr d b q qn out
                    for slot in 0 .. group.Length - 1 do
                        let i = group[slot]
                        let offset = i * k
                        for half in 0 .. 1 do
                            let approx = out[2 * slot + half]
                            let first = b * wideBlock + half * wide
                            let bound = errorBound factor absolute qn[slot] (Vector<float32>(wr.Norms, first))
                            let lower = approx - bound
                            if Vector.LessThanOrEqualAny(lower, Vector<float32>(roundUp squared[offset + k - 1])) then
                                for l in 0 .. wide - 1 do
                                    let j = first + l
                                    if j < n && float lower[l] <= squared[offset + k - 1] then
                                        Neighbours.insert squared indices offset k (Points.squaredDistance queries i references j) j)
            { K = k; SquaredDistances = squared; Indices = indices }

    /// How many closed balls around the references hold each query (`NeighbourSearch.BallCounts`): single-precision
    /// bounds settle the clear cases, the exact sum the ones near a ball's edge.
    let ballCounts (queries: Points) (references: Points) (squaredRadii: float[]) (firstOnly: bool) : int[] =
        Neighbours.require queries references 1
        if squaredRadii.Length <> references.Count then
            invalidArg "squaredRadii" (sprintf "%d radii for %d points" squaredRadii.Length references.Count)
        match prepare queries references with
        | None -> exactBallCounts queries references squaredRadii firstOnly
        | Some(wq, wr) ->
            let d, m, n = queries.Dimension, queries.Count, references.Count
            let factor, absolute = boundFactor d, boundFloor d
            // Radii rounded down for "surely inside", up for "maybe inside"; padding never inside.
            let surely = Array.create (wr.Blocks * wideBlock) -1.0f
            let maybe = Array.create (wr.Blocks * wideBlock) -1.0f
            for j in 0 .. n - 1 do
                surely[j] <- roundDown squaredRadii[j]
                maybe[j] <- roundUp squaredRadii[j]
            let counts = Array.zeroCreate m
            wideTiles m wr.Blocks (fun group bFrom bUntil ->
                if not (firstOnly && group |> Array.forall (fun i -> counts[i] > 0)) then
                    let q, qn = wideGroup wq d group
                    let out = Array.zeroCreate<Vector<float32>> (2 * QueryGroup)
                    let mutable b = bFrom
                    while b < bUntil && not (firstOnly && group |> Array.forall (fun i -> counts[i] > 0)) do
                        wideDistances wr d b q qn out
                        for slot in 0 .. group.Length - 1 do
                            let i = group[slot]
                            if not (firstOnly && counts[i] > 0) then
                                for half in 0 .. 1 do
                                    let approx = out[2 * slot + half]
                                    let first = b * wideBlock + half * wide
                                    let bound = errorBound factor absolute qn[slot] (Vector<float32>(wr.Norms, first))
                                    let inside = Vector.LessThanOrEqual(approx + bound, Vector<float32>(surely, first))
                                    if inside <> Vector<int>.Zero then counts[i] <- counts[i] - Vector.Sum inside
                                    let near = Vector.AndNot(Vector.LessThanOrEqual(approx - bound, Vector<float32>(maybe, first)), inside)
                                    if near <> Vector<int>.Zero then
                                        for l in 0 .. wide - 1 do
                                            if near[l] <> 0 && Points.squaredDistance queries i references (first + l) <= squaredRadii[first + l] then
                                                counts[i] <- counts[i] + 1
                        b <- b + 1)
            if firstOnly then counts |> Array.map (min 1) else counts

    /// `NeighbourSearch.Incidence` in one filtered pass over the pairs: each pair's single-precision bounds settle
    /// every radius comparison they can, its exact distance (computed once) the others.
    let incidence (queries: Points) (references: Points) (referenceRadii: float[][]) (queryRadii: float[][]) : BallIncidence =
        Neighbours.require queries references 1
        for radii in referenceRadii do
            if radii.Length <> references.Count then invalidArg "referenceRadii" (sprintf "%d radii for %d references" radii.Length references.Count)
        for radii in queryRadii do
            if radii.Length <> queries.Count then invalidArg "queryRadii" (sprintf "%d radii for %d queries" radii.Length queries.Count)
        let d, m, n = queries.Dimension, queries.Count, references.Count
        let queryCounts = referenceRadii |> Array.map (fun _ -> Array.zeroCreate<int> m)
        let holds = referenceRadii |> Array.map (fun _ -> Array.zeroCreate<bool> n)
        let held = queryRadii |> Array.map (fun _ -> Array.zeroCreate<bool> n)
        let record (i: int) (j: int) (squared: float) =
            for s in 0 .. referenceRadii.Length - 1 do
                if squared <= referenceRadii[s][j] then
                    queryCounts[s][i] <- queryCounts[s][i] + 1
                    holds[s][j] <- true
            for t in 0 .. queryRadii.Length - 1 do
                if squared <= queryRadii[t][i] then held[t][j] <- true
        match prepare queries references with
        | None ->
            for i in 0 .. m - 1 do
                for j in 0 .. n - 1 do
                    record i j (Points.squaredDistance queries i references j)
        | Some(wq, wr) ->
            let factor, absolute = boundFactor d, boundFloor d
            // Per reference, the largest radius of any set rounded up: beyond it no comparison can hold.
            let reach = Array.create (wr.Blocks * wideBlock) -1.0f
            for j in 0 .. n - 1 do
                reach[j] <- roundUp (referenceRadii |> Array.fold (fun r radii -> max r radii[j]) -1.0)
            let queryReach = Array.init m (fun i -> roundUp (queryRadii |> Array.fold (fun r radii -> max r radii[i]) -1.0))
            wideTiles m wr.Blocks (fun group bFrom bUntil ->
                let q, qn = wideGroup wq d group
                let out = Array.zeroCreate<Vector<float32>> (2 * QueryGroup)
                for b in bFrom .. bUntil - 1 do
                    wideDistances wr d b q qn out
                    for slot in 0 .. group.Length - 1 do
                        let i = group[slot]
                        for half in 0 .. 1 do
                            let first = b * wideBlock + half * wide
                            let bound = errorBound factor absolute qn[slot] (Vector<float32>(wr.Norms, first))
                            let lower = out[2 * slot + half] - bound
                            let limit = Vector.Max(Vector<float32>(reach, first), Vector<float32>(queryReach[i]))
                            if Vector.LessThanOrEqualAny(lower, limit) then
                                for l in 0 .. wide - 1 do
                                    let j = first + l
                                    if j < n && lower[l] <= limit[l] then record i j (Points.squaredDistance queries i references j))
        { QueryCounts = queryCounts; ReferenceHolds = holds; ReferenceHeld = held }

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
