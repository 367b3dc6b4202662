module GanFlow.Tests.ClassifierTwoSampleTests

open Expecto
open FsCheck
open FsCheck.FSharp
open MathNet.Numerics.Distributions
open GanFlow.Core.Metrics
open GanFlow.Tests.PointSamples

let private c2st (x: Points) (y: Points) = ClassifierTwoSample.test NeighbourSearches.exact 5 10_000 x y

let private cases =
    gen {
        let! x, y = twoSamplesBetween 2 40
        let! shift = offset x.Dimension
        let! rotation = signedPermutation x.Dimension
        return x, y, shift, rotation
    }
    |> Arb.fromGen

[<Tests>]
let tests =
    testList "classifier two-sample test" [
        testList "laws" [
            testProperty "the accuracy lies in [0, 1] and the p-value in (0, 1]" (
                Prop.forAll cases (fun (x, y, _, _) ->
                    let t = c2st x y
                    t.Accuracy >= 0.0 && t.Accuracy <= 1.0 && t.PValue > 0.0 && t.PValue <= 1.0))
            testProperty "a common translation, rotation or scale leaves the test unchanged" (
                Prop.forAll cases (fun (x, y, shift, rotation) ->
                    let t = c2st x y
                    c2st (Points.translate shift x) (Points.translate shift y) = t
                    && c2st (Points.transform rotation x) (Points.transform rotation y) = t
                    && c2st (Points.scale 2.0 x) (Points.scale 2.0 y) = t))
            testProperty "samples moved far apart are told apart every time" (
                Prop.forAll cases (fun (x, y, _, _) ->
                    let far = Points.translate (Array.init x.Dimension (fun k -> if k = 0 then 1e3 else 0.0)) y
                    (c2st x far).Accuracy = 1.0))
            testProperty "the p-value is the binomial tail P(Bin(t, ½) >= correct)" (
                Prop.forAll cases (fun (x, y, _, _) ->
                    let t = c2st x y
                    let correct = int (round (t.Accuracy * float t.TestPoints))
                    let tail = if correct = 0 then 1.0 else 1.0 - Binomial.CDF(0.5, t.TestPoints, float (correct - 1))
                    abs (t.PValue - tail) <= 1e-9))
            test "k is the largest odd number at most √(training points)" {
                Expect.equal (List.map ClassifierTwoSample.neighboursFor [ 1; 2; 4; 9; 16; 100; 10_000 ]) [ 1; 1; 1; 3; 3; 9; 99 ] "k"
            }
        ]
        testList "behaviour" [
            test "two samples of one law are not told apart; shifted Gaussians are" {
                let x = gaussian 61 2 4_000 [| 0.0; 0.0 |] 1.0
                let same = c2st x (gaussian 62 2 4_000 [| 0.0; 0.0 |] 1.0)
                Expect.isLessThan (abs (same.Accuracy - 0.5)) 0.04 (sprintf "accuracy %g" same.Accuracy)
                Expect.isGreaterThan same.PValue 0.001 "not rejected"
                let shifted = c2st x (gaussian 63 2 4_000 [| 1.0; 0.0 |] 1.0)
                Expect.isGreaterThan shifted.Accuracy 0.6 (sprintf "accuracy %g" shifted.Accuracy)
                Expect.isLessThan shifted.PValue 1e-6 "rejected"
            }
        ]
    ]
