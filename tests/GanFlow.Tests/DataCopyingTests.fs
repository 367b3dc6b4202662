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
        testList "laws of the three-sample test" [
            // Three seeded Gaussian samples (training, held-out, model) of 60-150 points in 1-4 dimensions, the model's
            // shifted by up to 1.5 std, tested in two cells (one of which holds at least 30 model samples, so C_T is
            // defined): the test on them and on the same samples transformed.
            let copying (train: Points) (heldOut: Points) (generated: Points) =
                DataCopying.test NeighbourSearches.exact 3 2 train heldOut generated
            let same (a: float) (b: float) = a = b || (System.Double.IsNaN a && System.Double.IsNaN b)
            let cases =
                gen {
                    let! d = Gen.choose (1, 4)
                    let! seed = Gen.choose (1, 1_000_000)
                    let! n = Gen.choose (60, 150)
                    let! shift = Gen.choose (0, 12) |> Gen.map (fun i -> float i / 8.0)
                    let centre = Array.zeroCreate d
                    return gaussian seed d n centre 1.0, gaussian (seed + 1) d n centre 1.0, gaussian (seed + 2) d n (Array.create d shift) 1.0
                }
                |> Arb.fromGen
            let config = { FsCheckConfig.defaultConfig with maxTest = 40 }
            testPropertyWithConfig config "closer_than_train lies in [0, 1], each cell's share too, and every held-out point has a cell" (
                Prop.forAll cases (fun (train, heldOut, generated) ->
                    let t = copying train heldOut generated
                    t.CloserThanTrain >= 0.0 && t.CloserThanTrain <= 1.0
                    && (t.Cells |> Array.sumBy _.TestPoints) = heldOut.Count
                    && (t.Cells |> Array.sumBy _.GeneratedPoints) = generated.Count))
            testPropertyWithConfig config "the order of the model's and the held-out samples does not matter" (
                Prop.forAll cases (fun (train, heldOut, generated) ->
                    let t = copying train heldOut generated
                    let r = copying train (reorder 5 heldOut) (reorder 6 generated)
                    (same r.Z t.Z || close 1e-12 r.Z t.Z) && r.CloserThanTrain = t.CloserThanTrain))
            testPropertyWithConfig config "a common scale by a power of two (exact in floating point) leaves the test unchanged" (
                Prop.forAll cases (fun (train, heldOut, generated) ->
                    let t = copying train heldOut generated
                    let scaled = copying (Points.scale 4.0 train) (Points.scale 4.0 heldOut) (Points.scale 4.0 generated)
                    same scaled.Z t.Z && scaled.CloserThanTrain = t.CloserThanTrain))
            testPropertyWithConfig config "model samples that are the training points have closer_than_train 1 and C_T below the held-out data's" (
                Prop.forAll cases (fun (train, heldOut, _) ->
                    let copied = copying train heldOut train
                    copied.CloserThanTrain = 1.0 && copied.Z < (copying train heldOut (reorder 7 heldOut)).Z))
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
