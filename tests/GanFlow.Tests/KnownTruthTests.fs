/// Data whose truth is known: the 2-D ring and grid mixtures' exact densities and component posteriors, finite training
/// sets split train/validation/test, and sample-quality scores with the exact posterior as classifier.
module GanFlow.Tests.KnownTruthTests

open System
open Expecto
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics

/// ∫ p over a square grid of side `half`·2 with `n`² cells (midpoint rule).
let private integral2d (distribution: Distribution) (half: float) (n: int) =
    let h = 2.0 * half / float n
    let mutable total = 0.0
    for i in 0 .. n - 1 do
        for j in 0 .. n - 1 do
            total <- total + exp (Densities.logDensity distribution [| -half + (float i + 0.5) * h; -half + (float j + 0.5) * h |]) * h * h
    total

/// The same mixtures with wider components, so that a midpoint rule resolves them.
let private wideRing = NamedDatasets.ring 8 2.0 0.2
let private wideGrid = NamedDatasets.grid 5 2.0 0.3

[<Tests>]
let tests =
    testList "known truth" [
        test "the ring and grid densities integrate to one" {
            Expect.floatClose Accuracy.medium (integral2d wideRing 4.0 800) 1.0 "ring"
            Expect.floatClose Accuracy.medium (integral2d wideGrid 6.5 800) 1.0 "grid"
        }
        test "an isotropic Gaussian's log-density is the closed form, in every dimension" {
            let d = Distribution.IsotropicGaussian([ 1.0; -2.0; 0.5 ], 0.7)
            let x = [| 0.3; -1.0; 2.0 |]
            let squared = (0.3 - 1.0) ** 2.0 + (-1.0 + 2.0) ** 2.0 + (2.0 - 0.5) ** 2.0
            Expect.floatClose Accuracy.veryHigh (Densities.logDensity d x) (-0.5 * squared / 0.49 - 1.5 * log (2.0 * Math.PI * 0.49)) "3-D"
            let one = Distribution.IsotropicGaussian([ 1.0 ], 0.7)
            Expect.floatClose Accuracy.veryHigh (Densities.logDensity one [| 0.2 |]) (log (Densities.pdf (Distribution.Gaussian(1.0, 0.7)) 0.2)) "1-D is the Gaussian"
        }
        test "the ring's and grid's samples sit on their modes with the modes' spread and weights" {
            for name, dataset, count in [ "ring", NamedDatasets.ring8, 8; "grid", NamedDatasets.grid25, 25 ] do
                let points = Sampling.sample (Random 9) dataset 20_000 |> Array.chunkBySize 2
                let components = Densities.components dataset
                let nearest (p: float[]) =
                    components |> Array.mapi (fun k (_, c) -> k, Array.fold2 (fun s a b -> s + (a - b) ** 2.0) 0.0 p (Densities.centre c)) |> Array.minBy snd
                let counts = points |> Array.countBy (nearest >> fst)
                Expect.hasLength counts count (sprintf "%s: every mode drawn" name)
                for _, n in counts do
                    Expect.isTrue (abs (float n - 20_000.0 / float count) < 5.0 * sqrt (20_000.0 / float count)) (sprintf "%s: equal weights (%d)" name n)
                let radius = points |> Array.map (nearest >> snd >> sqrt) |> Array.max
                Expect.isLessThan radius (6.0 * 0.02) (sprintf "%s: every point within 6σ of its mode" name)
        }
        test "the component posterior sums to one and picks the component that drew a point" {
            let dataset = NamedDatasets.ring8
            let components = Densities.components dataset
            for k in 0 .. components.Length - 1 do
                let point = Sampling.sample (Random (100 + k)) (snd components[k]) 1
                let posterior = Densities.posterior dataset point
                Expect.floatClose Accuracy.veryHigh (Array.sum posterior) 1.0 "sums to one"
                Expect.isGreaterThan posterior[k] 0.999 (sprintf "component %d is the most likely by far" k)
        }
        test "which datasets have modes: mixtures of distinct centres only" {
            Expect.isTrue (Densities.hasModes NamedDatasets.ring8) "ring"
            Expect.isTrue (Densities.hasModes NamedDatasets.multimodal) "seed 000 multimodal"
            Expect.isTrue (Densities.hasModes NamedDatasets.twoGaussiansDefault) "seed 002"
            Expect.isFalse (Densities.hasModes NamedDatasets.unimodal) "a Gaussian and a uniform around one centre"
            Expect.isFalse (Densities.hasModes NamedDatasets.moons) "no density"
            Expect.isFalse (Densities.hasDensity NamedDatasets.moons) "the moons have none"
        }
        test "a finite sample splits in draw order, the same for the same seed, and minibatches come from the training split" {
            let spec = FiniteSample.create 100 20 10 4
            let a, b = FiniteSample.draw NamedDatasets.ring8 spec, FiniteSample.draw NamedDatasets.ring8 spec
            Expect.equal a b "a function of the spec"
            Expect.equal (a.Train.Length, a.Validation.Length, a.Test.Length) (140, 40, 20) "70 / 20 / 10 points of 2 coordinates"
            Expect.sequenceEqual (Array.concat [ a.Train; a.Validation; a.Test ]) (Sampling.sample (GanFlow.Core.Specs.Seeds.random 4 0 0) NamedDatasets.ring8 100) "the draw, in order"
            let rows (x: float[]) = x |> Array.chunkBySize 2 |> Set.ofArray
            let batch = FiniteSample.batch a (Random 3) 500
            Expect.isTrue (Set.isSubset (rows batch) (rows a.Train)) "every batch point is a training point"
            let other = FiniteSample.draw NamedDatasets.ring8 { spec with Seed = 5 }
            Expect.isFalse (Set.isEmpty (Set.difference (rows other.Train) (rows a.Train))) "another seed, other points"
        }
        test "a finite sample too small for its splits is rejected naming the field and value" {
            let errors = FiniteSample.errors "trainingSet" (Some 2) (FiniteSample.create 30 20 9 1)
            Expect.exists errors (fun e -> e.Field = "trainingSet.points" && e.Value = "30") (sprintf "%A" errors)
            Expect.exists (FiniteSample.errors "trainingSet" (Some 2) (FiniteSample.create 30 0 9 1)) (fun e -> e.Field = "trainingSet.validationPoints") "no validation split"
            let experiment = { Experiment.create "x" "" NamedDatasets.ring8 with Data = DataSource.Sample(NamedDatasets.ring8, FiniteSample.create 10 5 5 1) }
            Expect.exists (ExperimentValidation.errors experiment) (fun e -> e.Field = "data.sample.points") "through the experiment's validation"
        }
        test "a sample's counts cannot wrap around, and points × dimension fit one array (sample, evaluation, batch, estimators)" {
            // Held-out counts that sum past 2³¹ wrapped around to a training split of 294,967,396 points.
            Expect.exists (FiniteSample.errors "s" (Some 1) (FiniteSample.create 100 2_000_000_000 2_000_000_000 1)) (fun e -> e.Field = "s.points" && e.Reason.Contains "4000000000") "no wrap-around"
            let tooMany = FiniteSample.errors "s" (Some 2) (FiniteSample.create 1_500_000_000 10 10 1)
            Expect.exists tooMany (fun e -> e.Field = "s.points" && e.Reason.Contains "3000000000 values") (sprintf "points × dimension past one array: %A" tooMany)
            Expect.isEmpty (FiniteSample.errors "s" (Some 1) (FiniteSample.create 1_500_000_000 10 10 1)) "1.5e9 points of one coordinate fit"
            let ring = Experiment.create "x" "" NamedDatasets.ring8
            let refusedAt field (e: Experiment) =
                Expect.exists (ExperimentValidation.errors e) (fun x -> x.Field = field && x.Reason.Contains "3000000000 values") (sprintf "%s past one array" field)
            refusedAt "evaluation.finalSamples" { ring with Evaluation = { Evaluation.Default with FinalSamples = 1_500_000_000 } }
            refusedAt "budget.batchSize" { ring with Budget = { ring.Budget with BatchSize = 1_500_000_000 } }
            let sample = DataSource.Sample(NamedDatasets.ring8, FiniteSample.create 10_000 1_000 1_000 1)
            refusedAt "evaluation.parzen.samples" { ring with Data = sample; Evaluation = { Evaluation.Default with Parzen = Some { Parzen.Default with Samples = 1_500_000_000 } } }
            Expect.isEmpty (ExperimentValidation.errors { ring with Data = sample; Evaluation = { Evaluation.Default with Parzen = Some Parzen.Default } }) "the default Parzen spec fits"
        }
        test "the exact MODE score of the true data is maximal among tested models, near the number of modes" {
            let dataset = NamedDatasets.grid25
            let n = 20_000
            let truth = Sampling.sample (Random 1) dataset n
            let collapsed = Sampling.sample (Random 2) (NamedDatasets.grid 1 2.0 0.02 |> fun d -> Distribution.LocationScale(0.0, 1.0, d)) n
            let halfModes =
                Sampling.sample (Random 3) (Distribution.Mixture [ for c in Densities.components dataset |> Array.truncate 12 -> { Weight = 1.0; Distribution = snd c } ]) n
            let blurred = Sampling.sample (Random 4) (NamedDatasets.grid 5 2.0 0.6) n
            let uniform = Sampling.sample (Random 5) (Distribution.Mixture [ { Weight = 1.0; Distribution = Distribution.IsotropicGaussian([ 0.0; 0.0 ], 3.0) } ]) n
            let score samples = SampleQuality.ofSamples dataset samples
            let truthScore = score truth
            Expect.isGreaterThan truthScore.ModeScore 24.0 "close to 25 modes"
            Expect.equal truthScore.ModesCovered 25 "every mode covered"
            Expect.isGreaterThan truthScore.HighQuality 0.98 "99% within 3σ"
            for name, samples in [ "collapsed to one mode", collapsed; "half the modes", halfModes; "blurred", blurred; "a broad Gaussian", uniform ] do
                let s = score samples
                Expect.isLessThan s.ModeScore truthScore.ModeScore (sprintf "%s: MODE %.3f below the truth's %.3f" name s.ModeScore truthScore.ModeScore)
            Expect.isLessThan (score collapsed).ModesCovered 2 "a collapsed model covers one mode"
            Expect.equal (score halfModes).ModesCovered 12 "half the modes"
            Expect.isLessThan (score blurred).HighQuality 0.5 "blurred samples are rarely high quality"
        }
        test "the Inception score lies between 1 and the number of labels, the MODE score is at most the number of labels" {
            let posteriors = Array.init 200 (fun i -> let p = Array.init 5 (fun j -> float ((i * 7 + j * 3) % 11 + 1)) in p |> Array.map (fun v -> v / Array.sum p))
            let is = SampleQuality.inceptionScore posteriors
            Expect.isTrue (is >= 1.0 && is <= 5.0) (sprintf "IS %g" is)
            let mode = SampleQuality.modeScore (Array.create 5 0.2) posteriors
            Expect.isTrue (mode > 0.0 && mode <= 5.0) (sprintf "MODE %g" mode)
            let sure = Array.init 500 (fun i -> Array.init 5 (fun j -> if j = i % 5 then 1.0 else 0.0))
            Expect.floatClose Accuracy.high (SampleQuality.inceptionScore sure) 5.0 "confident and diverse: the number of labels"
            Expect.floatClose Accuracy.high (SampleQuality.modeScore (Array.create 5 0.2) sure) 5.0 "MODE too"
        }
    ]
