/// `ganflow run seed003-mnist-…` end to end on MNIST folders the tests write: exit codes, bad input refused before
/// training with the field or file named, the run folder and its report.
module GanFlow.Tests.ImageCliTests

open System.IO
open Expecto
open GanFlow.Cli
open GanFlow.Store
open GanFlow.Tests.MnistTestSupport

let private strokesFolder side = mnistFolder "" (ImageTestData.strokes 1 side 160) (ImageTestData.strokes 2 side 80)

[<Tests>]
let tests =
    testSequenced <| testList "Image CLI" [
        testCase "a reduced VAE run on a written MNIST folder exits 0 and writes its folder, pictures and report" (fun () ->
            let data, out = strokesFolder 28, GanFlow.Tests.ReportTests.temporaryFolder ()
            Expect.equal (Program.main [| "run"; "seed003-mnist-vae-reduced"; "--data"; data; "--out"; out; "--steps"; "3" |]) 0 "exit code"
            for file in [ RunFiles.Spec; RunFiles.Metrics; RunFiles.Summary; RunFiles.SampleGrid; RunFiles.Interpolation; RunFiles.PosteriorPicture; RunFiles.Report ] do
                Expect.isTrue (File.Exists(Path.Combine(out, file))) (sprintf "%s written" file)
            let html = File.ReadAllText(Path.Combine(out, RunFiles.Report))
            Expect.stringContains html "samples.png" "the report shows the sample grid"
            Expect.stringContains html "interpolation.png" "the report shows the interpolation"
            Expect.stringContains html "posterior.png" "the report shows the posteriors"
            Expect.equal (FolderMarker.Read out |> nonNull).Kind FolderKind.Run "an ordinary run folder"
            Expect.equal (Program.main [| "report"; out |]) 0 "ganflow report rewrites it")
        testCase "a missing data folder exits 2 before training, writing nothing" (fun () ->
            let out = Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "run")
            Expect.equal (Program.main [| "run"; "seed003-mnist-dcgan-reduced"; "--data"; "/nonexistent/mnist"; "--out"; out |]) 2 "exit code"
            Expect.isFalse (Directory.Exists out) "nothing written")
        testCase "images of a size the architecture cannot take exit 2 before training" (fun () ->
            let data, out = strokesFolder 30, Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "run")
            Expect.equal (Program.main [| "run"; "seed003-mnist-dcgan-reduced"; "--data"; data; "--out"; out |]) 2 "exit code"
            Expect.isFalse (Directory.Exists out) "nothing written")
        testCase "a truncated image file exits 2 before training" (fun () ->
            let data, out = strokesFolder 28, Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "run")
            let path = Path.Combine(data, MnistFolder.TrainImages)
            File.WriteAllBytes(path, (File.ReadAllBytes path)[.. 999])
            Expect.equal (Program.main [| "run"; "seed003-mnist-wgan-reduced"; "--data"; data; "--out"; out |]) 2 "exit code"
            Expect.isFalse (Directory.Exists out) "nothing written")
        testCase "a VAE-initialised GAN without a VAE run exits 2 before training" (fun () ->
            let data, out = strokesFolder 28, Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "run")
            let noVae = Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "no-vae")
            Expect.equal (Program.main [| "run"; "seed003-mnist-wgan-vae-init-reduced"; "--data"; data; "--vae"; noVae; "--out"; out |]) 2 "exit code"
            Expect.isFalse (Directory.Exists out) "nothing written")
    ]
