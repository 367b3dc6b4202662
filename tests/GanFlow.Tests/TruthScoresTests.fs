module GanFlow.Tests.TruthScoresTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples
open GanFlow.Tests.PointSamples

/// `count` draws of `truth` from `seed` as points.
let draws (seed: int) (truth: Distribution) (count: int) =
    Points.create (Densities.dimension truth) (Sampling.sample (System.Random seed) truth count)

/// The truth as a model with a density (the perfect model).
let perfect (truth: Distribution) : ModelDensity =
    { LogDensity = Likelihood.truthLogDensity truth
      Sample = fun seed count -> draws seed truth count }

let private truthScores (truth: Distribution) (model: ModelDensity option) (x: Points) =
    TruthScores.compute NeighbourSearches.exact 3 truth model x

/// Model samples for the laws: 6-60 points of the 1/8 grid in [−8, 8]² (the ring's and the grid's plane).
let private planeSamples = Gen.choose (6, 60) |> Gen.bind (pointsOf 2) |> Arb.fromGen

[<Tests>]
let tests =
    testList "truth scores" [
        testList "laws" [
            let config = { FsCheckConfig.defaultConfig with maxTest = 40 }
            let truths = [ NamedDatasets.ring8; NamedDatasets.grid25 ]
            testPropertyWithConfig config "mode recall (NaN for a mode without truth draws), mass off support and HDR precision lie in [0, 1] and do not depend on the samples' order" (
                Prop.forAll planeSamples (fun x ->
                    truths |> List.forall (fun truth ->
                        // A mode that none of the (as many as the samples) truth draws came from has no recall: NaN.
                        let s = truthScores truth None x
                        let r = truthScores truth None (reorder 4 x)
                        let inUnit (v: float) = v >= 0.0 && v <= 1.0
                        let same (a: float) (b: float) = a = b || (System.Double.IsNaN a && System.Double.IsNaN b)
                        Array.forall (fun v -> System.Double.IsNaN v || inUnit v) s.ModeRecall && inUnit s.MassOffSupport
                        && Option.forall inUnit s.HdrPrecision
                        && Array.forall2 same r.ModeRecall s.ModeRecall && r.MassOffSupport = s.MassOffSupport && r.HdrPrecision = s.HdrPrecision)))
            testPropertyWithConfig config "samples moved far from the truth recall no mode, lie off its support and outside its HDR" (
                Prop.forAll planeSamples (fun x ->
                    truths |> List.forall (fun truth ->
                        let s = truthScores truth None (Points.translate [| 1e3; -1e3 |] x)
                        Array.forall (fun v -> v = 0.0 || System.Double.IsNaN v) s.ModeRecall && s.MassOffSupport = 1.0 && s.HdrPrecision = Some 0.0)))
        ]
        testList "support" [
            testProperty "in 1-D the mass off support is ModeCoverage's" (
                Prop.forAll oneSample (fun x ->
                    TruthSupport.massOutside NamedDatasets.multimodal (Points.ofValues x) = ModeCoverage.massOutsideSupport NamedDatasets.multimodal x))
            test "draws of every declared truth lie on its support; far points do not" {
                for name, truth in NamedDatasets.all do
                    Expect.isLessThan (TruthSupport.massOutside truth (draws 1 truth 20_000)) 1e-3 (sprintf "%s draws" name)
                    let far = Points.create (Densities.dimension truth) (Array.create (Densities.dimension truth) 1e3)
                    Expect.equal (TruthSupport.massOutside truth far) 1.0 (sprintf "%s far" name)
            }
            test "the moons' support follows the two arcs, no further than 5.85 noise std" {
                let inside = TruthSupport.membership NamedDatasets.moons
                Expect.isTrue (inside [| 0.0; 1.0 |]) "top of the outer arc"
                Expect.isTrue (inside [| 1.0; -0.5 |]) "bottom of the inner arc"
                Expect.isTrue (inside [| 0.0; 1.25 |]) "0.25 above the outer arc"
                Expect.isFalse (inside [| 0.0; 1.35 |]) "0.35 above the outer arc"
                Expect.isFalse (inside [| -1.5; -0.5 |]) "beyond the outer arc's left end"
                Expect.isFalse (inside [| 2.5; 1.0 |]) "beyond the inner arc's right end"
            }
            test "the d-dimensional Gaussian support radius leaves the 1-D tail mass, 2Φ(−5.5)" {
                Expect.floatClose Accuracy.high (TruthSupport.radius 1) 5.5 "1-D"
                let chi2 = MathNet.Numerics.Distributions.ChiSquared.CDF(2.0, TruthSupport.radius 2 ** 2.0)
                Expect.floatClose Accuracy.medium (1.0 - chi2) TruthSupport.tailMass "2-D"
            }
        ]
        testList "modes and densities" [
            test "truth draws recall every mode; a model that drops two of the ring's modes recalls them at 0" {
                let full = truthScores NamedDatasets.ring8 None (draws 2 NamedDatasets.ring8 8_000)
                Expect.all full.ModeRecall (fun r -> r > 0.9) (sprintf "every mode: %A" full.ModeRecall)
                let six =
                    Distribution.Mixture
                        (match NamedDatasets.ring8 with
                         | Distribution.Mixture cs -> List.truncate 6 cs
                         | _ -> [])
                let dropped = truthScores NamedDatasets.ring8 None (draws 3 six 6_000)
                Expect.all dropped.ModeRecall[.. 5] (fun r -> r > 0.9) "kept modes"
                Expect.equal dropped.ModeRecall[6..] [| 0.0; 0.0 |] "dropped modes"
            }
            test "truth draws have HDR precision and recall near 0.95; a model off the truth has HDR precision 0" {
                let truth = NamedDatasets.grid25
                let t = truthScores truth (Some(perfect truth)) (draws 4 truth 20_000)
                Expect.isLessThan (abs (t.HdrPrecision.Value - 0.95)) 0.01 (sprintf "precision %g" t.HdrPrecision.Value)
                Expect.isLessThan (abs (t.HdrRecall.Value - 0.95)) 0.01 (sprintf "recall %g" t.HdrRecall.Value)
                let off = truthScores truth None (gaussian 5 2 1_000 [| 1.0; 1.0 |] 0.05)
                Expect.equal off.HdrPrecision (Some 0.0) "between the modes"
                Expect.equal off.MassOffSupport 1.0 "off support"
            }
            test "in 1-D truth_w1 is the exact W1 to the cdf; the moons have no density, so no HDR precision" {
                let x = draws 6 NamedDatasets.unimodal 5_000
                Expect.equal (truthScores NamedDatasets.unimodal None x).W1 (Some(Wasserstein.w1ToDistribution x.Values NamedDatasets.unimodal)) "truth_w1"
                let moons = truthScores NamedDatasets.moons None (draws 7 NamedDatasets.moons 1_000)
                Expect.isNone moons.HdrPrecision "no density"
                Expect.isNone moons.W1 "2-D"
                Expect.isEmpty moons.ModeRecall "not a mixture"
            }
        ]
    ]
