module GanFlow.Tests.MmdTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples
open GanFlow.Tests.PointSamples

/// MMD² with a fixed bandwidth and no permutations (the laws are about the estimate).
let private mmd (h: float) (x: Points) (y: Points) = (Mmd.test 1 0 (Some h) x y).Mmd2

/// Two samples of at least two points, a grid offset and an exact rotation.
let private cases =
    gen {
        let! x, y = twoSamplesBetween 2 25
        let! shift = offset x.Dimension
        let! rotation = signedPermutation x.Dimension
        return x, y, shift, rotation
    }
    |> Arb.fromGen

[<Tests>]
let tests =
    testList "MMD²" [
        testList "laws" [
            testProperty "on identical samples the unbiased MMD² lies in [−2/n, 0], its null value 0 in expectation" (
                Prop.forAll cases (fun (x, _, _, _) ->
                    let v = mmd 1.5 x x
                    v <= 1e-12 && v >= -2.0 / float x.Count - 1e-12))
            testProperty "it is symmetric" (Prop.forAll cases (fun (x, y, _, _) -> close 1e-10 (mmd 1.5 x y) (mmd 1.5 y x)))
            testProperty "it does not depend on the order of the points" (
                Prop.forAll cases (fun (x, y, _, _) -> close 1e-10 (mmd 1.5 (reorder 1 x) (reorder 2 y)) (mmd 1.5 x y)))
            testProperty "a common translation or rotation leaves it unchanged" (
                Prop.forAll cases (fun (x, y, shift, rotation) ->
                    close 1e-10 (mmd 1.5 (Points.translate shift x) (Points.translate shift y)) (mmd 1.5 x y)
                    && close 1e-10 (mmd 1.5 (Points.transform rotation x) (Points.transform rotation y)) (mmd 1.5 x y)))
            testProperty "with the median bandwidth a common scale leaves it unchanged and scales the bandwidth" (
                Prop.forAll cases (fun (x, y, _, _) ->
                    let plain, scaled = Mmd.test 1 0 None x y, Mmd.test 1 0 None (Points.scale 4.0 x) (Points.scale 4.0 y)
                    close 1e-10 scaled.Mmd2 plain.Mmd2 && close 1e-12 scaled.Bandwidth (4.0 * plain.Bandwidth)))
            testProperty "moving one sample far away drives it to its largest value, the within-sample terms" (
                Prop.forAll cases (fun (x, _, _, _) ->
                    let far = Points.translate (Array.init x.Dimension (fun k -> if k = 0 then 1e4 else 0.0)) x
                    mmd 1.5 x far > mmd 1.5 x x && mmd 1.5 x far <= 2.0 + 1e-12))
            testProperty "the p-value lies in [1/(P+1), 1]" (
                Prop.forAll cases (fun (x, y, _, _) ->
                    let t = Mmd.test 3 19 None x y
                    t.PValue >= 1.0 / 20.0 - 1e-15 && t.PValue <= 1.0))
            test "the median heuristic is the median of the pooled pairwise distances" {
                let t = Mmd.test 1 0 None (Points.ofValues [| 0.0; 1.0 |]) (Points.ofValues [| 3.0; 3.0 |])
                // Pooled 0, 1, 3, 3: distances 1, 3, 3, 2, 2, 0 → sorted 0 1 2 2 3 3, median 2.
                Expect.floatClose Accuracy.veryHigh t.Bandwidth 2.0 "median"
            }
        ]
        testList "closed forms" [
            test "between two isotropic Gaussians it matches the Gaussian-kernel closed form" {
                for d, shift, s2, h in [ 1, 1.0, 1.0, 1.0; 2, 1.5, 1.0, 2.0; 5, 1.0, 1.5, 3.0 ] do
                    let x = gaussian 31 d 2_000 (Array.zeroCreate d) 1.0
                    let y = gaussian 32 d 2_000 (Array.init d (fun k -> if k = 0 then shift else 0.0)) s2
                    let expected = Mmd.betweenGaussians d shift 1.0 s2 h
                    let estimate = mmd h x y
                    Expect.isLessThan (abs (estimate - expected)) (0.1 * expected + 0.003) (sprintf "%d-D: %g vs %g" d estimate expected)
            }
            test "the closed form is zero for equal Gaussians" {
                Expect.floatClose Accuracy.veryHigh (Mmd.betweenGaussians 3 0.0 1.2 1.2 0.7) 0.0 "zero"
            }
            test "the permutation test rejects shifted Gaussians and keeps same-law samples" {
                let x = gaussian 41 2 500 [| 0.0; 0.0 |] 1.0
                Expect.isLessThan (Mmd.test 1 200 None x (gaussian 42 2 500 [| 1.0; 0.0 |] 1.0)).PValue 0.01 "shifted by one std"
                Expect.isGreaterThan (Mmd.test 1 200 None x (gaussian 43 2 500 [| 0.0; 0.0 |] 1.0)).PValue 0.01 "same law"
            }
            test "a NaN statistic has a NaN p-value, not the smallest one (no relabelling compares with it)" {
                // Points near 1e200 overflow the squared distances, so the median bandwidth and the kernel are not numbers.
                let huge = Points.create 2 ((gaussian 44 2 50 [| 0.0; 0.0 |] 1.0).Values |> Array.map ((*) 1e200))
                let t = Mmd.test 1 200 None huge huge
                Expect.isTrue (System.Double.IsNaN t.Mmd2) "the statistic overflowed"
                Expect.isTrue (System.Double.IsNaN t.PValue) "so has no p-value"
            }
        ]
    ]
