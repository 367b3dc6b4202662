module GanFlow.Tests.DatasetTests

open Expecto
open GanFlow.Core.Datasets
open GanFlow.Tests.Samples

/// The named 1-D datasets, with a grid step fine enough for their narrowest feature.
let private oneDimensional =
    [ "unimodal", NamedDatasets.unimodal, 1e-5
      "multimodal", NamedDatasets.multimodal, 1e-3
      "two-gaussians", NamedDatasets.twoGaussiansDefault, 1e-4 ]

let private pointsFor step (low: float) (high: float) = int (ceil ((high - low) / step)) + 1

/// Kolmogorov-Smirnov statistic sup_t |F̂_n(t) − F(t)| of a sample against a continuous cdf.
let ksStatistic (cdf: float -> float) (sample: float[]) =
    let sorted = Array.sort sample
    let n = float sorted.Length
    sorted |> Array.mapi (fun i x -> let f = cdf x in max (float (i + 1) / n - f) (f - float i / n)) |> Array.max

[<Tests>]
let tests =
    testList "datasets" [
        for name, distribution, step in oneDimensional do
            testList name [
                test (sprintf "the %s pdf integrates to one over its range" name) {
                    let low, high = Densities.range distribution
                    let integral = trapezoid (Densities.pdf distribution) low high (pointsFor step low high)
                    Expect.floatClose { absolute = 1e-3; relative = 0.0 } integral 1.0 "trapezoid on a fine grid"
                }
                test (sprintf "the %s cdf is the integral of its pdf" name) {
                    let low, high = Densities.range distribution
                    for p in [ 0.1; 0.3; 0.5; 0.77; 0.95 ] do
                        let t = low + p * (high - low)
                        let integral = trapezoid (Densities.pdf distribution) low t (pointsFor step low t)
                        Expect.floatClose { absolute = 1e-3; relative = 0.0 } (Densities.cdf distribution t) integral (sprintf "at %g" t)
                }
                test (sprintf "the integrated %s cdf is the integral of its cdf" name) {
                    let low, high = Densities.range distribution
                    for p in [ 0.2; 0.5; 1.0 ] do
                        let t = low + p * (high - low)
                        let integral = trapezoid (Densities.cdf distribution) low t (pointsFor (10.0 * step) low t)
                        let closedForm = Densities.integratedCdf distribution t - Densities.integratedCdf distribution low
                        Expect.floatClose { absolute = 1e-4; relative = 1e-6 } closedForm integral (sprintf "from the range's start to %g" t)
                }
                test (sprintf "seeded %s samples follow the cdf within the 1%% Kolmogorov-Smirnov bound" name) {
                    let n = 20_000
                    let sample = Sampling.sample (System.Random 17) distribution n
                    Expect.isLessThan (ksStatistic (Densities.cdf distribution) sample) (1.63 / sqrt (float n)) "sup |F̂ − F|"
                }
            ]
        test "the samplers are not all the same: the KS bound catches a wrong distribution" {
            let sample = Sampling.sample (System.Random 17) NamedDatasets.unimodal 20_000
            let shifted = Array.map ((+) 0.05) sample
            Expect.isGreaterThan (ksStatistic (Densities.cdf NamedDatasets.unimodal) shifted) (1.63 / sqrt 20_000.0) "a shift of half a σ"
        }
        test "the same seed gives the same samples and another seed other samples" {
            for name, distribution in NamedDatasets.all do
                let draw seed = Sampling.sample (System.Random seed) distribution 1_000
                Expect.sequenceEqual (draw 3) (draw 3) (sprintf "%s, seed 3 twice" name)
                Expect.isFalse (draw 3 = draw 4) (sprintf "%s, seeds 3 and 4" name)
        }
        test "noise-free moons lie exactly on their two half circles" {
            let points = Sampling.sample (System.Random 5) (Distribution.TwoMoons 0.0) 2_000 |> Array.chunkBySize 2
            let onOuter (p: float[]) = abs (p[0] * p[0] + p[1] * p[1] - 1.0) < 1e-12 && p[1] >= 0.0
            let onInner (p: float[]) =
                abs ((1.0 - p[0]) * (1.0 - p[0]) + (0.5 - p[1]) * (0.5 - p[1]) - 1.0) < 1e-12 && p[1] <= 0.5
            Expect.all points (fun p -> onOuter p || onInner p) "every point on one of the half circles"
            let outer = points |> Array.filter onOuter |> Array.length
            Expect.isTrue (outer > 900 && outer < 1_100) (sprintf "about half on the outer moon (%d of 2,000)" outer)
        }
        test "noisy moons lie near their two half circles" {
            let noise = 0.05
            let points = Sampling.sample (System.Random 6) (Distribution.TwoMoons noise) 2_000 |> Array.chunkBySize 2
            let gap (p: float[]) =
                let outer = abs (sqrt (p[0] * p[0] + p[1] * p[1]) - 1.0)
                let inner = abs (sqrt ((1.0 - p[0]) * (1.0 - p[0]) + (0.5 - p[1]) * (0.5 - p[1])) - 1.0)
                min outer inner
            Expect.all points (fun p -> gap p < 6.0 * noise) "within 6σ of a circle"
            let meanGap = points |> Array.averageBy gap
            Expect.isLessThan meanGap noise "typical distance below σ"
            Expect.isGreaterThan meanGap (0.2 * noise) "but the noise is there"
        }
        test "every named dataset is a valid spec" {
            for name, distribution in NamedDatasets.all do
                Expect.isEmpty (DistributionValidation.validate "dataset" distribution) name
        }
        test "a location or scale whose square overflows float32 is refused before a run starts, naming the field" {
            let fields distribution = DistributionValidation.validate "data" distribution |> List.map (fun e -> e.Field, e.Reason)
            let tooLarge = "must be at most 1e+15 in magnitude (the models compute in float32, where the square of a larger value overflows)"
            Expect.equal (fields (Distribution.TwoMoons 1e300)) [ "data.noise", tooLarge ] "a moons noise of 1e300"
            Expect.equal (fields (Distribution.TwoMoons -1.0)) [ "data.noise", "must be finite and >= 0" ] "a negative noise, said once"
            Expect.equal (fields (Distribution.Gaussian(-2e15, 1.0))) [ "data.mean", tooLarge ] "a mean, negative too"
            Expect.equal (fields (Distribution.IsotropicGaussian([ 0.0; 1.0 ], 1e16))) [ "data.std", tooLarge ] "a spread"
            Expect.equal (fields (Distribution.Uniform(0.0, infinity))) [ "data.high", "must be a finite number" ] "an infinite bound, said once"
            Expect.isEmpty (fields (Distribution.LocationScale(0.0, 1e15, Distribution.Uniform(-100.0, 100.0)))) "a spread of 1e17, the bound itself, is allowed"
            Expect.isEmpty (fields (Distribution.Gaussian(0.0, 1e15))) "a Gaussian of std 1e15 (range ±5.5e15)"
            match fields (Distribution.LocationScale(0.0, 1e15, Distribution.Gaussian(0.0, 1e15))) with
            | [ field, reason ] ->
                Expect.equal field "data.scale" "the nested spread blamed on the scale"
                Expect.stringContains reason "spreads the base distribution over" "said"
            | other -> failtestf "a scale of 1e15 over a spread of 1e15 (1e30) is refused once, not %A" other
        }
    ]
