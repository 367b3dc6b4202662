namespace GanFlow.Core.Metrics

/// The one walk both 1-D sample distances share: integrating a function of the gap between two
/// empirical cdfs over the sorted pooled points, where both cdfs are constant between
/// neighbours, in O(n log n).
module EmpiricalCdf =

    /// Rejects an empty sample or one holding NaN or an infinity, naming the argument.
    let requireSample name (sample: float[] | null) =
        match sample with
        | null -> invalidArg name (sprintf "%s must hold at least one value" name)
        | sample ->
            if sample.Length = 0 then invalidArg name (sprintf "%s must hold at least one value" name)
            for v in sample do
                if not (System.Double.IsFinite v) then invalidArg name (sprintf "%s holds a non-finite value" name)

    /// ∫ f(F̂_x(t) − F̂_y(t)) dt, exactly, for f(0) = 0, over samples already sorted ascending (non-empty, finite).
    /// Inlined with `f`, so the walk calls no closure per point (the 1-D distances' hot loop; issue 20).
    let inline integrateGapSorted ([<InlineIfLambda>] f: float -> float) (xs: float[]) (ys: float[]) =
        let n, m = float xs.Length, float ys.Length
        let mutable i = 0
        let mutable j = 0
        let mutable total = 0.0
        let mutable previous = min xs[0] ys[0]
        while i < xs.Length || j < ys.Length do
            let t = if j >= ys.Length || (i < xs.Length && xs[i] <= ys[j]) then xs[i] else ys[j]
            total <- total + f (float i / n - float j / m) * (t - previous)
            while i < xs.Length && xs[i] = t do i <- i + 1
            while j < ys.Length && ys[j] = t do j <- j + 1
            previous <- t
        total

    /// ∫ f(F̂_x(t) − F̂_y(t)) dt, exactly, for f(0) = 0.
    let inline integrateGap ([<InlineIfLambda>] f: float -> float) (x: float[]) (y: float[]) =
        requireSample "x" x
        requireSample "y" y
        integrateGapSorted f (Array.sort x) (Array.sort y)
