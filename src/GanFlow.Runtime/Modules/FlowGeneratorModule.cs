using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Metrics;
using GanFlow.Core.Models;
using GanFlow.Runtime.Flows;
using GanFlow.Runtime.Training;
using GanFlow.Store;
using Microsoft.FSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>The interpretation of <see cref="FlowGenerator"/>: x = g(z) with z from the base distribution, float64, and
/// the exact density (seed 001 eq. 6). Besides samples a flow run writes <c>density.csv</c> (the exact density on a
/// grid), in 2-D <c>latent.csv</c> (g⁻¹ of data points, seed 003 Figs. 5-6) and, in 1-D and 2-D,
/// <c>trajectories.csv</c> (a few data points followed through the flow's layers or along its ODE).</summary>
public sealed class FlowGeneratorModule : GeneratorModule
{
    /// <summary>Data points of each evaluation whose round trip g(g⁻¹(x)) gives <c>inverse_error</c>, and base draws z
    /// whose round trip g⁻¹(g(z)) gives <c>latent_inverse_error</c>.</summary>
    public const int InverseErrorPoints = GanFlow.Core.Experiments.EvaluationData.InverseErrorPoints;
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

    private readonly Generator latentNoise = new(0UL);

    /// <summary>The flow.</summary>
    public NormalizingFlow Flow { get; }

    internal FlowGeneratorModule(NormalizingFlow flow) => Flow = flow;

    /// <inheritdoc />
    public override string Name => "flow";
    /// <inheritdoc />
    public override nn.Module Module => Flow;
    /// <inheritdoc />
    public override ScalarType DType => ScalarType.Float64;
    /// <inheritdoc />
    public override int LatentDimension => Flow.Dimension;
    /// <inheritdoc />
    public override bool HasDensity => true;
    /// <inheritdoc />
    public override double FunctionEvaluations => Flow.IsContinuous ? Flow.LastFunctionEvaluations : double.NaN;

    /// <inheritdoc />
    public override void BeginStep(long noiseSeed, long latentSeed)
    {
        Flow.Reseed(noiseSeed);
        latentNoise.manual_seed(latentSeed);
    }

    /// <inheritdoc />
    public override void BeginEvaluation(long noiseSeed) => Flow.Reseed(noiseSeed);

    /// <inheritdoc />
    public override Tensor SampleForTraining(long count, Generator stepNoise, Device device) =>
        Flow.Inverse(Flow.SampleBase(count, latentNoise, device));

    /// <summary>x = g(z), z ~ p_Z, in chunks (bounded memory for 100,000 samples), row-major.</summary>
    public override (double[] Values, Tensor Tensor) SampleForEvaluation(int count, Generator noise, Device device)
    {
        var result = new double[count * Flow.Dimension];
        for (var start = 0; start < count; start += SampleChunk)
        {
            var n = Math.Min(SampleChunk, count - start);
            FlowTrainer.Sample(Flow, n, noise).CopyTo(result, start * Flow.Dimension);
        }
        return (result, DataTensor(result, Flow.Dimension, device));
    }

    /// <inheritdoc />
    public override Tensor SampleLatent(long count, Generator noise, Device device) => Flow.SampleBase(count, noise, device);

    /// <inheritdoc />
    public override Tensor Decode(Tensor z) => Flow.Inverse(z);

    /// <inheritdoc />
    public override Tensor LatentLogProb(Tensor z) => Flow.BaseLogProb(z);

    /// <inheritdoc />
    public override (Tensor Loss, Tensor Nll) LikelihoodLoss(Tensor x) => Flow.TrainingLoss(x);

    /// <inheritdoc />
    public override double[] LogDensity(double[] points) => FlowTrainer.LogDensity(Flow, points);

    /// <inheritdoc />
    public override DensityScores? ScoreDensity(Experiment experiment, int step, double[] data, Generator noise, double functionEvaluations)
    {
        var d = Flow.Dimension;
        var nll = FlowTrainer.NegativeLogLikelihood(Flow, data);
        TrainingRun.RequireFinite(nll, "NLL on the evaluation data", step);
        var points = Math.Min(InverseErrorPoints, data.Length / d);
        double[] latent;
        using (var z = Flow.SampleBase(points, noise)) latent = z.data<double>().ToArray(); // drawn after the model samples
        // On images, the round trips of the learned flow in its own (logit) coordinates: the fixed logit map around it
        // saturates in float64 (σ(y) rounds to 1 for y > 37), which says nothing about the flow.
        var (checkedFlow, checkedData) = Flow is DequantizedLogitFlow images
            ? (images.Inner, images.ToInnerSpace(data[..(points * d)])) : (Flow, data[..(points * d)]);
        var inverse = FlowTrainer.InverseErrors(checkedFlow, checkedData, latent);
        TrainingRun.RequireFinite(inverse.DataRoundTrip, "inverse error", step);
        TrainingRun.RequireFinite(inverse.LatentRoundTrip, "latent inverse error", step);
        return new DensityScores(nll, GanFlow.Core.Datasets.DataSourceModule.bitsPerDim(experiment.Data, nll), inverse.DataRoundTrip, inverse.LatentRoundTrip,
            double.IsNaN(functionEvaluations) ? FSharpOption<double>.None : FSharpOption<double>.Some(functionEvaluations),
            FSharpOption<double>.None, FSharpOption<double>.None, FSharpOption<double>.None);
    }

    /// <summary>density.csv (1-D: the law's range ±10%, or the data sample's for a sample file; 2-D: the data sample's bounding box ±10%), in 2-D latent.csv
    /// with g⁻¹ of the first <see cref="LatentPoints"/> data samples, and in 1-D and 2-D trajectories.csv.</summary>
    public override void WriteFinalFiles(RunStore store, Experiment experiment, double[] data)
    {
        var d = Flow.Dimension;
        if (d == 1)
        {
            var (low, high) = experiment.Law is { } law ? Densities.range(law.Value) : Grid.bounds(1, 0, data);
            var grid = Grid.padded(0.1, low, high, DensityGridPoints1d);
            store.WriteDensity(grid, FlowTrainer.DensityOnGrid(Flow, grid), 1);
        }
        else if (d == 2)
        {
            var (x0, x1) = Grid.bounds(2, 0, data);
            var (y0, y1) = Grid.bounds(2, 1, data);
            var xs = Grid.padded(0.1, x0, x1, DensityGridPoints2d);
            var ys = Grid.padded(0.1, y0, y1, DensityGridPoints2d);
            var points = Grid.points2d(xs, ys);
            store.WriteDensity(points, FlowTrainer.DensityOnGrid(Flow, points), 2);
            Flow.Reseed(StepSeeds.Of(experiment.Seed, experiment.Budget.Steps, StepSeeds.Stream.EvaluationNoise));
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var n = data.Length / 2;
            var x = FlowTrainer.ToTensor(data[..(Math.Min(LatentPoints, n) * 2)], 2, Flow.ParameterDevice);
            store.WriteLatent(Flow.Forward(x).Z.cpu().data<double>().ToArray(), 2);
        }
        if (d <= 2)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var n = Math.Min(TrajectoryPoints, data.Length / d);
            var x = FlowTrainer.ToTensor(data[..(n * d)], d, Flow.ParameterDevice);
            var trajectory = Flow.Trajectory(x, TrajectoryIntervals);
            store.WriteTrajectories(trajectory.Labels, trajectory.States.Select(state => state.cpu().data<double>().ToArray()).ToList(), d);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        latentNoise.Dispose();
        Flow.Dispose();
    }
}
