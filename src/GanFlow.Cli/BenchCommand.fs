/// `ganflow bench`: speed figures, printed (never asserted in tests). Metrics on 100,000
/// samples, and GAN training throughput for the seed 000 Table 2 baseline on this machine.
module GanFlow.Cli.BenchCommand

open System
open System.Diagnostics
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics
open GanFlow.Core.Models

/// Median wall time in milliseconds of `repeats` calls (after one warm-up call).
let private medianMilliseconds repeats (action: unit -> 'T) =
    action () |> ignore
    let times =
        Array.init repeats (fun _ ->
            let watch = Stopwatch.StartNew()
            action () |> ignore
            watch.Elapsed.TotalMilliseconds)
    Array.sortInPlace times
    times[repeats / 2]

/// The machine's load averages (`uptime`'s figures), printed beside timings that depend on it.
let private load () =
    try
        let parts = (IO.File.ReadAllText "/proc/loadavg").Split(' ')
        sprintf "load %s %s %s" parts[0] parts[1] parts[2]
    with _ -> "load unknown"

/// `value` in plain decimals with at least 4 significant digits (12346, 12.35, 0.0001235: every digit of the whole
/// part), never in exponent form, so that every figure of a bench reads alike (`%.4g` wrote 1.235e+04 beside 12.35);
/// bench/pytorch_peer.py prints the same way.
let plainFigure (value: float) =
    if not (Double.IsFinite value) || value = 0.0 then sprintf "%g" value
    else
        let decimals = max 0 (3 - int (floor (log10 (abs value))))
        value.ToString("F" + string (min decimals 15), Globalization.CultureInfo.InvariantCulture)

/// Prints a `name = value unit` line with the machine's load.
let private figure (name: string) (value: float) (unit: string) (detail: string) =
    printfn "%s = %s %s  # %s; %s" name (plainFigure value) unit detail (load ())

/// Wall milliseconds of one call (the d-dimensional timings run for seconds; one call each keeps the bench short).
let private onceMilliseconds (action: unit -> 'T) =
    let watch = Stopwatch.StartNew()
    action () |> ignore
    watch.Elapsed.TotalMilliseconds

/// `ganflow metric`'s scores on n standard-normal points against n shifted by 0.1 in the first coordinate, for n =
/// 10,000 and 100,000 in 2-D and 20-D (the k-d tree in 2-D, the filtered blocked scan in 20-D), one call each after a
/// small warm-up, printed as `name = value ms` lines. Energy, MMD² and the classifier test use their caps
/// (`ComparisonSettings.Default`: 10,000, 2,000 and 10,000 points of each sample).
let private pointMetrics () =
    let search = NeighbourSearches.exact
    let settings = ComparisonSettings.Default
    let gaussian (seed: int) (d: int) (n: int) (shift: float) =
        let rng = Random seed
        Points.create d (Array.init (n * d) (fun i -> (if i % d = 0 then shift else 0.0) + Sampling.standardNormal rng))
    let warm = gaussian 9 2 1_000 0.0
    Comparison.compare search settings warm warm |> ignore
    printfn "ganflow metric's scores on n vs n points, N(0, I) vs N(0.1·e1, I) (one call each)"
    for d in [ 2; 20 ] do
        for n in [ 10_000; 100_000 ] do
            let x, y, train = gaussian 1 d n 0.1, gaussian 2 d n 0.0, gaussian 3 d n 0.0
            let name (metric: string) = sprintf "bench.metrics.%s_%dd_%dk" metric d (n / 1_000)
            let report (metric: string) (action: unit -> 'T) = figure (name metric) (onceMilliseconds action) "ms" "one call"
            report "knn_k6_self" (fun () -> search.Nearest y y 6)
            report "precision_recall_density_coverage" (fun () -> PrecisionRecall.compute search y x)
            report "sliced_w1_1000_directions" (fun () -> SlicedWasserstein.estimate 1 settings.Projections x y)
            report "energy_at_most_10k" (fun () ->
                EnergyDistance.ofPoints (Points.atMost (Random 1) settings.EnergyPoints x) (Points.atMost (Random 2) settings.EnergyPoints y))
            report "mmd2_2k_200_permutations" (fun () -> Mmd.test 1 settings.Permutations None (Points.atMost (Random 1) settings.MmdPoints x) (Points.atMost (Random 2) settings.MmdPoints y))
            report "c2st_at_most_10k" (fun () -> ClassifierTwoSample.test search 1 settings.ClassifierPoints x y)
            report "copying_test_and_closer_than_train" (fun () -> DataCopying.test search 1 (DataCopying.defaultCells n) train y x)
            report "all_two_sample_scores" (fun () -> Comparison.compare search settings x y)

/// The 1-D metric timings on n = 10,000 and 100,000 samples of the unimodal dataset (two independent samples), median
/// of 5 calls after one warm-up, as `bench.metrics.NAME_1d_Nk = VALUE ms` lines (the names bench/pytorch_peer.py prints
/// for scipy's `wasserstein_distance` and `energy_distance`), then `pointMetrics`.
let metrics () =
    printfn "1-D metrics on n vs n samples of the unimodal set (median of 5 calls after one warm-up)"
    for n in [ 10_000; 100_000 ] do
        let x = Sampling.sample (Random 1) NamedDatasets.unimodal n
        let y = Sampling.sample (Random 2) NamedDatasets.unimodal n
        let name (metric: string) = sprintf "bench.metrics.%s_1d_%dk" metric (n / 1_000)
        figure (name "w1") (medianMilliseconds 5 (fun () -> Wasserstein.w1 x y)) "ms" "W1 between the samples (seed 000 eq. 8: sort + merge)"
        figure (name "energy") (medianMilliseconds 5 (fun () -> EnergyDistance.energyDistance x y)) "ms"
            (sprintf "energy distance 2∫(F-G)², O(n log n); value %.6g" (EnergyDistance.energyDistance x y))
        figure (name "w1_to_distribution") (medianMilliseconds 5 (fun () -> Wasserstein.w1ToDistribution x NamedDatasets.unimodal)) "ms"
            "W1 to the exact distribution"
        if n = 100_000 then
            let grid = Array.init 1000 (fun i -> 4.3 + 1.4 * float i / 999.0)
            figure (name "kde_grid_1000") (medianMilliseconds 5 (fun () -> Kde.density x (Kde.samplesPerBandBandwidth 500 x) grid)) "ms"
                "KDE, 500-per-band bandwidth, 1,000-point grid"
            figure (name "kde_held_out_bandwidth_20") (medianMilliseconds 5 (fun () -> Kde.heldOutBandwidth 20 (Random 3) x)) "ms"
                "KDE bandwidth by held-out likelihood, 20 candidates"
    pointMetrics ()

/// Runs `steps` training steps of `model` on `dataset` through the real runner on `device` (one intra-op thread) with
/// evaluation kept to one small final pass, in a scratch folder deleted afterwards; returns
/// the summary and the wall seconds, dominated by training.
let private timedRun (device: TorchSharp.torch.Device) (name: string) (model: Model) (dataset: Distribution) (batch: int) (steps: int) (finalSamples: int) =
    GanFlow.Runtime.Devices.TorchSetup.Initialize 1
    let experiment =
        { GanFlow.Core.Experiments.Experiment.create "bench" name dataset with
            Model = model
            Budget = { Steps = steps; BatchSize = batch; Epochs = None }
            Evaluation = { GanFlow.Core.Experiments.Evaluation.Default with Every = steps; Samples = finalSamples; FinalSamples = finalSamples } }
    let folder = IO.Path.Combine(IO.Path.GetTempPath(), "ganflow-bench-" + Guid.NewGuid().ToString "N")
    let watch = Stopwatch.StartNew()
    let summary = GanFlow.Runtime.ExperimentRunner.Run(experiment, GanFlow.Runtime.Devices.RunContext(device, folder, null, false))
    let seconds = watch.Elapsed.TotalSeconds
    IO.Directory.Delete(folder, true)
    if summary.Status <> GanFlow.Core.Experiments.RunStatus.Completed then failwithf "the bench's run %s ended %A" name summary.Status
    summary, seconds

/// GAN training rates, marginal over `steps` and 2·`steps` generator steps (see `MarginalRate.measure`): the rows of issue 20's
/// table at their declared batch and at the papers' batch of 2,048, as `bench.gans.NAME.batch_B = RATE steps/s` lines;
/// the small paper-scale trial (the unimodal baseline at batch 2,048) also as seconds per generator step.
let gan (device: TorchSharp.torch.Device) (steps: int) =
    let configurations =
        [ "table2_unimodal_baseline", "SN 64x1, 10 critic steps", GanFlow.Experiments.Seed000Table2.unimodalBaseline, NamedDatasets.unimodal, [ 512; 2_048 ]
          "table2_multimodal_baseline", "GP 128x3, 5 critic steps", GanFlow.Experiments.Seed000Table2.multimodalBaseline, NamedDatasets.multimodal, [ 512; 2_048 ]
          "demo_wgan_gp", "GP 64x2, 5 critic steps", Gan.WganGp, NamedDatasets.unimodal, [ 256; 2_048 ] ]
    printfn "GAN training, marginal rates over %d and %d generator steps (one intra-op thread, allocator %s, MKL dispatch %s)" steps (2 * steps)
        (GanFlow.Runtime.Devices.NativeAllocator.Apply()) (GanFlow.Runtime.Devices.MklDispatch.Apply())
    for name, detail, spec, dataset, batches in configurations do
        for batch in batches do
            let measured = MarginalRate.measure 0.0 steps (fun n -> snd (timedRun device name (Model.Gan spec) dataset batch n 1_000))
            let rate, perStep = measured.StepsPerSecond, measured.SecondsPerStep
            figure (sprintf "bench.gans.%s.batch_%d" name batch) rate "generator_steps/s" (sprintf "%s, batch %d, %.0f critic steps/s" detail batch (rate * float spec.CriticSteps))
            if name = "table2_unimodal_baseline" && batch = 2_048 then
                figure "bench.gans.paper_scale_small_trial.seconds_per_generator_step" perStep "s" "the unimodal baseline at batch 2,048 (issue 20's target: <= 0.012)"

/// Seed 003's image models on MNIST-shaped images (28×28, batch 64, random bytes: the speed does not depend on the
/// digits): training steps per second of the VAE, the DCGAN and the WGAN-clip (5 critic steps each) through the real
/// runner on `device` (`--device`, default auto), one intra-op thread. Each run is timed by its training clock, the
/// `wall_seconds` of its last `metrics.csv` row (start, the training steps and the one evaluation at the last step, kept
/// to 64 samples against 64 test images), not by the whole call: the end-of-run figures after it (the VAE's posterior
/// grids and ELBOs, about a minute whatever the steps) do not grow with the steps and only add noise to the difference.
let images (device: TorchSharp.torch.Device) (steps: int) =
    GanFlow.Runtime.Devices.TorchSetup.Initialize 1
    let random (seed: int) (count: int) : GanFlow.Core.Images.ImageSet =
        let bytes = Array.zeroCreate (count * 784)
        (Random seed).NextBytes bytes
        { Rows = 28; Columns = 28; Pixels = bytes; Labels = Array.init count (fun i -> byte (i % 10)) }
    let splits: GanFlow.Core.Images.ImageSplits = { Train = random 1 2_048; Validation = random 3 0; Test = random 2 256 }
    printfn "image training (seed 003, 28x28, batch 64), marginal rates over %d and %d steps (seed 001's max(10, a tenth); a row's steps doubled until the two runs are 1 s apart, each row says its own) on %O (MKL dispatch %s)" steps (2 * steps) device (GanFlow.Runtime.Devices.MklDispatch.Apply())
    let imageFolder = IO.Path.Combine(IO.Path.GetTempPath(), "ganflow-bench-" + Guid.NewGuid().ToString "N")
    GanFlow.Store.MnistFolderWriter.Write(imageFolder, splits.Train, splits.Test, "random bench images") |> ignore
    try
        // Seed 003's reduced VAE, DCGAN and WGAN; seed 001's reduced NICE by MLE, ADV and Hybrid and the paper's 22M-weight
        // NICE by MLE: evaluations kept to 64 samples, no classifier or end-of-run estimators, the test split as the
        // evaluation split (the bench folder holds no validation images).
        let seed001 = GanFlow.Experiments.Seed001Mnist.reduced @ [ List.head GanFlow.Experiments.Seed001Mnist.paper ]
        for declared in (GanFlow.Experiments.Seed003Mnist.reduced |> List.filter (fun e -> e.Model.Init = GanFlow.Core.Models.GeneratorInit.Random)) @ seed001 do
            let timed (n: int) =
                let experiment =
                    { declared with
                        Data =
                            match declared.Data with
                            | GanFlow.Core.Datasets.DataSource.Images i ->
                                GanFlow.Core.Datasets.DataSource.Images { i with Data = { Folder = imageFolder; Split = GanFlow.Core.Images.MnistSplit.Seed003 } }
                            | other -> other
                        Budget = { declared.Budget with Steps = n; Epochs = None }
                        Evaluation = { declared.Evaluation with Every = n; Samples = 64; FinalSamples = 64; Classifier = None; Parzen = None; Ais = None; Jacobian = None } }
                let folder = IO.Path.Combine(IO.Path.GetTempPath(), "ganflow-bench-" + Guid.NewGuid().ToString "N")
                let summary = GanFlow.Runtime.ExperimentRunner.Run(experiment, GanFlow.Runtime.Devices.RunContext(device, folder, null, false))
                let records = GanFlow.Store.MetricsCsv.Parse(IO.File.ReadAllText(IO.Path.Combine(folder, GanFlow.Store.RunFiles.Metrics)))
                IO.Directory.Delete(folder, true)
                if summary.Status <> GanFlow.Core.Experiments.RunStatus.Completed then failwithf "the bench's run %s ended %A" declared.Name summary.Status
                // The training clock at the last step (the run's own Stopwatch, from its start).
                records[records.Count - 1].WallSeconds
            let isSeed001 = seed001 |> List.exists (fun e -> e.Name = declared.Name)
            // At least a second between the two timed runs: seed 001's reduced NICE by MLE trains about a hundred steps a
            // second, so its first pair (max(10, a tenth of the steps), like the other seed 001 rows) is doubled until it is.
            let measured = MarginalRate.measure 1.0 (if isSeed001 then max 10 (steps / 10) else steps) timed
            let name =
                if isSeed001 then declared.Name.Replace('-', '_')
                else "seed003_" + declared.Name.Replace("seed003-mnist-", "").Replace("-reduced", "")
            figure (sprintf "bench.images.%s.batch_%d" name declared.Budget.BatchSize) measured.StepsPerSecond "steps/s"
                (sprintf "%s, over %d and %d steps" declared.Name measured.Steps (2 * measured.Steps))
    finally
        IO.Directory.Delete(imageFolder, true)

/// Flow throughput on this machine: training steps per second of each declared flow (through the real runner,
/// evaluation kept to one small final pass), then for the continuous flows the cost of sampling and of the exact
/// NLL on 10,000 points, with the ODE function evaluations (NFE) each needed.
let flows (device: TorchSharp.torch.Device) (steps: int) =
    let configurations =
        [ "table1_gf", "GF, 505 parameters", GanFlow.Experiments.Seed000Table1.gaussianization, NamedDatasets.unimodal, [ 1_024; 2_048 ]
          "table1_ffjord", "FFJORD, 9,093 parameters", GanFlow.Experiments.Seed000Table1.ffjord, NamedDatasets.multimodal, [ 256 ]
          "moons_realnvp", "RealNVP, 205,848 parameters, float64", Flow.realNvpMoons, NamedDatasets.moons, [ 256; 2_048 ]
          "moons_otflow", "OT-Flow, 1,229 parameters, float64", Flow.otFlowMoons, NamedDatasets.moons, [ 256 ] ]
    printfn "flow training, marginal rates over %d and %d steps (MKL dispatch %s)" steps (2 * steps) (GanFlow.Runtime.Devices.MklDispatch.Apply())
    for name, detail, spec, dataset, batches in configurations do
        for batch in batches do
            let mutable evaluations = nan
            let measured =
                MarginalRate.measure 0.0 steps (fun n ->
                    let summary, seconds = timedRun device name (Model.Flow spec) dataset batch n 200
                    evaluations <- summary.Final |> Option.map (fun f -> f.FunctionEvaluations) |> Option.defaultValue nan
                    seconds)
            figure (sprintf "bench.flows.%s.batch_%d" name batch) measured.StepsPerSecond "steps/s"
                (sprintf "%s, batch %d, NFE per forward %s" detail batch (if Double.IsNaN evaluations then "-" else sprintf "%.0f" evaluations))
    let n = 10_000
    for name, spec, dataset in
        [ "table1_ffjord", GanFlow.Experiments.Seed000Table1.ffjord, NamedDatasets.multimodal
          "moons_otflow", Flow.otFlowMoons, NamedDatasets.moons ] do
        let dimension = Densities.dimension dataset
        use generator = new TorchSharp.torch.Generator(1UL)
        let data = Sampling.sample (Random 1) dataset n
        use initial = GanFlow.Runtime.Flows.FlowTrainer.ToTensor(data, dimension)
        use flow = GanFlow.Runtime.Flows.FlowBuilder.Build(spec, dimension, generator, initial)
        flow.eval ()
        let sampling = medianMilliseconds 3 (fun () -> GanFlow.Runtime.Flows.FlowTrainer.Sample(flow, n, generator))
        let samplingEvaluations = flow.LastFunctionEvaluations
        let nll = medianMilliseconds 3 (fun () -> GanFlow.Runtime.Flows.FlowTrainer.NegativeLogLikelihood(flow, data))
        figure (sprintf "bench.flows.%s.sample_10k" name) sampling "ms" (sprintf "sample %d points, NFE %d, median of 3" n samplingEvaluations)
        figure (sprintf "bench.flows.%s.exact_nll_10k" name) nll "ms" (sprintf "exact NLL of %d points, NFE %d, median of 3" n flow.LastFunctionEvaluations)

/// The cost of never losing work: for the demo and for the Table 1 FFJORD cell at their declared specs, the training
/// time of one checkpoint interval (the default cadence: every evaluation), the time one checkpoint takes (median of 5,
/// modules of the declared size with their optimisers), the overhead as a share of training, and the time a kill at a
/// uniformly random moment loses (on average half an interval, at most one).
let checkpoints () =
    let cells =
        [ GanFlow.Experiments.WganGpUnimodalDemo.experiment
          (GanFlow.Experiments.Seed000Table1.study.Cells |> List.find (fun c -> c.Experiment.Name = "table1-unimodal-ffjord")).Experiment ]
    printfn "checkpoints at the default cadence (every evaluation)"
    for experiment in cells do
        let interval = experiment.Evaluation.Every
        let _, seconds = timedRun (GanFlow.Runtime.Devices.DeviceSelection.FromString "auto") experiment.Name experiment.Model experiment.Law.Value experiment.Budget.BatchSize interval 1_000
        let dimension = experiment.Dimension
        let folder = IO.Path.Combine(IO.Path.GetTempPath(), "ganflow-bench-" + Guid.NewGuid().ToString "N")
        let save: unit -> unit =
            use initial = GanFlow.Runtime.Flows.FlowTrainer.ToTensor(Sampling.sample (Random 1) experiment.Law.Value 1_000, dimension)
            let networks = GanFlow.Runtime.Modules.ModelNetworks.Create(experiment.Model, dimension, 1L, TorchSharp.torch.CPU, initial)
            let optimizers =
                [| yield struct (networks.Generator.Name, GanFlow.Runtime.Training.OptimizerFactory.Create(experiment.Model.Optimizer, networks.Generator.Module.parameters()))
                   match Model.adversarial experiment.Model with
                   | Some game -> yield struct ("critic", GanFlow.Runtime.Training.OptimizerFactory.Create(game.CriticOptimizer, (nonNull networks.Critic).parameters()))
                   | None -> () |]
            fun () ->
                GanFlow.Runtime.Checkpoints.CheckpointStore.Save(
                    folder, GanFlow.Runtime.Checkpoints.CheckpointState(1, 0.0, 0.0, 0.0), networks.Modules, optimizers)
        let ms = medianMilliseconds 5 save
        IO.Directory.Delete(folder, true)
        let key = sprintf "bench.checkpoints.%s" (experiment.Name.Replace('-', '_'))
        figure (key + ".checkpoint") ms "ms" (sprintf "one checkpoint (median of 5); every %d steps = %.2f s of training" interval seconds)
        figure (key + ".overhead") (100.0 * ms / (1000.0 * seconds)) "%" "of the training time, at the default cadence"
        figure (key + ".kill_loses_on_average") (seconds / 2.0) "s" (sprintf "a kill at a random moment; at most %.2f s" seconds)

/// The likelihood estimators' cost on seed 001's generators (untrained, at the declared specs): AIS seconds per 1,000
/// points at the Flow-GAN experiments' settings (8 chains, 300 intermediate distributions, 10 leapfrog steps), timed on
/// 20 points; the Parzen estimate (10,000 kernels, 20 candidate bandwidths) per 1,000 points; the Jacobian at 64 draws.
let estimators () =
    GanFlow.Runtime.Devices.TorchSetup.Initialize 1
    let device = TorchSharp.torch.CPU
    printfn "likelihood estimators (seed 001 settings; one intra-op thread; median of 3)"
    let cells =
        [ "realnvp_8x64_ring", (GanFlow.Experiments.Seed001FlowGan.study.Cells |> List.find (fun c -> c.Experiment.Name = "seed001-flowgan-ring-adv")).Experiment
          "ffjord_32_32_rk4x6_multimodal", (GanFlow.Experiments.Seed001FlowGan.study.Cells |> List.find (fun c -> c.Experiment.Name = "seed001-flowgan-multimodal-adv")).Experiment
          "demo_mlp_generator_64x2", GanFlow.Experiments.WganGpUnimodalDemo.experiment ]
    for name, experiment in cells do
        let dimension = experiment.Dimension
        use initial = GanFlow.Runtime.Flows.FlowTrainer.ToTensor(Sampling.sample (Random 1) experiment.Law.Value 1_000, dimension)
        use networks = GanFlow.Runtime.Modules.ModelNetworks.Create(experiment.Model, dimension, 1L, device, initial)
        networks.Train false
        let ais = { GanFlow.Core.Experiments.Ais.Default with Chains = 8; Intermediates = 300; Points = 20; SimulatedPoints = 0 }
        let points = Sampling.sample (Random 2) experiment.Law.Value ais.Points
        let model = GanFlow.Runtime.Estimators.LatentModel.Of(networks.Generator, device)
        let run () =
            use noise = new TorchSharp.torch.Generator(3UL)
            use _ = TorchSharp.torch.NewDisposeScope()
            GanFlow.Runtime.Estimators.AnnealedImportanceSampling.Forward(model, networks.Generator.DataTensor(points, dimension, device), ais, noise) |> ignore
        let ms = medianMilliseconds 3 run
        figure (sprintf "bench.estimators.%s.ais_per_1000_points" name) (ms / 1000.0 * 1000.0 / float ais.Points) "s"
            (sprintf "AIS, %d chains x %d distributions x %d leapfrog steps, timed on %d points" ais.Chains ais.Intermediates ais.LeapfrogSteps ais.Points)
        let samples = Sampling.sample (Random 4) experiment.Law.Value 10_000
        let validation = Sampling.sample (Random 5) experiment.Law.Value 1_000
        let parzen = medianMilliseconds 3 (fun () -> ParzenWindow.estimate dimension samples 1.0 20 validation validation)
        figure (sprintf "bench.estimators.%s.parzen_per_1000_points" name) (parzen / 1000.0) "s" "Parzen, 10,000 kernels, 20 bandwidths"
        if GanFlow.Core.Models.Model.sampleGradients experiment.Model then
            let jacobian =
                medianMilliseconds 3 (fun () ->
                    use noise = new TorchSharp.torch.Generator(6UL)
                    GanFlow.Runtime.Estimators.JacobianSpectrumComputation.OfGenerator(networks.Generator, 64, noise, device) |> ignore)
            figure (sprintf "bench.estimators.%s.jacobian_64_draws" name) jacobian "ms" "Jacobian singular values at 64 draws"

/// Seed 002's dynamics (pure F#, float64): trajectories × steps per second of the first-order and optimal rules in the
/// Fig. 1 setting (μ* = (−0.5, 0.5), η_g = η_d = 0.1), on one thread and in parallel over the cores as the phase
/// diagram runs them (`PhaseDiagram.cell`); median of 3 after a warm-up that lets the JIT finish optimising.
let dynamics () =
    let tolerances = GanFlow.Core.Dynamics.OutcomeTolerances.Default
    let spec = { GanFlow.Core.Dynamics.PhaseDiagramSpec.Default with Steps = 1_000 }
    let draws = GanFlow.Core.Dynamics.PhaseDiagram.draws 1 2 2_000
    let trueMeans = [| -0.5; 0.5 |]
    let sequential (rule: GanFlow.Core.Dynamics.DynamicsRule) (count: int) () =
        draws
        |> Array.truncate count
        |> Array.map (fun d ->
            let means, endpoints = GanFlow.Core.Dynamics.PhaseDiagram.initialCondition spec.Margin trueMeans d
            GanFlow.Core.Dynamics.Outcome.ofRun tolerances rule trueMeans 0.1 0.1 spec.Steps means endpoints)
    let parallelCell (rule: GanFlow.Core.Dynamics.DynamicsRule) () =
        GanFlow.Core.Dynamics.PhaseDiagram.cell tolerances spec GanFlow.Core.Dynamics.PhaseGame.TwoGaussians draws 1.0 rule 1.0
    printfn "seed 002 dynamics, Fig. 1 setting, %d steps per trajectory (%d cores; median of 3)" spec.Steps Environment.ProcessorCount
    for rule, count in [ GanFlow.Core.Dynamics.DynamicsRule.FirstOrder, 2_000; GanFlow.Core.Dynamics.DynamicsRule.Optimal, 500 ] do
        sequential rule (count / 2) () |> ignore
        let oneThread = medianMilliseconds 3 (sequential rule count)
        let key = sprintf "bench.dynamics.%s" (if rule = GanFlow.Core.Dynamics.DynamicsRule.FirstOrder then "first_order" else "optimal")
        figure (key + ".one_thread") (float (count * spec.Steps) / (oneThread / 1000.0)) "trajectory_steps/s" (sprintf "%d trajectories" count)
        let inParallel = medianMilliseconds 3 (parallelCell rule)
        figure (key + ".phase_diagram_cell") (float (draws.Length * spec.Steps) / (inParallel / 1000.0)) "trajectory_steps/s"
            (sprintf "%d trajectories in parallel over the cores, %.2f s" draws.Length (inParallel / 1000.0))

/// Runs `ganflow ARGS` once for each argument list in `runs`, all at once, each a child process with `environment` added
/// to this process's (and this process's id as the parent a child ends with, `WorkerProcess.ParentVariable`); returns
/// the wall seconds until the last one ended and the exit codes. A child still running when this call fails (a start
/// refused, an exception while waiting) is killed with its own children; when the bench process itself is killed or
/// interrupted, each child ends by itself on seeing its parent gone (`ParentWatch`), and its workers after it.
let private timedGanflows (environment: (string * string) list) (runs: string list list) =
    let command = GanFlow.Runtime.Processes.GanflowCommand.Of(Reflection.Assembly.GetExecutingAssembly().Location)
    let start (args: string list) =
        let info = ProcessStartInfo(command.Program, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
        for a in List.ofSeq command.Prefix @ args do info.ArgumentList.Add a
        info.Environment[GanFlow.Runtime.Processes.WorkerProcess.ParentVariable] <- string Environment.ProcessId
        for name, value in environment do info.Environment[name] <- value
        let p = nonNull (Process.Start info) // null only for a shell-executed start, which this is not
        p.OutputDataReceived.Add ignore
        p.ErrorDataReceived.Add ignore
        p.BeginOutputReadLine()
        p.BeginErrorReadLine()
        p
    let processes = Collections.Generic.List<Process>()
    try
        let watch = Stopwatch.StartNew()
        for args in runs do processes.Add(start args)
        for p in processes do p.WaitForExit()
        watch.Elapsed.TotalSeconds, [ for p in processes -> p.ExitCode ]
    finally
        for p in processes do
            try
                if not p.HasExited then p.Kill true
            with _ -> ()
            p.Dispose()

/// A fresh scratch folder path.
let private scratch () = IO.Path.Combine(IO.Path.GetTempPath(), "ganflow-bench-" + Guid.NewGuid().ToString "N")

/// Opens and closes the PostgreSQL store of `bench --search-store` once (creating its schema where it has none, as the
/// bench's own figures would), so that an unreachable server or wrong credentials are refused before anything is timed.
let checkSearchStore (location: GanFlow.Store.SearchStoreLocation.Postgres) (passwordFile: string option) =
    use _store = location.Open("bench-search-check", GanFlow.Store.SearchStoreAccess.Create, Option.toObj passwordFile, 1)
    ()

/// Search throughput (issue 18): trials per hour of the demo search cut to 8 trials of 100 steps with 1 worker, one
/// process per job against a long-lived worker; trials per hour with 2 long-lived workers against 1 on 16 demo trials of
/// 200 steps, each worker of either arm seeing ⌊cores / 2⌋ cores, whole searches and marginal (32 trials against 16),
/// and for reference two independent one-worker searches of the same trials side by side against one alone (what two
/// processes of this workload get from the machine); decisions per second and the median decision latency
/// (lock wait, fold, decide, commit) on the closed-form objective at no cost per step, on SQLite with 1 worker and, given
/// a PostgreSQL store, with 1, 4 and 16 workers.
let search (postgres: string option) (passwordFile: string option) =
    let trials = 8
    let demo = GanFlow.Experiments.DemoSearch.search
    printfn "search throughput (%s, %d cores)" (load ()) Environment.ProcessorCount
    // 1-2. One worker, one process per job (the earlier design: each job a `ganflow run` child) against a long-lived
    // worker (every job in this process, through the run pipeline; torch initialised once): the driver, store and
    // trials are the same, only the runner differs.
    let oneWorker (runner: GanFlow.Runtime.Search.ITrialRunner) =
        let directory = scratch ()
        let fixedBudget = GanFlow.Core.Search.Search.withOverrides (Some trials) None (Some 100) (Some 100) demo
        IO.Directory.CreateDirectory directory |> ignore
        use store = GanFlow.Store.SqliteSearchStore.Open(GanFlow.Store.SqliteSearchStore.FileOf directory, fixedBudget.Name, GanFlow.Store.SearchStoreAccess.Create)
        store.CreateSearch(GanFlow.Store.SearchHeader(fixedBudget.Name, GanFlow.Core.Specs.SpecJson.serialize (GanFlow.Core.Search.Search.record fixedBudget), trials, directory, 60.0))
        let watch = Stopwatch.StartNew()
        GanFlow.Runtime.Search.SearchDriver(fixedBudget, store, runner, directory, 1).Run Threading.CancellationToken.None |> ignore
        let seconds = watch.Elapsed.TotalSeconds
        IO.Directory.Delete(directory, true)
        seconds
    let command = GanFlow.Runtime.Processes.GanflowCommand.Of(Reflection.Assembly.GetExecutingAssembly().Location)
    let perJob = oneWorker (GanFlow.Runtime.Search.ProcessTrialRunner(command, "cpu"))
    figure "search.process_per_job.trials_per_hour" (3600.0 * float trials / perJob) "trials/hour" (sprintf "%d demo trials of 100 steps, 1 worker, %.1f s" trials perJob)
    GanFlow.Runtime.Devices.TorchSetup.Initialize 1
    let one = oneWorker (GanFlow.Runtime.Search.ExperimentTrialRunner "cpu")
    figure "search.long_lived.trials_per_hour" (3600.0 * float trials / one) "trials/hour" (sprintf "%d demo trials of 100 steps, 1 worker, %.1f s" trials one)
    figure "search.long_lived_over_process_per_job" (perJob / one) "x" "same trials, same driver and store, one worker"
    // 3. Two long-lived workers against one on a real objective: 16 demo trials of 200 steps each (many short trials, so
    // that the two workers' shares of the work even out), each `ganflow search` with its workers as processes. Per worker
    // count, `MarginalRate.measure`'s first pair (after its warm-up search of 8): 16 trials, then 32 at once, so that the
    // marginal rate (16 trials over the difference) leaves out what a search pays once (the processes' start, the
    // workers' first compilations, the report) and the whole-search figures are the 16-trial searches. Each worker of
    // either arm sees the same share of the cores, ⌊cores / 2⌋ (what `--workers 2` gives each of its two): a lone worker
    // would otherwise spread its parallel loops (the evaluations' k-NN scans) over every core, and the ratio would compare
    // one worker on the whole machine against two on half of it each.
    let many = 2 * trials
    let share = GanFlow.Runtime.Processes.WorkerProcess.CoreShare 2
    let shareEnvironment = [ GanFlow.Runtime.Processes.WorkerProcess.ProcessorCountVariable, string share ]
    let searchOf directory count workers =
        [ "search"; demo.Name; "--out"; directory; "--trials"; string count; "--grace"; "200"; "--max-steps"; "200"
          "--workers"; string workers; "--device"; "cpu" ]
    let seconds = Collections.Generic.Dictionary<int * int, float>()
    /// `searches` searches of `count` trials with `workers` workers each, side by side, each in a folder of its own. A
    /// two-worker search gives each of its workers ⌊cores / 2⌋ itself; a one-worker search is told the machine has that many.
    let timedSide searches workers count =
        let directories = List.init searches (fun _ -> scratch ())
        let environment = if workers = 1 then shareEnvironment else []
        let elapsed, codes = timedGanflows environment (directories |> List.map (fun d -> searchOf d count workers))
        match List.zip directories codes |> List.tryFind (fun (_, c) -> c <> 0) with
        | Some(directory, code) -> failwithf "the bench's search exited with %d (its folder, with the workers' logs, is kept: %s)" code directory
        | None ->
            for d in directories do
                if IO.Directory.Exists d then IO.Directory.Delete(d, true)
            elapsed
    let timed workers count =
        let elapsed = timedSide 1 workers count
        seconds[(workers, count)] <- elapsed
        elapsed
    let marginalSingle = MarginalRate.measure 0.0 many (timed 1)
    let marginalPair = MarginalRate.measure 0.0 many (timed 2)
    let single, pair = seconds[(1, many)], seconds[(2, many)]
    let cores = sprintf "each worker seeing %d of the %d cores" share Environment.ProcessorCount
    figure "search.real.one_worker.trials_per_hour" (3600.0 * float many / single) "trials/hour" (sprintf "%d demo trials of 200 steps, %.1f s, %s" many single cores)
    figure "search.real.two_workers.trials_per_hour" (3600.0 * float many / pair) "trials/hour" (sprintf "%d demo trials of 200 steps, %.1f s, %s" many pair cores)
    figure "search.real.two_over_one" (single / pair) "x" "2 workers against 1"
    let more workers = sprintf "%d more trials: %.1f s against %.1f" many seconds[(workers, 2 * many)] seconds[(workers, many)]
    figure "search.real.marginal.one_worker.trials_per_hour" (3600.0 * marginalSingle.StepsPerSecond) "trials/hour" (more 1)
    figure "search.real.marginal.two_workers.trials_per_hour" (3600.0 * marginalPair.StepsPerSecond) "trials/hour" (more 2)
    figure "search.real.marginal.two_over_one" (marginalPair.StepsPerSecond / marginalSingle.StepsPerSecond) "x" "2 workers against 1, what a search pays once left out"
    // For reference, what two processes of this workload get from the machine: two whole one-worker searches of the same
    // 16 trials, independent (a store and a folder each, nothing shared), side by side, against one alone timed just
    // before them. Whatever slows two processes that run at once (shared caches and memory, the host's scheduling of
    // this machine's cores) slows them here too; each also pays its own start and report, side by side.
    let alone = timedSide 1 1 many
    let independent = timedSide 2 1 many
    figure "search.real.independent_pair.two_over_one" (2.0 * alone / independent) "x"
        (sprintf "two independent 1-worker searches of %d trials side by side, %.1f s, against one alone, %.1f s: what two processes get from this machine" many independent alone)
    // 4. Decisions: the closed-form objective at no cost per step (files still written as a run writes them).
    let closedForm =
        let s = GanFlow.Experiments.ClosedFormSearch.search
        { GanFlow.Core.Search.Search.withOverrides (Some 256) None None None s with
            Name = sprintf "bench-search-%s" (Guid.NewGuid().ToString("N").Substring(0, 8)) // a fresh name in a shared store
            Trainer = GanFlow.Core.Search.TrialTrainer.ClosedForm { Value = GanFlow.Experiments.ClosedFormSearch.curve; SecondsPerStep = 0.0 } }
    let decide (label: string) (openStore: string -> GanFlow.Store.ISearchStore) (workers: int) =
        let directory = scratch ()
        IO.Directory.CreateDirectory directory |> ignore
        use store = openStore directory
        store.CreateSearch(GanFlow.Store.SearchHeader(closedForm.Name, GanFlow.Core.Specs.SpecJson.serialize (GanFlow.Core.Search.Search.record closedForm), closedForm.Trials, directory, 60.0))
        let runner =
            match closedForm.Trainer with
            | GanFlow.Core.Search.TrialTrainer.ClosedForm c -> GanFlow.Runtime.Search.ClosedFormTrialRunner(closedForm, c)
            | _ -> failwith "closed form"
        let driver = GanFlow.Runtime.Search.SearchDriver(closedForm, store, (fun () -> openStore directory), runner, directory, workers)
        let watch = Stopwatch.StartNew()
        driver.Run Threading.CancellationToken.None |> ignore
        let seconds = watch.Elapsed.TotalSeconds
        let decisions = store.ReadEvents() |> Seq.filter (fun e -> e.Kind <> "reached" && e.Kind <> "diverged" && e.Kind <> "failed") |> Seq.length
        let latencies = driver.Workers |> Seq.collect _.DecisionSeconds |> Seq.sort |> Array.ofSeq
        store.DeleteSearch()
        IO.Directory.Delete(directory, true)
        figure (sprintf "search.%s.workers_%d.decisions_per_second" label workers) (float decisions / seconds) "decisions/s" (sprintf "%d decisions of %d closed-form trials in %.1f s" decisions closedForm.Trials seconds)
        figure (sprintf "search.%s.workers_%d.median_decision_latency" label workers) (1000.0 * latencies[latencies.Length / 2]) "ms" (sprintf "%d locked transactions" latencies.Length)
    decide "sqlite" (fun d -> GanFlow.Store.SqliteSearchStore.Open(GanFlow.Store.SqliteSearchStore.FileOf d, closedForm.Name, GanFlow.Store.SearchStoreAccess.Create)) 1
    match postgres with
    | None -> printfn "search.postgresql = skipped  # give --search-store postgresql://USER@HOST:PORT/DATABASE for the PostgreSQL figures"
    | Some url ->
        let location = GanFlow.Store.SearchStoreLocation.Parse(url, null)
        for workers in [ 1; 4; 16 ] do
            // In-process workers, each with its own store handle (one connection each, plus the driver's).
            decide "postgresql" (fun _ -> location.Open(closedForm.Name, GanFlow.Store.SearchStoreAccess.Create, Option.toObj passwordFile, workers + 1)) workers
