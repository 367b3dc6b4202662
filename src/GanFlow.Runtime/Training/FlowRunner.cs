using System.Diagnostics;
using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Metrics;
using GanFlow.Core.Models;
using GanFlow.Core.Training;
using GanFlow.Runtime.Checkpoints;
using GanFlow.Runtime.Devices;
using GanFlow.Runtime.Flows;
using GanFlow.Runtime.Modules;
using GanFlow.Runtime.Solvers;
using GanFlow.Store;
using Microsoft.FSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Training;

/// <summary>
/// The one interpreter of a <see cref="Flow"/> spec as a run, with <see cref="GanTrainer"/>'s contract:
/// maximum-likelihood steps (OT-Flow: its combined loss) on fresh data seeded from (seed, step), evaluations
/// every <c>evaluation.every</c> steps and at the end (W1 eq. 8, W1 to the exact distribution and energy
/// distance as for GANs, critic W1 NaN, plus the exact NLL and the inverse error), atomic checkpoints with
/// the optimiser state, resume, and divergence recorded as <see cref="RunStatus.Diverged"/>. Besides the
/// GAN files a flow run writes <c>density.csv</c> (the flow's exact density on a grid), in 2-D
/// <c>latent.csv</c> (g⁻¹ of data points, seed 003 Fig. 5-6, fourth panel) and, in 1-D and 2-D,
/// <c>trajectories.csv</c> (a few data points followed through the flow's layers or along its ODE).
/// </summary>
public sealed class FlowRunner : TrainingRun
{
    /// <summary>Data points of each evaluation whose round trip g(g⁻¹(x)) gives <c>inverse_error</c>, and base draws z
    /// whose round trip g⁻¹(g(z)) gives <c>latent_inverse_error</c>.</summary>
    public const int InverseErrorPoints = 1_000;
    /// <summary>Points of the 1-D density grid.</summary>
    public const int DensityGridPoints1d = 1_000;
    /// <summary>Points per axis of the 2-D density grid.</summary>
    public const int DensityGridPoints2d = 100;
    /// <summary>Data points mapped to the latent space for <c>latent.csv</c> (2-D).</summary>
    public const int LatentPoints = 5_000;
    /// <summary>Data points followed through the flow for <c>trajectories.csv</c>: the first of the final evaluation's data samples.</summary>
    public const int TrajectoryPoints = 64;
    /// <summary>Equal time intervals of a continuous flow's trajectory (states at 9 times from x to z); an RK4 flow
    /// with fewer steps uses one interval per step. Discrete flows give one stage per layer instead.</summary>
    public const int TrajectoryIntervals = 8;
    /// <summary>Anchor-placement data points of a Gaussianization flow (drawn once, stream Initialization).</summary>
    public const int InitialDataPoints = 1_000;
    private const int SampleChunk = 10_000;

    private readonly Flow spec;
    private NormalizingFlow? flow;
    private ParameterOptimizer? optimizer;
    private double trainingLoss = double.NaN;
    private double trainingFunctionEvaluations = double.NaN;

    private FlowRunner(Experiment experiment, Flow spec, RunContext context, RunStart start) : base(experiment, context, start) => this.spec = spec;

    /// <summary>
    /// Trains and evaluates a validated experiment whose model is <paramref name="spec"/>. Never throws:
    /// divergence (a NaN/Inf loss, sample, NLL or inverse error, or an adaptive ODE solve out of steps) ends
    /// with <see cref="RunStatus.Diverged"/>, any other error with <see cref="RunStatus.Failed"/>.
    /// </summary>
    public static RunSummary Run(Experiment experiment, Flow spec, RunContext context, RunStart start) =>
        new FlowRunner(experiment, spec, context, start).Execute();

    protected override void DisposeModels()
    {
        optimizer?.Dispose();
        flow?.Dispose();
    }

    /// <summary>An adaptive ODE solve that runs out of steps also counts as divergence.</summary>
    protected override string? DivergenceMessage(Exception error) =>
        error is OdeStepLimitException limit ? $"after {stepsCompleted} steps: {limit.Message}" : base.DivergenceMessage(error);

