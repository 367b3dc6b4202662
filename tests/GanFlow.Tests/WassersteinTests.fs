module GanFlow.Tests.WassersteinTests

open Expecto
open FsCheck.FSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples

/// ∫₀¹ |F⁻¹_X(u) − F⁻¹_Y(u)| du from the two empirical quantile functions, exactly: both are
/// constant between consecutive breakpoints of {i/n} ∪ {j/m}, so each piece is evaluated at its
/// midpoint. Independent of the cdf-based implementation under test.
let quantileIntegral (x: float[]) (y: float[]) =
    let xs, ys = Array.sort x, Array.sort y
    let n, m = xs.Length, ys.Length
    let breaks =
        Array.append (Array.init (n + 1) (fun i -> float i / float n)) (Array.init (m + 1) (fun j -> float j / float m))
        |> Array.sort
    let quantile (sorted: float[]) (u: float) = sorted[min (sorted.Length - 1) (int (floor (u * float sorted.Length)))]
    breaks
    |> Array.pairwise
    |> Array.sumBy (fun (a, b) ->
        if b <= a then 0.0
        else let u = 0.5 * (a + b) in (b - a) * abs (quantile xs u - quantile ys u))

/// Points at the (k + ½)/N quantiles of a distribution: W1 from them to it is below 1/(2N)
/// wherever its quantile function has slope ≤ 2, as for the two uniform mixtures used here.
let private quantileGrid (quantile: float -> float) (count: int) = Array.init count (fun k -> quantile ((float k + 0.5) / float count))

/// U(0,1) and the mixture ½U(0,1) + ½U(2,3), whose cdf is flat at ½ on [1, 2], with their quantiles.
let private uniforms =
    [ "U(0,1)", Distribution.Uniform(0.0, 1.0), id
      "½U(0,1) + ½U(2,3)",
      Distribution.Mixture [ { Weight = 1.0; Distribution = Distribution.Uniform(0.0, 1.0) }; { Weight = 1.0; Distribution = Distribution.Uniform(2.0, 3.0) } ],
      (fun u -> if u < 0.5 then 2.0 * u else 2.0 + 2.0 * (u - 0.5)) ]

let private sampleOf seed distribution count = Sampling.sample (System.Random seed) distribution count

