module GanFlow.Tests.LikelihoodTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics
open GanFlow.Tests.TruthScoresTests

/// A model N(μ, σ²) against the truth N(0, 1): μ on a 1/8 grid in [−2, 2], σ in [0.5, 2].
let private gaussianModels =
    Gen.zip (Gen.choose (-16, 16)) (Gen.choose (4, 16)) |> Gen.map (fun (m, s) -> float m / 8.0, float s / 8.0) |> Arb.fromGen

/// KL(N(a, s²) ‖ N(b, t²)) = log(t/s) + (s² + (a − b)²)/(2t²) − ½.
let private gaussianKl (a: float) (s: float) (b: float) (t: float) = log (t / s) + (s * s + (a - b) ** 2.0) / (2.0 * t * t) - 0.5

/// The Monte Carlo standard error of the mean of `values`.
let private standardError (values: float[]) =
    let mean = Array.average values
    sqrt ((values |> Array.sumBy (fun v -> (v - mean) ** 2.0)) / float (values.Length - 1) / float values.Length)

[<Tests>]
let tests =
    testList "likelihood scores" [
        testList "laws" [
            let config = { FsCheckConfig.defaultConfig with maxTest = 40 }
            testPropertyWithConfig config "between N(0, 1) and N(μ, σ²) both KL estimates lie within 5 Monte Carlo standard errors of the closed form" (
                Prop.forAll gaussianModels (fun (mu, sigma) ->
                    let truth, modelLaw = Distribution.Gaussian(0.0, 1.0), Distribution.Gaussian(mu, sigma)
                    let model = perfect modelLaw
                    let s = Likelihood.scores model (Some truth) 7 20_000 (draws 8 truth 100)
                    // The same draws the estimator used: truth draws from the seed's stream 11, model draws by `Sample seed`.
                    let truthDraws = Points.create 1 (Sampling.sample (GanFlow.Core.Specs.Seeds.random 7 0 11) truth 20_000)
                    let forwardTerms = Array.map2 (-) (Likelihood.truthLogDensity truth truthDraws) (model.LogDensity truthDraws)
                    let modelDraws = model.Sample 7 20_000
                    let reverseTerms = Array.map2 (-) (model.LogDensity modelDraws) (Likelihood.truthLogDensity truth modelDraws)
                    abs (s.KlForward.Value - gaussianKl 0.0 1.0 mu sigma) <= 5.0 * standardError forwardTerms + 1e-12
                    && abs (s.KlReverse.Value - gaussianKl mu sigma 0.0 1.0) <= 5.0 * standardError reverseTerms + 1e-12))
            testProperty "the NLL does not depend on the order of the data points and shifts by log σ under a common scale σ" (
                Prop.forAll gaussianModels (fun (mu, sigma) ->
                    // Scaling data and model by σ: log p drops by log σ at every point, so the NLL rises by log σ.
                    let y = draws 9 (Distribution.Gaussian(mu, 1.0)) 500
                    let nll (model: Distribution) (points: Points) = (Likelihood.scores (perfect model) None 1 10 points).Nll
                    let unscaled = nll (Distribution.Gaussian(mu, 1.0)) y
                    let reordered = nll (Distribution.Gaussian(mu, 1.0)) (PointSamples.reorder 3 y)
                    let scaled = nll (Distribution.Gaussian(sigma * mu, sigma)) (Points.scale sigma y)
                    abs (reordered - unscaled) <= 1e-12 * (1.0 + abs unscaled) && abs (scaled - (unscaled + log sigma)) <= 1e-9 * (1.0 + abs unscaled)))
        ]
        test "a model equal to the truth has both KL divergences exactly 0 and the truth's NLL" {
            for name, truth in NamedDatasets.all |> List.filter (snd >> Densities.hasDensity) do
                let y = draws 1 truth 2_000
                let s = Likelihood.scores (perfect truth) (Some truth) 2 2_000 y
                Expect.equal s.KlForward (Some 0.0) (sprintf "%s forward" name)
                Expect.equal s.KlReverse (Some 0.0) (sprintf "%s reverse" name)
                Expect.floatClose Accuracy.veryHigh s.Nll (-(Array.average (Likelihood.truthLogDensity truth y))) (sprintf "%s NLL" name)
        }
        test "between N(0, 1) and N(μ, σ²) the KL divergences match their closed forms" {
            let truth = Distribution.Gaussian(0.0, 1.0)
            let model = perfect (Distribution.Gaussian(1.0, 1.5))
            // KL(N(a, s²) ‖ N(b, t²)) = log(t/s) + (s² + (a − b)²)/(2t²) − ½.
            let kl (a: float) (s: float) (b: float) (t: float) = log (t / s) + (s * s + (a - b) ** 2.0) / (2.0 * t * t) - 0.5
            let scores = Likelihood.scores model (Some truth) 3 100_000 (draws 4 truth 1_000)
            Expect.isLessThan (abs (scores.KlForward.Value - kl 0.0 1.0 1.0 1.5)) 0.01 (sprintf "forward %g" scores.KlForward.Value)
            Expect.isLessThan (abs (scores.KlReverse.Value - kl 1.0 1.5 0.0 1.0)) 0.02 (sprintf "reverse %g" scores.KlReverse.Value)
        }
        test "a model with mass where the truth has none has an infinite reverse KL" {
            let uniform = Distribution.Uniform(0.0, 1.0)
            let s = Likelihood.scores (perfect (Distribution.Gaussian(0.5, 1.0))) (Some uniform) 5 1_000 (draws 6 uniform 100)
            Expect.equal s.KlReverse (Some infinity) "reverse KL"
            Expect.isTrue (System.Double.IsFinite s.KlForward.Value && s.KlForward.Value > 0.0) "forward KL finite and positive"
        }
        test "without a truth density there is no KL" {
            let moons = NamedDatasets.moons
            let model: ModelDensity = { LogDensity = (fun p -> Array.create p.Count 0.0); Sample = fun seed count -> draws seed moons count }
            let s = Likelihood.scores model (Some moons) 1 100 (draws 2 moons 100)
            Expect.isNone s.KlForward "forward"
            Expect.isNone s.KlReverse "reverse"
        }
    ]
