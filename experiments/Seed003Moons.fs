/// Seed 003 sec. 3 (Figs. 5-6): RealNVP and OT-Flow on the two moons, with the paper's architectures,
/// optimisers and batch size. The paper trains 20,000 steps; the declared budget is reduced so each run
/// finishes in minutes on 2 CPU cores (`ganflow run realnvp-moons --steps 20000` for the full run).
module GanFlow.Experiments.Seed003Moons

open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Experiments

/// Evaluation of both runs: every 250 steps on 5,000 samples (energy distance on 2,000 of them), 20,000 final
/// samples; the final evaluation also writes the density grid and the latent points.
let private evaluation = { Evaluation.Default with Every = 250; Samples = 5_000; FinalSamples = 20_000 }

/// RealNVP: 6 affine couplings, s/t nets 2-128-128-2 with LeakyReLU and tanh on s (205,848 weights),
/// Adam 1e-4, batch 256. Reduced budget 3,000 steps (paper 20,000).
let realNvp =
    { Experiment.create "realnvp-moons" "Seed 003 Fig. 5: RealNVP on two moons (reduced budget: 3,000 of 20,000 steps)" NamedDatasets.moons with
        Model = Model.Flow Flow.realNvpMoons
        Budget = { Steps = 3_000; BatchSize = 256; Epochs = None }
        Evaluation = evaluation }

/// OT-Flow: potential with a width-32 ResNet and rank-3 A (1,229 parameters), RK4 with 4 steps on [0, 1],
/// loss weights (1, 10, 5), Adam 1e-2, batch 256. Reduced budget 2,000 steps (paper 20,000).
let otFlow =
    { Experiment.create "otflow-moons" "Seed 003 Fig. 6: OT-Flow on two moons (reduced budget: 2,000 of 20,000 steps)" NamedDatasets.moons with
        Model = Model.Flow Flow.otFlowMoons
        Budget = { Steps = 2_000; BatchSize = 256; Epochs = None }
        Evaluation = evaluation }
