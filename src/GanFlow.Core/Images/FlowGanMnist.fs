namespace GanFlow.Core.Images

open GanFlow.Core.Specs
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments

/// What a seed 001 MNIST run optimises (Grover et al., Flow-GAN, sec. 3 and eq. 7).
[<RequireQualifiedAccess>]
type FlowGanMnistObjective =
    /// Maximum likelihood (eq. 1): minimise the NLL of a data batch, nats per image on the [0, 1] scale.
    | MaximumLikelihood
    /// Adversarial (eqs. 4-5): WGAN-GP between the flow's samples and the digits, the critic a DCGAN discriminator.
    | Adversarial
    /// Hybrid (eq. 7): the generator minimises its WGAN loss + λ·NLL (λ >= 0; seed 001 Table 1: λ = 0.1 on MNIST).
    | Hybrid of lambda: float

    /// `mle`, `adv` or `hybrid`, as in file names and tables.
    member this.Short =
        match this with
        | MaximumLikelihood -> "mle"
        | Adversarial -> "adv"
        | Hybrid _ -> "hybrid"

    /// The same objective in the 2-D Flow-GAN machinery's terms (`ObjectiveLosses` interprets it): WGAN-GP game.
    member this.AsObjective =
        match this with
        | MaximumLikelihood -> Objective.MaximumLikelihood
        | Adversarial -> Objective.Adversarial Adversarial.WganGp
        | Hybrid lambda -> Objective.Hybrid(Adversarial.WganGp, lambda)

/// One seed 001 Flow-GAN experiment on MNIST (sec. 4, Table 1, Figs. 2 and 4): NICE on dequantized, logit-transformed
/// digits trained by MLE, ADV or Hybrid; train and validation NLL over training, the best-validated checkpoint, its
/// test NLL, MODE and Inception scores of its samples under a digit classifier, and the singular values of its
/// Jacobian at prior draws. `ganflow run seed001-mnist-… --data DIR --out OUT [--classifier FILE]`.
type FlowGanMnistExperiment =
    { /// Name on the command line; names start with `seed001-mnist`.
      Name: string
      /// One line shown by `ganflow list --verbose` and in the report (says when the budget is reduced).
      Description: string
      /// Where the digits come from (`--data DIR` overrides the folder). Seed 001's split (50k/10k/10k). Default split
      /// `MnistSplit.Seed001`.
      Data: MnistData
      /// Train on the first this many training images only (reduced budgets); None: all. Default None.
      TrainImages: int option
      /// The generator: a NICE flow in 784 dimensions. Default `NiceMnist.flow` (4 couplings, 5 × 1,000 ReLU, logistic
      /// prior; 22,295,920 weights).
      Flow: Flow
      /// How bytes become the flow's input. Default `ImagePreprocessing.seed001` (dequantize, logit with α = 1e-7);
      /// every NLL is in nats per image on the [0, 1]-scaled images, bits/dim = 8 + NLL/(784 ln 2).
      Preprocessing: ImagePreprocessing
      /// MLE, ADV or Hybrid.
      Objective: FlowGanMnistObjective
      /// The critic (ADV, Hybrid): seed 003's DCGAN discriminator without sigmoid, read on the [0, 1]-scaled image.
      /// Default `ConvDiscriminator.Default` without batch norm (Gulrajani et al.: the gradient penalty is per sample).
      Critic: ConvDiscriminator
      /// λ_GP of the gradient penalty (Gulrajani et al. 2017; seed 001). Default 10.
      GradientPenalty: float
      /// Critic steps per generator step, each on a fresh data batch. Default 5 (seed 001).
      CriticSteps: int
      /// Adam of the flow. Default lr 1e-4, β₁ 0.5, β₂ 0.9 (seed 001's reference code: β₂ 0.9), for every objective.
      GeneratorOptimizer: Adam
      /// Adam of the critic. Default lr 1e-4, β₁ 0.5, β₂ 0.9.
      CriticOptimizer: Adam
      /// Images per minibatch (data and generated). Default 100.
      BatchSize: int
      /// Generator steps. Paper budget default 30,000.
      Steps: int
      /// Evaluate train/validation NLL (Fig. 2), keep the best-validated checkpoint, every this many steps and at the
      /// end. Default 1,000.
      EvaluateEvery: int
      /// Images of the training and of the validation split whose mean NLL is one point of Fig. 2 (at most the split;
      /// the same images, the same dequantization noise at every evaluation). Default 10,000.
      EvaluationImages: int
      /// Generated digits whose classifier posteriors give the MODE and Inception scores. Default 10,000.
      Samples: int
      /// The digit classifier trained in the run folder from the training split when no `--classifier FILE` is given.
      /// Default `DigitClassifier.Default`.
      Classifier: DigitClassifier
      /// Prior draws z at which the singular values of ∂G/∂z (784 × 784) are computed (seed 001 Fig. 4: 64). 0: none.
      /// Default 64.
      JacobianPoints: int
      /// Seed 001 Table 3's KDE: a Parzen window on the best flow's samples (on the [0, 1] scale), its bandwidth chosen on
      /// validation images, scored on the first `Points` test images beside their exact NLL. None: not estimated.
      /// Default `Parzen.Default` (10,000 samples, 20 bandwidths, 1,000 points).
      Parzen: Parzen option
      /// Seed 001 Table 3's AIS (Wu et al. 2017): log p_σ(x) = log ∫ p(z) N(x; G(z), σ²I) dz with G the flow's inverse onto
      /// the [0, 1] scale, on the first `Points` test images beside their exact NLL. None: not estimated. Default
      /// `Ais.Default` without the bidirectional check (16 chains, 1,000 intermediates, 10 leapfrog steps, σ 0.05, 100
      /// points).
      Ais: Ais option
      /// Seed of every draw (weights, minibatches, dequantization, prior). Same spec and seed: same numbers on CPU.
      Seed: int }

