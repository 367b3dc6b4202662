using System.Diagnostics;
using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Metrics;
using GanFlow.Runtime.Estimators;
using GanFlow.Runtime.Flows;
using GanFlow.Runtime.Modules;
using GanFlow.Store;
using Microsoft.FSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Training;

/// <summary>
/// What a completed run measures on held-out data (<c>heldout.json</c>, <c>jacobian.csv</c>), each part when it applies:
/// the final model's exact NLL on the held-out points (a generator with a density), the best-validated checkpoint's test
/// NLL (a finite training set), and the estimators the evaluation asks for (AIS, Parzen, the Jacobian spectrum). The
/// held-out points are the test split, or fresh data drawn from (seed, budget, <see cref="StepSeeds.Stream.HeldOutData"/>);
/// every draw comes from (seed, budget, <see cref="StepSeeds.Stream.HeldOutNoise"/>).
/// </summary>
public static class HeldOutEvaluation
{
    /// <summary>Held-out points of the exact NLL when no estimator asks for a number.</summary>
    public const int DefaultPoints = 1_000;

    /// <summary>Whether a run of <paramref name="experiment"/> measures anything on held-out data.</summary>
    public static bool Applies(Experiment experiment) =>
        DataSourceModule.isFinite(experiment.Data) || experiment.Evaluation.Ais is not null || experiment.Evaluation.Parzen is not null
        || experiment.Evaluation.Jacobian is not null;

    private static FSharpOption<T> Some<T>(T value) => FSharpOption<T>.Some(value);

    /// <summary>Measures the final model <paramref name="networks"/> (put in evaluation mode here) after
    /// <paramref name="step"/> steps; <paramref name="best"/> builds the networks of the best-validated checkpoint and says
    /// its step.</summary>
    public static (HeldOut HeldOut, double[][]? SingularValues) Run(Experiment experiment, ModelNetworks networks, Splits? splits, int step,
        Device device, Func<(ModelNetworks Networks, int Step)>? best)
    {
        var d = experiment.Dimension;
        var evaluation = experiment.Evaluation;
        var generator = networks.Generator;
        var wanted = Math.Max(DefaultPoints, Math.Max(evaluation.Parzen?.Value.Points ?? 0, evaluation.Ais?.Value.Points ?? 0));
        double[] Fresh(int index, int count) => Sampling.sample(StepSeeds.Random(experiment.Seed, index, StepSeeds.Stream.HeldOutData), experiment.Law!.Value, count);
        var test = splits?.Test ?? Fresh(step, wanted);
        var validation = splits?.Validation ?? Fresh(step + 1, wanted);
        double[] First(double[] points, int count) => points[..(Math.Min(count, points.Length / d) * d)];
        networks.Train(false);
        using var noise = new torch.Generator((ulong)StepSeeds.Of(experiment.Seed, step, StepSeeds.Stream.HeldOutNoise));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();

        var nllPoints = First(test, evaluation.Parzen?.Value.Points ?? DefaultPoints);
        var exact = generator.HasDensity ? Some(-generator.LogDensity(nllPoints).Average()) : FSharpOption<double>.None;
        var exactPoints = generator.HasDensity ? Some(nllPoints.Length / d) : FSharpOption<int>.None;

        var parzen = FSharpOption<ParzenEstimate>.None;
        if (evaluation.Parzen?.Value is { } p)
        {
            var (samples, _) = generator.SampleForEvaluation(p.Samples, noise, device);
            var scale = ParzenWindow.scaleOf(validation);
            parzen = Some(ParzenWindow.estimate(d, samples, scale, p.Candidates, First(validation, p.Points), First(test, p.Points)));
        }

        var ais = FSharpOption<AisEstimate>.None;
        var exactAis = FSharpOption<double>.None;
        if (evaluation.Ais?.Value is { } a)
        {
            var watch = Stopwatch.StartNew();
            var model = LatentModel.Of(generator, device);
            var points = First(test, a.Points);
            var x = generator.DataTensor(points, d, device);
            var forward = AnnealedImportanceSampling.Forward(model, x, a, noise);
            var (mean, spread) = ParzenWindow.meanAndError(forward.LogLikelihoods);
            var chainError = Math.Sqrt(forward.ChainErrors.Sum(e => e * e)) / forward.ChainErrors.Length;
            var gap = FSharpOption<double>.None;
            if (a.SimulatedPoints > 0)
            {
                var z = generator.SampleLatent(a.SimulatedPoints, noise, device);
                var simulated = generator.Decode(z).Plus(torch.randn(new[] { (long)a.SimulatedPoints, d }, dtype: generator.DType, generator: noise).to(device).Times(a.ObservationStd));
                var lower = AnnealedImportanceSampling.Forward(model, simulated, a, noise).LogLikelihoods;
                var upper = AnnealedImportanceSampling.Reverse(model, simulated, z, a, noise, forward.FinalStepSize);
                gap = Some(upper.Zip(lower, (u, l) => u - l).Average());
            }
            ais = Some(new AisEstimate(-mean, Math.Sqrt(spread * spread + chainError * chainError), forward.LogLikelihoods.Length, a.ObservationStd,
                forward.FinalStepSize, forward.AcceptanceRate, gap, watch.Elapsed.TotalSeconds));
            if (generator.HasDensity) exactAis = Some(-generator.LogDensity(points).Average());
        }

        double[][]? singular = null;
        var jacobian = FSharpOption<JacobianSummary>.None;
        if (evaluation.Jacobian?.Value is { } j)
        {
            singular = JacobianSpectrumComputation.OfGenerator(generator, j.Draws, noise, device);
            var square = generator.LatentDimension == d;
            var all = singular.SelectMany(v => v).ToArray();
            jacobian = Some(new JacobianSummary(j.Draws,
                square ? Some(singular.Average(v => v.Sum(Math.Log))) : FSharpOption<double>.None, all.Min(), all.Max()));
        }

        var bestValidated = FSharpOption<BestValidated>.None;
        if (splits is not null && generator.HasDensity && best is not null)
        {
            var (bestNetworks, bestStep) = best();
            using var _ = bestNetworks;
            bestNetworks.Train(false);
            var testNll = -bestNetworks.Generator.LogDensity(First(splits.Test, ModelTrainer.SplitNllPoints)).Average();
            var validationNll = -bestNetworks.Generator.LogDensity(First(splits.Validation, ModelTrainer.SplitNllPoints)).Average();
            bestValidated = Some(new BestValidated(bestStep, validationNll, testNll, GanFlow.Core.Datasets.DataSourceModule.bitsPerDim(experiment.Data, testNll)));
        }
        networks.Train(true);
        var heldOut = new HeldOut(step, splits is null ? "fresh data" : "test split",
            exact, exactPoints, exactAis, bestValidated, ais, parzen, jacobian);
        return (heldOut, singular);
    }
}
