module GanFlow.Tests.GanTrainingTests

open System
open System.IO
open Expecto
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Core.Specs
open GanFlow.Report
open GanFlow.Runtime.Devices
open GanFlow.Store
open GanFlow.Tests.TestRuns

let private metricsOf folder = RunStore(folder).ReadMetrics() |> Seq.toList

[<Tests>]
let tests =
    testList "GAN training" [
        test "WGAN-GP on a 1-D Gaussian lowers W1 to the exact distribution from above 1 to below 0.3 in 400 steps" {
            // λ = 0.1, not Gulrajani et al.'s 10: in 1-D a critic of slope s pays λ(|s| − 1)² and gains
            // Δ·s, where Δ is the gap between the means, so a critic that starts with the wrong sign
            // only flips once Δ > 2λ. With λ = 10 and an initial gap of 2 the generator was measured
            // running away to a gap of ~20 before turning back. With λ = 0.1, seeds 1-4 ended at
            // 0.09-0.18 after 400 steps (hovering 0.07-0.18 from step 160 on), hence the bound 0.3.
            let gan = { smallWganGp with Lipschitz = [ LipschitzConstraint.GradientPenalty 0.1 ] }
            let initial = run (gaussianExperiment gan 1 1) (scratchFolder "wgan-initial") false
            let trained = run (gaussianExperiment gan 400 100) (scratchFolder "wgan-trained") false
            Expect.equal trained.Status RunStatus.Completed trained.Message
            let w1Initial = initial.Final.Value.W1Exact
            let w1Trained = trained.Final.Value.W1Exact
            Expect.isGreaterThan w1Initial 1.0 "an untrained generator is far from N(2, 0.5²)"
            Expect.isLessThan w1Trained 0.3 (sprintf "W1 to the exact distribution after training (was %g)" w1Initial)
        }

        test "the same spec and seed give identical metrics twice on the CPU" {
            let experiment = gaussianExperiment smallWganGp 60 20
            let first, second = scratchFolder "determinism-a", scratchFolder "determinism-b"
            for folder in [ first; second ] do
                let summary = run experiment folder false
                Expect.equal summary.Status RunStatus.Completed summary.Message
            let a, b = metricsOf first |> List.map withoutWallTime, metricsOf second |> List.map withoutWallTime
            Expect.hasLength a 3 "evaluations at 20, 40 and 60"
            Expect.sequenceEqual a b "every metric equal"
            Expect.equal (File.ReadAllText(Path.Combine(first, RunFiles.Samples))) (File.ReadAllText(Path.Combine(second, RunFiles.Samples))) "samples equal"
        }

        test "a diverging run is recorded as Diverged, in summary.json too, and no exception escapes" {
            let wild = Optimizer.Adam { Adam.Default with LearningRate = 1e6 }
            let gan = { smallWganGp with GeneratorOptimizer = wild; CriticOptimizer = wild }
            let folder = scratchFolder "diverging"
            let summary = run (gaussianExperiment gan 200 50) folder false
            Expect.equal summary.Status RunStatus.Diverged summary.Message
            Expect.stringContains summary.Message "at generator step" "the message names the step"
            Expect.isNone summary.Final "no final evaluation after a divergence"
            let written = SpecJson.deserialize<RunSummary> (File.ReadAllText(Path.Combine(folder, RunFiles.Summary)))
            Expect.equal written.Status RunStatus.Diverged "summary.json records the divergence"
        }

        test "an invalid spec raises SpecValidationException before any file is written" {
            let folder = scratchFolder "invalid"
            let experiment = { gaussianExperiment smallWganGp 10 5 with Budget = { Steps = 0; BatchSize = 1; Epochs = None } }
            Expect.throwsT<SpecValidationException> (fun () -> run experiment folder false |> ignore) "invalid budget"
            Expect.isFalse (Directory.Exists folder) "nothing was written"
        }

        test "a run folder holds spec.json, metrics.csv with the exact header, summary.json and samples.txt" {
            let folder = scratchFolder "contents"
            let experiment = gaussianExperiment smallWganGp 20 10
            let summary = run experiment folder false
            Expect.equal summary.Status RunStatus.Completed summary.Message
            for name in [ RunFiles.Spec; RunFiles.Metrics; RunFiles.Summary; RunFiles.Samples ] do
                Expect.isTrue (File.Exists(Path.Combine(folder, name))) (sprintf "%s exists" name)
            let lines = File.ReadAllLines(Path.Combine(folder, RunFiles.Metrics))
            Expect.equal lines[0] "step,w1,w1_exact,critic_w1,energy,generator_loss,critic_loss,wall_seconds,precision,recall,density,coverage" "header: the metrics a GAN on 1-D data has (no density)"
            Expect.hasLength lines 3 "header + evaluations at 10 and 20"
            let energy = System.Double.Parse(lines[1].Split(',')[4], System.Globalization.CultureInfo.InvariantCulture)
            Expect.isTrue (System.Double.IsFinite energy && energy >= 0.0) "energy distance is recorded"
            Expect.equal (File.ReadAllText(Path.Combine(folder, RunFiles.Spec))) (SpecJson.serialize experiment) "spec.json"
            let samples = File.ReadAllLines(Path.Combine(folder, RunFiles.Samples))
            Expect.hasLength samples 4_000 "one final sample per line"
            Expect.isTrue (samples |> Array.forall (fun s -> Double.TryParse(s, Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture) |> fst)) "invariant numbers"
            Expect.isTrue (Directory.Exists(Path.Combine(folder, RunFiles.Checkpoint))) "final checkpoint"
            let leftovers = Directory.GetFileSystemEntries folder |> Array.map (Path.GetFileName >> nonNull) |> Array.filter AtomicFile.IsTemporary
            Expect.isEmpty leftovers "no temporary files remain"
            Expect.isTrue (File.Exists(Path.Combine(folder, RunFiles.Marker))) "the folder is marked as a run folder"
            Expect.isGreaterThan summary.GeneratorParameters 0 "generator parameters counted"
            Expect.equal summary.Device "cpu" "device"
        }

        test "every objective and constraint of the spec family trains a short run to finite metrics" {
            let variants =
                [ "minimax", { smallWganGp with Objective = GanObjective.Minimax; Lipschitz = [] }
                  "non-saturating", { smallWganGp with Objective = GanObjective.NonSaturating; Lipschitz = [] }
                  "clipping + rmsprop", Gan.WganClipping
                  "spectral norm", { smallWganGp with Lipschitz = [ LipschitzConstraint.SpectralNorm 2 ] }
                  "residual, batch norm, dropout, tanh, xavier, uniform prior, cyclic lr",
                  { smallWganGp with
                      Prior = { Kind = PriorKind.SymmetricUniform; Dimension = 3 }
                      Generator = { smallWganGp.Generator with Depth = 3; Residual = true; BatchNorm = true; Activation = Activation.Tanh; Init = WeightInit.XavierUniform }
                      Critic = { smallWganGp.Critic with Dropout = 0.5; Activation = Activation.LeakyRelu 0.01; Init = WeightInit.Uniform 0.1 }
                      Schedule = LearningRateSchedule.CyclicTriangular(2e-4, 5) }
                  "elu on two moons", { smallWganGp with Generator = { smallWganGp.Generator with Activation = Activation.Elu } } ]
            for name, gan in variants do
                let experiment =
                    if name.Contains "moons" then { gaussianExperiment gan 10 5 with Data = DataSource.Law NamedDatasets.moons }
                    else gaussianExperiment gan 10 5
                let summary = run experiment (scratchFolder "variant") false
                Expect.equal summary.Status RunStatus.Completed (sprintf "%s: %s" name summary.Message)
                let final = summary.Final.Value
                Expect.isTrue (Double.IsFinite final.CriticW1 && Double.IsFinite final.GeneratorLoss && Double.IsFinite final.CriticLoss) (sprintf "%s: finite" name)
                if name.Contains "moons" then Expect.isTrue (Double.IsNaN final.W1) "W1 is 1-D only"
                else Expect.isTrue (Double.IsFinite final.W1Exact) (sprintf "%s: W1 exact finite" name)
        }

        test "a device name is parsed case-insensitively and an unknown one is rejected naming it" {
            Expect.equal (DeviceSelection.Parse "CPU") DeviceRequest.Cpu "cpu"
            Expect.equal (DeviceSelection.Parse "auto") DeviceRequest.Auto "auto"
            Expect.equal (DeviceSelection.Parse "cuda") DeviceRequest.Cuda "cuda"
            Expect.throwsT<ArgumentException> (fun () -> DeviceSelection.Parse "tpu" |> ignore) "tpu"
            let message = try DeviceSelection.Parse "tpu" |> ignore; "" with e -> e.Message
            Expect.stringContains message "'tpu'" "the message names the value"
            Expect.equal (DeviceSelection.Resolve DeviceRequest.Cpu).``type`` TorchSharp.DeviceType.CPU "cpu resolves to the CPU"
        }
    ]
