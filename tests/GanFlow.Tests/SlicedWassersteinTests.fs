module GanFlow.Tests.SlicedWassersteinTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples
open GanFlow.Tests.PointSamples

let private sw (x: Points) (y: Points) = SlicedWasserstein.estimate 7 200 x y

/// Two samples with a grid offset and an exact rotation of their dimension.
let private withMoves =
    gen {
        let! x, y = twoSamplesBetween 1 20
        let! shift = offset x.Dimension
        let! rotation = signedPermutation x.Dimension
        return x, y, shift, rotation
    }
    |> Arb.fromGen

/// E|⟨θ, e₁⟩| for θ uniform on the unit sphere of R^d: Γ(d/2) / (√π Γ((d+1)/2)).
let private meanAbsoluteCoordinate (d: int) =
    exp (MathNet.Numerics.SpecialFunctions.GammaLn(float d / 2.0) - MathNet.Numerics.SpecialFunctions.GammaLn(float (d + 1) / 2.0)) / sqrt System.Math.PI

[<Tests>]
let tests =
    testList "sliced W1" [
        testList "laws" [
            testProperty "sliced W1 of a sample with itself is zero" (
                Prop.forAll (Arb.fromGen (twoSamplesBetween 1 20)) (fun (x, _) -> (sw x x).Distance = 0.0))
            testProperty "sliced W1 is symmetric and non-negative" (
                Prop.forAll (Arb.fromGen (twoSamplesBetween 1 20)) (fun (x, y) ->
                    let xy, yx = (sw x y).Distance, (sw y x).Distance
                    close 1e-12 xy yx && xy >= 0.0))
            testProperty "sliced W1 does not depend on the order of the points" (
                Prop.forAll (Arb.fromGen (twoSamplesBetween 1 20)) (fun (x, y) -> sw (reorder 3 x) (reorder 4 y) = sw x y))
            testProperty "a common translation leaves sliced W1 unchanged" (
                Prop.forAll withMoves (fun (x, y, shift, _) -> close 1e-9 (sw (Points.translate shift x) (Points.translate shift y)).Distance (sw x y).Distance))
            testProperty "a common scale c multiplies sliced W1 and its error by c" (
                Prop.forAll (Arb.fromGen (twoSamplesBetween 1 20)) (fun (x, y) ->
                    let scaled, plain = sw (Points.scale 2.5 x) (Points.scale 2.5 y), sw x y
                    close 1e-9 scaled.Distance (2.5 * plain.Distance) && close 1e-9 scaled.StandardError (2.5 * plain.StandardError)))
            testProperty "a common rotation changes sliced W1 by Monte Carlo error only (its directions are a fixed draw)" (
                Prop.forAll withMoves (fun (x, y, _, rotation) ->
                    let turned, plain = sw (Points.transform rotation x) (Points.transform rotation y), sw x y
                    abs (turned.Distance - plain.Distance) <= 5.0 * (turned.StandardError + plain.StandardError) + 1e-9))
            testProperty "sliced W1 grows as one sample moves away from the other" (
                Prop.forAll withMoves (fun (x, _, shift, _) ->
                    shift |> Array.exists ((<>) 0.0)
                    ==> lazy (
                        let away (t: float) = sw x (Points.translate (shift |> Array.map ((*) t)) x)
                        (away 1.0).Distance < (away 2.0).Distance && (away 2.0).Distance < (away 3.0).Distance)))
            testProperty "in 1-D sliced W1 is W1, with no direction error" (
                Prop.forAll twoSamples (fun (x, y) ->
                    let s = sw (Points.ofValues x) (Points.ofValues y)
                    close 1e-12 s.Distance (Wasserstein.w1 x y) && s.StandardError = 0.0))
            test "one direction in more than one dimension has no spread to estimate the error from: NaN, not 0" {
                let x, y = gaussian 3 2 200 [| 0.0; 0.0 |] 1.0, gaussian 4 2 200 [| 1.0; 0.0 |] 1.0
                let one = SlicedWasserstein.estimate 7 1 x y
                Expect.isTrue (System.Double.IsNaN one.StandardError) "NaN with one direction"
                Expect.isTrue (System.Double.IsFinite one.Distance && one.Distance > 0.0) "the distance itself is its one projection's"
                Expect.isTrue (System.Double.IsFinite (SlicedWasserstein.estimate 7 2 x y).StandardError) "two directions give an error"
            }
            test "the directions are unit vectors and the same for the same seed" {
                let a = SlicedWasserstein.directions (System.Random 3) 5 100
                Expect.all a (fun v -> abs (Array.sumBy (fun c -> c * c) v - 1.0) < 1e-12) "unit length"
                Expect.equal a (SlicedWasserstein.directions (System.Random 3) 5 100) "seeded"
            }
        ]
        testList "closed forms" [
            test "between Gaussians of equal covariance sliced W1 is ‖Δ‖ · Γ(d/2)/(√π Γ((d+1)/2))" {
                for d in [ 2; 5 ] do
                    let delta = Array.init d (fun k -> if k = 0 then 2.0 else 0.0)
                    let x = gaussian 11 d 20_000 (Array.zeroCreate d) 1.0
                    let y = gaussian 12 d 20_000 delta 1.0
                    let s = SlicedWasserstein.estimate 1 1_000 x y
                    let expected = 2.0 * meanAbsoluteCoordinate d
                    Expect.isLessThan (abs (s.Distance - expected)) (0.03 * expected) (sprintf "%d-D: %g vs %g" d s.Distance expected)
                    Expect.isLessThan s.StandardError (0.05 * expected) "the direction error is small"
            }
            test "Γ(d/2)/(√π Γ((d+1)/2)) is 2/π in 2-D and 1/2 in 3-D" {
                Expect.floatClose Accuracy.veryHigh (meanAbsoluteCoordinate 2) (2.0 / System.Math.PI) "2-D"
                Expect.floatClose Accuracy.veryHigh (meanAbsoluteCoordinate 3) 0.5 "3-D"
            }
        ]
    ]
