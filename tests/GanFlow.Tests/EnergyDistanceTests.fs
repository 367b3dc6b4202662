module GanFlow.Tests.EnergyDistanceTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples

/// The definition 2·E|X − Y| − E|X − X'| − E|Y − Y'| over all pairs, O(n²), written out here.
let bruteForce (x: float[]) (y: float[]) =
    let meanGap (a: float[]) (b: float[]) = Array.allPairs a b |> Array.averageBy (fun (u, v) -> abs (u - v))
    2.0 * meanGap x y - meanGap x x - meanGap y y

/// Two samples of 2-D points (row-major), 1 to 12 rows each.
let private twoPlanarSamples =
    let rows = gen {
        let! n = Gen.choose (1, 12)
        return! Gen.arrayOfLength (2 * n) value }
    Arb.fromGen (Gen.zip rows rows)

[<Tests>]
let tests =
    testList "energy distance" [
        testList "laws" [
            testProperty "energy distance of a sample with itself is zero" (Prop.forAll oneSample (fun x -> EnergyDistance.energyDistance x x = 0.0))
            testProperty "energy distance is symmetric" (
                Prop.forAll twoSamples (fun (x, y) -> close 1e-12 (EnergyDistance.energyDistance x y) (EnergyDistance.energyDistance y x)))
            testProperty "energy distance is non-negative" (Prop.forAll twoSamples (fun (x, y) -> EnergyDistance.energyDistance x y >= 0.0))
            testProperty "the O(n log n) 1-D energy distance equals the brute-force definition" (
                Prop.forAll twoSamples (fun (x, y) -> close 1e-9 (EnergyDistance.energyDistance x y) (bruteForce x y)))
            testProperty "the d-dimensional version on one column equals the 1-D version" (
                Prop.forAll twoSamples (fun (x, y) -> close 1e-9 (EnergyDistance.energyDistanceNd 1 x y) (EnergyDistance.energyDistance x y)))
            testProperty "energy distance grows as one sample is shifted further away" (
                Prop.forAll (Arb.fromGen (Gen.zip3 sample (Gen.choose (0, 1000)) (Gen.choose (1, 1000)))) (fun (x, a, step) ->
                    let near, far = float a / 100.0, float (a + step) / 100.0
                    let shifted c = Array.map ((+) c) x
                    EnergyDistance.energyDistance x (shifted near) < EnergyDistance.energyDistance x (shifted far)))
            testProperty "the d-dimensional energy distance is symmetric and non-negative" (
                Prop.forAll twoPlanarSamples (fun (x, y) ->
                    let xy, yx = EnergyDistance.energyDistanceNd 2 x y, EnergyDistance.energyDistanceNd 2 y x
                    close 1e-12 xy yx && xy >= -1e-9))
            testProperty "the seed 003 statistic is zero on identical samples and non-negative otherwise" (
                Prop.forAll twoPlanarSamples (fun (x, y) ->
                    abs (EnergyDistance.energyStatistic 2 x x) <= 1e-9 && EnergyDistance.energyStatistic 2 x y >= -1e-9))
        ]
        testList "closed forms" [
            testProperty "between point masses a and b the energy distance is 2|a - b|" (
                Prop.forAll (Arb.fromGen (Gen.zip value value)) (fun (a, b) ->
                    close 1e-12 (EnergyDistance.energyDistance [| a |] [| b |]) (2.0 * abs (a - b))))
            test "between 2-D point masses the energy distance is twice their Euclidean distance" {
                Expect.floatClose Accuracy.veryHigh (EnergyDistance.energyDistanceNd 2 [| 0.0; 0.0 |] [| 3.0; 4.0 |]) 10.0 "2·5"
            }
            test "the seed 003 statistic between two points is sqrt(d² + 0.1) − sqrt(0.1)" {
                // n·m/(n + m) = ½; 2·C_XY − C_XX − C_YY = 2√(25.1) − 2√0.1.
                Expect.floatClose Accuracy.veryHigh (EnergyDistance.energyStatistic 2 [| 0.0; 0.0 |] [| 3.0; 4.0 |]) (sqrt 25.1 - sqrt 0.1) "closed form"
            }
            test "the seed 003 statistic scales with n·m/(n + m) on repeated points" {
                let x = Array.replicate 4 [| 0.0; 0.0 |] |> Array.concat
                let y = Array.replicate 4 [| 3.0; 4.0 |] |> Array.concat
                // Same pair costs as two single points, scaled by 4·4/8 = 2 instead of ½.
                Expect.floatClose Accuracy.veryHigh (EnergyDistance.energyStatistic 2 x y) (4.0 * (sqrt 25.1 - sqrt 0.1)) "closed form"
            }
            test "energy distance of two big samples of one distribution is near zero, of shifted ones near 2E|Z - Z' + 1| - 2E|Z - Z'|" {
                let draw rng shift = Array.init 100_000 (fun _ -> shift + GanFlow.Core.Datasets.Sampling.standardNormal rng)
                let rng = System.Random 5
                let x, y, shifted = draw rng 0.0, draw rng 0.0, draw rng 1.0
                // Sampling error of the estimate ≈ 0.004. Z − Z' ~ N(0, 2): E|N(μ, 2)| = 2φ(μ/√2)·√2 + μ(2Φ(μ/√2) − 1).
                let meanAbs mu =
                    let s = sqrt 2.0
                    2.0 * s * MathNet.Numerics.Distributions.Normal.PDF(0.0, 1.0, mu / s) + mu * (2.0 * MathNet.Numerics.Distributions.Normal.CDF(0.0, 1.0, mu / s) - 1.0)
                Expect.isLessThan (EnergyDistance.energyDistance x y) 1e-3 "same distribution"
                Expect.floatClose { absolute = 0.015; relative = 0.0 } (EnergyDistance.energyDistance x shifted) (2.0 * meanAbs 1.0 - 2.0 * meanAbs 0.0) "shift by 1"
            }
        ]
    ]
