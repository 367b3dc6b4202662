/// Seed 003's image models on the one run path (`GeneratorSpec.Conv`, `CriticNetwork.Conv`, `EncoderNetwork.Conv`,
/// `DecoderLikelihood.Bernoulli`, `GeneratorInit.FromVae`) on MNIST folders of strokes the tests write: each family
/// learns something measurable, the ELBO is a lower bound on the grid-integrated log p(x), a VAE's decoder starts a
/// GAN, bad combinations are refused naming both parts, runs diverge cleanly, repeat and resume.
module GanFlow.Tests.ImageTrainingTests

open System.IO
open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Images
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Experiments
open GanFlow.Runtime.Images
open GanFlow.Runtime.Modules
open GanFlow.Runtime.Training
open GanFlow.Store
open GanFlow.Tests.TestRuns

/// A folder of `side` × `side` strokes: `train` training and `test` test images (seed 003's split: no validation).
let private strokes side train test = MnistTestSupport.mnistFolder "" (ImageTestData.strokes 1 side train) (ImageTestData.strokes 2 side test)

let private mnistShaped = lazy (strokes 28 512 256)

/// `model` on the folder `data` (seed 003's split, b/255), `steps` steps of 64, one evaluation every `every` steps on 200
/// samples, the final on 256.
let private experimentOn (side: int) (data: string) (model: Model) (steps: int) (every: int) =
    { Experiment.create "test-images" "test" NamedDatasets.moons with
        Data = DataSource.Images { Data = { Folder = data; Split = MnistSplit.Seed003 }; Preprocessing = ImagePreprocessing.Scaled01; Side = side }
        Model = model
        Budget = { Steps = steps; BatchSize = 64; Epochs = None }
        Evaluation = { Evaluation.Default with Every = every; Samples = 200; FinalSamples = 256 }
        Seed = 3 }

let private experiment = experimentOn 28

let private run (e: Experiment) = runIn (scratchFolder "images") e false None

let private runAt (out: string) (e: Experiment) = runIn out e false None

let private column (out: string) (name: string) =
    let lines = File.ReadAllLines(Path.Combine(out, RunFiles.Metrics))
    let index = lines[0].Split ',' |> Array.findIndex ((=) name)
    lines[1..] |> Array.map (fun (l: string) -> float (l.Split ',').[index])

let private elbo (out: string) =
    let node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(out, RunFiles.Elbo))) |> nonNull
    (node["elbo"] |> nonNull).GetValue<float>()

/// metrics.csv without its wall-clock column.
let private withoutWall (out: string) =
    let lines = File.ReadAllLines(Path.Combine(out, RunFiles.Metrics))
    let wall = lines[0].Split ',' |> Array.findIndex ((=) "wall_seconds")
    lines |> Array.map (fun l -> l.Split ',' |> Array.removeAt wall |> String.concat ",")

let private fast (m: Model) = { m with Optimizer = Optimizer.Adam { LearningRate = 1e-3; Beta1 = 0.5; Beta2 = 0.999; WeightDecay = 0.0 } }