/// Defaults and validation of seed 001's MNIST experiments.
[<RequireQualifiedAccess>]
module FlowGanMnist =

    /// Adam(1e-4, 0.5, 0.9): WGAN-GP's optimiser, used for the flow and the critic.
    let adam = { LearningRate = 1e-4; Beta1 = 0.5; Beta2 = 0.9; WeightDecay = 0.0 }

    /// The paper-budget experiment of `objective` on the digits in `folder`.
    let paper (name: string) (description: string) (objective: FlowGanMnistObjective) (folder: string) =
        { Name = name
          Description = description
          Data = { Folder = folder; Split = MnistSplit.Seed001 }
          TrainImages = None
          Flow = NiceMnist.flow
          Preprocessing = NiceMnist.preprocessing
          Objective = objective
          Critic = { ConvDiscriminator.Default with BatchNorm = false }
          GradientPenalty = 10.0
          CriticSteps = 5
          GeneratorOptimizer = adam
          CriticOptimizer = adam
          BatchSize = 100
          Steps = 30_000
          EvaluateEvery = 1_000
          EvaluationImages = 10_000
          Samples = 10_000
          Classifier = DigitClassifier.Default
          JacobianPoints = 64
          Parzen = Some Parzen.Default
          Ais = Some { Ais.Default with SimulatedPoints = 0 }
          Seed = 1 }

    /// Errors of `e` before any data is read.
    let errors (e: FlowGanMnistExperiment) : SpecError list =
        let nice =
            match e.Flow.Architecture with
            | FlowArchitecture.Nice n ->
                Check.atLeast "flow.nice.couplings" 1 n.Couplings @ Check.atLeast "flow.nice.width" 1 n.Width
                @ Check.atLeast "flow.nice.depth" 2 n.Depth
            | other -> Check.fail "flow.architecture" (sprintf "%A" other) "seed 001's MNIST generator is a NICE flow"
        let objective =
            match e.Objective with
            | FlowGanMnistObjective.Hybrid lambda when not (System.Double.IsFinite lambda) || lambda < 0.0 ->
                Check.fail "objective.hybrid.lambda" lambda "must be finite and >= 0"
            | _ -> []
        let adamErrors path (a: Adam) = ExperimentValidation.optimizer path (Optimizer.Adam a)
        (if e.Name.StartsWith "seed001-mnist" then [] else Check.fail "name" e.Name "must start with seed001-mnist")
        @ (match e.TrainImages with
           | Some n -> Check.atLeast "trainImages" e.BatchSize n
           | None -> [])
        @ nice @ objective
        @ ImagePreprocessing.validate "preprocessing" e.Preprocessing
        @ Check.atLeast "critic.firstChannels" 1 e.Critic.FirstChannels
        @ Check.atLeast "critic.secondChannels" 1 e.Critic.SecondChannels
        @ Check.nonNegative "gradientPenalty" e.GradientPenalty
        @ Check.atLeast "criticSteps" 1 e.CriticSteps
        @ adamErrors "generatorOptimizer" e.GeneratorOptimizer
        @ adamErrors "criticOptimizer" e.CriticOptimizer
        @ Check.atLeast "batchSize" 2 e.BatchSize
        @ Check.atLeast "steps" 1 e.Steps
        @ Check.atLeast "evaluateEvery" 1 e.EvaluateEvery
        @ Check.atLeast "evaluationImages" 1 e.EvaluationImages
        @ Check.atLeast "samples" 2 e.Samples
        @ Check.atLeast "jacobianPoints" 0 e.JacobianPoints
        @ (match e.Parzen with
           | Some p -> Check.atLeast "parzen.samples" 1 p.Samples @ Check.atLeast "parzen.candidates" 2 p.Candidates @ Check.atLeast "parzen.points" 1 p.Points
           | None -> [])
        @ (match e.Ais with
           | Some a ->
               Check.atLeast "ais.chains" 1 a.Chains @ Check.atLeast "ais.intermediates" 1 a.Intermediates
               @ Check.atLeast "ais.leapfrogSteps" 1 a.LeapfrogSteps @ Check.positive "ais.initialStepSize" a.InitialStepSize
               @ Check.openUnit "ais.targetAcceptance" a.TargetAcceptance @ Check.positive "ais.observationStd" a.ObservationStd
               @ Check.atLeast "ais.points" 1 a.Points
               @ (if a.SimulatedPoints = 0 then [] else Check.fail "ais.simulatedPoints" a.SimulatedPoints "the MNIST runs do no bidirectional check: must be 0")
           | None -> [])

    /// Errors of `e` against the loaded splits: 28 × 28 images (784 = the flow's dimension, the critic's two
    /// stride-2 convolutions), enough training images for a batch, validation and test images.
    let dataErrors (e: FlowGanMnistExperiment) (splits: ImageSplits) : SpecError list =
        let train = splits.Train
        let trainCount = min train.Count (defaultArg e.TrainImages train.Count)
        (if train.Rows * train.Columns = NiceMnist.Dimension && train.Rows = train.Columns then []
         else Check.fail "data.images.size" (sprintf "%d × %d" train.Rows train.Columns) "seed 001's NICE takes 28 × 28 images (784 pixels)")
        @ (if trainCount >= e.BatchSize then []
           else Check.fail "data.train.count" trainCount (sprintf "needs at least batchSize = %d training images" e.BatchSize))
        @ Check.atLeast "data.validation.count" 1 splits.Validation.Count
        @ Check.atLeast "data.test.count" 1 splits.Test.Count
