namespace GanFlow.Core.Datasets

open GanFlow.Core.Specs

/// Boundary checks for `Distribution` specs; every error names the field path and the value.
module DistributionValidation =

    let rec validate (path: string) distribution : SpecError list =
        match distribution with
        | Distribution.Uniform(low, high) ->
            Check.finite (path + ".low") low
            @ Check.finite (path + ".high") high
            @ (if System.Double.IsFinite low && System.Double.IsFinite high && low >= high then
                   Check.fail (path + ".high") high (sprintf "must be > low (%g)" low)
               else [])
        | Distribution.Gaussian(mean, std) -> Check.finite (path + ".mean") mean @ Check.positive (path + ".std") std
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
            Check.finite (path + ".location") location
            @ Check.positive (path + ".scale") scale
            @ validate (path + ".baseDistribution") inner
        | Distribution.TwoMoons noise -> Check.nonNegative (path + ".noise") noise
        | Distribution.IsotropicGaussian(mean, std) ->
            (if List.isEmpty mean then Check.fail (path + ".mean") "[]" "needs at least one coordinate" else [])
            @ (mean |> List.mapi (fun i m -> Check.finite (sprintf "%s.mean[%d]" path i) m) |> List.concat)
            @ Check.positive (path + ".std") std
