/// Flows run as experiments through ExperimentRunner: the run folder, resume and divergence.
module GanFlow.Tests.FlowRunTests

open System
open System.IO
open Expecto
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Experiments
open TorchSharp
open GanFlow.Runtime.Checkpoints
open GanFlow.Runtime.Flows
open GanFlow.Runtime.Modules
open GanFlow.Store
open GanFlow.Runtime.Training
open GanFlow.Report
open GanFlow.Tests.FlowTestSupport
open GanFlow.Tests.TestRuns

/// A small Gaussianization flow on N(2, 0.5²).
let private smallGf =
    { Flow.gaussianization1d with
        Architecture = FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 2; Anchors = 16; InverseIterations = 60 } }

/// A small RealNVP on moons.
let private smallRealNvp =
    { Flow.realNvpMoons with
        Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 4; Width = 16 }
        Optimizer = Flow.adam 3e-3 }

let private flowExperiment name dataset flow steps every =
    { Experiment.create name "flow runtime test" dataset with
        Model = Model.Flow flow
        Budget = { Steps = steps; BatchSize = 128; Epochs = None }
        Evaluation = { Evaluation.Default with Every = every; Samples = 1_000; FinalSamples = 2_000 } }

let private lines folder name = File.ReadAllLines(Path.Combine(folder, name))

let private parse (text: string) = Double.Parse(text, Globalization.CultureInfo.InvariantCulture)

