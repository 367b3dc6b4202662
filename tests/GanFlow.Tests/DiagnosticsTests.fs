module GanFlow.Tests.DiagnosticsTests

open Expecto
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics

[<Tests>]
let tests =
    testList "diagnostics" [
        test "the critic verdict separates plausible, underestimating and negative estimates" {
            Expect.equal (CriticDiagnosis.judge 0.1 0.09) CriticDiagnosis.Verdict.Plausible "90% of W1"
            Expect.equal (CriticDiagnosis.judge 0.1 0.04) CriticDiagnosis.Verdict.Underestimate "40% of W1"
            Expect.equal (CriticDiagnosis.judge 0.1 -0.01) CriticDiagnosis.Verdict.Negative "negative"
            Expect.equal (CriticDiagnosis.judge 0.1 nan) CriticDiagnosis.Verdict.Unavailable "no critic"
            Expect.isTrue (CriticDiagnosis.isFlagged 0.1 0.04) "underestimate is flagged"
            Expect.isFalse (CriticDiagnosis.isFlagged 0.1 0.2) "overestimate is not flagged"
        }
        test "data drawn from the multimodal set puts about an eighth of its mass in each mode" {
            let sample = Sampling.sample (System.Random 5) NamedDatasets.multimodal 40_000
            let shares = ModeCoverage.shares NamedDatasets.multimodal sample
            Expect.equal shares.Length 8 "eight modes"
            for s in shares do
                Expect.floatClose { absolute = 0.015; relative = 0.0 } s 0.125 "share near 1/8"
        }
        test "the truth's own shares are what a large sample's shares converge to, overlapping modes included" {
            for name, dataset in [ "unimodal", NamedDatasets.unimodal; "multimodal", NamedDatasets.multimodal; "two-gaussians", NamedDatasets.twoGaussians -0.5 0.5 ] do
                let truth = ModeCoverage.truthShares dataset
                let n = 200_000
                let shares = ModeCoverage.shares dataset (Sampling.sample (System.Random 11) dataset n)
                for k in 0 .. truth.Length - 1 do
                    // Within 4 binomial standard errors of the sample's share.
                    let se = sqrt (truth[k] * (1.0 - truth[k]) / float n)
                    Expect.isLessThan (abs (shares[k] - truth[k])) (4.0 * se + 1e-4) (sprintf "%s mode %d: sample %g, truth %g" name k shares[k] truth[k])
            // The unimodal set's uniform lies under its Gaussian: its truth is not its weights (0.75, 0.25).
            let unimodal = ModeCoverage.truthShares NamedDatasets.unimodal
            Expect.isGreaterThan unimodal[0] 0.8 (sprintf "the Gaussian's share %g exceeds its weight 0.75" unimodal[0])
            // Symmetric, equally weighted modes: equal shares.
            let symmetric = ModeCoverage.truthShares (NamedDatasets.twoGaussians -0.5 0.5)
            Expect.floatClose Accuracy.high symmetric[0] 0.5 "half each"
        }
        test "a model collapsed onto one mode has all its mass there" {
            let sample = Array.init 1000 (fun i -> 30.0 + 0.001 * float i)
            let shares = ModeCoverage.shares NamedDatasets.multimodal sample
            Expect.floatClose Accuracy.high shares[2] 1.0 "mode k = 3 at 30"
        }
        test "the unimodal set's support is the Gaussian's 5.5-sigma interval merged with the uniform's" {
            let support = ModeCoverage.support NamedDatasets.unimodal
            Expect.equal support.Length 1 "one interval"
            Expect.floatClose Accuracy.high (fst support[0]) 4.45 "low"
            Expect.floatClose Accuracy.high (snd support[0]) 5.55 "high"
        }
        test "mass outside the support is zero for data and one for far-away points" {
            let data = Sampling.sample (System.Random 1) NamedDatasets.unimodal 10_000
            Expect.floatClose Accuracy.high (ModeCoverage.massOutsideSupport NamedDatasets.unimodal data) 0.0 "data"
            Expect.floatClose Accuracy.high (ModeCoverage.massOutsideSupport NamedDatasets.unimodal [| 0.0; 9.0 |]) 1.0 "far away"
            Expect.floatClose Accuracy.high (ModeCoverage.massOutsideSupport NamedDatasets.unimodal [| 5.0; 9.0 |]) 0.5 "half"
        }
    ]
