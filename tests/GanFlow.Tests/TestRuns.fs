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
    Path.Combine(Path.GetTempPath(), "ganflow-tests", sprintf "%s-%s" label (Guid.NewGuid().ToString "N"))

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
        Budget = { Steps = steps; BatchSize = 128 }
        Evaluation = { Evaluation.Default with Every = every; Samples = 2_000; FinalSamples = 4_000 } }

/// The newest valid checkpoint of a run folder (there must be one).
let latestCheckpoint (folder: string) = nonNull (GanFlow.Store.CheckpointFolders.Locate(folder, null))

/// A GAN's networks built from `initSeed` with the newest checkpoint of `folder` loaded into them.
let loadGanCheckpoint (gan: Gan) (folder: string) (initSeed: int64) =
    let checkpoint = latestCheckpoint folder
    GanFlow.Runtime.Modules.GanNetworks.Create(gan, 1, initSeed, torch.CPU, fun n ->
        for struct (name, m) in n.Modules do GanFlow.Runtime.Checkpoints.CheckpointStore.LoadModule(checkpoint, name, m))

/// Runs an experiment in a folder on the CPU.
let run (experiment: Experiment) (folder: string) (resume: bool) = ExperimentRunner.Run(experiment, cpuContext folder resume)

/// A record's numbers as exact bit patterns (so NaN equals NaN), without its wall time, which
/// differs between runs by nature.
let withoutWallTime (r: EvaluationRecord) =
    let bits (x: float) = BitConverter.DoubleToInt64Bits x
    r.Step, bits r.W1, bits r.W1Exact, bits r.CriticW1, bits r.Energy, bits r.GeneratorLoss, bits r.CriticLoss, bits r.Nll, bits r.InverseError, bits r.FunctionEvaluations, bits r.LatentInverseError
