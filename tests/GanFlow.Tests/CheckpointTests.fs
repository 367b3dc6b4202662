module GanFlow.Tests.CheckpointTests

open System.IO
open Expecto
open TorchSharp
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Runtime.Checkpoints
open GanFlow.Runtime.Modules
open GanFlow.Store
open GanFlow.Runtime.Training
open GanFlow.Tests.TestRuns

/// A spec exercising every piece of checkpointed state: batch-norm running statistics in the
/// generator, spectral-norm u buffers and dropout in the critic, Adam moments in both optimisers.
let private statefulGan =
    { smallWganGp with
        Generator = { smallWganGp.Generator with BatchNorm = true }
        Critic = { smallWganGp.Critic with Dropout = 0.2 }
        Lipschitz = [ LipschitzConstraint.SpectralNorm 1 ] }

let private stepOf' (folder: string) (name: string) =
    let struct (manifest, problem) = CheckpointFolders.Check(Path.Combine(folder, name))
    (nonNull manifest).Step

let private stateOf (m: torch.nn.Module) =
    m.state_dict() |> Seq.map (fun kv -> kv.Key, kv.Value.cpu().to_type(torch.ScalarType.Float64).data<float>().ToArray()) |> Map.ofSeq

let private outputs (networks: GanNetworks) (input: torch.Tensor) =
    networks.Generator.eval()
    networks.Critic.eval()
    use _ = torch.no_grad()
    networks.Generator.forward(input).data<float32>().ToArray(), networks.Critic.forward(input).data<float32>().ToArray()

[<Tests>]
let tests =
    testList "checkpoints" [
        test "a checkpoint loaded into fresh modules gives identical generator and critic outputs" {
            TestRuns.cpuContext "" false |> ignore
            let folder = scratchFolder "checkpoint-roundtrip"
            use trained = GanNetworks.Create(statefulGan, 1, 11L, torch.CPU)
            use generatorOptimizer = OptimizerFactory.Create(statefulGan.GeneratorOptimizer, trained.Generator.parameters())
            use criticOptimizer = OptimizerFactory.Create(statefulGan.CriticOptimizer, trained.Critic.parameters())
            // A few training-mode passes move batch-norm statistics, the u buffers and the weights.
            use generator = new torch.Generator(5UL)
            for _ in 1..3 do
                let fake = trained.Generator.forward(torch.randn([| 64L; 1L |], generator = generator))
                let loss = -trained.Critic.forward(fake).mean()
                loss.backward()
                generatorOptimizer.Step()
                criticOptimizer.Step()
            CheckpointStore.Save(folder, CheckpointState(3, 1.0, 0.5, -0.5), trained.Modules, [| struct ("generator", generatorOptimizer); struct ("critic", criticOptimizer) |])

            use fresh = loadGanCheckpoint statefulGan folder 99L
            use other = GanNetworks.Create(statefulGan, 1, 99L, torch.CPU)
            let input = torch.linspace(-3.0, 3.0, 50L).reshape(50L, 1L)
            Expect.notEqual (outputs other input) (outputs trained input) "differently seeded modules differ before loading"
            Expect.equal (outputs fresh input) (outputs trained input) "identical outputs after loading"
            Expect.equal (stateOf fresh.Critic) (stateOf trained.Critic) "critic state (weights, u buffers) equal"
            Expect.equal (stateOf fresh.Generator) (stateOf trained.Generator) "generator state (weights, running stats) equal"
            Expect.isTrue ((stateOf fresh.Critic).Keys |> Seq.exists (fun k -> k.EndsWith ".u")) "u buffers are saved"
            Expect.isTrue ((stateOf fresh.Generator).Keys |> Seq.exists (fun k -> k.EndsWith "running_mean")) "running statistics are saved"
            Expect.equal (CheckpointStore.StateOf(latestCheckpoint folder)) (CheckpointState(3, 1.0, 0.5, -0.5)) "the state round-trips"

            use freshGeneratorOptimizer = OptimizerFactory.Create(statefulGan.GeneratorOptimizer, fresh.Generator.parameters())
            use freshCriticOptimizer = OptimizerFactory.Create(statefulGan.CriticOptimizer, fresh.Critic.parameters())
            CheckpointStore.LoadOptimizer(latestCheckpoint folder, "generator", freshGeneratorOptimizer)
            CheckpointStore.LoadOptimizer(latestCheckpoint folder, "critic", freshCriticOptimizer)
            let optimizerBytes (o: ParameterOptimizer) =
                use stream = new MemoryStream()
                use writer = new BinaryWriter(stream)
                o.Save writer
                writer.Flush()
                stream.ToArray()
            Expect.equal (optimizerBytes freshGeneratorOptimizer) (optimizerBytes generatorOptimizer) "generator optimiser state equal"
            Expect.equal (optimizerBytes freshCriticOptimizer) (optimizerBytes criticOptimizer) "critic optimiser state equal"
            Expect.equal freshGeneratorOptimizer.Steps 3L "step count restored"
        }

        test "a run stopped after N steps and resumed to 2N gives the same metrics as an uninterrupted 2N run" {
            // A cyclic schedule too: it is a function of the step alone, so resuming cannot change it.
            let gan = { statefulGan with Schedule = LearningRateSchedule.CyclicTriangular(2e-4, 15) }
            let interrupted, direct = scratchFolder "resume-interrupted", scratchFolder "resume-direct"
            let first = run (gaussianExperiment gan 40 20) interrupted false
            Expect.equal first.Status RunStatus.Completed first.Message
            let resumed = run (gaussianExperiment gan 80 20) interrupted true
            let uninterrupted = run (gaussianExperiment gan 80 20) direct false
            Expect.equal resumed.Status RunStatus.Completed resumed.Message
            let rows folder = RunStore(folder).ReadMetrics() |> Seq.map withoutWallTime |> Seq.toList
            Expect.sequenceEqual (rows interrupted) (rows direct) "metrics.csv rows equal, including the kept rows before the checkpoint"
            Expect.equal (withoutWallTime resumed.Final.Value) (withoutWallTime uninterrupted.Final.Value) "final evaluation equal"
            Expect.equal resumed.StepsCompleted 80 "steps"
        }

        test "checkpoints follow the cadence and the two newest are kept: every k steps, or at every evaluation by default" {
            let folder = scratchFolder "checkpoint-every"
            let base' = gaussianExperiment smallWganGp 30 10
            run { base' with Evaluation = { base'.Evaluation with Checkpoints = CheckpointCadence.EverySteps 7 } } folder false |> ignore
            let folders = Directory.GetDirectories folder |> Array.map (Path.GetFileName >> nonNull) |> Array.sort
            Expect.equal folders [| RunFiles.Checkpoint; RunFiles.PreviousCheckpoint |] "the newest and the previous checkpoint, nothing else"
            let stepOf name = stepOf' folder name
            Expect.equal (stepOf RunFiles.Checkpoint) 30 "the newest is the final one"
            Expect.equal (stepOf RunFiles.PreviousCheckpoint) 28 "the previous one is the last of every 7 steps"
            let byEvaluation = scratchFolder "checkpoint-at-evaluations"
            run (gaussianExperiment smallWganGp 25 10) byEvaluation false |> ignore
            Expect.equal (stepOf' byEvaluation RunFiles.PreviousCheckpoint) 20 "by default the last intermediate evaluation's step"
        }
    ]
