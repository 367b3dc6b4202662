/// Flows by maximum likelihood on MNIST through the one run path (`DataSource.Images`): seed 001's NICE and a RealNVP,
/// which could not run on images before there was one experiment for every data shape. Both at seed 001's reduced
/// budget (`Seed001Mnist.reduced`: coupling nets 784 → 100 ×3 → 784, 500 steps of batch 64, Adam(5e-4, 0.5, 0.9)), on the
/// dequantized logit images of seed 001's split, so their test NLL (nats per image on the [0, 1] scale) and bits/dim
/// stand beside the seed 001 MNIST table's NICE. The data folder defaults to `data/mnist` (`ganflow data mnist --out
/// data/mnist`); `--data DIR` overrides it.
module GanFlow.Experiments.MnistFlows

open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments

let private reducedAdam = Optimizer.Adam { LearningRate = 5e-4; Beta1 = 0.5; Beta2 = 0.9; WeightDecay = 0.0 }

/// Evaluation every 50 steps on 500 samples (and the test split's first 500 images), 1,000 final samples; the final
/// model's exact NLL on 1,000 test images (`heldout.json`).
let private evaluation = { Evaluation.Default with Every = 50; Samples = 500; FinalSamples = 1_000 }

let private run name description (flow: Flow) =
    { Experiment.create name description NamedDatasets.moons with
        Data = DataSource.mnist "data/mnist"
        Model = Model.Flow { flow with Optimizer = reducedAdam }
        Budget = { Steps = 500; BatchSize = 64 }
        Evaluation = evaluation }

/// Seed 001's NICE (4 additive couplings, logistic base, diagonal scaling) with reduced coupling nets.
let nice =
    run "mnist-nice-mle" "NICE by MLE on dequantized logit MNIST through the one run path (nets 3 x 100, 500 steps of 64)"
        { GanFlow.Core.Images.NiceMnist.flow with Architecture = FlowArchitecture.Nice { Nice.Default with Width = 100; Depth = 4 } }

/// RealNVP (seed 003's affine couplings, alternating pixel masks, Gaussian base) with the same coupling nets as NICE.
let realNvp =
    run "mnist-realnvp-mle" "RealNVP by MLE on dequantized logit MNIST through the one run path (4 affine couplings, nets 3 x 100, 500 steps of 64)"
        { Flow.realNvpMoons with Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 4; Width = 100; Depth = 4 } }

/// Every declared flow on MNIST.
let all = [ nice; realNvp ]
