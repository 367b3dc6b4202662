module GanFlow.Tests.PrecisionRecallTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Metrics
open GanFlow.Tests.PointSamples

let private scores (real: Points) (fake: Points) = PrecisionRecall.compute NeighbourSearches.exact real fake

/// Data and model samples with enough points for k = 5, a grid offset and an exact rotation.
let private cases =
    gen {
        let! real, fake = twoSamplesBetween 6 40
        let! shift = offset real.Dimension
        let! rotation = signedPermutation real.Dimension
        return real, fake, shift, rotation
    }
    |> Arb.fromGen

/// Naeem et al. 2020's expected coverage when both samples come from one law: 1 − Π_{i=1..k} (N − i)/(M + N − i).
let private expectedCoverage (n: int) (m: int) (k: int) =
    1.0 - (List.init k (fun i -> float (n - i - 1) / float (m + n - i - 1)) |> List.reduce (*))

[<Tests>]
let tests =
    testList "precision, recall, density and coverage" [
        testList "laws" [
            testProperty "a sample against itself has precision, recall and coverage 1 and density at least 1/k" (
                Prop.forAll cases (fun (real, _, _, _) ->
                    let s = scores real real
                    s.Precision = 1.0 && s.Recall = 1.0 && s.Coverage = 1.0 && s.Density >= 1.0 / 5.0))
            testProperty "precision and recall swap when data and model swap" (
                Prop.forAll cases (fun (real, fake, _, _) ->
                    let s, swapped = scores real fake, scores fake real
                    s.Precision = swapped.Recall && s.Recall = swapped.Precision))
            testProperty "precision, recall and coverage lie in [0, 1], density is non-negative" (
                Prop.forAll cases (fun (real, fake, _, _) ->
                    let s = scores real fake
                    [ s.Precision; s.Recall; s.Coverage ] |> List.forall (fun v -> v >= 0.0 && v <= 1.0) && s.Density >= 0.0))
            testProperty "the scores do not depend on the order of the points" (
                Prop.forAll cases (fun (real, fake, _, _) -> scores (reorder 7 real) (reorder 8 fake) = scores real fake))
            testProperty "a common translation, rotation or scale leaves the scores unchanged" (
                Prop.forAll cases (fun (real, fake, shift, rotation) ->
                    let s = scores real fake
                    scores (Points.translate shift real) (Points.translate shift fake) = s
                    && scores (Points.transform rotation real) (Points.transform rotation fake) = s
                    && scores (Points.scale 2.0 real) (Points.scale 2.0 fake) = s))
            testProperty "moving the model's samples far away drives every score to 0" (
                Prop.forAll cases (fun (real, fake, _, _) ->
                    let far = Points.translate (Array.init real.Dimension (fun k -> if k = 0 then 1e3 else 0.0)) fake
                    scores real far = { Precision = 0.0; Recall = 0.0; Density = 0.0; Coverage = 0.0 }))
            test "too few points for k are refused" {
                let five = gaussian 1 2 5 [| 0.0; 0.0 |] 1.0
                Expect.throwsT<System.ArgumentException> (fun () -> scores five (gaussian 2 2 10 [| 0.0; 0.0 |] 1.0) |> ignore) "data needs k + 1 = 6"
                Expect.throwsT<System.ArgumentException> (fun () -> scores (gaussian 3 2 10 [| 0.0; 0.0 |] 1.0) (gaussian 4 2 3 [| 0.0; 0.0 |] 1.0) |> ignore) "model needs 4"
            }
        ]
        testList "closed forms" [
            test "two large samples of one law: precision and recall near 1, density near 1, coverage near 1 − Π(N−i)/(M+N−i)" {
                for d in [ 2; 20 ] do
                    let real = gaussian 51 d 5_000 (Array.zeroCreate d) 1.0
                    let fake = gaussian 52 d 5_000 (Array.zeroCreate d) 1.0
                    let s = scores real fake
                    Expect.isGreaterThan s.Precision (if d = 2 then 0.95 else 0.7) (sprintf "%d-D precision %g" d s.Precision)
                    Expect.isGreaterThan s.Recall (if d = 2 then 0.95 else 0.7) (sprintf "%d-D recall %g" d s.Recall)
                    Expect.isLessThan (abs (s.Density - 1.0)) 0.05 (sprintf "%d-D density %g (expectation 1)" d s.Density)
                    let expected = expectedCoverage 5_000 5_000 5
                    Expect.isLessThan (abs (s.Coverage - expected)) 0.015 (sprintf "%d-D coverage %g vs %g" d s.Coverage expected)
            }
            test "disjoint supports give 0 for every score" {
                let real = gaussian 53 2 2_000 [| 0.0; 0.0 |] 1.0
                let fake = gaussian 54 2 2_000 [| 20.0; 0.0 |] 1.0
                Expect.equal (scores real fake) { Precision = 0.0; Recall = 0.0; Density = 0.0; Coverage = 0.0 } "disjoint"
            }
            test "a model on half the data's support has precision near 1 and recall and coverage near ½" {
                let real = gaussian 55 2 4_000 [| 0.0; 0.0 |] 1.0
                let half = gaussian 56 2 8_000 [| 0.0; 0.0 |] 1.0 |> fun p -> Points.pick ([| 0 .. p.Count - 1 |] |> Array.filter (fun i -> p[i, 0] > 0.0)) p
                let s = scores real half
                Expect.isGreaterThan s.Precision 0.9 (sprintf "precision %g" s.Precision)
                Expect.isLessThan (abs (s.Recall - 0.5)) 0.07 (sprintf "recall %g" s.Recall)
                Expect.isLessThan (abs (s.Coverage - 0.5)) 0.07 (sprintf "coverage %g" s.Coverage)
            }
            test "the expected coverage under one law is 1 − 2⁻⁵ for large equal samples" {
                Expect.floatClose Accuracy.medium (expectedCoverage 1_000_000 1_000_000 5) (1.0 - 1.0 / 32.0) "1 − 2⁻ᵏ"
            }
        ]
        testList "per evaluation of a run" [
            testProperty "a run's scores are the four scores of its samples (up to 10,000 points of each)" (
                Prop.forAll cases (fun (real, fake, _, _) ->
                    let recorded = PrecisionRecall.ofEvaluation real.Dimension fake.Values real.Values
                    recorded = Some(scores real fake)))
            test "beyond 10,000 points only the first 10,000 of each count (the evaluation's draws are i.i.d.)" {
                let real = gaussian 57 2 10_500 [| 0.0; 0.0 |] 1.0
                let fake = gaussian 58 2 10_300 [| 0.5; 0.0 |] 1.0
                let first (p: Points) = Points.create 2 p.Values[.. 2 * GanFlow.Core.Experiments.RecallScores.Points - 1]
                Expect.equal (PrecisionRecall.ofEvaluation 2 fake.Values real.Values) (Some(scores (first real) (first fake))) "the first 10,000"
                Expect.isNone (PrecisionRecall.ofEvaluation 2 fake.Values[.. 9] real.Values) "5 model points: too few for k = 5"
            }
        ]
    ]