[<Tests>]
let tests =
    testList "Flow runs" [
        test "a 1-D flow run writes the run folder with nll and inverse_error columns and density.csv" {
            let folder = scratchFolder "flow-1d"
            let experiment = flowExperiment "flow-test" (Distribution.Gaussian(2.0, 0.5)) smallGf 20 10
            let summary = run experiment folder false
            Expect.equal summary.Status RunStatus.Completed summary.Message
            for name in [ RunFiles.Spec; RunFiles.Metrics; RunFiles.Summary; RunFiles.Samples; RunFiles.Density ] do
                Expect.isTrue (File.Exists(Path.Combine(folder, name))) (sprintf "%s exists" name)
            let metrics = lines folder RunFiles.Metrics
            Expect.equal metrics[0] "step,w1,w1_exact,energy,generator_loss,wall_seconds,nll,inverse_error,latent_inverse_error,bits_per_dim,kl,precision,recall,density,coverage" "header: the metrics a discrete 1-D flow on data of known density has (no critic, no ODE)"
            Expect.hasLength metrics 3 "evaluations at 10 and 20"
            let final = summary.Final.Value
            Expect.isTrue (Double.IsFinite final.Nll) "NLL recorded"
            Expect.isLessThan final.InverseError 1e-6 "the bisection inverse is tight"
            Expect.isLessThan final.LatentInverseError 1e-6 "in both directions"
            Expect.isFalse (Double.IsNaN final.LatentInverseError) "measured"
            Expect.isTrue (Double.IsNaN final.CriticW1) "no critic"
            Expect.isTrue (Double.IsFinite final.W1 && Double.IsFinite final.W1Exact) "W1s"
            Expect.hasLength (lines folder RunFiles.Samples) 2_000 "final samples"
            let density = lines folder RunFiles.Density
            Expect.equal density[0] "x,density" "density header"
            Expect.hasLength density 1_001 "1,000 grid points"
            let trajectories = lines folder RunFiles.Trajectories
            Expect.equal trajectories[0] "point,stage,label,x" "1-D trajectories header"
            Expect.hasLength trajectories (1 + FlowGeneratorModule.TrajectoryPoints * 3) "x and two marginal layers per point"
            Expect.equal summary.CriticParameters 0 "no critic parameters"
        }

        test "a flow run stopped after N steps and resumed to 2N gives the same numbers as an uninterrupted 2N run" {
            let interrupted, direct = scratchFolder "flow-resume-interrupted", scratchFolder "flow-resume-direct"
            let experiment steps = flowExperiment "flow-resume" NamedDatasets.moons smallRealNvp steps 10
            let first = run (experiment 20) interrupted false
            Expect.equal first.Status RunStatus.Completed first.Message
            let resumed = run (experiment 40) interrupted true
            let uninterrupted = run (experiment 40) direct false
            Expect.equal resumed.Status RunStatus.Completed resumed.Message
            let rows folder = RunStore(folder).ReadMetrics() |> Seq.map withoutWallTime |> Seq.toList
            Expect.sequenceEqual (rows interrupted) (rows direct) "metrics.csv rows equal"
            Expect.equal (withoutWallTime resumed.Final.Value) (withoutWallTime uninterrupted.Final.Value) "final evaluation equal"
            Expect.equal (File.ReadAllText(Path.Combine(interrupted, RunFiles.Samples))) (File.ReadAllText(Path.Combine(direct, RunFiles.Samples))) "samples equal"
            Expect.equal (File.ReadAllText(Path.Combine(interrupted, RunFiles.Density))) (File.ReadAllText(Path.Combine(direct, RunFiles.Density))) "density equal"
            let latent = lines direct RunFiles.Latent
            Expect.equal latent[0] "z1,z2" "latent header"
            let density2d = lines direct RunFiles.Density
            Expect.equal density2d[0] "x,y,density" "2-D density header"
        }

        test "a 2-D flow run writes trajectories.csv: the final evaluation's first data points through every coupling to g⁻¹(x)" {
            let folder = scratchFolder "flow-trajectories"
            let experiment = flowExperiment "flow-trajectories" NamedDatasets.moons smallRealNvp 10 5
            let summary = run experiment folder false
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let rows = lines folder RunFiles.Trajectories
            Expect.equal rows[0] "point,stage,label,x,y" "header"
            let stages = 5 // x and 4 couplings
            Expect.hasLength rows (1 + FlowGeneratorModule.TrajectoryPoints * stages) "one row per point and stage"
            let cells = rows[1..] |> Array.map (fun r -> r.Split ',')
            let stage k =
                let rows = cells |> Array.filter (fun c -> c[1] = string k)
                Expect.hasLength rows FlowGeneratorModule.TrajectoryPoints (sprintf "every point at stage %d" k)
                Expect.sequenceEqual (rows |> Array.map (fun c -> int c[0])) [| 0 .. FlowGeneratorModule.TrajectoryPoints - 1 |] "points in order"
                rows |> Array.collect (fun c -> [| parse c[3]; parse c[4] |])
            let labels = cells |> Array.take stages |> Array.map (fun c -> c[2])
            Expect.sequenceEqual labels [| "x"; "coupling 1"; "coupling 2"; "coupling 3"; "coupling 4" |] "stage labels of point 0"
            let data =
                Sampling.sample (StepSeeds.Random(experiment.Seed, 10, StepSeeds.Stream.EvaluationData)) experiment.Law.Value experiment.Evaluation.FinalSamples
            Expect.sequenceEqual (stage 0) data[.. 2 * FlowGeneratorModule.TrajectoryPoints - 1] "the first stage is the final evaluation's first data points"
            use generator = new torch.Generator(1UL)
            let flow = FlowBuilder.Build(smallRealNvp, 2, generator)
            CheckpointStore.LoadModule(latestCheckpoint folder, "flow", flow)
            let z =
                use _ = torch.no_grad ()
                let struct (z, _) = flow.Forward(tensorOf 2 (stage 0))
                valuesOf z
            let last = stage (stages - 1)
            for k in 0 .. z.Length - 1 do
                Expect.floatClose { absolute = 1e-12; relative = 1e-12 } last[k] z[k] (sprintf "last stage = Forward(x).Z of the trained flow, value %d" k)
            Expect.notEqual (stage 2) (stage 0) "the points move"
        }

        test "a diverging flow run is recorded as Diverged, in summary.json too, without an exception" {
            let folder = scratchFolder "flow-diverged"
            let exploding =
                { Flow.gaussianization1d with
                    Architecture = FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 1; Anchors = 5 }
                    Optimizer = Flow.adam 1e12 }
            let summary = run (flowExperiment "flow-diverges" (Distribution.Gaussian(2.0, 0.5)) exploding 50 10) folder false
            Expect.equal summary.Status RunStatus.Diverged summary.Message
            let written = GanFlow.Core.Specs.SpecJson.deserialize<RunSummary> (File.ReadAllText(Path.Combine(folder, RunFiles.Summary)))
            Expect.equal written.Status RunStatus.Diverged "summary.json records the divergence"
        }

        test "the report of a flow run folder renders the flow's density, the NLL chart and the inverse error" {
            let folder = scratchFolder "flow-report"
            let summary = run (flowExperiment "flow-report" (Distribution.Gaussian(2.0, 0.5)) smallGf 10 5) folder false
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let html = File.ReadAllText(RunReport.write folder)
            Expect.isTrue (html.Contains "flow density (exact)") "exact density trace"
            Expect.isTrue (html.Contains "NLL over training") "NLL chart"
            Expect.isTrue (html.Contains "final inverse error") "inverse error in the summary table"
        }

        test "the report of a 2-D flow run folder draws the density heatmap and the latent scatter" {
            let folder = scratchFolder "flow-report-2d"
            let summary = run (flowExperiment "flow-report-2d" NamedDatasets.moons smallRealNvp 10 5) folder false
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let html = File.ReadAllText(RunReport.write folder)
            Expect.isTrue (html.Contains "Latent space") "latent chart"
            Expect.isTrue (html.Contains "heatmap") "density heatmap"
            Expect.isTrue (html.Contains "of 1000 samples outside the plotted grid") "far-off samples are counted, not plotted over the grid"
            Expect.isTrue (html.Contains "Trajectories of 64 data points through the flow") "trajectories chart"
        }

        test "a continuous flow run logs its ODE function evaluations (nfe), a discrete one NaN, and the report charts them" {
            let folder = scratchFolder "flow-nfe"
            let otFlow =
                { Flow.otFlowMoons with
                    Architecture = FlowArchitecture.OtFlow { OtFlow.Default with Width = 8; Rank = 2; Solver = OdeSolver.Rk4 3 } }
            let summary = run (flowExperiment "flow-nfe" NamedDatasets.moons otFlow 10 5) folder false
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let records = RunStore(folder).ReadMetrics()
            Expect.hasLength records 2 "evaluations at 5 and 10"
            for r in records do
                Expect.equal r.FunctionEvaluations 12.0 "RK4 with 3 steps evaluates the velocity 4 × 3 times"
            let html = File.ReadAllText(RunReport.write folder)
            Expect.isTrue (html.Contains "ODE function evaluations") "NFE chart"
            let discrete = scratchFolder "flow-nfe-discrete"
            let gf = run (flowExperiment "flow-nfe-gf" (Distribution.Gaussian(2.0, 0.5)) smallGf 5 5) discrete false
            Expect.isTrue (Double.IsNaN gf.Final.Value.FunctionEvaluations) "no ODE, no count"
        }

        test "an adaptive solver's function evaluations are logged as they vary" {
            let folder = scratchFolder "flow-nfe-dopri5"
            let ffjord =
                { Flow.ffjord1d with
                    Architecture = FlowArchitecture.Ffjord { Ffjord.Default with Hidden = [ 8 ]; Solver = OdeSolver.Dopri5(1e-4, 1e-4, 500) }
                    Standardize = true }
            let summary = run (flowExperiment "flow-nfe-dopri5" (Distribution.Gaussian(2.0, 0.5)) ffjord 4 2) folder false
            Expect.equal summary.Status RunStatus.Completed summary.Message
            for r in RunStore(folder).ReadMetrics() do
                // Dormand-Prince: one evaluation to start, then 6 per attempted step.
                Expect.isGreaterThanOrEqual r.FunctionEvaluations 7.0 "at least one step"
                Expect.equal ((int r.FunctionEvaluations - 1) % 6) 0 "1 + 6 per step"
        }

        test "standardizing lets a flow start at the data's scale: NLL on N(40, 5²) after 30 steps is near the entropy only with it" {
            let ffjord standardize =
                { Flow.ffjord1d with
                    Architecture = FlowArchitecture.Ffjord { Ffjord.Default with Hidden = [ 16; 16 ]; Solver = OdeSolver.Rk4 4 }
                    Optimizer = Flow.adam 1e-2
                    Standardize = standardize }
            let finalNll standardize =
                let folder = scratchFolder (sprintf "flow-standardize-%b" standardize)
                let summary = run (flowExperiment "flow-standardize" (Distribution.Gaussian(40.0, 5.0)) (ffjord standardize) 30 30) folder false
                Expect.equal summary.Status RunStatus.Completed summary.Message
                summary.Final.Value.Nll
            let entropy = 0.5 * log (2.0 * Math.PI * Math.E * 25.0) // 3.0284 nats
            let standardized, raw = finalNll true, finalNll false
            Expect.isLessThan (abs (standardized - entropy)) 0.1 (sprintf "standardized NLL %g vs entropy %g" standardized entropy)
            Expect.isGreaterThan raw (entropy + 100.0) (sprintf "raw NLL %g: N(0, 1) cannot reach 40 in 30 steps" raw)
        }
    ]
