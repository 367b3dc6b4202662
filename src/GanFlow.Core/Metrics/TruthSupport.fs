namespace GanFlow.Core.Metrics

open GanFlow.Core.Datasets
open MathNet.Numerics.Distributions

/// The effective support of a declared distribution in any dimension: where all but a negligible tail of its mass
/// lies. In 1-D it is `ModeCoverage.support` (a uniform's interval, a Gaussian's mean ± 5.5 std); in d dimensions an
/// isotropic Gaussian's is the ball holding the same share (radius σ·√(χ²_d quantile of 1 − 3.8e-8)), a mixture's the
/// union of its components', and the two moons' the points within that radius (with σ = the noise) of the two arcs.
module TruthSupport =

    /// Mass a Gaussian leaves outside its effective support: 2·Φ(−5.5) ≈ 3.8e-8, as in 1-D.
    let tailMass = 2.0 * Normal.CDF(0.0, 1.0, -5.5)

    /// The effective support's radius, in standard deviations, of an isotropic Gaussian in `dimension` dimensions.
    let radius (dimension: int) =
        if dimension = 1 then 5.5 else sqrt (ChiSquared.InvCDF(float dimension, 1.0 - tailMass))

    /// Distance from (x, y) to the arc of the circle of radius 1 around (cx, cy) between the angles `from` and `from + π`.
    let private arcDistance (cx: float) (cy: float) (from: float) (x: float) (y: float) =
        let dx, dy = x - cx, y - cy
        let angle = atan2 dy dx
        // Angle relative to the arc's start, in [0, 2π).
        let relative = ((angle - from) % (2.0 * System.Math.PI) + 2.0 * System.Math.PI) % (2.0 * System.Math.PI)
        if relative <= System.Math.PI then abs (sqrt (dx * dx + dy * dy) - 1.0)
        else
            let ends = [ cx + cos from, cy + sin from; cx - cos from, cy - sin from ]
            ends |> List.map (fun (ex, ey) -> sqrt ((x - ex) ** 2.0 + (y - ey) ** 2.0)) |> List.min

    /// Whether a point (its coordinates) lies in the effective support of `distribution`; the support is worked out
    /// once, then the returned function tests points.
    let rec membership (distribution: Distribution) : float[] -> bool =
        match distribution with
        | d when Densities.dimension d = 1 ->
            let intervals = ModeCoverage.support d
            fun x -> intervals |> Array.exists (fun (low, high) -> x[0] >= low && x[0] <= high)
        | Distribution.IsotropicGaussian(mean, std) ->
            let centre = Array.ofList mean
            let limit = (std * radius centre.Length) ** 2.0
            fun x -> Array.fold2 (fun s a b -> s + (a - b) * (a - b)) 0.0 x centre <= limit
        | Distribution.Mixture components ->
            let members = components |> List.map (fun c -> membership c.Distribution) |> Array.ofList
            fun x -> members |> Array.exists (fun inside -> inside x)
        | Distribution.LocationScale(location, scale, inner) ->
            let inside = membership inner
            fun x -> inside (x |> Array.map (fun v -> (v - location) / scale))
        | Distribution.TwoMoons noise ->
            // Outer moon: the upper half of the unit circle around (0, 0); inner moon: the lower half of the one around (1, ½).
            let reach = max (noise * radius 2) 1e-9
            fun x -> min (arcDistance 0.0 0.0 0.0 x[0] x[1]) (arcDistance 1.0 0.5 System.Math.PI x[0] x[1]) <= reach
        | other -> invalidArg "distribution" (sprintf "no effective support for %A" other)

    /// The share of `points` outside the effective support of `distribution` (in 1-D, `ModeCoverage.massOutsideSupport`).
    let massOutside (distribution: Distribution) (points: Points) =
        let inside = membership distribution
        let outside = Seq.init points.Count (fun i -> if inside (Points.row points i) then 0 else 1) |> Seq.sum
        float outside / float points.Count
