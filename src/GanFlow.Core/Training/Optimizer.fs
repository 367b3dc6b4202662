namespace GanFlow.Core.Training

/// Adam (Kingma & Ba 2014) settings.
type Adam =
    { /// Step size. Default 1e-4.
      LearningRate: float
      /// First-moment decay β₁ in [0, 1). Default 0.5 (common for GANs).
      Beta1: float
      /// Second-moment decay β₂ in [0, 1). Default 0.9 (WGAN-GP's choice).
      Beta2: float
      /// L2 weight decay added to the gradient (not decoupled). Default 0.
      WeightDecay: float }

    static member Default = { LearningRate = 1e-4; Beta1 = 0.5; Beta2 = 0.9; WeightDecay = 0.0 }

/// RMSprop settings (Arjovsky et al. use it with weight clipping).
type RmsProp =
    { /// Step size. Default 5e-5 (Arjovsky et al. and seed 003).
      LearningRate: float
      /// Smoothing constant α of the squared-gradient average, in [0, 1). Default 0.99.
      Alpha: float
      /// L2 weight decay. Default 0.
      WeightDecay: float }

    static member Default = { LearningRate = 5e-5; Alpha = 0.99; WeightDecay = 0.0 }

/// A gradient-based optimiser.
[<RequireQualifiedAccess>]
type Optimizer =
    /// Adam (Kingma & Ba 2015), the papers' optimiser.
    | Adam of Adam
    /// RMSProp (Tieleman & Hinton 2012), the original WGAN's with weight clipping.
    | RmsProp of RmsProp

    /// The base learning rate of either optimiser.
    member this.LearningRate =
        match this with
        | Adam a -> a.LearningRate
        | RmsProp r -> r.LearningRate

/// How the learning rate moves over training steps.
[<RequireQualifiedAccess>]
type LearningRateSchedule =
    /// The optimiser's learning rate throughout.
    | Constant
    /// Smith (2017)'s triangular cyclic rate: rises linearly from `baseLearningRate` to the
    /// optimiser's learning rate over `stepSizeUp` steps, falls back over as many, repeats.
    /// Seed 000 uses base = lr / {2..5}, step size {2000..8000}. A GAN's critic follows the same
    /// cycle from the same base to its own rate, indexed by generator step (seed 000's reference
    /// code steps the critic's scheduler once per critic update instead), so the base may exceed
    /// neither optimiser's rate.
    | CyclicTriangular of baseLearningRate: float * stepSizeUp: int
    /// Step decay: the optimiser's rate times `factor` (0 < factor <= 1) after every `every` steps
    /// (>= 1), lr · factor^⌊step / every⌋. Seed 000's GF reference halves it every 10,000 steps.
    | StepDecay of factor: float * every: int

/// Pure schedule arithmetic, shared by the runtime and the tests.
module LearningRateSchedule =
    /// Learning rate at 0-based `step` for a schedule whose peak is `maxLearningRate`.
    let at (schedule: LearningRateSchedule) (maxLearningRate: float) (step: int) =
        match schedule with
        | LearningRateSchedule.Constant -> maxLearningRate
        | LearningRateSchedule.CyclicTriangular(baseLr, stepSizeUp) ->
            let cycle = floor (1.0 + float step / (2.0 * float stepSizeUp))
            let x = abs (float step / float stepSizeUp - 2.0 * cycle + 1.0)
            baseLr + (maxLearningRate - baseLr) * max 0.0 (1.0 - x)
        | LearningRateSchedule.StepDecay(factor, every) -> maxLearningRate * pown factor (step / every)
