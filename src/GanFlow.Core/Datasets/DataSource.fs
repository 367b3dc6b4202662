namespace GanFlow.Core.Datasets

open GanFlow.Core.Specs
open GanFlow.Core.Images

/// Digits from a folder of MNIST IDX files as data points of `Side`² pixels (seed 001 sec. 5): the papers' split into
/// training, validation and test images, each image's bytes b made continuous on the [0, 1] scale by the preprocessing.
/// With `DequantizedLogit` every split is dequantized once, x = (b + u)/256 (u ~ U(0, 1)^D from seed 0, stream the
/// split's index), the training batches afresh at every step from (seed, step), and a flow models x through the fixed
/// logit map (its NLL in nats per image on the [0, 1] scale, as seed 001 reports it); with `Scaled01`, x = b/255.
type ImageSource =
    { /// The folder of the four MNIST files and the papers' split. `--data DIR` sets the folder. No default folder.
      Data: MnistData
      /// How bytes become data. Default seed 001's `DequantizedLogit 1e-7`.
      Preprocessing: ImagePreprocessing
      /// Pixels per side (MNIST: 28), checked against the files when a run reads them. Default 28.
      Side: int }

/// Where an experiment's data come from. The shape of the data (its dimension) follows from the source, and so does what
/// an evaluation can score: against the law itself when the law is known (exact W1 in 1-D, KL, mode scores), against a
/// held-out split when the data are a file.
type DataSource =
    /// Fresh draws from a known law at every step (the dataset is effectively infinite, seed 000 sec. 2).
    | Law of law: Distribution
    /// A finite sample drawn once from a known law and split into training, validation and test splits; training draws
    /// its minibatches from the training split (seed 001 sec. 3). Evaluations still know the law.
    | Sample of law: Distribution * sample: FiniteSample
    /// A researcher's own sample file, split by a seeded rule; its law is unknown, so evaluations score against the
    /// validation split, and the test split is kept for the held-out numbers at the end (`heldout.json`).
    | File of file: SampleFileSource
    /// Images from a folder of MNIST IDX files (`ImageSource`); their law is unknown, so evaluations score against the
    /// validation split, and the test split is kept for `heldout.json`; under seed 003's split, which holds out no
    /// validation images, against the test split (the paper's protocol; a search on it is refused).
    | Images of images: ImageSource

/// Reading a data source.
module DataSource =

    /// The law the data come from, when it is known.
    let law (source: DataSource) =
        match source with
        | Law law
        | Sample(law, _) -> Some law
        | File _
        | Images _ -> None

    /// The finite sample of the source, when the law is sampled once.
    let finiteSample (source: DataSource) =
        match source with
        | Sample(_, sample) -> Some sample
        | Law _
        | File _
        | Images _ -> None

    /// Whether training draws from fixed splits (a finite sample or a file) rather than fresh draws.
    let isFinite (source: DataSource) =
        match source with
        | Law _ -> false
        | Sample _
        | File _
        | Images _ -> true

    /// Coordinates of one data point.
    let dimension (source: DataSource) =
        match source with
        | Law law
        | Sample(law, _) -> Densities.dimension law
        | File file -> file.Dimension
        | Images images -> images.Side * images.Side

    /// Whether the source holds out a validation split: every finite source but images under seed 003's split, which
    /// keeps only training and test images (`MnistSplit.Seed003`).
    let hasValidationSplit (source: DataSource) =
        match source with
        | Images { Data = { Split = MnistSplit.Seed003 } } -> false
        | _ -> isFinite source

    /// Bits per dimension of an NLL in nats per point (the `bits_per_dim` column, `heldout.json`'s `testBitsPerDim`):
    /// NLL / (d · ln 2); on dequantized images the 8-bit convention of the flow literature, 8 + NLL / (d · ln 2)
    /// (`ImagePreprocessing.bitsPerDim8Bit`: the cost per subpixel of the bytes, as seed 001 and RealNVP report it).
    let bitsPerDim (source: DataSource) (nll: float) =
        match source with
        | Images { Preprocessing = ImagePreprocessing.DequantizedLogit _ } as images ->
            ImagePreprocessing.bitsPerDim8Bit nll (dimension images)
        | _ -> nll / (float (dimension source) * log 2.0)

    /// Whether the data's density is known (KL, exact likelihood of the data).
    let hasDensity (source: DataSource) = law source |> Option.exists Densities.hasDensity

    /// Whether the data's law is a mixture with modes to count (seed 000's mode scores).
    let hasModes (source: DataSource) = law source |> Option.exists Densities.hasModes

    /// Every error of the source, with field paths under `path`.
    let errors (path: string) (source: DataSource) =
        match source with
        | Law law -> DistributionValidation.validate (path + ".law") law
        | Sample(law, sample) ->
            match DistributionValidation.validate (path + ".law") law with
            | [] -> FiniteSample.errors (path + ".sample") (Some(Densities.dimension law)) sample
            | lawErrors -> lawErrors @ FiniteSample.errors (path + ".sample") None sample
        | File file -> SampleFileSource.errors (path + ".file") file
        | Images images ->
            (if System.String.IsNullOrWhiteSpace images.Data.Folder then Check.fail (path + ".images.data.folder") images.Data.Folder "must name a folder of MNIST files (`ganflow data mnist --out DIR` writes one)" else [])
            @ Check.atLeast (path + ".images.side") 1 images.Side
            @ ImagePreprocessing.validate (path + ".images.preprocessing") images.Preprocessing

    /// MNIST digits from `folder` with seed 001's split and preprocessing, 28 × 28.
    let mnist (folder: string) =
        Images { Data = { Folder = folder; Split = MnistSplit.Seed001 }; Preprocessing = ImagePreprocessing.seed001; Side = 28 }
