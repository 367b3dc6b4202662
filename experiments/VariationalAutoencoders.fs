/// Variational autoencoders on data whose law is known (`Objective.Elbo` with an MLP encoder and a Gaussian likelihood):
/// the combination the image-only pipeline could not run before there was one experiment for every family. On the ring
/// of 8 beside `nsf-ring`, and on seed 000's unimodal set beside Table 1's flows (exact W1 against the truth in 1-D).
/// Every name starts with `vae-`.
module GanFlow.Experiments.VariationalAutoencoders

open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments

/// A VAE of `latent` dimensions: decoder and encoder MLPs of width 64 and depth 2 (ReLU), Gaussian likelihood with the
/// fixed observation std `std`, Adam(1e-3, 0.9, 0.999).
let vae (latent: int) (std: float) =
    { Generator = GeneratorSpec.Mlp { Prior = { Prior.Default with Dimension = latent }; Network = Mlp.Default }
      Objective = Objective.Elbo { Elbo.Default with Likelihood = DecoderLikelihood.Gaussian std }
      Optimizer = Flow.adam 1e-3
      Schedule = LearningRateSchedule.Constant
      Init = GeneratorInit.Random }

/// The ring of 8 (std 0.02, radius 2): a 2-D latent, σ = 0.02 (the modes' spread), Adam 3e-3, 10,000 steps of 256 (at
/// nsf-ring's 2,000 steps and 1e-3 it had found no mode yet: precision 0.014, no mode covered), evaluated every 1,000.
let ring =
    { Experiment.create "vae-ring" "VAE (MLP encoder, Gaussian likelihood σ = 0.02) on the ring of 8 Gaussians (10,000 steps of 256)" NamedDatasets.ring8 with
        Model = { vae 2 0.02 with Optimizer = Flow.adam 3e-3 }
        Budget = { Steps = 10_000; BatchSize = 256; Epochs = None }
        Evaluation = { Evaluation.Default with Every = 1_000; Samples = 5_000; FinalSamples = 20_000 } }

/// Seed 000's unimodal set (1-D): a 1-D latent, σ = 0.1 (the Gaussian part's std); Table 1's flow budget (1,500 steps of
/// 1,024) and evaluation (100,000 final samples), so its exact W1 stands beside GF's, FFJORD's and NSF's.
let unimodal =
    { Experiment.create "vae-unimodal" "VAE (MLP encoder, Gaussian likelihood σ = 0.1) on seed 000's unimodal set (1,500 steps of 1,024)" NamedDatasets.unimodal with
        Model = vae 1 0.1
        Budget = { Steps = 1_500; BatchSize = 1_024; Epochs = None }
        Evaluation = { Evaluation.Default with Every = 250; Samples = 5_000; FinalSamples = 100_000 } }

/// Every declared VAE on point data.
let all = [ ring; unimodal ]
