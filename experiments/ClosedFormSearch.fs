/// A search whose trials are closed-form learning curves instead of training runs (docs/distributed-search.md): the
/// search machinery (the store, leases, workers killed and restarted, many workers on one database) tested and timed
/// on real `ganflow worker` processes without the cost of training. Not a model of anything; never a result.
module GanFlow.Experiments.ClosedFormSearch

open System
open GanFlow.Core.Experiments
open GanFlow.Core.Search

/// The curve of one assignment: W1(t) = (0.02 + quality) · (1 + slowness / t) · exp(0.4 · z_t), z_t a standard normal
/// draw seeded by (noise_seed, t). `quality` sets where a trial ends, `slowness` how slowly it gets there (successive
/// halving's known bias against slow starters shows), and z_t the evaluation noise a WGAN's W1 has (2-3× between
/// neighbouring evaluations), so a rung value over several evaluations ranks better than one.
let curve (a: Assignment) (step: int) =
    let number name =
        match SearchSpace.tryGet name a with
        | Some(ParameterValue.Float f) -> f
        | Some(ParameterValue.Int i) -> float i
        | v -> failwithf "%s = %A is not a number" name v
    let rng = Random(HashCode.Combine(int (number "noise_seed"), step))
    // Box-Muller: one standard normal draw from two uniforms.
    let z = sqrt (-2.0 * log (1.0 - rng.NextDouble())) * cos (2.0 * Math.PI * rng.NextDouble())
    (0.02 + number "quality") * (1.0 + number "slowness" / float (max 1 step)) * exp (0.4 * z)

/// 64 trials of ASHA (grace 10, maximum 160, η = 4: rungs 10 and 40) over the curve above, 50 ms per step: a job takes
/// 0.5 s to 6 s, the whole search about 80 s of worker time, so workers can be killed in the middle of jobs.
let search =
    { Name = "closed-form-search"
      Description = "Test and bench objective, no training: closed-form noisy learning curves (64 trials, ASHA grace 10, max 160, 50 ms per step)"
      Base =
        { GanFlow.Experiments.WganGpUnimodalDemo.experiment with
            Name = "closed-form-search"
            Budget = { Steps = 160; BatchSize = 64; Epochs = None }
            Evaluation = { Evaluation.Default with Every = 10; Samples = 1_000; FinalSamples = 1_000 } }
      Space =
        [ SearchSpace.parameter "quality" (Domain.Uniform(0.0, 1.0))
          SearchSpace.parameter "slowness" (Domain.LogUniform(10.0, 1_000.0))
          SearchSpace.parameter "noise_seed" (Domain.IntRange(0, 1_000_000)) ]
      Resolve = fun baseExperiment _ -> baseExperiment
      Scheduler = { SchedulerSpec.Default with Scheduler = Scheduler.Asha { MinSteps = 10; MaxSteps = 160; ReductionFactor = 4 } }
      Trials = 64
      Seed = 1
      Workers = 2
      Trainer = TrialTrainer.ClosedForm { Value = curve; SecondsPerStep = 0.05 } }
