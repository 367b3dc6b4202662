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
/// zero in an interval where the sum is monotone, and there a bracketing solve converges. Every term is evaluated
/// about its own mean, from x − a_j (`Term`), so that means any distance apart (10¹² included) keep their signs.
module OptimalDiscriminator =

    /// One term of an exponential sum written about its own centre: sign · e^{LogWeight} · e^{−(x − Centre)²/2} equals the
    /// term sign · e^{LogWeight − Centre²/2} · e^{Centre·x} divided by e^{x²/2}, a positive factor common to every term,
    /// so a sum of such terms has the sum's zeros and signs. The rate is the centre (up to a shift common to a sum's
    /// terms). Written so, a term is evaluated from x − Centre: expanding −Centre²/2 + Centre·x instead cancels two
    /// numbers of size Centre²/2 (5e11 at a mean of 10⁶, 1e18 at 1.4·10⁹), which lost the sign of the sum between
    /// means far apart.
    [<Struct>]
    type private Term = { Centre: float; Sign: float; LogWeight: float }

    /// The doubles' relative spacing at 1, 2⁻⁵² (`System.Double.Epsilon` is the smallest subnormal, not this).
    let private unitRoundoff = 2.220446049250313e-16

    /// A term's log-magnitude at x, up to the common factor.
    let inline private logMagnitude (t: Term) (x: float) = t.LogWeight - 0.5 * (x - t.Centre) * (x - t.Centre)

    /// The sum at x over the common factor, divided by its largest term's magnitude: same sign as the sum, never
    /// overflowing.
    let private scaledValue (terms: Term[]) (x: float) =
        let mutable top = System.Double.NegativeInfinity
        for t in terms do
            top <- max top (logMagnitude t x)
        let mutable total = 0.0
        for t in terms do
            total <- total + t.Sign * exp (logMagnitude t x - top)
        total

    /// Whether the sum's sign at a separator x is beyond doubt: |scaledValue| above a bound of its rounding error (each
    /// scaled term's exponent, logMagnitude − top, carries a few ulps of |logMagnitude| + |top|) plus what moving x by
    /// 64 of its ulps could change (a separator is itself a solved zero, good to about that; a scaled term's slope is
    /// −(x − Centre) times it).
    let private clearSign (terms: Term[]) (x: float) =
        let mutable top = System.Double.NegativeInfinity
        for t in terms do
            top <- max top (logMagnitude t x)
        let mutable total = 0.0
        let mutable rounding = 0.0
        let mutable slope = 0.0
        for t in terms do
            let m = logMagnitude t x
            let v = exp (m - top)
            total <- total + t.Sign * v
            rounding <- rounding + v * (1.0 + abs m + abs top)
            slope <- slope + v * abs (x - t.Centre)
        abs total > unitRoundoff * (8.0 * rounding + 64.0 * (1.0 + abs x) * slope)

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

    /// Every real zero of the exponential sum (terms sorted by centre, centres distinct, signs ±1), ascending.
    let rec private zeros (terms: Term[]) : float[] =
        match terms.Length with
        | 0
        | 1 -> [||]
        | 2 ->
            // LogWeight₁ − (x − c₁)²/2 = LogWeight₂ − (x − c₂)²/2, solved without squaring the centres.
            let t1, t2 = terms[0], terms[1]
            if t1.Sign = t2.Sign then [||] else [| 0.5 * (t1.Centre + t2.Centre) + (t2.LogWeight - t1.LogWeight) / (t1.Centre - t2.Centre) |]
        | n ->
            // d/dx [sum · e^{−rate₀ x}] = Σ_{j≥1} c_j (rate_j − rate₀) e^{(rate_j − rate₀) x}: each term's weight times
            // its centre's distance from the first, over a new common positive factor.
            let first = terms[0]
            let derived = Array.init (n - 1) (fun j -> let t = terms[j + 1] in { t with LogWeight = t.LogWeight + log (t.Centre - first.Centre) })
            // Between consecutive zeros of the derivative (separators) the sum has at most one zero (it is monotone
            // after dividing by e^{rate₀ x}), and so between consecutive points of any finer set. Where the sign at a
            // separator is within rounding (a zero lying closer to it than the doubles resolve: means far apart put
            // them 1e-10 apart at 2.5e11), the centres and their midpoints are added, so that each zero is still
            // found from signs read where they are clear. The outer pieces reach ±∞, where the sign is that of the
            // extreme term.
            let separators = zeros derived
            let points =
                // No separator: the sum is monotone on the whole line, and one point splits it into the two outer pieces.
                if separators.Length = 0 then [| first.Centre |]
                elif separators |> Array.forall (clearSign terms) then separators
                else
                    Array.concat [ separators; terms |> Array.map _.Centre; terms |> Array.pairwise |> Array.map (fun (a, b) -> 0.5 * (a.Centre + b.Centre)) ]
                    |> Array.filter System.Double.IsFinite
                    |> Array.sort
                    |> Array.distinct
            let found = ResizeArray<float>(n - 1)
            // The last point with a nonzero sign (None: −∞) and that sign; 0 after a point where the sum is 0 (a zero
            // itself, beside which a monotone piece has none).
            let mutable previous = None
            let mutable previousSign = first.Sign
            for x in points do
                let s = float (sign (scaledValue terms x))
                if s = 0.0 then
                    found.Add x
                    previous <- Some x
                    previousSign <- 0.0
                else
                    if previousSign <> 0.0 && s <> previousSign then
                        match previous with
                        | Some p -> found.Add(solve terms p x)
                        | None -> reach terms x -1.0 previousSign |> Option.iter (fun low -> found.Add(solve terms low x))
                    previous <- Some x
                    previousSign <- s
            let highSign = terms[n - 1].Sign
            match previous with
            | Some p when previousSign <> 0.0 && previousSign <> highSign -> reach terms p 1.0 highSign |> Option.iter (fun high -> found.Add(solve terms p high))
            | _ -> ()
            let result = found.ToArray()
            System.Array.Sort result
            result

    /// The exponential sum whose zeros are those of f = p_μ* − p_μ̂: +1 per true mean, −1 per generator mean, centred
    /// at the mean (φ(x − a) itself); equal means merged, cancelled ones dropped.
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
            if n <> 0 then terms.Add { Centre = rates[i]; Sign = float (sign n); LogWeight = log (float (abs n)) }
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
            // The sign between two zeros, read from the exponential sum scaled by its largest term: the densities
            // themselves underflow to 0 = 0 between means thousands apart, which read as "not positive" lost the
            // whole positive set (TV 0 for disjoint supports).
            let positive (a: float) (b: float) =
                if System.Double.IsNegativeInfinity a then terms[0].Sign > 0.0
                elif System.Double.IsPositiveInfinity b then terms[terms.Length - 1].Sign > 0.0
                else scaledValue terms (0.5 * (a + b)) > 0.0
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
