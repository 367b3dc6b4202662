/// The demo: WGAN-GP on seed 000's unimodal dataset, sized to finish in a few minutes on 2 CPU
/// cores. It shows the paper's point at small scale: W1 falls, yet the critic's own estimate
/// (eq. 9) drifts away from the true W1 (eq. 8).
module GanFlow.Experiments.WganGpUnimodalDemo

open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Experiments

let experiment =
    { Experiment.create "wgan-gp-unimodal" "WGAN-GP on seed 000's unimodal mixture (demo budget)" NamedDatasets.unimodal with
        Model = Model.Gan { Gan.WganGp with Lipschitz = [ LipschitzConstraint.GradientPenalty 0.1 ]; CriticSteps = 10 }
        Budget = { Steps = 3_000; BatchSize = 512; Epochs = None }
        Evaluation = { Evaluation.Default with Every = 100; Samples = 10_000; FinalSamples = 100_000 } }
