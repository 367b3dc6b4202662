namespace GanFlow.Core.Dynamics

/// The exact maximiser of L(μ̂, ·, ·) over K ordered intervals (seed 002 sec. 2's inner max).
///
/// L = 1 + ∫_A (p_μ* − p_μ̂) for the set A = ∪_k [l_k, r_k], so the best A is the set where f = p_μ* − p_μ̂ > 0,
/// provided that set is a union of at most K intervals; then max L = 1 + ∫ f⁺ = 1 + TV(p_μ*, p_μ̂). It is: with
/// φ(x − a) = φ(x) e^{a x − a²/2}, f(x) = φ(x)/K · Σ_j w_j e^{a_j x − a_j²/2} (w = +1 for a true mean, −1 for a
/// generator mean), an exponential sum with 2K terms, which by Descartes' rule of signs for exponential sums has at
/// most 2K − 1 real zeros; f's sign alternates across them, so {f > 0} has at most K components. The zeros are
/// found exactly: those of a sum of n exponentials are separated by those of the derivative of the sum divided by
/// its first exponential, a sum of n − 1 exponentials, so recursing down to two terms (closed form) isolates each
/// zero in an interval where the sum is monotone, and there a bracketing solve converges.
module OptimalDiscriminator =

    /// One term c · e^{rate·x} of an exponential sum, c = sign · e^{logMagnitude}.
    [<Struct>]
    type private Term = { Rate: float; Sign: float; LogMagnitude: float }

    /// The sum at x divided by its largest term's magnitude: same sign as the sum, never overflowing.
    let private scaledValue (terms: Term[]) (x: float) =
        let mutable top = System.Double.NegativeInfinity
        for t in terms do
            top <- max top (t.LogMagnitude + t.Rate * x)
        let mutable total = 0.0
        for t in terms do
            total <- total + t.Sign * exp (t.LogMagnitude + t.Rate * x - top)
        total

    /// The root of the (single-signed-change) sum in [a, b], where its values have opposite signs: the Illinois
    /// variant of regula falsi, which keeps the bracket and converges superlinearly.
    let private solve (terms: Term[]) (a0: float) (b0: float) =
        let mutable a = a0
        let mutable b = b0
        let mutable fa = scaledValue terms a
        let mutable fb = scaledValue terms b
        let mutable side = 0
        let mutable iteration = 0
        let mutable result = nan
        while System.Double.IsNaN result do
            iteration <- iteration + 1
            let width = b - a
            if fa = 0.0 then result <- a
            elif fb = 0.0 then result <- b
            elif width <= 4.0 * System.Double.Epsilon + 1e-15 * (abs a + abs b) || iteration > 200 then result <- 0.5 * (a + b)
            else
                let secant = (a * fb - b * fa) / (fb - fa)
                // Fall back to bisection when the secant point leaves the bracket or every 8th step.
                let c = if secant > a && secant < b && iteration % 8 <> 0 then secant else 0.5 * (a + b)
                let fc = scaledValue terms c
                if fc = 0.0 then result <- c
                elif sign fc = sign fb then
                    b <- c
                    fb <- fc
                    if side = -1 then fa <- 0.5 * fa
                    side <- -1
                else
                    a <- c
                    fa <- fc
                    if side = 1 then fb <- 0.5 * fb
                    side <- 1
        result

    /// A point below `limit` (above it for `direction` = 1) where the sum has sign `target`, found by doubling
    /// steps; None when none is found within 2⁶⁰ (the zero lies beyond any representable mass).
    let private reach (terms: Term[]) (limit: float) (direction: float) (target: float) =
        let mutable step = 1.0
        let mutable found = None
        let mutable tries = 0
        while found.IsNone && tries < 60 do
            let x = limit + direction * step
            if sign (scaledValue terms x) = int target then found <- Some x
            step <- 2.0 * step
            tries <- tries + 1
        found

    /// Every real zero of the exponential sum (terms sorted by rate, rates distinct, signs ±1), ascending.
    let rec private zeros (terms: Term[]) : float[] =
        match terms.Length with
        | 0
        | 1 -> [||]
        | 2 ->
            let t1, t2 = terms[0], terms[1]
            if t1.Sign = t2.Sign then [||] else [| (t1.LogMagnitude - t2.LogMagnitude) / (t2.Rate - t1.Rate) |]
        | n ->
            // d/dx [sum · e^{−rate₀ x}] = Σ_{j≥1} c_j (rate_j − rate₀) e^{(rate_j − rate₀) x}.
            let first = terms[0]
            let derived =
                Array.init (n - 1) (fun j ->
                    let t = terms[j + 1]
                    { Rate = t.Rate - first.Rate; Sign = t.Sign; LogMagnitude = t.LogMagnitude + log (t.Rate - first.Rate) })
            let separators = zeros derived
            let lowSign = terms[0].Sign
            let highSign = terms[n - 1].Sign
            let signAt x = float (sign (scaledValue terms x))
            let found = ResizeArray<float>(n - 1)
            // Between consecutive separators the sum has at most one zero (it is monotone after dividing by
            // e^{rate₀ x}); the outer pieces reach ±∞, where the sign is that of the extreme-rate term.
            let m = separators.Length
            if m = 0 then
                if lowSign <> highSign then
                    match reach terms 0.0 -1.0 lowSign, reach terms 0.0 1.0 highSign with
                    | Some a, Some b -> found.Add(solve terms a b)
                    | _ -> ()
            else
                let q = separators[0]
                let sq = signAt q
                if sq <> 0.0 && sq <> lowSign then reach terms q -1.0 lowSign |> Option.iter (fun x -> found.Add(solve terms x q))
                for i in 0 .. m - 1 do
                    let p = separators[i]
                    let sp = signAt p
                    if sp = 0.0 then found.Add p
                    elif i + 1 < m then
                        let q = separators[i + 1]
                        let sq = signAt q
                        if sq <> 0.0 && sp <> sq then found.Add(solve terms p q)
                    elif sp <> highSign then reach terms p 1.0 highSign |> Option.iter (fun x -> found.Add(solve terms p x))
            let result = found.ToArray()
            System.Array.Sort result
            result

    /// The exponential sum whose zeros are those of f = p_μ* − p_μ̂: +1 per true mean, −1 per generator mean at
    /// rate a with magnitude e^{−a²/2}; equal means merged, cancelled ones dropped.
    let private differenceTerms (trueMeans: float[]) (means: float[]) =
        let rates = Array.append trueMeans means
        let counts = Array.append (Array.create trueMeans.Length 1) (Array.create means.Length -1)
        System.Array.Sort(rates, counts)
        let terms = ResizeArray<Term>(rates.Length)
        let mutable i = 0
        while i < rates.Length do
            let mutable n = counts[i]
            let mutable j = i + 1
            while j < rates.Length && rates[j] = rates[i] do
                n <- n + counts[j]
                j <- j + 1
            if n <> 0 then
                let a = rates[i]
                terms.Add { Rate = a; Sign = float (sign n); LogMagnitude = log (float (abs n)) - 0.5 * a * a }
            i <- j
        terms.ToArray()

    /// The points where p_μ* − p_μ̂ changes sign, ascending (at most 2K − 1; none when μ̂ = μ* as a set).
    let crossings (trueMeans: float[]) (means: float[]) = zeros (differenceTerms trueMeans means)

    /// The components of {x : p_μ*(x) > p_μ̂(x)} as (low, high) pairs, ascending; ends may be ±∞.
    let positiveSet (trueMeans: float[]) (means: float[]) : (float * float)[] =
        let terms = differenceTerms trueMeans means
        if terms.Length = 0 then [||]
        else
            let roots = zeros terms
            let points = Array.zeroCreate (roots.Length + 2)
            points[0] <- System.Double.NegativeInfinity
            Array.blit roots 0 points 1 roots.Length
            points[points.Length - 1] <- System.Double.PositiveInfinity
            let positive (a: float) (b: float) =
                if System.Double.IsNegativeInfinity a then terms[0].Sign > 0.0
                elif System.Double.IsPositiveInfinity b then terms[terms.Length - 1].Sign > 0.0
                else TwoGaussianGame.density trueMeans (0.5 * (a + b)) > TwoGaussianGame.density means (0.5 * (a + b))
            // Adjacent positive pieces (a zero where f only touches 0) form one component.
            let merged = ResizeArray<float * float>(2)
            for i in 0 .. points.Length - 2 do
                let a, b = points[i], points[i + 1]
                if a < b && positive a b then
                    if merged.Count > 0 && snd merged[merged.Count - 1] = a then merged[merged.Count - 1] <- (fst merged[merged.Count - 1], b)
                    else merged.Add((a, b))
            merged.ToArray()

    /// The maximising endpoints [| l1; r1; …; lK; rK |]: the components of {p_μ* > p_μ̂}, then (if fewer than K)
    /// empty intervals [c, c] next to them (at the last finite endpoint, or at the mean of μ* when μ̂ = μ*).
    /// Should rounding ever yield more than K components, the K of largest mass ∫ f are kept.
    let endpoints (trueMeans: float[]) (means: float[]) : float[] =
        let k = trueMeans.Length
        let components = positiveSet trueMeans means
        let chosen =
            if components.Length <= k then components
            else
                components
                |> Array.sortByDescending (fun (a, b) -> TwoGaussianGame.mass trueMeans a b - TwoGaussianGame.mass means a b)
                |> Array.truncate k
                |> Array.sortBy fst
        let flat = chosen |> Array.collect (fun (a, b) -> [| a; b |])
        let missing = k - chosen.Length
        if chosen.Length = 0 then Array.create (2 * k) (Array.average trueMeans)
        elif System.Double.IsFinite flat[flat.Length - 1] then Array.append flat (Array.create (2 * missing) flat[flat.Length - 1])
        else
            // The last component reaches +∞, so the empty intervals go in front, at the first endpoint (finite:
            // {f > 0} is never the whole line, both densities having mass 1).
            Array.append (Array.create (2 * missing) flat[0]) flat

    /// max over discriminators of L(μ̂, l, r) = 1 + TV(p_μ*, p_μ̂).
    let value (trueMeans: float[]) (means: float[]) =
        TwoGaussianGame.loss trueMeans means (endpoints trueMeans means)
