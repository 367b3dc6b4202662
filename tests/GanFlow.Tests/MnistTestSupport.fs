/// Small image sets and MNIST folders the MNIST tests write themselves (no test uses the network).
module GanFlow.Tests.MnistTestSupport

open System.IO
open System.IO.Compression
open GanFlow.Core.Images
open GanFlow.Store

/// `count` images of `rows × columns` random bytes with random labels 0-9 (seeded).
let randomSet (seed: int) (count: int) (rows: int) (columns: int) : ImageSet =
    let rng = System.Random seed
    let pixels = Array.zeroCreate (count * rows * columns)
    rng.NextBytes pixels
    { Rows = rows; Columns = columns; Pixels = pixels; Labels = Array.init count (fun _ -> byte (rng.Next 10)) }

/// Writes `bytes` to `path`, gzipped when the name ends in `.gz`.
let writeFile (path: string) (bytes: byte[]) =
    if path.EndsWith ".gz" then
        use file = File.Create path
        use gzip = new GZipStream(file, CompressionLevel.Fastest)
        gzip.Write(bytes, 0, bytes.Length)
    else
        File.WriteAllBytes(path, bytes)

/// A fresh folder holding the four MNIST files of `train` and `test`, each named with `suffix` ("" or ".gz").
let mnistFolder (suffix: string) (train: ImageSet) (test: ImageSet) =
    let dir = GanFlow.Tests.ReportTests.temporaryFolder ()
    writeFile (Path.Combine(dir, MnistFolder.TrainImages + suffix)) (Idx.writeImages train)
    writeFile (Path.Combine(dir, MnistFolder.TrainLabels + suffix)) (Idx.writeLabels train)
    writeFile (Path.Combine(dir, MnistFolder.TestImages + suffix)) (Idx.writeImages test)
    writeFile (Path.Combine(dir, MnistFolder.TestLabels + suffix)) (Idx.writeLabels test)
    dir

/// The message of the `RunFolderException` that `f` throws (fails the test when it throws nothing).
let folderError (f: unit -> 'a) =
    try
        f () |> ignore
        Expecto.Tests.failtest "expected a RunFolderException"
    with :? RunFolderException as e -> e.Message
