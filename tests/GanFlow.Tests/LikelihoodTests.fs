module GanFlow.Tests.LikelihoodTests

open Expecto
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics
open GanFlow.Tests.TruthScoresTests

[<Tests>]
let tests =
    testList "likelihood scores" [
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
