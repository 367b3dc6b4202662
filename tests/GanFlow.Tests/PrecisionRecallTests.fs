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

/// The four scores written out over every pair: `prBall d r` decides whether squared distance d lies in a ball of squared
/// radius r for precision and recall, `dcBall` for density and coverage (k = 3 and 5, each point's k-th other point).
let private bruteScoresWith (prBall: float -> float -> bool) (dcBall: float -> float -> bool) (real: Points) (fake: Points) =
    let kth (p: Points) (k: int) = Neighbours.kthSquared (k + 1) (bruteNearest p p (k + 1))
    let realPr, realDc, fakePr = kth real 3, kth real 5, kth fake 3
    let d i j = Points.squaredDistance fake i real j
    let fakes, reals = [ 0 .. fake.Count - 1 ], [ 0 .. real.Count - 1 ]
    let share (flags: bool list) = float (flags |> List.filter id |> List.length) / float flags.Length
    { Precision = fakes |> List.map (fun i -> reals |> List.exists (fun j -> prBall (d i j) realPr[j])) |> share
      Recall = reals |> List.map (fun j -> fakes |> List.exists (fun i -> prBall (d i j) fakePr[i])) |> share
      Density = float (List.sum [ for i in fakes do for j in reals do if dcBall (d i j) realDc[j] then 1 ]) / (5.0 * float fake.Count)
      Coverage = reals |> List.map (fun j -> fakes |> List.exists (fun i -> dcBall (d i j) realDc[j])) |> share }

/// The scores as the papers' code computes them: precision and recall in closed balls (Kynkäänniemi et al.'s
/// `<=`), density and coverage in open ones (Naeem et al.'s `prdc`, `<`).
let private bruteScores = bruteScoresWith (fun d r -> d <= r) (fun d r -> d < r)

/// Naeem et al. 2020's expected coverage when both samples come from one law: 1 − Π_{i=1..k} (N − i)/(M + N − i).
let private expectedCoverage (n: int) (m: int) (k: int) =
    1.0 - (List.init k (fun i -> float (n - i - 1) / float (m + n - i - 1)) |> List.reduce (*))

[<Tests>]
let tests =
    testList "precision, recall, density and coverage" [
        testList "laws" [
            testProperty "a sample against itself has precision and recall 1, coverage the share of open balls that are not empty, density at least that over k" (
                Prop.forAll cases (fun (real, _, _, _) ->
                    let s = scores real real
                    // A point with 5 copies of itself has NND_5 = 0: its open ball holds nothing, not even the point.
                    let radii = Neighbours.kthSquared 6 (bruteNearest real real 6)
                    let open' = float (radii |> Array.filter (fun r -> r > 0.0) |> Array.length) / float real.Count
                    s.Precision = 1.0 && s.Recall = 1.0 && s.Coverage = open' && s.Density >= open' / 5.0))
            testProperty "every search gives the brute-force scores: closed balls for precision and recall (Kynkäänniemi et al.'s code), open ones for density and coverage (Naeem et al.'s prdc)" (
                Prop.forAll cases (fun (real, fake, _, _) ->
                    let expected = bruteScores real fake
                    [ NeighbourSearches.exact; NeighbourSearches.kdTree; NeighbourSearches.blocked ]
                    |> List.forall (fun search -> PrecisionRecall.compute search real fake = expected)))
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
            test "a sample without ties against itself has density exactly 1 and coverage 1 (prdc's answer), in 2-D and 20-D" {
                for d in [ 2; 20 ] do
                    let p = gaussian 59 d 300 (Array.zeroCreate d) 1.0
                    Expect.equal (scores p p) { Precision = 1.0; Recall = 1.0; Density = 1.0; Coverage = 1.0 } (sprintf "%d-D" d)
            }
            test "on a grid, where distances tie, density and coverage count open balls: a data sample against its own copy shifted by one ball's radius" {
                // Data: the 1-D grid 0, 1, …, 9; each inner point's 5th neighbour lies 3 away (ties at every distance).
                // The model: the same points moved by +3, so that model point x + 3 sits on the edge of x's ball.
                let real = Points.create 1 [| for i in 0 .. 9 -> float i |]
                let fake = Points.create 1 [| for i in 0 .. 9 -> float i + 3.0 |]
                let s = scores real fake
                Expect.equal s (bruteScores real fake) "the brute-force scores"
                let closed = bruteScoresWith (fun d r -> d <= r) (fun d r -> d <= r) real fake
                Expect.isLessThan s.Density closed.Density (sprintf "open balls hold fewer model points than closed ones: %g against %g" s.Density closed.Density)
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
