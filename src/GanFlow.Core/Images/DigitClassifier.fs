namespace GanFlow.Core.Images

open GanFlow.Core.Specs
open GanFlow.Core.Training

/// A small convolutional digit classifier p(y | x), trained on the MNIST training split, whose posteriors give seed
/// 001's MODE score (sec. 3.2, Che et al. 2017), the Inception score on digits (Salimans et al. 2016) and the share of
/// samples per class (mode coverage on images, seed 002 sec. 4) through `GanFlow.Core.Metrics.SampleQuality`.
/// Input: x = b/255, one channel of side × side pixels (side divisible by 4). Layers: 3×3 convolution (padding 1)
/// 1 → `FirstChannels`, ReLU, 2×2 max-pool; 3×3 convolution `FirstChannels` → `SecondChannels`, ReLU, 2×2
/// max-pool; linear `SecondChannels`·(side/4)² → `Hidden`, ReLU; linear `Hidden` → 10 logits. Trained by
/// cross-entropy with minibatches of a fresh seeded permutation each epoch.
type DigitClassifier =
    { /// Channels of the first convolution (>= 1). Default 32.
      FirstChannels: int
      /// Channels of the second convolution (>= 1). Default 64.
      SecondChannels: int
      /// Units of the hidden linear layer (>= 1). Default 128.
      Hidden: int
      /// Passes over the training split (>= 1). Default 3.
      Epochs: int
      /// Images per step (>= 1). Default 64.
      BatchSize: int
      /// Optimiser of all parameters. Default Adam(1e-3, 0.9, 0.999), no weight decay.
      Optimizer: Optimizer
      /// Seed of the initial weights and of the epochs' permutations. Default 1.
      Seed: int }

    /// 32 and 64 channels, 128 hidden units (421,642 parameters on 28 × 28), 3 epochs of batch 64, Adam 1e-3.
    static member Default =
        { FirstChannels = 32
          SecondChannels = 64
          Hidden = 128
          Epochs = 3
          BatchSize = 64
          Optimizer = Optimizer.Adam { LearningRate = 1e-3; Beta1 = 0.9; Beta2 = 0.999; WeightDecay = 0.0 }
          Seed = 1 }

/// The classifier's classes, parameter count and validation.
[<RequireQualifiedAccess>]
module DigitClassifier =

    /// Digit classes 0-9.
    [<Literal>]
    let Classes = 10

    /// Trainable parameters on side × side images: 9·c₁ + c₁ + 9·c₁·c₂ + c₂ + c₂(side/4)²·h + h + 10h + 10. Default on
    /// 28 × 28: 320 + 18,496 + 401,536 + 1,290 = 421,642.
    let parameterCount (side: int) (c: DigitClassifier) =
        let quarter = side / 4
        (9 * c.FirstChannels + c.FirstChannels)
        + (9 * c.FirstChannels * c.SecondChannels + c.SecondChannels)
        + (c.SecondChannels * quarter * quarter * c.Hidden + c.Hidden)
        + (c.Hidden * Classes + Classes)

    /// Errors of the images the classifier is to learn from or read (named `images`): square, with a side divisible
    /// by 4 (the two 2×2 poolings), at least one image. The classifier's own fields are checked by
    /// `ExperimentValidation.classifier`.
    let imageErrors (images: ImageSet) : SpecError list =
        (if images.Rows = images.Columns then []
         else Check.fail "images.size" (sprintf "%d × %d" images.Rows images.Columns) "the classifier takes square images")
        @ (if images.Rows >= 4 && images.Rows % 4 = 0 then []
           else Check.fail "images.rows" images.Rows "must be a positive multiple of 4 (two 2×2 poolings)")
        @ Check.atLeast "images.count" 1 images.Count
