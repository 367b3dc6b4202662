/// Neural spline flows (Durkan et al. 2019; `FlowArchitecture.Spline`), the strong low-dimensional baseline that zuko and
/// nflows ship: a Table 1 row beside GF and FFJORD on seed 000's two 1-D sets (declared in `Seed000Table1`, spec `oneD`
/// here), and single runs on moons, the ring of 8 and the 5 × 5 grid. Every name contains `nsf`.
module GanFlow.Experiments.NeuralSplineFlows

open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments

/// 1-D (seed 000's sets): 4 layers of 32-bin monotone splines on [−3, 3] of the standardized data (4 × 95 = 380 free
/// parameters), Adam 1e-2 (GF's reference rate) halved every 500 steps; the splines bend a Gaussian into several modes,
/// which no affine flow can (seed 000 sec. 5). 16 bins and a constant rate were tried first: multimodal W1 0.62 and
/// NLL 4.105 (32 bins, halving: 0.395 and 4.096).
let oneD =
    { Flow.spline with
        Architecture = FlowArchitecture.Spline { SplineFlow.Default with Layers = 4; Bins = 32 }
        Optimizer = Flow.adam 1e-2
        Schedule = LearningRateSchedule.StepDecay(0.5, 500) }

/// 2-D: 4 coupling layers of 8-bin splines on [−3, 3] of the standardized data, coupling nets 2 → 64 → 64 → 46 ReLU
/// (`SplineFlow.Default`), Adam 1e-3 (nflows' and zuko's default scale), batch 256.
let twoD = Flow.spline

/// Evaluation of the 2-D runs: every 250 steps on 5,000 samples, 20,000 final samples (as seed 003's moons runs).
let private evaluation = { Evaluation.Default with Every = 250; Samples = 5_000; FinalSamples = 20_000 }

let private run name description dataset =
    { Experiment.create name description dataset with
        Model = Model.Flow twoD
        Budget = { Steps = 2_000; BatchSize = 256; Epochs = None }
        Evaluation = evaluation }

/// The 2-D runs: moons (seed 003's set), the ring of 8 and the 5 × 5 grid (seed 001's Flow-GAN sets).
let all =
    [ run "nsf-moons" "Neural spline flow on two moons (4 spline couplings, 2,000 steps of 256)" NamedDatasets.moons
      run "nsf-ring" "Neural spline flow on the ring of 8 Gaussians (4 spline couplings, 2,000 steps of 256)" NamedDatasets.ring8
      run "nsf-grid" "Neural spline flow on the 5 x 5 grid of Gaussians (4 spline couplings, 2,000 steps of 256)" NamedDatasets.grid25 ]
