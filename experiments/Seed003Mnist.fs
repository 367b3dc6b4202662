/// Seed 003 (Ruthotto & Haber) secs. 4-5 on MNIST with a 2-D latent: the VAE, and the DCGAN and WGAN from random
/// weights or from the VAE's generator, each at the paper's budget and at a reduced one that finishes in minutes on
/// 2 CPU cores. The data folder defaults to `data/mnist` (`ganflow data mnist --out data/mnist`), `--data` overrides it;
/// a VAE-initialised GAN reads the VAE run from `runs/seed003-mnist-vae[-reduced]` unless `--vae DIR` says otherwise.
module GanFlow.Experiments.Seed003Mnist

open GanFlow.Core.Images

let private data = { Folder = "data/mnist"; Split = MnistSplit.Seed003 }

let private paperEvaluation = { ImageEvaluation.Default with Every = 1_000 }
let private reducedEvaluation = { ImageEvaluation.Default with Every = 250; EnergyBatches = 10; TestImages = 2_000 }

let private experiment name description model budget evaluation =
    { Name = name
      Description = description
      Data = data
      TrainImages = None
      Model = model
      Budget = budget
      Evaluation = evaluation
      Pictures = ImagePictures.Default
      Seed = 1 }

/// The VAE run folders the VAE-initialised GANs read by default.
let vaeRun, vaeRunReduced = "runs/seed003-mnist-vae", "runs/seed003-mnist-vae-reduced"

let private dcgan init = ImageModel.Dcgan { Dcgan.Default with Init = init }
let private wgan init = ImageModel.Wgan { WganClip.Default with Init = init }

/// The paper's budgets: VAE 50 epochs, GANs 50,000 steps, batch 64.
let paper =
    [ experiment "seed003-mnist-vae" "seed 003 sec. 4: VAE on MNIST, q = 2, Bernoulli ELBO, Adam 1e-3, weight decay 1e-5, 50 epochs"
          (ImageModel.Vae Vae.Default) (ImageBudget.Epochs 50) paperEvaluation
      experiment "seed003-mnist-dcgan" "seed 003 sec. 5.1: DCGAN from random weights, Adam 2e-4, beta1 0.5, 50,000 steps"
          (dcgan GeneratorInit.Random) (ImageBudget.Steps 50_000) paperEvaluation
      experiment "seed003-mnist-dcgan-vae-init" "seed 003 sec. 5.1: DCGAN with the VAE's generator as the start, 50,000 steps"
          (dcgan (GeneratorInit.FromVae vaeRun)) (ImageBudget.Steps 50_000) paperEvaluation
      experiment "seed003-mnist-wgan" "seed 003 sec. 5.2: WGAN with weight clipping 0.01, RMSprop 5e-5, 5 critic steps, 50,000 steps"
          (wgan GeneratorInit.Random) (ImageBudget.Steps 50_000) paperEvaluation
      experiment "seed003-mnist-wgan-vae-init" "seed 003 sec. 5.2: WGAN-clip with the VAE's generator as the start, 50,000 steps"
          (wgan (GeneratorInit.FromVae vaeRun)) (ImageBudget.Steps 50_000) paperEvaluation ]

/// Reduced budgets (minutes on 2 CPU cores): the same models and settings, fewer steps.
let reduced =
    [ experiment "seed003-mnist-vae-reduced" "seed 003 sec. 4 VAE at a reduced budget: 10 epochs"
          (ImageModel.Vae Vae.Default) (ImageBudget.Epochs 10) reducedEvaluation
      experiment "seed003-mnist-dcgan-reduced" "seed 003 sec. 5.1 DCGAN from random weights at a reduced budget: 3,000 steps"
          (dcgan GeneratorInit.Random) (ImageBudget.Steps 3_000) reducedEvaluation
      experiment "seed003-mnist-dcgan-vae-init-reduced" "seed 003 sec. 5.1 DCGAN from the reduced VAE's generator: 3,000 steps"
          (dcgan (GeneratorInit.FromVae vaeRunReduced)) (ImageBudget.Steps 3_000) reducedEvaluation
      experiment "seed003-mnist-wgan-reduced" "seed 003 sec. 5.2 WGAN-clip from random weights at a reduced budget: 1,000 steps (5,000 critic steps)"
          (wgan GeneratorInit.Random) (ImageBudget.Steps 1_000) reducedEvaluation
      experiment "seed003-mnist-wgan-vae-init-reduced" "seed 003 sec. 5.2 WGAN-clip from the reduced VAE's generator: 1,000 steps (5,000 critic steps)"
          (wgan (GeneratorInit.FromVae vaeRunReduced)) (ImageBudget.Steps 1_000) reducedEvaluation ]

/// Every seed 003 MNIST experiment.
let all = paper @ reduced