[<Tests>]
let tests =
    testList "Wasserstein-1" [
        testList "laws" [
            testProperty "w1 of a sample with itself is zero" (Prop.forAll oneSample (fun x -> Wasserstein.w1 x x = 0.0))
            testProperty "w1 is symmetric" (Prop.forAll twoSamples (fun (x, y) -> close 1e-12 (Wasserstein.w1 x y) (Wasserstein.w1 y x)))
            testProperty "w1 is non-negative" (Prop.forAll twoSamples (fun (x, y) -> Wasserstein.w1 x y >= 0.0))
            testProperty "translating one sample by c moves it by |c|" (
                Prop.forAll (Arb.fromGen (Gen.zip sample value)) (fun (x, c) ->
                    close 1e-9 (Wasserstein.w1 x (Array.map ((+) c) x)) (abs c)))
            testProperty "w1 does not depend on the order of the values" (
                Prop.forAll (Arb.fromGen (Gen.zip3 sample sample (Gen.choose (0, 1000)))) (fun (x, y, seed) ->
                    close 1e-12 (Wasserstein.w1 (shuffled seed x) (shuffled (seed + 1) y)) (Wasserstein.w1 x y)))
            testProperty "for equal sizes w1 is the mean gap between sorted values" (
                Prop.forAll (Arb.fromGen (gen {
                    let! n = Gen.choose (1, 30)
                    let! x = Gen.arrayOfLength n value
                    let! y = Gen.arrayOfLength n value
                    return x, y })) (fun (x, y) ->
                    let expected = Array.map2 (fun a b -> abs (a - b)) (Array.sort x) (Array.sort y) |> Array.average
                    close 1e-9 (Wasserstein.w1 x y) expected))
            testProperty "w1 equals the integral of the gap between the empirical quantile functions" (
                Prop.forAll twoSamples (fun (x, y) -> close 1e-9 (Wasserstein.w1 x y) (quantileIntegral x y)))
            for name, distribution, quantile in uniforms do
                let grid = quantileGrid quantile 20_000
                testProperty (sprintf "w1 to %s equals w1 to a fine quantile grid of it" name) (
                    Prop.forAll (Arb.fromGen (Gen.map (Array.map (fun v -> v / 50.0)) sample)) (fun x ->
                        abs (Wasserstein.w1ToDistribution x distribution - Wasserstein.w1 x grid) <= 1.0 / 40_000.0 + 1e-9))
        ]
        testList "closed forms" [
            test "w1 between U(0,1) and U(0,2) samples is near 0.5" {
                let x = sampleOf 11 (Distribution.Uniform(0.0, 1.0)) 100_000
                let y = sampleOf 12 (Distribution.Uniform(0.0, 2.0)) 100_000
                // The estimator's sampling error is of order 1/√n ≈ 0.003.
                Expect.floatClose { absolute = 0.01; relative = 0.0 } (Wasserstein.w1 x y) 0.5 "exact value ∫|x − x/2| + ∫(1 − x/2) = 0.5"
            }
            test "w1 between N(0,1) and N(0,2²) samples is near sqrt(2/pi)" {
                let x = sampleOf 21 (Distribution.Gaussian(0.0, 1.0)) 100_000
                let y = sampleOf 22 (Distribution.Gaussian(0.0, 2.0)) 100_000
                // Quantiles differ by Φ⁻¹(u), so W1 = E|Z| = √(2/π) ≈ 0.798; sampling error ≈ 0.005.
                Expect.floatClose { absolute = 0.02; relative = 0.0 } (Wasserstein.w1 x y) (sqrt (2.0 / System.Math.PI)) "E|Z|"
            }
            test "w1 from a point at 0 to U(0,1) is exactly 0.5" {
                Expect.floatClose Accuracy.veryHigh (Wasserstein.w1ToDistribution [| 0.0 |] (Distribution.Uniform(0.0, 1.0))) 0.5 "E|U|"
            }
            test "w1 from the points 0 and 1 to U(0,1) is exactly 0.25" {
                Expect.floatClose Accuracy.veryHigh (Wasserstein.w1ToDistribution [| 1.0; 0.0 |] (Distribution.Uniform(0.0, 1.0))) 0.25 "∫|½ − t| dt"
            }
            test "w1 from a point at 0 to N(0,1) is exactly sqrt(2/pi)" {
                Expect.floatClose Accuracy.veryHigh (Wasserstein.w1ToDistribution [| 0.0 |] (Distribution.Gaussian(0.0, 1.0))) (sqrt (2.0 / System.Math.PI)) "E|Z|"
            }
            test "w1 from a point at 3 to a point mass-like narrow N(1, 1e-6) is 2" {
                Expect.floatClose { absolute = 1e-5; relative = 0.0 } (Wasserstein.w1ToDistribution [| 3.0 |] (Distribution.Gaussian(1.0, 1e-6))) 2.0 "distance between the points"
            }
            test "w1 of a big sample to its own distribution is near zero and agrees with w1 to a second sample" {
                for name, distribution in [ "N(0,1)", Distribution.Gaussian(0.0, 1.0); "unimodal", NamedDatasets.unimodal ] do
                    let x = sampleOf 31 distribution 100_000
                    let y = sampleOf 32 distribution 100_000
                    let exact = Wasserstein.w1ToDistribution x distribution
                    Expect.isLessThan exact 0.01 (sprintf "%s: W1 to the distribution (expected of order 1/√n)" name)
                    Expect.floatClose { absolute = 0.01; relative = 0.0 } (Wasserstein.w1 x y) exact (sprintf "%s: both estimates near zero" name)
            }
            test "w1 to a distribution matches w1 to a huge sample of it on a multimodal mixture" {
                let x = sampleOf 41 NamedDatasets.multimodal 2_000
                let reference = sampleOf 42 NamedDatasets.multimodal 400_000
                // The reference sample's own error (≈ 0.03 for this 80-wide mixture) bounds the agreement.
                Expect.floatClose { absolute = 0.1; relative = 0.0 } (Wasserstein.w1 x reference) (Wasserstein.w1ToDistribution x NamedDatasets.multimodal) "two routes to the same W1"
            }
        ]
    ]
