namespace GanFlow.Core.Metrics

/// The birthday-paradox estimate of a distribution's support size (Arora & Zhang 2017; seed 002 sec. 4): if batches
/// of s draws contain a near-duplicate pair (two values closer than δ) at least half the time, the support has about
/// s² elements. For a uniform distribution over N points P(duplicate among s) ≈ 1 − exp(−s²/2N), so the smallest such
/// s is ≈ √(2N ln 2) and s² ≈ 1.39 N. A continuous distribution has no finite support; at resolution δ it behaves
/// like one of about 1/(2δ ∫p²) points, so the estimate is a size at that resolution, comparable between models at
/// the same δ (a model that memorises or drops modes scores lower). 1-D values.
type BirthdayEstimate =
    { /// The near-duplicate distance δ.
      Delta: float
      /// Batches drawn per tested batch size.
      Batches: int
      /// The smallest batch size s whose batches held a near-duplicate at least half the time; None when even
      /// batches of the whole sample did not (the support is then larger than the sample can show).
      BatchSize: int option
      /// The share of batches of size `BatchSize` with a near-duplicate.
      CollisionShare: float
      /// The support estimate s², or NaN when `BatchSize` is None.
      Support: float
      /// The smallest support the sample could have shown as a lower bound: n² for a sample of n values, reached
      /// when `BatchSize` is None.
      LowerBound: float }

/// Computing `BirthdayEstimate`s.
module BirthdaySupport =

    /// True when some two of `values` (sorted in place) are closer than `delta`.
    let private hasNearDuplicate (delta: float) (values: float[]) =
        System.Array.Sort values
        let mutable found = false
        let mutable i = 1
        while not found && i < values.Length do
            if values[i] - values[i - 1] < delta then found <- true
            i <- i + 1
        found

    /// The share of `batches` batches of `size` values, each a uniformly random subset of the sample without
    /// replacement (partial Fisher-Yates on `order`, a permutation kept between calls), holding a near-duplicate.
    let private collisionShare (rng: System.Random) (delta: float) (batches: int) (sample: float[]) (order: int[]) (size: int) =
        let batch = Array.zeroCreate<float> size
        let mutable hits = 0
        for _ in 1..batches do
            for i in 0 .. size - 1 do
                let j = rng.Next(i, order.Length)
                let kept = order[i]
                order[i] <- order[j]
                order[j] <- kept
                batch[i] <- sample[order[i]]
            if hasNearDuplicate delta batch then hits <- hits + 1
        float hits / float batches

    /// The estimate for `sample` at resolution `delta` with `batches` batches per tested size: sizes double from 2
    /// until half the batches collide (or the whole sample is reached), then bisection between the last two sizes.
    let estimate (rng: System.Random) (delta: float) (batches: int) (sample: float[]) : BirthdayEstimate =
        if not (delta > 0.0) then invalidArg "delta" (sprintf "delta = %g: must be > 0" delta)
        if batches < 1 then invalidArg "batches" (sprintf "batches = %d: must be >= 1" batches)
        if sample.Length < 2 then invalidArg "sample" "a birthday estimate needs at least two values"
        let n = sample.Length
        let order = Array.init n id
        let share = collisionShare rng delta batches sample order
        let lowerBound = float n * float n
        let notFound = { Delta = delta; Batches = batches; BatchSize = None; CollisionShare = nan; Support = nan; LowerBound = lowerBound }
        // Doubling: the first size whose share reaches ½.
        let rec grow (size: int) (below: int) =
            let s = share size
            if s >= 0.5 then Some(below, size, s)
            elif size = n then None
            else grow (min n (2 * size)) size
        match grow 2 1 with
        | None -> notFound
        | Some(below, above, aboveShare) ->
            let mutable lo = below
            let mutable hi = above
            let mutable hiShare = aboveShare
            while hi - lo > 1 do
                let mid = lo + (hi - lo) / 2
                let s = share mid
                if s >= 0.5 then
                    hi <- mid
                    hiShare <- s
                else lo <- mid
            { Delta = delta; Batches = batches; BatchSize = Some hi; CollisionShare = hiShare
              Support = float hi * float hi; LowerBound = lowerBound }
