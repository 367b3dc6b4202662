namespace GanFlow.Core.Dynamics

/// The discriminator's ordering constraint l1 ≤ r1 ≤ l2 ≤ r2 (seed 002 sec. 2's class 𝒟).
///
/// First-order dynamics keeps it by projection: after each simultaneous step the endpoints are replaced by
/// the nearest ordered vector in the Euclidean norm (projected gradient ascent on a closed convex set). That
/// projection is the isotonic regression of the endpoints, computed by pooling adjacent violators: a run of
/// endpoints that crossed is replaced by its mean. Its consequences are the ones the notes describe: two
/// endpoints of one interval that cross merge into a degenerate interval [c, c] (mass 0), which regrows only
/// where p_μ* − p_μ̂ > 0 at c (the gradient pushes r up and l down) and otherwise stays collapsed; two
/// intervals that meet (r1 = l2) act as one. Letting a crossed interval stand for the empty set instead would
/// keep the state unordered and make "how far apart" meaningless; projection keeps every state in 𝒟.
module OrderedEndpoints =

    /// True when the endpoints are non-decreasing.
    let isOrdered (endpoints: float[]) =
        let mutable ordered = true
        for j in 1 .. endpoints.Length - 1 do
            if not (endpoints[j - 1] <= endpoints[j]) then ordered <- false
        ordered

    /// Projects `endpoints` in place onto the ordered set (pool adjacent violators, equal weights); a no-op
    /// (and no allocation) when they are already ordered.
    let projectInPlace (endpoints: float[]) =
        if not (isOrdered endpoints) then
            let n = endpoints.Length
            let sums = Array.zeroCreate<float> n
            let counts = Array.zeroCreate<int> n
            let mutable blocks = 0
            for j in 0 .. n - 1 do
                sums[blocks] <- endpoints[j]
                counts[blocks] <- 1
                blocks <- blocks + 1
                // Merge while the last block's mean is below the one before it.
                while blocks > 1 && sums[blocks - 1] / float counts[blocks - 1] < sums[blocks - 2] / float counts[blocks - 2] do
                    sums[blocks - 2] <- sums[blocks - 2] + sums[blocks - 1]
                    counts[blocks - 2] <- counts[blocks - 2] + counts[blocks - 1]
                    blocks <- blocks - 1
            let mutable j = 0
            for b in 0 .. blocks - 1 do
                let mean = sums[b] / float counts[b]
                for _ in 1 .. counts[b] do
                    endpoints[j] <- mean
                    j <- j + 1

    /// The projection of `endpoints` onto the ordered set, as a new array.
    let project (endpoints: float[]) =
        let copy = Array.copy endpoints
        projectInPlace copy
        copy
