namespace GanFlow.Core.Images

/// Grey-scale images with a label each, as an IDX image file and its label file hold them (MNIST: 28 × 28, labels
/// 0-9). Pixels are the files' bytes, 0 (background) to 255 (ink); preprocessing into model inputs is a separate spec.
type ImageSet =
    { /// Pixel rows of every image (MNIST 28).
      Rows: int
      /// Pixel columns of every image (MNIST 28).
      Columns: int
      /// Every image's pixels, image after image, each row-major: `Count · Rows · Columns` bytes.
      Pixels: byte[]
      /// One class label per image (MNIST 0-9), in the images' order.
      Labels: byte[] }

    /// Number of images.
    member s.Count = s.Labels.Length

    /// Pixels of one image.
    member s.Size = s.Rows * s.Columns

/// The splits an image experiment trains, validates and tests on. Seed 003 has no validation split (60,000 / 10,000):
/// its `Validation` holds no images.
type ImageSplits =
    { /// What training draws its minibatches from.
      Train: ImageSet
      /// Model selection (seed 001: the best-validated checkpoint, the memorizing baseline's bandwidth). May be empty.
      Validation: ImageSet
      /// The reported held-out numbers.
      Test: ImageSet }
