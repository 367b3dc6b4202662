module GanFlow.Tests.DataCopyingTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples
open GanFlow.Tests.PointSamples

let private copying (train: Points) (heldOut: Points) (generated: Points) =
    DataCopying.test NeighbourSearches.exact 3 (DataCopying.defaultCells heldOut.Count) train heldOut generated

[<Tests>]
let tests =
    testList "data copying" [
        testList "Mann-Whitney Z" [
            testProperty "Z of a sample against itself is 0" (Prop.forAll oneSample (fun a -> abs (DataCopying.mannWhitneyZ a a) < 1e-12))
            testProperty "Z changes sign when the samples swap" (
                Prop.forAll twoSamples (fun (a, b) -> close 1e-12 (DataCopying.mannWhitneyZ a b) (-(DataCopying.mannWhitneyZ b a))))
            testProperty "Z does not depend on the order of the values" (
                Prop.forAll twoSamples (fun (a, b) -> close 1e-12 (DataCopying.mannWhitneyZ (shuffled 1 a) (shuffled 2 b)) (DataCopying.mannWhitneyZ a b)))
            testProperty "Z grows as the first sample moves up" (
                Prop.forAll twoSamples (fun (a, b) ->
                    let up (t: float) = DataCopying.mannWhitneyZ (a |> Array.map ((+) t)) b
                    up 0.0 <= up 1.0 && up 1.0 <= up 1e4 && up 1e4 > 0.0))
            test "Z of m values all above n values is (mn/2)/√(mn(m+n+1)/12)" {
                let m, n = 7.0, 5.0
                Expect.floatClose Accuracy.veryHigh (DataCopying.mannWhitneyZ (Array.init 7 (fun i -> 10.0 + float i)) (Array.init 5 float))
                    ((m * n / 2.0) / sqrt (m * n * (m + n + 1.0) / 12.0)) "closed form"
            }
        ]
        testList "the three-sample test" [
            test "copies of the training points are flagged: C_T far below 0, every sample closer than training" {
                let train = gaussian 71 2 2_000 [| 0.0; 0.0 |] 1.0
                let heldOut = gaussian 72 2 2_000 [| 0.0; 0.0 |] 1.0
                let t = copying train heldOut train
                Expect.isLessThan t.Z -10.0 (sprintf "C_T %g" t.Z)
                Expect.equal t.CloserThanTrain 1.0 "copies sit on training points"
            }
            test "fresh samples of the data's law are not flagged, and sit no closer than held-out data" {
                let train = gaussian 73 2 2_000 [| 0.0; 0.0 |] 1.0
                let heldOut = gaussian 74 2 2_000 [| 0.0; 0.0 |] 1.0
                let fresh = gaussian 75 2 2_000 [| 0.0; 0.0 |] 1.0
                let t = copying train heldOut fresh
                Expect.isLessThan (abs t.Z) 3.0 (sprintf "C_T %g" t.Z)
                let reference = (copying train fresh heldOut).CloserThanTrain
                Expect.isLessThan (abs (t.CloserThanTrain - reference)) 0.05 (sprintf "%g vs held-out %g" t.CloserThanTrain reference)
            }
            test "an overdispersed model is flagged as underfitting: C_T far above 0" {
                let train = gaussian 76 2 2_000 [| 0.0; 0.0 |] 1.0
                let heldOut = gaussian 77 2 2_000 [| 0.0; 0.0 |] 1.0
                Expect.isGreaterThan (copying train heldOut (gaussian 78 2 2_000 [| 0.0; 0.0 |] 2.0)).Z 3.0 "underfitting"
            }
            test "cells without enough model samples are not counted" {
                let train = gaussian 79 2 1_000 [| 0.0; 0.0 |] 1.0
                let heldOut = gaussian 80 2 1_000 [| 0.0; 0.0 |] 1.0
                let t = copying train heldOut (gaussian 81 2 10 [| 0.0; 0.0 |] 1.0)
                Expect.all t.Cells (fun c -> not c.Counted && System.Double.IsNaN c.Z) "10 samples fill no cell"
                Expect.isTrue (System.Double.IsNaN t.Z) "no C_T"
                Expect.equal (t.Cells |> Array.sumBy _.TestPoints) 1_000 "every held-out point has a cell"
            }
        ]
        testList "k-means" [
            test "k-means finds well-separated clusters" {
                let centres = [| -10.0; 0.0; 10.0 |]
                let points = Points.create 1 (Array.init 300 (fun i -> centres[i % 3] + 0.1 * float (i % 7 - 3)))
                let fitted = KMeans.fit NeighbourSearches.exact (System.Random 1) 3 50 points
                Expect.equal (fitted.Values |> Array.sort |> Array.map round) centres "centres"
            }
        ]
    ]
