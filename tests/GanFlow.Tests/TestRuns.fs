/// Shared helpers for the runtime tests: small experiments, scratch run folders, CPU contexts.
module GanFlow.Tests.TestRuns

open System
open System.IO
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices

/// A fresh, not yet existing folder under the temporary directory.
let scratchFolder (label: string) =
    TestFolders.fresh label

/// A CPU context with one intra-op thread.
let cpuContext (folder: string) (resume: bool) =
    TorchSetup.Initialize 1
    RunContext(torch.CPU, folder, null, resume)

/// Small WGAN-GP on N(2, 0.5²): width 32, depth 2, Adam 1e-3 (0.5, 0.9), batch 128.
let smallWganGp =
    let adam = Optimizer.Adam { Adam.Default with LearningRate = 1e-3 }
    { Gan.WganGp with
        Generator = { Mlp.Default with Width = 32 }
        Critic = { Mlp.Default with Width = 32 }
        GeneratorOptimizer = adam
        CriticOptimizer = adam }

/// An experiment on N(2, 0.5²) with the given GAN, steps and evaluation cadence.
let gaussianExperiment (gan: Gan) (steps: int) (every: int) =
    { Experiment.create "gaussian-test" "runtime test on N(2, 0.5^2)" (Distribution.Gaussian(2.0, 0.5)) with
        Model = Model.Gan gan
        Budget = { Steps = steps; BatchSize = 128; Epochs = None }
        Evaluation = { Evaluation.Default with Every = every; Samples = 2_000; FinalSamples = 4_000 } }

/// Runs `e` in `folder` on the CPU with one thread, continuing the folder's run when `resume`, pausing at step `until`.
let runIn folder (e: Experiment) (resume: bool) (until: int option) =
    TorchSetup.Initialize 1
    ExperimentRunner.Run(e, RunContext(torch.CPU, folder, null, resume, null, null, Option.toNullable until))

/// The newest valid checkpoint of a run folder (there must be one).
let latestCheckpoint (folder: string) = nonNull (GanFlow.Store.CheckpointFolders.Locate(folder, null))

/// The networks of a GAN spec (`Model.Gan`: an MLP generator with an adversarial objective) as the tests look at them:
/// the generator's MLP, the critic, their checkpoint names and the per-step randomness.
type GanNetworks(networks: GanFlow.Runtime.Modules.ModelNetworks) =
    /// The model's networks.
    member _.Networks = networks
    /// The generator's MLP.
    member _.Generator = (networks.Generator :?> GanFlow.Runtime.Modules.MlpGeneratorModule).Network
    /// The critic.
    member _.Critic = nonNull networks.Critic
    /// Both modules by checkpoint name.
    member _.Modules = networks.Modules
    /// The randomness the trainer reseeds every step.
    member _.StepRandomness = networks.StepRandomness

    /// Builds the networks of `gan` (see `ModelNetworks.Create`).
    static member Create(gan: Gan, dimension: int, initSeed: int64, device: torch.Device, ?beforeMove: GanFlow.Runtime.Modules.ModelNetworks -> unit) =
        let load = beforeMove |> Option.map (fun f -> Action<GanFlow.Runtime.Modules.ModelNetworks> f) |> Option.toObj
        new GanNetworks(GanFlow.Runtime.Modules.ModelNetworks.Create(Model.Gan gan, dimension, initSeed, device, null, load))

    interface IDisposable with
        member _.Dispose() = networks.Dispose()

/// A GAN's networks built from `initSeed` with the newest checkpoint of `folder` loaded into them.
let loadGanCheckpoint (gan: Gan) (folder: string) (initSeed: int64) =
    let checkpoint = latestCheckpoint folder
    GanNetworks.Create(gan, 1, initSeed, torch.CPU, fun n ->
        for struct (name, m) in n.Modules do GanFlow.Runtime.Checkpoints.CheckpointStore.LoadModule(checkpoint, name, m))

/// Runs an experiment in a folder on the CPU.
let run (experiment: Experiment) (folder: string) (resume: bool) = ExperimentRunner.Run(experiment, cpuContext folder resume)

/// A record's numbers as exact bit patterns (so NaN equals NaN), without its wall time, which
/// differs between runs by nature.
let withoutWallTime (r: EvaluationRecord) =
    let bits (x: float) = BitConverter.DoubleToInt64Bits x
    GanFlow.Core.Experiments.MetricColumns.ofRecord r
    |> List.filter (fun c -> c.Name <> "wall_seconds")
    |> List.map (fun c -> c.Name, bits (c.Get r).Value)
