namespace GanFlow.Core.Datasets

open GanFlow.Core.Specs

/// Boundary checks for `Distribution` specs; every error names the field path and the value.
module DistributionValidation =

    /// The largest magnitude of a distribution's location or scale parameter. The models compute in float32, whose
    /// largest value is 3.4e38: beyond about 1.8e19 a value's square overflows, so a spread or loss over a batch of such
    /// data is Infinity (a moons noise of 1e300 started a run that then failed standardising its data).
    let maxMagnitude = 1e15

    /// The parameter is finite, within ±`maxMagnitude`, and (when `positive`) > 0.
    let private parameter (positive: bool) field (value: float) =
        if positive && not (System.Double.IsFinite value && value > 0.0) then Check.positive field value
        elif not (System.Double.IsFinite value) then Check.finite field value
        elif abs value > maxMagnitude then
            Check.fail field value (sprintf "must be at most %g in magnitude (the models compute in float32, where the square of a larger value overflows)" maxMagnitude)
        else []

    /// The largest magnitude of the range a location–scale family gives its base distribution (`Densities.range`: a
    /// Gaussian's ±5.5 std): each parameter within `maxMagnitude` can still spread beyond it when nested (a scale of
    /// 1e15 over a base of std 1e15); squares up to 1e34 and their sums over a batch stay finite in float32.
    let maxSpread = 1e17

    let private finiteWithin field value = parameter false field value
    let private positiveWithin field value = parameter true field value

    let rec validate (path: string) distribution : SpecError list =
        match distribution with
        | Distribution.Uniform(low, high) ->
            finiteWithin (path + ".low") low
            @ finiteWithin (path + ".high") high
            @ (if System.Double.IsFinite low && System.Double.IsFinite high && low >= high then
                   Check.fail (path + ".high") high (sprintf "must be > low (%g)" low)
               else [])
        | Distribution.Gaussian(mean, std) -> finiteWithin (path + ".mean") mean @ positiveWithin (path + ".std") std
        | Distribution.Mixture [] -> Check.fail (path + ".components") "[]" "a mixture needs at least one component"
        | Distribution.Mixture components ->
            let dims = components |> List.map (fun c -> Densities.dimension c.Distribution) |> List.distinct
            let dimensionErrors =
                if dims.Length > 1 then
                    Check.fail (path + ".components") (sprintf "dimensions %A" dims) "all components must have one dimension"
                else []
            dimensionErrors
            @ (components
               |> List.mapi (fun i c ->
                   let at = sprintf "%s.components[%d]" path i
                   Check.positive (at + ".weight") c.Weight @ validate (at + ".distribution") c.Distribution)
               |> List.concat)
        | Distribution.LocationScale(location, scale, inner) ->
            let own = finiteWithin (path + ".location") location @ positiveWithin (path + ".scale") scale @ validate (path + ".baseDistribution") inner
            // Each part within the bound can still spread beyond it (a scale of 1e15 over a base of spread 1e15).
            if not own.IsEmpty || Densities.dimension inner <> 1 then own
            else
                let low, high = Densities.range distribution
                if max (abs low) (abs high) <= maxSpread then []
                else
                    Check.fail (path + ".scale") scale
                        (sprintf "spreads the base distribution over [%g, %g], beyond %g in magnitude (the models compute in float32, where the square of a larger value overflows)" low high maxSpread)
        | Distribution.TwoMoons noise ->
            (match Check.nonNegative (path + ".noise") noise with
             | [] -> finiteWithin (path + ".noise") noise
             | errors -> errors)
        | Distribution.IsotropicGaussian(mean, std) ->
            (if List.isEmpty mean then Check.fail (path + ".mean") "[]" "needs at least one coordinate" else [])
            @ (mean |> List.mapi (fun i m -> finiteWithin (sprintf "%s.mean[%d]" path i) m) |> List.concat)
            @ positiveWithin (path + ".std") std
