/// The matrix of issue 17: every generator × objective × data source. Each combination that validates trains a few
/// steps, checkpoints, resumes from a pause to the numbers of an uninterrupted run, and writes a folder the report reads;
/// each one that does not validate is refused before any compute, with the generator and the objective (or the data)
/// both named (100 of the 240 validate). One run path for all of them: nothing here forks on the family or the data shape.
module GanFlow.Tests.MatrixTests

open System
open System.IO
open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Store
open GanFlow.Tests.TestRuns

let private adam = Optimizer.Adam { Adam.Default with LearningRate = 1e-3 }

/// Every generator, small: (name, spec).
let generators =
    let flow (architecture: FlowArchitecture) = (Model.Flow { Flow.realNvpMoons with Architecture = architecture }).Generator
    [ "MLP", GeneratorSpec.Mlp { Prior = { Prior.Default with Dimension = 2 }; Network = { Mlp.Default with Width = 16 } }
      "RealNVP", flow (FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 16 })
      "NICE", flow (FlowArchitecture.Nice { Nice.Default with Couplings = 2; Width = 16; Depth = 2 })
      "FFJORD", flow (FlowArchitecture.Ffjord { Ffjord.Default with Hidden = [ 8 ]; Solver = OdeSolver.Rk4 2 })
      "OT-Flow", flow (FlowArchitecture.OtFlow { OtFlow.Default with Width = 8; Solver = OdeSolver.Rk4 2 })
      "NSF", flow (FlowArchitecture.Spline { SplineFlow.Default with Layers = 2; Bins = 4; Width = 16 })
      "Gaussianization", flow (FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 2; Anchors = 10 })
      "Conv", GeneratorSpec.Conv { Latent = 2; FirstChannels = 4; SecondChannels = 4 } ]

/// Every objective: (name, spec).
let objectives =
    let game = { Adversarial.WganGp with Critic = CriticNetwork.Mlp { Mlp.Default with Width = 16 }; CriticSteps = 2; CriticOptimizer = adam }
    [ "MLE", Objective.MaximumLikelihood
      "ADV", Objective.Adversarial game
      "Hybrid", Objective.Hybrid(game, 1.0)
      "ELBO", Objective.Elbo { Encoder = EncoderNetwork.Mlp { Mlp.Default with Width = 16 }; Likelihood = DecoderLikelihood.Gaussian 0.1 }
      "ADV (conv critic)",
      Objective.Adversarial { game with Critic = CriticNetwork.Conv { ConvDiscriminator.Default with FirstChannels = 4; SecondChannels = 4; BatchNorm = false } }
      "ELBO (conv encoder, Bernoulli)",
      Objective.Elbo { Encoder = EncoderNetwork.Conv { Latent = 2; FirstChannels = 4; SecondChannels = 4 }; Likelihood = DecoderLikelihood.Bernoulli } ]

/// A folder of 8 × 8 stroke images (seed 001's split: 100 train, 20 validation; 40 test), written once.
let private imageFolder =
    lazy (MnistTestSupport.mnistFolder "" (ImageTestData.strokes 1 8 120) (ImageTestData.strokes 2 8 40))

/// A 2-D sample file of 300 points (a CSV with a header), written once.
let private sampleFile =
    lazy (SampleFileWriters.csv true { Dimension = 2; Values = Sampling.sample (Random 5) NamedDatasets.moons 300 })

/// Every data source: (name, source).
let dataSources () =
    [ "a 1-D law", DataSource.Law(Distribution.Gaussian(2.0, 0.5))
      "a 2-D law", DataSource.Law NamedDatasets.moons
      "a finite sample", DataSource.Sample(NamedDatasets.ring8, FiniteSample.create 300 50 50 1)
      "a sample file", DataSource.File(SampleFileSource.create sampleFile.Value 2)
      "images", DataSource.Images { Data = { Folder = imageFolder.Value; Split = GanFlow.Core.Images.MnistSplit.Seed001 }; Preprocessing = GanFlow.Core.Images.ImagePreprocessing.seed001; Side = 8 } ]

