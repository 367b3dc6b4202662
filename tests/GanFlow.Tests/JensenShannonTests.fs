module GanFlow.Tests.JensenShannonTests

open Expecto
open FsCheck.FSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics
open GanFlow.Core.Dynamics

/// Two generator means on a 0.01 grid in [−4, 4].
let private means = Gen.arrayOfLength 2 (Gen.choose (-400, 400) |> Gen.map (fun i -> float i / 100.0))

[<Tests>]
let tests =
    testList "Jensen-Shannon" [
        testProperty "JS is zero between a distribution and itself, symmetric, and at most log 2" (
            Prop.forAll (Arb.fromGen (Gen.zip means means)) (fun (a, b) ->
                let p, q = Trajectory.distribution a, Trajectory.distribution b
                let js = JensenShannon.between p q
                abs (JensenShannon.between p p) < 1e-12 && abs (js - JensenShannon.between q p) < 1e-12 && js >= -1e-12 && js <= log 2.0 + 1e-12))
        test "JS of two far-apart Gaussians is log 2" {
            Expect.floatClose Accuracy.medium (JensenShannon.between (Distribution.Gaussian(0.0, 1.0)) (Distribution.Gaussian(40.0, 1.0))) (log 2.0) "disjoint"
        }
        test "JS of N(0, 1) and N(d, 1) for small d is d²/8 to leading order" {
            // KL between the two is d²/2; for nearby P, Q JS ≈ (1/8)·χ² ≈ d²/8.
            let d = 0.01
            let js = JensenShannon.between (Distribution.Gaussian(0.0, 1.0)) (Distribution.Gaussian(d, 1.0))
            Expect.isLessThan (abs (js / (d * d / 8.0) - 1.0)) 1e-3 "leading order"
        }
        testProperty "on this lab's model the GAN loss at the optimal discriminator is 2 JS - log 4" (
            Prop.forAll (Arb.fromGen (Gen.zip means means)) (fun (t, m) ->
                let d = Trajectory.distances t m
                abs (d.GanLossAtOptimum - (2.0 * d.Js - log 4.0)) < 1e-9))
        test "the identity holds against a Monte Carlo estimate of the GAN loss at V*, and V* beats perturbed discriminators" {
            // Fig. 2's initial configuration: truth ½N(−2,1) + ½N(2,1), generator ½N(−1,1) + ½N(2.5,1).
            let t, m = [| -2.0; 2.0 |], [| -1.0; 2.5 |]
            let p, q = TwoGaussianGame.density t, TwoGaussianGame.density m
            let vStar = JensenShannon.optimalDiscriminator p q
            let n = 200_000
            let rng = System.Random 11
            let fromTruth = Sampling.sample rng (Trajectory.distribution t) n
            let fromModel = Sampling.sample rng (Trajectory.distribution m) n
            let termsP = fromTruth |> Array.map (fun x -> log (vStar x))
            let termsQ = fromModel |> Array.map (fun x -> log (1.0 - vStar x))
            let mean (a: float[]) = Array.average a
            let variance (a: float[]) = let mu = mean a in (a |> Array.sumBy (fun v -> (v - mu) * (v - mu))) / float (a.Length - 1)
            let estimate = mean termsP + mean termsQ
            let standardError = sqrt ((variance termsP + variance termsQ) / float n)
            let js = JensenShannon.between (Trajectory.distribution t) (Trajectory.distribution m)
            Expect.isLessThan (abs (estimate - (2.0 * js - log 4.0))) (4.0 * standardError) "Monte Carlo agrees within 4 standard errors"
            let atOptimum = JensenShannon.lossOf vStar p q -15.0 15.0 20_000
            for eps in [ -0.2; -0.05; 0.05; 0.2 ] do
                let perturbed x = min (1.0 - 1e-12) (max 1e-12 (vStar x + eps * sin x * vStar x * (1.0 - vStar x)))
                Expect.isLessThan (JensenShannon.lossOf perturbed p q -15.0 15.0 20_000) atOptimum (sprintf "perturbation %g" eps)
            Expect.floatClose Accuracy.high atOptimum (2.0 * js - log 4.0) "quadrature"
        }
        test "JS of a model's KDE against the truth shrinks as the model's samples come from the truth" {
            let truth = NamedDatasets.twoGaussians -2.0 2.0
            let fromTruth = Sampling.sample (System.Random 3) truth 100_000
            let fromCollapsed = Sampling.sample (System.Random 4) (NamedDatasets.twoGaussians 0.0 0.0) 100_000
            let bandwidth = 0.1
            let good = JensenShannon.ofSample fromTruth bandwidth truth
            let bad = JensenShannon.ofSample fromCollapsed bandwidth truth
            Expect.isLessThan good 1e-3 "samples of the truth"
            // The KDE widens N(0, 1) by the bandwidth and carries sampling noise: agreement to 0.01 nats.
            Expect.isLessThan (abs (bad - JensenShannon.between truth (NamedDatasets.twoGaussians 0.0 0.0))) 0.01 "collapsed model: its exact JS"
        }
    ]
