namespace GanFlow.Core.Metrics

/// k-means clustering (Lloyd 1982) with k-means++ seeding (Arthur & Vassilvitskii 2007): the partition of space into
/// cells, each point going to its nearest centre, that the data-copying test uses (Meehan et al. 2020, sec. 4). Pure
/// and seeded.
module KMeans =

    /// Default number of Lloyd iterations (fewer when the assignment stops changing).
    [<Literal>]
    let DefaultIterations = 50

    /// The index of each point's nearest centre (ties to the lower index).
    let assign (search: NeighbourSearch) (centres: Points) (points: Points) : int[] =
        (search.Nearest points centres 1).Indices

    /// `k` centres (1 <= k <= points) fitted to `points` by `iterations` Lloyd steps from a k-means++ start drawn by
    /// `rng`. A centre that loses all its points stays where it was.
    let fit (search: NeighbourSearch) (rng: System.Random) (k: int) (iterations: int) (points: Points) : Points =
        let n, d = points.Count, points.Dimension
        if k < 1 || k > n then invalidArg "k" (sprintf "k = %d centres for %d points" k n)
        // k-means++: the first centre uniform, each next one with probability proportional to D(x)², the squared
        // distance to the nearest centre so far.
        let chosen = ResizeArray<int>([ rng.Next n ])
        let nearest = Array.init n (fun i -> Points.squaredDistance points i points chosen[0])
        while chosen.Count < k do
            let total = Array.sum nearest
            let next =
                if total <= 0.0 then
                    // Every point sits on a centre already: take the first point not chosen.
                    Seq.initInfinite id |> Seq.find (fun i -> not (chosen.Contains i))
                else
                    let u = rng.NextDouble() * total
                    let mutable acc = 0.0
                    let mutable i = 0
                    while i < n - 1 && acc + nearest[i] <= u do
                        acc <- acc + nearest[i]
                        i <- i + 1
                    i
            chosen.Add next
            for i in 0 .. n - 1 do
                nearest[i] <- min nearest[i] (Points.squaredDistance points i points next)
        let mutable centres = Points.pick (chosen.ToArray()) points
        let mutable previous = [||]
        let mutable step = 0
        while step < iterations do
            let cells = assign search centres points
            if cells = previous then step <- iterations
            else
                previous <- cells
                let sums = Array.zeroCreate (k * d)
                let counts = Array.zeroCreate k
                for i in 0 .. n - 1 do
                    counts[cells[i]] <- counts[cells[i]] + 1
                    for c in 0 .. d - 1 do
                        sums[cells[i] * d + c] <- sums[cells[i] * d + c] + points.Values[i * d + c]
                centres <-
                    { centres with
                        Values = Array.init (k * d) (fun at -> if counts[at / d] = 0 then centres.Values[at] else sums[at] / float counts[at / d]) }
                step <- step + 1
        centres
