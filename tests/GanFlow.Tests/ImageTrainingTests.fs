/// Seed 003's image runs on test-written digits: each family learns something measurable, the ELBO is a lower bound on
/// the grid-integrated log p(x), bad input is refused before training, runs are deterministic and resumable.
module GanFlow.Tests.ImageTrainingTests

open System.IO
open Expecto
open TorchSharp
open GanFlow.Core.Experiments
open GanFlow.Core.Images
open GanFlow.Core.Specs
open GanFlow.Runtime.Images
open GanFlow.Store
open GanFlow.Tests.ImageTestData

let private folder (name: string) =
    let path = Path.Combine(Path.GetTempPath(), sprintf "ganflow-images-%s-%s" name (System.Guid.NewGuid().ToString "N"))
    path

let private experiment (model: ImageModel) (steps: int) =
    { Name = "test-images"
      Description = "test"
      Data = { Folder = "in-memory"; Split = MnistSplit.Seed003 }
      TrainImages = None
      Model = model
      Budget = ImageBudget.Steps steps
      Evaluation = { ImageEvaluation.Default with Every = steps; EnergyBatches = 4; TestImages = 200 }
      Pictures = { ImagePictures.Default with PosteriorImages = 2; PosteriorPoints = 41 }
      Seed = 3 }

let private run (e: ImageExperiment) (splits: ImageSplits) (out: string) =
    ImageRunner.Run(e, splits, ImageRunContext(torch.CPU, out))

let private mnistShaped = lazy (splits 28 512 256)

let private metrics (out: string) =
    match ImageMetricsCsv.parse (File.ReadAllText(Path.Combine(out, RunFiles.Metrics))) with
    | Ok records -> records
    | Error e -> failtest e

/// metrics.csv without its wall-clock column (NaN cells compare equal as text).
let private withoutWall (out: string) =
    File.ReadAllLines(Path.Combine(out, RunFiles.Metrics)) |> Array.map (fun l -> let c = l.Split ',' in String.concat "," (Array.append c[..0] c[2..]))