    protected override RunSummary Train()
    {
        var resumeFrom = ResumeFrom;
        using (var generator = new Generator((ulong)StepSeeds.Of(experiment.Seed, 0, StepSeeds.Stream.Initialization)))
        {
            var initial = Sampling.sample(StepSeeds.Random(experiment.Seed, 0, StepSeeds.Stream.Initialization), experiment.Dataset, InitialDataPoints);
            using var initialData = FlowTrainer.ToTensor(initial, dimension);
            flow = FlowBuilder.Build(spec, dimension, generator, initialData, context.Device);
        }
        if (resumeFrom is not null) CheckpointStore.LoadModule(resumeFrom, FlowName, flow);
        generatorParameters = (int)FlowBuilder.ParameterCount(flow);
        optimizer = OptimizerFactory.Create(spec.Optimizer, flow.parameters());
        flow.train();

        var steps = experiment.Budget.Steps;
        var evaluation = experiment.Evaluation;
        if (resumeFrom is not null)
        {
            CheckpointStore.LoadOptimizer(resumeFrom, FlowName, optimizer);
            var state = CheckpointStore.StateOf(resumeFrom);
            trainingLoss = state.GeneratorLoss;
            ContinueFrom(state);
        }
        if (TrainToBudget() is { } paused) return PausedSummary(paused);

        var (final, samples, data) = Evaluate(steps, evaluation.FinalSamples);
        Record(final);
        store.WriteSamples(samples, dimension);
        WriteDensityAndLatent(data);
        WriteTrajectories(data);
        Checkpoint();
        return Summary(RunStatus.Completed, $"completed {steps} steps", final);
    }

    protected override EvaluationRecord EvaluateDuringTraining(int step) => Evaluate(step, experiment.Evaluation.Samples).Record;

    protected override void SaveCheckpoint() =>
        CheckpointStore.Save(context.OutputDirectory, new CheckpointState(stepsCompleted, WallSeconds, trainingLoss, double.NaN),
            [(FlowName, flow!)], [(FlowName, optimizer!)]);

    /// <summary>The flow's (and its optimiser's) name in the checkpoint.</summary>
    private const string FlowName = "flow";

    /// <summary>One optimiser step (0-based <paramref name="step"/>) on a fresh batch.</summary>
    protected override void TrainStep(int step)
    {
        var seed = experiment.Seed;
        optimizer!.LearningRate = LearningRateScheduleModule.at(spec.Schedule, spec.Optimizer.LearningRate, step);
        flow!.Reseed(StepSeeds.Of(seed, step, StepSeeds.Stream.TrainingNoise));
        using var scope = torch.NewDisposeScope();
        var values = Sampling.sample(StepSeeds.Random(seed, step, StepSeeds.Stream.TrainingData), experiment.Dataset, experiment.Budget.BatchSize);
        var batch = FlowTrainer.ToTensor(values, dimension, context.Device);
        optimizer.ZeroGrad();
        var (loss, _) = flow.TrainingLoss(batch);
        trainingLoss = loss.item<double>();
        trainingFunctionEvaluations = flow.IsContinuous ? flow.LastFunctionEvaluations : double.NaN;
        RequireFinite(trainingLoss, "training loss", step + 1);
        loss.backward();
        optimizer.Step();
    }

    private static void RequireFinite(double value, string quantity, int step)
    {
        if (!double.IsFinite(value))
            throw new RunDivergedException($"{quantity} is {value} at step {step}");
    }

    /// <summary>
    /// Scores the flow after <paramref name="step"/> steps on <paramref name="count"/> model samples and as many
    /// fresh data samples (streams seeded from (seed, step)): W1, W1 to the exact distribution and energy
    /// distance as GanTrainer computes them, the exact NLL on the data samples and the inverse error on the first
    /// <see cref="InverseErrorPoints"/> of them. Returns the data samples too (density grid, latent points).
    /// </summary>
    private (EvaluationRecord Record, double[] ModelSamples, double[] DataSamples) Evaluate(int step, int count)
    {
        var f = flow!;
        f.eval();
        try
        {
            f.Reseed(StepSeeds.Of(experiment.Seed, step, StepSeeds.Stream.EvaluationNoise));
            using var noise = new Generator((ulong)StepSeeds.Of(experiment.Seed, step, StepSeeds.Stream.EvaluationNoise));
            var model = Sample(f, count, noise);
            if (model.Any(v => !double.IsFinite(v)))
                throw new RunDivergedException($"model samples hold non-finite values at step {step}");
            var data = Sampling.sample(StepSeeds.Random(experiment.Seed, step, StepSeeds.Stream.EvaluationData), experiment.Dataset, count);
            var oneDimensional = dimension == 1;
            var w1 = oneDimensional ? Wasserstein.w1(model, data) : double.NaN;
            var w1Exact = oneDimensional ? Wasserstein.w1ToDistribution(model, experiment.Dataset) : double.NaN;
            if (oneDimensional)
            {
                RequireFinite(w1, "W1", step);
                RequireFinite(w1Exact, "W1 to the exact distribution", step);
            }
            var nll = FlowTrainer.NegativeLogLikelihood(f, data);
            RequireFinite(nll, "NLL on the evaluation data", step);
            var points = Math.Min(InverseErrorPoints, count);
            double[] latent;
            using (var z = f.SampleBase(points, noise)) latent = z.data<double>().ToArray(); // drawn after the model samples
            var inverse = FlowTrainer.InverseErrors(f, data[..(points * dimension)], latent);
            RequireFinite(inverse.DataRoundTrip, "inverse error", step);
            RequireFinite(inverse.LatentRoundTrip, "latent inverse error", step);
            var record = new EvaluationRecord(step, w1, w1Exact, double.NaN, GanTrainer.EnergyDistance(model, data, dimension),
                trainingLoss, double.NaN, WallSeconds, nll, inverse.DataRoundTrip, trainingFunctionEvaluations, inverse.LatentRoundTrip);
            return (record, model, data);
        }
        finally
        {
            f.train();
        }
    }

