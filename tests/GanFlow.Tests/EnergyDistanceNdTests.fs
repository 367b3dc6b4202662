module GanFlow.Tests.EnergyDistanceNdTests

open Expecto
open FsCheck
open FsCheck.FSharp
open MathNet.Numerics.Distributions
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples
open GanFlow.Tests.PointSamples

let private energy = EnergyDistance.ofPoints

/// Two samples of 2 to 4 dimensions (the blocked d-dimensional path), a grid offset and an exact rotation.
let private planar =
    gen {
        let! d = Gen.choose (2, 4)
        let! n = Gen.choose (1, 40)
        let! m = Gen.choose (1, 40)
        let! x = pointsOf d n
        let! y = pointsOf d m
        let! shift = offset d
        let! rotation = signedPermutation d
        return x, y, shift, rotation
    }
    |> Arb.fromGen

/// E|Z| for Z ~ N(m, s²): s·√(2/π)·exp(−m²/(2s²)) + m·(1 − 2Φ(−m/s)).
let private meanAbsolute (m: float) (s: float) = s * sqrt (2.0 / System.Math.PI) * exp (-m * m / (2.0 * s * s)) + m * (1.0 - 2.0 * Normal.CDF(0.0, 1.0, -m / s))

[<Tests>]
let tests =
    testList "energy distance in any dimension" [
        testList "laws" [
            testProperty "the energy distance of a sample with itself is exactly zero" (Prop.forAll planar (fun (x, _, _, _) -> energy x x = 0.0))
            testProperty "it is symmetric and non-negative" (
                Prop.forAll planar (fun (x, y, _, _) -> close 1e-12 (energy x y) (energy y x) && energy x y >= -1e-12))
            testProperty "it equals the brute-force definition over all pairs" (
                Prop.forAll planar (fun (x, y, _, _) -> close 1e-12 (energy x y) (EnergyDistance.energyDistanceNd x.Dimension x.Values y.Values)))
            testProperty "it does not depend on the order of the points" (
                Prop.forAll planar (fun (x, y, _, _) -> close 1e-12 (energy (reorder 5 x) (reorder 6 y)) (energy x y)))
            testProperty "a common translation or rotation leaves it unchanged" (
                Prop.forAll planar (fun (x, y, shift, rotation) ->
                    close 1e-12 (energy (Points.translate shift x) (Points.translate shift y)) (energy x y)
                    && close 1e-12 (energy (Points.transform rotation x) (Points.transform rotation y)) (energy x y)))
            testProperty "a common scale c multiplies it by c" (
                Prop.forAll planar (fun (x, y, _, _) -> close 1e-12 (energy (Points.scale 3.0 x) (Points.scale 3.0 y)) (3.0 * energy x y)))
            testProperty "it grows as one sample moves away from the other" (
                Prop.forAll planar (fun (x, _, shift, _) ->
                    shift |> Array.exists ((<>) 0.0)
                    ==> lazy (
                        let away (t: float) = energy x (Points.translate (shift |> Array.map ((*) t)) x)
                        away 1.0 < away 2.0 && away 2.0 < away 3.0)))
            testProperty "in 1-D it is the O(n log n) energy distance" (
                Prop.forAll twoSamples (fun (x, y) -> energy (Points.ofValues x) (Points.ofValues y) = EnergyDistance.energyDistance x y))
        ]
        testList "closed forms" [
            test "between 1-D Gaussians it is 2E|X−Y| − E|X−X'| − E|Y−Y'| in closed form" {
                for (m1, s1, m2, s2) in [ 0.0, 1.0, 1.0, 1.0; 0.0, 1.0, 0.0, 2.0; -1.0, 0.5, 2.0, 1.5 ] do
                    let x = gaussian 21 1 200_000 [| m1 |] s1
                    let y = gaussian 22 1 200_000 [| m2 |] s2
                    let expected =
                        2.0 * meanAbsolute (m1 - m2) (sqrt (s1 * s1 + s2 * s2)) - meanAbsolute 0.0 (sqrt 2.0 * s1) - meanAbsolute 0.0 (sqrt 2.0 * s2)
                    Expect.isLessThan (abs (energy x y - expected)) (0.01 + 0.02 * expected) (sprintf "N(%g, %g²) vs N(%g, %g²): %g vs %g" m1 s1 m2 s2 (energy x y) expected)
            }
            test "between 2-D point masses it is twice their distance" {
                Expect.floatClose Accuracy.veryHigh (energy (Points.create 2 [| 0.0; 0.0 |]) (Points.create 2 [| 3.0; 4.0 |])) 10.0 "2·5"
            }
        ]
    ]