[<Tests>]
let tests =
    testSequenced <| testList "Image training" [
        testCase "a VAE on MNIST-shaped strokes raises its ELBO by over 100 nats, lowers the energy distance and writes seed 003's pictures" (fun () ->
            let short, long = scratchFolder "vae-1", scratchFolder "vae-150"
            let s1 = runAt short (experiment mnistShaped.Value Seed003Mnist.vae 1 1)
            let s150 = runAt long (experiment mnistShaped.Value Seed003Mnist.vae 150 50)
            Expect.equal s150.Status RunStatus.Completed s150.Message
            Expect.isGreaterThan (elbo long) (elbo short + 100.0) "the final ELBO rises"
            let energy = column long "energy"
            Expect.isLessThan (Array.last energy) (column short "energy").[0] "the energy distance falls"
            Expect.equal s150.GeneratorParameters (42_913 + 45_924) "decoder and encoder weights (seed 003)"
            for file in [ RunFiles.Interpolation; RunFiles.Elbo; RunFiles.LatentMeans; RunFiles.Posterior; RunFiles.PosteriorPicture; RunFiles.Evidence; RunFiles.AggregatePosterior; RunFiles.Holes; RunFiles.HolesPicture; RunFiles.LatentStructure ] do
                Expect.isTrue (File.Exists(Path.Combine(long, file))) (sprintf "%s written" file)
            let means = File.ReadAllLines(Path.Combine(long, RunFiles.LatentMeans))
            Expect.equal means.Length 257 "a header and one line per evaluation image")
        testCase "a DCGAN on MNIST-shaped strokes lowers the energy distance below its first evaluation's" (fun () ->
            let out = scratchFolder "dcgan"
            let summary = runAt out (experiment mnistShaped.Value (Seed003Mnist.dcgan GeneratorInit.Random) 150 10)
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let energy = column out "energy"
            Expect.isLessThan (Array.last energy) energy[0] "energy distance falls"
            Expect.equal summary.CriticParameters 36_705 "discriminator weights"
            Expect.isTrue (File.Exists(Path.Combine(out, RunFiles.Interpolation))) "the interpolation")
        testCase "a WGAN with clipping on MNIST-shaped strokes lowers the energy distance below its first evaluation's" (fun () ->
            let wgan = Seed003Mnist.wgan GeneratorInit.Random
            let faster = { wgan with Optimizer = Optimizer.RmsProp { RmsProp.Default with LearningRate = 5e-4 } }
            let out = scratchFolder "wgan"
            let summary = runAt out (experiment mnistShaped.Value faster 60 5)
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let energy = column out "energy"
            Expect.isLessThan (Array.last energy) energy[0] "energy distance falls")
        testCase "a GAN whose generator starts from a trained VAE starts closer to the data than from random weights, with the VAE's decoder" (fun () ->
            let vaeOut = scratchFolder "vae-for-init"
            let vae = runAt vaeOut (experiment mnistShaped.Value (fast Seed003Mnist.vae) 150 150)
            Expect.equal vae.Status RunStatus.Completed vae.Message
            let gan init = experiment mnistShaped.Value (Seed003Mnist.wgan init) 1 1
            let fromVae, fromRandom = scratchFolder "wgan-vae", scratchFolder "wgan-random"
            Expect.equal (runAt fromVae (gan (GeneratorInit.FromVae vaeOut))).Status RunStatus.Completed "from the VAE"
            runAt fromRandom (gan GeneratorInit.Random) |> ignore
            Expect.isLessThan (column fromVae "energy").[0] (column fromRandom "energy").[0] "the VAE's decoder is the better start"
            // The loaded weights are the VAE's decoder's: a fresh generator loaded from the VAE run equals its decoder.
            let spec = (gan (GeneratorInit.FromVae vaeOut)).Model
            use loaded = ModelNetworks.Create(spec, 784, 99L, torch.CPU, null, fun n -> GanFlow.Runtime.Checkpoints.VaeInitialization.Load(vaeOut, spec, 784, n.Generator))
            use vaeNets = ModelNetworks.Create(Seed003Mnist.vae, 784, 99L, torch.CPU, null, fun n ->
                GanFlow.Runtime.Checkpoints.CheckpointStore.LoadModule(latestCheckpoint vaeOut, n.Generator.Name, n.Generator.Module))
            let values (m: torch.nn.Module) = m.parameters() |> Seq.collect (fun p -> p.data<float32>().ToArray()) |> Array.ofSeq
            Expect.sequenceEqual (values loaded.Generator.Module) (values (vaeNets.Generator :?> VariationalGeneratorModule).Decoder) "the decoder's weights")
        testCase "the VAE's ELBO is a lower bound on the grid-integrated log p(x) for a trained tiny model" (fun () ->
            let tiny =
                { Seed003Mnist.vae with
                    Generator = GeneratorSpec.Conv { ConvGenerator.Default with FirstChannels = 8; SecondChannels = 4 }
                    Objective = Objective.Elbo { Encoder = EncoderNetwork.Conv { ConvEncoder.Default with FirstChannels = 4; SecondChannels = 8 }; Likelihood = DecoderLikelihood.Bernoulli } }
            let data = strokes 12 256 64
            let out = scratchFolder "tiny"
            let e = experimentOn 12 data tiny 200 200
            let summary = runAt out e
            Expect.equal summary.Status RunStatus.Completed summary.Message
            // Re-load the trained networks and integrate on two grids: the finer must agree with the coarser (the grid
            // resolves the posterior) and exceed the 2,000-sample ELBO.
            use networks = ModelNetworks.Create(tiny, 144, 0L, torch.CPU, null, fun n ->
                GanFlow.Runtime.Checkpoints.CheckpointStore.LoadModule(latestCheckpoint out, n.Generator.Name, n.Generator.Module))
            networks.Train false
            let vae = networks.Generator :?> VariationalGeneratorModule
            let decoder = vae.Decoder :?> ConvGeneratorModule
            let splits = DataSplits.Of e |> nonNull
            use noGrad = torch.no_grad ()
            for k in 0 .. 3 do
                use x = torch.tensor(splits.Test[k * 144 .. k * 144 + 143] |> Array.map float32, dimensions = System.ReadOnlySpan<int64>([| 1L; 144L |]))
                use image = x.view(1L, 1L, 12L, 12L)
                let evidence points = LatentGrid.logEvidence (LatentWindow.Centred 6.0) points (ImagePictures.GridLogLikelihoods(decoder, image, LatentWindow.Centred 6.0, points)[0])
                let coarse, fine = evidence 201, evidence 401
                Expect.floatClose { absolute = 0.05; relative = 0.0 } fine coarse "the grid integral has converged"
                let bound = ImagePictures.MeanElbo(vae, x, 2000, 11L)
                Expect.isLessThan bound fine (sprintf "ELBO %g below log p(x) %g for test image %d" bound fine k))
        testCase "a run whose loss becomes non-finite ends as Diverged with its summary written, not a crash" (fun () ->
            let out = scratchFolder "diverged"
            let wild = { Seed003Mnist.dcgan GeneratorInit.Random with Optimizer = Optimizer.Adam { Adam.Default with LearningRate = 1e30 } }
            let summary = runAt out (experiment mnistShaped.Value wild 40 10)
            Expect.equal summary.Status RunStatus.Diverged summary.Message
            Expect.isTrue (File.Exists(Path.Combine(out, RunFiles.Summary))) "summary.json written"
            Expect.isFalse (File.Exists(Path.Combine(out, RunFiles.Interpolation))) "no pictures of a diverged model")
        testCase "the same spec and seed give the same metrics; a paused run resumes to the uninterrupted numbers" (fun () ->
            let e = experiment mnistShaped.Value (Seed003Mnist.wgan GeneratorInit.Random) 20 10
            let a, b, paused = scratchFolder "det-a", scratchFolder "det-b", scratchFolder "paused"
            runAt a e |> ignore
            runAt b e |> ignore
            Expect.sequenceEqual (withoutWall a) (withoutWall b) "same metrics"
            Expect.equal (runIn paused e false (Some 10)).Status RunStatus.Paused "paused at step 10"
            Expect.equal (runIn paused e true None).Status RunStatus.Completed "resumed"
            Expect.sequenceEqual (withoutWall paused) (withoutWall a) "same metrics after the resume")
        testCase "a budget in epochs trains epochs × ⌊training images / batch⌋ steps and says so in spec.json" (fun () ->
            let out = scratchFolder "epochs"
            let e = experiment mnistShaped.Value Seed003Mnist.vae 1 100
            let summary = runAt out { e with Budget = { e.Budget with Epochs = Some 2 } }
            Expect.equal summary.Status RunStatus.Completed summary.Message
            Expect.equal summary.StepsCompleted 16 "2 epochs of ⌊512 / 64⌋ = 8 steps"
            let spec = RunStore(out).ReadSpec() |> nonNull
            Expect.equal spec.Budget { Steps = 16; BatchSize = 64; Epochs = Some 2 } "both in spec.json"
            Expect.equal (Budget.resolve 8_572 { Steps = 1; BatchSize = 64; Epochs = Some 10 }).Steps 1_330 "the reduced VAE's 10 epochs of the npm digits"
            Expect.equal (Budget.resolve 10 { Steps = 1; BatchSize = 64; Epochs = Some 3 }).Steps 3 "at least one step per epoch"
            let onLaw = { GanFlow.Experiments.WganGpUnimodalDemo.experiment with Budget = { Budget.Default with Epochs = Some 2 } }
            Expect.exists (ExperimentValidation.errors onLaw) (fun err -> err.Field = "budget.epochs") "epochs on fresh draws are refused")
        testCase "combinations that cannot work are refused, naming both parts" (fun () ->
            let data = mnistShaped.Value
            let fields (e: Experiment) = ExperimentValidation.errors e |> List.map (fun err -> err.Field, err.Reason)
            let has (e: Experiment) (field: string) (words: string) =
                Expect.exists (fields e) (fun (f, m) -> f = field && m.Contains words) (sprintf "%s refused (%A)" field (fields e))
            let vae = experiment data Seed003Mnist.vae 5 5
            has { vae with Model = { Seed003Mnist.vae with Objective = Objective.Elbo { Encoder = EncoderNetwork.Conv { ConvEncoder.Default with Latent = 3 }; Likelihood = DecoderLikelihood.Bernoulli } } }
                "model.objective.elbo.encoder.conv.latent" "model.generator.conv.latent = 2"
            let mlpVae = { VariationalAutoencoders.vae 2 0.1 with Objective = Objective.Elbo { Elbo.Default with Likelihood = DecoderLikelihood.Bernoulli } }
            has { vae with Model = mlpVae } "model.objective.elbo.likelihood" "conv generator"
            has { vae with Data = DataSource.Law NamedDatasets.moons } "model.generator.conv" "not an image source"
            let clipped = match (Seed003Mnist.wgan GeneratorInit.Random).Objective with Objective.Adversarial a -> a | _ -> failwith "adversarial"
            has { vae with Model = { Seed003Mnist.vae with Objective = Objective.Adversarial { clipped with Lipschitz = [ LipschitzConstraint.SpectralNorm 1 ] } } }
                "model.objective.adversarial.lipschitz" "conv network"
            has { vae with Model = { Seed003Mnist.vae with Objective = Objective.MaximumLikelihood } } "model.objective" "conv generator"
            let odd = strokes 30 64 16
            has (experimentOn 30 odd Seed003Mnist.vae 5 5) "data.images.side" "multiple of 4"
            has { vae with Model = { Seed003Mnist.vae with Init = GeneratorInit.FromVae "runs/vae" } } "model.init" "Elbo"
            has { vae with Evaluation = { vae.Evaluation with Parzen = Some Parzen.Default } } "evaluation.parzen" "Seed003"
            // A search on seed 003's split would rank trials by the test images.
            let search = { GanFlow.Experiments.MnistFlows.search with Base = { vae with Name = "s" } }
            Expect.exists (GanFlow.Core.Search.SearchValidation.errors search) (fun err -> err.Field = "base.data.images.data.split") "a search on Seed003 is refused")
        testCase "a VAE-initialised generator whose VAE run is missing or has another generator is refused before training" (fun () ->
            let missing = scratchFolder "no-vae"
            let gan init = experiment mnistShaped.Value (Seed003Mnist.dcgan init) 5 5
            let problem = DataSplits.Problem(gan (GeneratorInit.FromVae missing)) |> nonNull
            Expect.stringContains problem (sprintf "model.init.fromVae = %s" missing) "names the field and the folder"
            let vaeOut = scratchFolder "vae-latent"
            runAt vaeOut (experiment mnistShaped.Value Seed003Mnist.vae 5 5) |> ignore
            let three = { Seed003Mnist.dcgan (GeneratorInit.FromVae vaeOut) with Generator = GeneratorSpec.Conv { ConvGenerator.Default with Latent = 3 } }
            let problem = DataSplits.Problem(experiment mnistShaped.Value three 5 5) |> nonNull
            Expect.stringContains problem "differs from model.generator" "names the mismatch")
    ]