/// Whether a combination validates, as the rules say: the conv networks read images only; the likelihood objectives need
/// a flow; the ELBO a decoder (MLP or conv), its Bernoulli likelihood the conv generator; Gaussianization has no
/// gradients through z for an adversarial game.
let private shouldValidate (generator: string) (objective: string) (data: string) =
    let conv = generator = "Conv" || objective.Contains "conv"
    let flow = generator <> "MLP" && generator <> "Conv"
    (not conv || data = "images")
    && (match objective with
        | "MLE" -> flow
        | "Hybrid" -> flow && generator <> "Gaussianization"
        | "ELBO" -> not flow
        | "ELBO (conv encoder, Bernoulli)" -> generator = "Conv"
        | _ -> generator <> "Gaussianization")

let private experimentOf generator objective data =
    { Experiment.create "matrix" "" (Distribution.Gaussian(0.0, 1.0)) with
        Data = data
        Model = { Generator = generator; Objective = objective; Optimizer = adam; Schedule = LearningRateSchedule.Constant; Init = GeneratorInit.Random }
        Budget = { Steps = 4; BatchSize = 32; Epochs = None }
        Evaluation = { Evaluation.Default with Every = 2; Samples = 100; FinalSamples = 100 }
        Seed = 5 }

/// Whether the refusal names both parts: the generator (its field or its kind) and the objective (its field or its
/// case name).
let private namesBoth (generator: string) (objective: Objective) (errors: GanFlow.Core.Specs.SpecError list) =
    let text = errors |> List.map (fun e -> sprintf "%s = %s: %s" e.Field e.Value e.Reason) |> String.concat "\n"
    let case = (Microsoft.FSharp.Reflection.FSharpValue.GetUnionFields(objective, typeof<Objective>) |> fst).Name
    (text.Contains "model.generator" || text.Contains generator) && (text.Contains "model.objective" || text.Contains case)
    || text.Contains ".conv = Conv: reads square images, and data is not an image source"

[<Tests>]
let tests =
    testList "matrix" [
        test "100 of the 240 combinations validate, exactly those the rules allow" {
            let outcomes =
                [ for generatorName, generator in generators do
                      for objectiveName, objective in objectives do
                          for dataName, data in dataSources () ->
                              (generatorName, objectiveName, dataName), List.isEmpty (ExperimentValidation.errors (experimentOf generator objective data)) ]
            for (g, o, d), valid in outcomes do
                Expect.equal valid (shouldValidate g o d) (sprintf "%s × %s × %s" g o d)
            Expect.equal (outcomes |> List.filter snd |> List.length) 100 "100 validate"
        }
        for generatorName, generator in generators do
            for objectiveName, objective in objectives do
                for dataName, data in dataSources () do
                    test (sprintf "%s × %s × %s" generatorName objectiveName dataName) {
                        let e = experimentOf generator objective data
                        match ExperimentValidation.errors e with
                        | _ :: _ as errors ->
                            Expect.isTrue (namesBoth generatorName objective errors) (sprintf "refused naming both parts: %A" errors)
                        | [] ->
                            let whole = scratchFolder "matrix"
                            let summary = runIn whole e false None
                            Expect.equal summary.Status RunStatus.Completed summary.Message
                            let paused = scratchFolder "matrix-paused"
                            Expect.equal (runIn paused e false (Some 2)).Status RunStatus.Paused "paused at step 2"
                            Expect.isNotNull (CheckpointFolders.Locate(paused, null)) "a checkpoint at the pause"
                            let resumed = runIn paused e true None
                            Expect.equal resumed.Status RunStatus.Completed resumed.Message
                            let rows f = RunStore(f).ReadMetrics() |> Seq.map withoutWallTime |> List.ofSeq
                            Expect.sequenceEqual (rows paused) (rows whole) "the resumed run's metrics are the uninterrupted run's"
                            Expect.equal (File.ReadAllText(Path.Combine(paused, RunFiles.Samples))) (File.ReadAllText(Path.Combine(whole, RunFiles.Samples)))
                                "the same final samples"
                            let report = GanFlow.Report.RunReport.write whole
                            Expect.isTrue (File.Exists report) "the report reads the folder"
                    }
    ]