[<Tests>]
let tests =
    testSequenced <| testList "Image training" [
        testCase "a VAE on MNIST-shaped strokes raises its test ELBO by over 100 nats and lowers the energy statistic" (fun () ->
            let out = folder "vae"
            let summary = run (experiment (ImageModel.Vae Vae.Default) 150) mnistShaped.Value out
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let records = metrics out
            let first, last = records.Head, List.last records
            Expect.equal first.Step 0 "evaluated at initialisation"
            Expect.isGreaterThan last.TestElbo (first.TestElbo + 100.0) "test ELBO rises"
            Expect.isLessThan last.Energy first.Energy "energy statistic falls"
            Expect.equal summary.GeneratorParameters 42_913 "generator weights"
            Expect.equal summary.SecondNetworkParameters 45_924 "encoder weights"
            for file in [ RunFiles.SampleGrid; RunFiles.Interpolation; RunFiles.LatentMeans; RunFiles.Posterior; RunFiles.PosteriorPicture; RunFiles.Evidence ] do
                Expect.isTrue (File.Exists(Path.Combine(out, file))) (sprintf "%s written" file)
            let means = File.ReadAllLines(Path.Combine(out, RunFiles.LatentMeans))
            Expect.equal means.Length 201 "a header and one line per test image")
        testCase "a DCGAN on MNIST-shaped strokes lowers the energy statistic below its value at initialisation" (fun () ->
            let out = folder "dcgan"
            let summary = run (experiment (ImageModel.Dcgan Dcgan.Default) 150) mnistShaped.Value out
            Expect.equal summary.Status RunStatus.Completed summary.Message
            Expect.isLessThan summary.Final.Value.Energy summary.InitialEnergy "energy statistic falls"
            Expect.equal summary.SecondNetworkParameters 36_705 "discriminator weights")
        testCase "a WGAN with clipping on MNIST-shaped strokes lowers the energy statistic below its value at initialisation" (fun () ->
            let out = folder "wgan"
            let spec = { WganClip.Default with Optimizer = { WganClip.Default.Optimizer with LearningRate = 5e-4 } }
            let summary = run (experiment (ImageModel.Wgan spec) 60) mnistShaped.Value out
            Expect.equal summary.Status RunStatus.Completed summary.Message
            Expect.isLessThan summary.Final.Value.Energy summary.InitialEnergy "energy statistic falls")
        testCase "a WGAN whose generator starts from a trained VAE starts with a lower energy statistic than from random weights" (fun () ->
            let vaeOut = folder "vae-for-init"
            let vae = run (experiment (ImageModel.Vae Vae.Default) 150) mnistShaped.Value vaeOut
            Expect.equal vae.Status RunStatus.Completed vae.Message
            let wgan init = ImageModel.Wgan { WganClip.Default with Init = init }
            let fromVae = run (experiment (wgan (GeneratorInit.FromVae vaeOut)) 5) mnistShaped.Value (folder "wgan-vae")
            let fromRandom = run (experiment (wgan GeneratorInit.Random) 5) mnistShaped.Value (folder "wgan-random")
            Expect.equal fromVae.Status RunStatus.Completed fromVae.Message
            Expect.isLessThan fromVae.InitialEnergy fromRandom.InitialEnergy "the VAE's generator is the better start"
            Expect.floatClose Accuracy.high fromVae.InitialEnergy vae.Final.Value.Energy "the VAE's final generator is the one loaded")
        testCase "the VAE's ELBO is a lower bound on the grid-integrated log p(x) for a trained tiny model" (fun () ->
            let tiny = { Vae.Default with Encoder = { ConvEncoder.Default with FirstChannels = 4; SecondChannels = 8 }; Generator = { ConvGenerator.Default with FirstChannels = 8; SecondChannels = 4 } }
            let data = splits 12 256 64
            let e = experiment (ImageModel.Vae tiny) 200
            let out = folder "tiny"
            let summary = run e data out
            Expect.equal summary.Status RunStatus.Completed summary.Message
            // Re-load the trained networks and integrate on two grids: the finer must agree with the coarser (the grid
            // resolves the posterior) and exceed the 1,000-sample ELBO.
            use networks = ImageNetworks.Create(e.Model, 12, 0L, torch.CPU)
            let checkpoint = CheckpointFolders.Locate out |> nonNull
            GanFlow.Runtime.Checkpoints.CheckpointStore.LoadModule(checkpoint, "generator", networks.Generator)
            GanFlow.Runtime.Checkpoints.CheckpointStore.LoadModule(checkpoint, "encoder", networks.SecondNetwork)
            networks.Train false
            use test = new ImageData(data.Test, System.Nullable(), torch.CPU)
            use noGrad = torch.no_grad ()
            for k in 0L .. 3L do
                use x = test.Batch [| k |]
                let evidence points = LatentGrid.logEvidence 6.0 points (ImagePictures.GridLogLikelihoods(networks.Generator, x, 6.0, points)[0])
                let coarse, fine = evidence 201, evidence 401
                Expect.floatClose { absolute = 0.05; relative = 0.0 } fine coarse "the grid integral has converged"
                let elbo = ImagePictures.MeanElbo(networks.Encoder |> nonNull, networks.Generator, x, 2000, 11L)
                Expect.isLessThan elbo fine (sprintf "ELBO %g below log p(x) %g for test image %d" elbo fine k))
        testCase "a run whose loss becomes non-finite ends as Diverged with its summary written, not a crash" (fun () ->
            let out = folder "diverged"
            let wild = { Dcgan.Default with Optimizer = { Dcgan.Default.Optimizer with LearningRate = 1e30 } }
            let summary = run (experiment (ImageModel.Dcgan wild) 40) mnistShaped.Value out
            Expect.equal summary.Status RunStatus.Diverged summary.Message
            Expect.isTrue (File.Exists(Path.Combine(out, RunFiles.Summary))) "summary.json written"
            Expect.isFalse (File.Exists(Path.Combine(out, RunFiles.SampleGrid))) "no pictures of a diverged model")
        testCase "the same spec and seed give the same metrics on CPU" (fun () ->
            let e = experiment (ImageModel.Dcgan Dcgan.Default) 10
            let a, b = folder "det-a", folder "det-b"
            run e mnistShaped.Value a |> ignore
            run e mnistShaped.Value b |> ignore
            Expect.isGreaterThan (metrics a).Length 1 "evaluations written"
            Expect.sequenceEqual (withoutWall a) (withoutWall b) "same metrics")
        testCase "a resumed run of the same spec continues from its checkpoint to the same numbers" (fun () ->
            let whole = experiment (ImageModel.Vae Vae.Default) 20
            let halves = { whole with Evaluation = { whole.Evaluation with Every = 10 } }
            let straight, resumed = folder "straight", folder "resumed"
            run halves mnistShaped.Value straight |> ignore
            run halves mnistShaped.Value resumed |> ignore
            // Cut the second run back to its checkpoint at step 10: drop the newest checkpoint and the summary.
            Directory.Delete(Path.Combine(resumed, RunFiles.Checkpoint), true)
            File.Delete(Path.Combine(resumed, RunFiles.Summary))
            Directory.Move(Path.Combine(resumed, RunFiles.PreviousCheckpoint), Path.Combine(resumed, RunFiles.Checkpoint))
            let summary = ImageRunner.Run(halves, mnistShaped.Value, ImageRunContext(torch.CPU, resumed, Resume = true))
            Expect.equal summary.Status RunStatus.Completed summary.Message
            Expect.equal (metrics resumed).Length 3 "evaluations at 0, 10 and 20"
            Expect.sequenceEqual (withoutWall resumed) (withoutWall straight) "same metrics after the resume"
            let again = ImageRunner.Run(halves, mnistShaped.Value, ImageRunContext(torch.CPU, resumed, Resume = true))
            Expect.equal again.StepsCompleted 20 "a completed run is left as it is"
            Expect.throwsT<RunFolderException> (fun () -> ImageRunner.Run({ halves with Seed = 4 }, mnistShaped.Value, ImageRunContext(torch.CPU, resumed, Resume = true)) |> ignore)
                "a resume with another spec is refused")
        testCase "images whose side is not divisible by 4 are refused before training, naming the size" (fun () ->
            let out = folder "bad-size"
            let error = Expect.throwsC (fun () -> run (experiment (ImageModel.Vae Vae.Default) 5) (splits 30 128 64) out |> ignore) id
            Expect.stringContains error.Message "data (image size) = 30×30" "names the field and the value"
            Expect.isFalse (Directory.Exists out) "nothing written")
        testCase "a VAE-initialised generator whose latent size differs from the VAE's is refused, naming both" (fun () ->
            let vaeOut = folder "vae-latent"
            run (experiment (ImageModel.Vae Vae.Default) 5) mnistShaped.Value vaeOut |> ignore
            let three = { ConvGenerator.Default with Latent = 3 }
            let gan = ImageModel.Dcgan { Dcgan.Default with Generator = three; Init = GeneratorInit.FromVae vaeOut }
            let error = Expect.throwsC (fun () -> run (experiment gan 5) mnistShaped.Value (folder "gan-latent") |> ignore) id
            Expect.stringContains error.Message "model.dcgan.init.fromVae = latent 2" "names the field and the VAE's latent size"
            Expect.stringContains error.Message "this generator 3" "names this generator's latent size")
        testCase "a VAE-initialised generator without a VAE run is refused, naming the folder" (fun () ->
            let missing = folder "no-vae"
            let gan = ImageModel.Wgan { WganClip.Default with Init = GeneratorInit.FromVae missing }
            let error = Expect.throwsT<RunFolderException> (fun () -> run (experiment gan 5) mnistShaped.Value (folder "gan-novae") |> ignore)
            ())
        testCase "a spec with a latent size the encoder does not share is refused by validation" (fun () ->
            let bad = { Vae.Default with Encoder = { ConvEncoder.Default with Latent = 3 } }
            let errors = ImageValidation.errors (experiment (ImageModel.Vae bad) 5)
            Expect.exists errors (fun e -> e.Field = "model.vae.encoder.latent" && e.Value = "3") "names the field and value")
    ]
