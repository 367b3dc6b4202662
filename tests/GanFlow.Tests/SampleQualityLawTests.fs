module GanFlow.Tests.SampleQualityLawTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples

/// 1 to 40 posteriors over 2 to 6 labels (positive weights, normalised).
let private posteriors =
    gen {
        let! k = Gen.choose (2, 6)
        let! n = Gen.choose (1, 40)
        let! rows = Gen.arrayOfLength n (Gen.arrayOfLength k (Gen.choose (1, 100)))
        return rows |> Array.map (fun r -> let total = float (Array.sum r) in r |> Array.map (fun v -> float v / total))
    }

/// Posteriors, a prior over their labels, and a relabelling.
let private cases =
    gen {
        let! p = posteriors
        let k = p[0].Length
        let! weights = Gen.arrayOfLength k (Gen.choose (1, 100))
        let! keys = Gen.arrayOfLength k (Gen.choose (0, 1_000_000))
        let prior = weights |> Array.map (fun w -> float w / float (Array.sum weights))
        let relabel = Array.init k id |> Array.sortBy (fun i -> keys[i], i)
        return p, prior, relabel
    }
    |> Arb.fromGen

[<Tests>]
let tests =
    testList "MODE and Inception scores (laws)" [
        testProperty "the Inception score lies in [1, number of labels]" (
            Prop.forAll cases (fun (p, _, _) ->
                let s = SampleQuality.inceptionScore p
                s >= 1.0 - 1e-12 && s <= float p[0].Length + 1e-12))
        testProperty "both scores ignore the order of the samples" (
            Prop.forAll cases (fun (p, prior, _) ->
                let reversed = Array.rev p
                close 1e-12 (SampleQuality.inceptionScore reversed) (SampleQuality.inceptionScore p)
                && close 1e-12 (SampleQuality.modeScore prior reversed) (SampleQuality.modeScore prior p)))
        testProperty "both scores ignore a relabelling of the classes (applied to the prior too)" (
            Prop.forAll cases (fun (p, prior, relabel) ->
                let move (row: float[]) = relabel |> Array.map (fun i -> row[i])
                close 1e-12 (SampleQuality.inceptionScore (Array.map move p)) (SampleQuality.inceptionScore p)
                && close 1e-12 (SampleQuality.modeScore (move prior) (Array.map move p)) (SampleQuality.modeScore prior p)))
        testProperty "the MODE score equals the Inception score when the prior is the samples' label marginal" (
            Prop.forAll cases (fun (p, _, _) -> close 1e-10 (SampleQuality.modeScore (SampleQuality.marginal p) p) (SampleQuality.inceptionScore p)))
        testProperty "the MODE score is the Inception score times exp(KL(p(y) ‖ p*) − KL(p* ‖ p(y)))" (
            Prop.forAll cases (fun (p, prior, _) ->
                let py = SampleQuality.marginal p
                close 1e-10 (SampleQuality.modeScore prior p)
                    (SampleQuality.inceptionScore p * exp (SampleQuality.kl py prior - SampleQuality.kl prior py))))
        testProperty "KL is non-negative and zero from a distribution to itself" (
            Prop.forAll cases (fun (p, prior, _) -> SampleQuality.kl p[0] prior >= -1e-12 && SampleQuality.kl prior prior = 0.0))
        test "identical posteriors score 1; one-hot posteriors spread evenly over K labels score K" {
            Expect.floatClose Accuracy.veryHigh (SampleQuality.inceptionScore (Array.replicate 10 [| 0.2; 0.3; 0.5 |])) 1.0 "no information"
            let oneHot = Array.init 12 (fun i -> Array.init 4 (fun k -> if k = i % 4 then 1.0 else 0.0))
            Expect.floatClose Accuracy.veryHigh (SampleQuality.inceptionScore oneHot) 4.0 "K"
            Expect.floatClose Accuracy.veryHigh (SampleQuality.modeScore (Array.create 4 0.25) oneHot) 4.0 "MODE K"
        }
    ]