    /// <summary>x = g(z), z ~ p_Z, in chunks (bounded memory for 100,000 samples), row-major.</summary>
    private static double[] Sample(NormalizingFlow f, int count, Generator noise)
    {
        var result = new double[count * f.Dimension];
        for (var start = 0; start < count; start += SampleChunk)
        {
            var n = Math.Min(SampleChunk, count - start);
            FlowTrainer.Sample(f, n, noise).CopyTo(result, start * f.Dimension);
        }
        return result;
    }

    /// <summary>density.csv (1-D: the dataset's range ±10%; 2-D: the data sample's bounding box ±10%) and, in 2-D,
    /// latent.csv with g⁻¹ of the first <see cref="LatentPoints"/> data samples.</summary>
    private void WriteDensityAndLatent(double[] data)
    {
        var f = flow!;
        if (dimension == 1)
        {
            var (low, high) = Densities.range(experiment.Dataset).ToValueTuple();
            var pad = 0.1 * (high - low);
            var grid = Enumerable.Range(0, DensityGridPoints1d)
                .Select(i => low - pad + (high - low + 2 * pad) * i / (DensityGridPoints1d - 1)).ToArray();
            store.WriteDensity(grid, FlowTrainer.DensityOnGrid(f, grid), 1);
        }
        else if (dimension == 2)
        {
            double Coordinate(int i, int k) => data[i * 2 + k];
            var n = data.Length / 2;
            var axes = new double[2][];
            for (var k = 0; k < 2; k++)
            {
                double low = double.PositiveInfinity, high = double.NegativeInfinity;
                for (var i = 0; i < n; i++) { low = Math.Min(low, Coordinate(i, k)); high = Math.Max(high, Coordinate(i, k)); }
                var pad = 0.1 * (high - low);
                axes[k] = Enumerable.Range(0, DensityGridPoints2d)
                    .Select(i => low - pad + (high - low + 2 * pad) * i / (DensityGridPoints2d - 1)).ToArray();
            }
            // x varies fastest: row j of the heatmap is y = axes[1][j].
            var points = new double[DensityGridPoints2d * DensityGridPoints2d * 2];
            for (var j = 0; j < DensityGridPoints2d; j++)
                for (var i = 0; i < DensityGridPoints2d; i++)
                {
                    points[(j * DensityGridPoints2d + i) * 2] = axes[0][i];
                    points[(j * DensityGridPoints2d + i) * 2 + 1] = axes[1][j];
                }
            store.WriteDensity(points, FlowTrainer.DensityOnGrid(f, points), 2);
            f.Reseed(StepSeeds.Of(experiment.Seed, experiment.Budget.Steps, StepSeeds.Stream.EvaluationNoise));
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = FlowTrainer.ToTensor(data[..(Math.Min(LatentPoints, n) * 2)], 2, f.ParameterDevice);
            store.WriteLatent(f.Forward(x).Z.cpu().data<double>().ToArray(), 2);
        }
    }

    /// <summary>trajectories.csv (1-D and 2-D): the first <see cref="TrajectoryPoints"/> data samples followed through
    /// the flow's stages (<see cref="NormalizingFlow.Trajectory"/>, <see cref="TrajectoryIntervals"/> intervals).</summary>
    private void WriteTrajectories(double[] data)
    {
        if (dimension > 2) return;
        var f = flow!;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var n = Math.Min(TrajectoryPoints, data.Length / dimension);
        var x = FlowTrainer.ToTensor(data[..(n * dimension)], dimension, f.ParameterDevice);
        var trajectory = f.Trajectory(x, TrajectoryIntervals);
        store.WriteTrajectories(trajectory.Labels, trajectory.States.Select(state => state.cpu().data<double>().ToArray()).ToList(), dimension);
    }
}
