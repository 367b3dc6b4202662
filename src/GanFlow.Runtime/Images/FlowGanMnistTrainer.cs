using GanFlow.Core.Experiments;
using GanFlow.Core.Images;
using GanFlow.Core.Metrics;
using GanFlow.Core.Models;
using GanFlow.Core.Specs;
using GanFlow.Runtime.Checkpoints;
using GanFlow.Runtime.Estimators;
using GanFlow.Runtime.Flows;
using GanFlow.Runtime.Training;
using GanFlow.Store;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using GanFlow.Runtime.Modules;
using TorchSharp;
using Optimizer = GanFlow.Core.Training.Optimizer;
using CoreClassifier = GanFlow.Core.Images.DigitClassifierModule;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// The training loop of seed 001's Flow-GAN on MNIST: NICE on dequantized, logit-transformed digits
/// (<see cref="ImageTransform"/>), trained by MLE, WGAN-GP (the critic a DCGAN discriminator on the [0, 1]-scaled
/// images) or the hybrid of eq. 7 (<see cref="ObjectiveLosses"/>); train and validation NLL every
/// <c>evaluateEvery</c> steps (Fig. 2) with a checkpoint and the best-validated flow in checkpoint.best; at the end,
/// from the best flow, the test NLL, the MODE and Inception scores of its samples, a sample picture and the Jacobian's
/// singular values (Fig. 4). Every draw of step t is a function of (seed, t, stream). It never throws: a non-finite
/// loss or NLL ends the run as Diverged, anything else as Failed, and summary.json is written either way.
/// </summary>
internal sealed class FlowGanMnistTrainer
{
    private const int Chunk = 500;
    private readonly FlowGanMnistExperiment experiment;
    private readonly string directory;
    private readonly Device device;
    private readonly Tensor train;
    private readonly Tensor validation;
    private readonly Tensor test;
    private readonly Func<DigitClassifierNetwork> classifier;
    private readonly Func<double> classifierAccuracy;
    private readonly Action<FlowGanMnistEvaluation>? onEvaluation;
    private readonly List<FlowGanMnistEvaluation> records = [];
    private readonly System.Diagnostics.Stopwatch clock = new();
    private NormalizingFlow? flow;
    private FlatImageCritic? critic;
    private ParameterOptimizer? flowOptimizer;
    private ParameterOptimizer? criticOptimizer;
    private int stepsCompleted;
    private double wallOffset;
    private double generatorLoss = double.NaN;
    private double criticLoss = double.NaN;
    private double bestValidation = double.PositiveInfinity;
    private int bestStep = -1;

    public FlowGanMnistTrainer(FlowGanMnistExperiment experiment, string directory, Device device, Tensor train, Tensor validation, Tensor test,
        Func<DigitClassifierNetwork> classifier, Func<double> classifierAccuracy, Action<FlowGanMnistEvaluation>? onEvaluation)
    {
        this.experiment = experiment;
        this.directory = directory;
        this.device = device;
        this.train = train;
        this.validation = validation;
        this.test = test;
        this.classifier = classifier;
        this.classifierAccuracy = classifierAccuracy;
        this.onEvaluation = onEvaluation;
    }

    private double Wall => wallOffset + clock.Elapsed.TotalSeconds;
    private int Seed => experiment.Seed;
    private bool Adversarial => ObjectiveLosses.HasAdversarialPart(experiment.Objective.AsObjective);
    private static double ValueOf(Tensor t) => t.cpu().to_type(ScalarType.Float64).item<double>();

    /// <summary>Trains (from <paramref name="resumeFrom"/> with the <paramref name="kept"/> evaluations when given).</summary>
    public FlowGanMnistSummary Run(LocatedCheckpoint? resumeFrom, IReadOnlyList<FlowGanMnistEvaluation> kept)
    {
        clock.Start();
        FlowGanMnistSummary summary;
        try
        {
            using (var init = new torch.Generator((ulong)StepSeeds.Of(Seed, 0, StepSeeds.Stream.Initialization)))
                flow = FlowBuilder.Build(experiment.Flow, NiceMnist.Dimension, init, null, device);
            if (Adversarial)
                critic = new FlatImageCritic(experiment.Critic, 28, StepSeeds.Of(Seed, 1, StepSeeds.Stream.Initialization));
            critic?.to(device);
            if (resumeFrom is not null)
            {
                CheckpointStore.LoadModule(resumeFrom, "flow", flow);
                if (critic is not null) CheckpointStore.LoadModule(resumeFrom, "critic", critic);
            }
            flowOptimizer = OptimizerFactory.Create(Optimizer.NewAdam(experiment.GeneratorOptimizer), flow.parameters());
            if (critic is not null) criticOptimizer = OptimizerFactory.Create(Optimizer.NewAdam(experiment.CriticOptimizer), critic.parameters());
            if (resumeFrom is not null)
            {
                CheckpointStore.LoadOptimizer(resumeFrom, "flow", flowOptimizer);
                if (criticOptimizer is not null) CheckpointStore.LoadOptimizer(resumeFrom, "critic", criticOptimizer);
                var state = CheckpointStore.StateOf(resumeFrom);
                stepsCompleted = state.Step;
                wallOffset = state.WallSeconds;
                generatorLoss = state.GeneratorLoss;
                criticLoss = state.CriticLoss;
                records.AddRange(kept);
                foreach (var r in kept)
                    if (r.ValidationNll < bestValidation) (bestValidation, bestStep) = (r.ValidationNll, r.Step);
                WriteMetrics();
            }
            else
            {
                AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.Spec), SpecJson.serialize(experiment));
                Record(Evaluate(0));
            }
            for (var step = stepsCompleted; step < experiment.Steps; step++)
            {
                TrainStep(step);
                stepsCompleted = step + 1;
                if (stepsCompleted % experiment.EvaluateEvery == 0 || stepsCompleted == experiment.Steps)
                {
                    Record(Evaluate(stepsCompleted));
                    Checkpoint();
                }
            }
            summary = Final();
        }
        catch (RunDivergedException error)
        {
            summary = Summary(RunStatus.Diverged, error.Message);
        }
        catch (GanFlow.Core.Numerics.NonFiniteException error)
        {
            summary = Summary(RunStatus.Diverged, $"after {stepsCompleted} steps: {error.Message}");
        }
        catch (Exception error) when (error is not RunFolderException)
        {
            summary = Summary(RunStatus.Failed, FailureText.Of(error));
        }
        finally
        {
            flowOptimizer?.Dispose();
            criticOptimizer?.Dispose();
        }
        try
        {
            AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.Summary), SpecJson.serialize(summary));
        }
        finally
        {
            flow?.Dispose();
            critic?.Dispose();
        }
        return summary;
    }

    /// <summary>Rows of <paramref name="pixels"/> at <paramref name="indices"/> through the preprocessing: the flow's
    /// input y, log|det ∂y/∂x| and the [0, 1]-scaled x, dequantization noise from <paramref name="noise"/>.</summary>
    private (Tensor Input, Tensor LogDet, Tensor UnitScaled) Preprocess(Tensor pixels, long[] indices, torch.Generator noise)
    {
        using var index = torch.tensor(indices, device: pixels.device);
        using var rows = pixels.index_select(0, index);
        return ImageTransform.Forward(experiment.Preprocessing, rows, noise);
    }

    private long[] Minibatch(int draw) => ImageData.MinibatchIndices(Seed, draw, experiment.BatchSize, (int)train.shape[0]);

    /// <summary>The flow's samples on the [0, 1] scale, [n, 784] float64.</summary>
    private Tensor Samples(long n, torch.Generator noise) =>
        ImageTransform.ToUnitScale(experiment.Preprocessing, flow!.Inverse(flow.SampleBase(n, noise, device)));

    private void TrainStep(int step)
    {
        var batch = experiment.BatchSize;
        using var noise = new torch.Generator((ulong)StepSeeds.Of(Seed, step, StepSeeds.Stream.TrainingNoise));
        using var latent = new torch.Generator((ulong)StepSeeds.Of(Seed, step, StepSeeds.Stream.LatentNoise));
        var objective = experiment.Objective.AsObjective;
        if (critic is not null)
            for (var k = 0; k < experiment.CriticSteps; k++)
                CriticStep(Minibatch(step * (experiment.CriticSteps + 1) + k), noise, latent, step);
        using var scope = torch.NewDisposeScope();
        flowOptimizer!.ZeroGrad();
        Tensor? adversarial = null, likelihood = null;
        if (ObjectiveLosses.HasLikelihoodPart(objective))
        {
            var (y, logDet, _) = Preprocess(train, Minibatch(step * (experiment.CriticSteps + 1) + experiment.CriticSteps), noise);
            likelihood = ImageTransform.NllOnUnitScale(flow!.LogProb(y), logDet).mean();
        }
        if (critic is not null)
            adversarial = GanLosses.Generator(GanObjective.Wasserstein, critic.forward(Samples(batch, latent)));
        var loss = ObjectiveLosses.Generator(objective, adversarial, likelihood);
        generatorLoss = ValueOf(loss);
        TrainingRun.RequireFinite(generatorLoss, "generator loss", step + 1);
        loss.backward();
        flowOptimizer.Step();
    }

    private void CriticStep(long[] indices, torch.Generator noise, torch.Generator latent, int step)
    {
        using var scope = torch.NewDisposeScope();
        var (_, _, real) = Preprocess(train, indices, noise);
        Tensor fake;
        using (torch.no_grad()) fake = Samples(indices.Length, latent);
        criticOptimizer!.ZeroGrad();
        var game = GanLosses.Critic(GanObjective.Wasserstein, critic!.forward(real), critic.forward(fake));
        using var penaltyWeight = experiment.GradientPenalty.ToScalar();
        var loss = game.add(GanLosses.GradientPenalty(critic, real, fake, noise), penaltyWeight);
        criticLoss = ValueOf(loss);
        TrainingRun.RequireFinite(criticLoss, "critic loss", step + 1);
        loss.backward();
        criticOptimizer.Step();
    }

    /// <summary>Mean NLL (nats per image on the [0, 1] scale) of the first <paramref name="count"/> rows of
    /// <paramref name="pixels"/>, the dequantization noise seeded from <paramref name="stream"/> alone, so every
    /// evaluation sees the same dequantized images.</summary>
    private double MeanNll(Tensor pixels, int count, int stream)
    {
        count = Math.Min(count, (int)pixels.shape[0]);
        using var noise = new torch.Generator((ulong)StepSeeds.Of(Seed, stream, StepSeeds.Stream.EvaluationData));
        using var noGrad = torch.no_grad();
        var total = 0.0;
        for (var start = 0; start < count; start += Chunk)
        {
            using var scope = torch.NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(Chunk, count - start)).Select(i => (long)i).ToArray();
            var (y, logDet, _) = Preprocess(pixels, indices, noise);
            total += ValueOf(ImageTransform.NllOnUnitScale(flow!.LogProb(y), logDet).sum());
        }
        return total / count;
    }

    private FlowGanMnistEvaluation Evaluate(int step)
    {
        var n = experiment.EvaluationImages;
        var trainNll = MeanNll(train, n, 0);
        var validationNll = MeanNll(validation, n, 1);
        TrainingRun.RequireFinite(trainNll, "training NLL", step);
        TrainingRun.RequireFinite(validationNll, "validation NLL", step);
        if (validationNll < bestValidation)
        {
            (bestValidation, bestStep) = (validationNll, step);
            CheckpointStore.SaveBest(directory, new CheckpointState(step, Wall, generatorLoss, criticLoss), [("flow", flow!)]);
        }
        return new FlowGanMnistEvaluation(step, Wall, trainNll, validationNll, generatorLoss, criticLoss);
    }

    private void Record(FlowGanMnistEvaluation record)
    {
        records.Add(record);
        WriteMetrics();
        onEvaluation?.Invoke(record);
    }

    private void WriteMetrics() => AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.Metrics), FlowGanMnistMetricsCsv.format(records));

    private void Checkpoint()
    {
        var modules = new List<(string, nn.Module)> { ("flow", flow!) };
        var optimizers = new List<(string, ParameterOptimizer)> { ("flow", flowOptimizer!) };
        if (critic is not null)
        {
            modules.Add(("critic", critic));
            optimizers.Add(("critic", criticOptimizer!));
        }
        CheckpointStore.Save(directory, new CheckpointState(stepsCompleted, Wall, generatorLoss, criticLoss), modules, optimizers);
    }

    /// <summary>The best-validated flow's test NLL, sample scores, sample picture and Jacobian spectrum.</summary>
    private FlowGanMnistSummary Final()
    {
        CheckpointStore.LoadModule(CheckpointStore.Best(directory), "flow", flow!);
        var testNll = MeanNll(test, (int)test.shape[0], 2);
        TrainingRun.RequireFinite(testNll, "test NLL", stepsCompleted);
        using var noise = new torch.Generator((ulong)StepSeeds.Of(Seed, 0, StepSeeds.Stream.HeldOutNoise));
        var posteriors = new List<double[]>();
        var model = classifier();
        double[][] grid = [];
        for (var start = 0; start < experiment.Samples; start += Chunk)
        {
            using var scope = torch.NewDisposeScope();
            Tensor x;
            using (torch.no_grad()) x = Samples(Math.Min(Chunk, experiment.Samples - start), noise);
            if (x.isnan().any().item<bool>()) throw new RunDivergedException("the best flow's samples hold NaN");
            var clamped = x.ClampTo(0.0, 1.0);
            posteriors.AddRange(DigitClassifierTrainer.Posteriors(model, clamped));
            if (start == 0)
            {
                var flat = clamped.narrow(0, 0, Math.Min(64, clamped.shape[0])).cpu().data<double>().ToArray();
                grid = Enumerable.Range(0, flat.Length / NiceMnist.Dimension).Select(i => flat.AsSpan(i * NiceMnist.Dimension, NiceMnist.Dimension).ToArray()).ToArray();
            }
        }
        var picture = ImageTiles.grid(28, 8, 2, 2, grid);
        PngFile.Write(Path.Combine(directory, RunFiles.SampleGrid), picture.Item1, picture.Item2, picture.Item3);
        var prior = Enumerable.Repeat(1.0 / CoreClassifier.Classes, CoreClassifier.Classes).ToArray();
        var mode = SampleQuality.modeScore(prior, posteriors.ToArray());
        var inception = SampleQuality.inceptionScore(posteriors.ToArray());
        var shares = SampleQuality.labelShares(posteriors.ToArray());
        FSharpOption<JacobianSpread> jacobian = FSharpOption<JacobianSpread>.None;
        if (experiment.JacobianPoints > 0)
        {
            using var jacobianNoise = new torch.Generator((ulong)StepSeeds.Of(Seed, 1, StepSeeds.Stream.HeldOutNoise));
            using var z = flow!.SampleBase(experiment.JacobianPoints, jacobianNoise, device);
            // x = G(z) on the [0, 1] scale: the generator the critic and the classifier see.
            var values = JacobianSpectrumComputation.SingularValues(zz => ImageTransform.ToUnitScale(experiment.Preprocessing, flow.Inverse(zz)), z);
            new RunStore(directory).WriteJacobian(values); // the one jacobian.csv format (draw,index,singular_value)
            jacobian = FSharpOption<JacobianSpread>.Some(JacobianSpreadModule.ofSingularValues(values));
        }
        var estimates = Table3Estimates(noise);
        return Summary(RunStatus.Completed, $"{experiment.Steps} steps", testNll, mode, inception, classifierAccuracy(), jacobian, estimates, shares);
    }

    /// <summary>Rows of <paramref name="pixels"/> dequantized onto the [0, 1] scale ([n, 784]) with the noise of
    /// <paramref name="stream"/>, the same images <see cref="MeanNll"/> sees for that stream.</summary>
    private Tensor UnitScaled(Tensor pixels, int count, int stream)
    {
        using var noise = new torch.Generator((ulong)StepSeeds.Of(Seed, stream, StepSeeds.Stream.EvaluationData));
        var indices = Enumerable.Range(0, Math.Min(count, (int)pixels.shape[0])).Select(i => (long)i).ToArray();
        return Preprocess(pixels, indices, noise).UnitScaled;
    }

    /// <summary>Exact NLL (nats per image) of x on the [0, 1] scale, [n, 784].</summary>
    private double ExactNll(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (y, logDet) = ImageTransform.FromUnitScale(experiment.Preprocessing, x);
        return ValueOf(ImageTransform.NllOnUnitScale(flow!.LogProb(y), logDet).mean());
    }

    private static double[] Flat(Tensor t) => t.cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();

    /// <summary>Seed 001 Table 3 on the best flow: the Parzen window on its samples and AIS of p_σ(x), each beside the
    /// exact NLL of the same test images.</summary>
    private (ParzenEstimate? Parzen, double ExactParzen, AisEstimate? Ais, double ExactAis) Table3Estimates(torch.Generator noise)
    {
        ParzenEstimate? parzen = null;
        AisEstimate? ais = null;
        double exactParzen = double.NaN, exactAis = double.NaN;
        var d = NiceMnist.Dimension;
        if (experiment.Parzen?.Value is { } p)
        {
            using var scope = torch.NewDisposeScope();
            Tensor samples;
            using (torch.no_grad()) samples = Samples(p.Samples, noise);
            var values = Flat(samples);
            if (values.Any(v => !double.IsFinite(v))) throw new RunDivergedException("the best flow's samples hold non-finite values");
            var validationX = UnitScaled(validation, p.Points, 1);
            var testX = UnitScaled(test, p.Points, 2);
            var validationValues = Flat(validationX);
            var scale = Math.Sqrt(validationValues.Select(v => v * v).Average() - Math.Pow(validationValues.Average(), 2));
            parzen = ParzenWindow.estimate(d, values, scale, p.Candidates, validationValues, Flat(testX));
            exactParzen = ExactNll(testX);
        }
        if (experiment.Ais?.Value is { } a)
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var scope = torch.NewDisposeScope();
            var model = new LatentModel(z => ImageTransform.ToUnitScale(experiment.Preprocessing, flow!.Inverse(z)), flow!.BaseLogProb,
                (n, g) => flow.SampleBase(n, g, device), ScalarType.Float64, device);
            var x = UnitScaled(test, a.Points, 2);
            var forward = AnnealedImportanceSampling.Forward(model, x, a, noise);
            var (mean, spread) = ParzenWindow.meanAndError(forward.LogLikelihoods);
            var chainError = Math.Sqrt(forward.ChainErrors.Sum(e => e * e)) / forward.ChainErrors.Length;
            ais = new AisEstimate(-mean, Math.Sqrt(spread * spread + chainError * chainError), forward.LogLikelihoods.Length, a.ObservationStd,
                forward.FinalStepSize, forward.AcceptanceRate, FSharpOption<double>.None, watch.Elapsed.TotalSeconds);
            exactAis = ExactNll(x);
        }
        return (parzen, exactParzen, ais, exactAis);
    }

    private static FSharpOption<double> Some(double v) => FSharpOption<double>.Some(v);

    private static FSharpOption<double> Optional(double v) => double.IsNaN(v) ? FSharpOption<double>.None : FSharpOption<double>.Some(v);

    private FlowGanMnistSummary Summary(RunStatus status, string message, double testNll = double.NaN, double mode = double.NaN,
        double inception = double.NaN, double accuracy = double.NaN, FSharpOption<JacobianSpread>? jacobian = null,
        (ParzenEstimate? Parzen, double ExactParzen, AisEstimate? Ais, double ExactAis) estimates = default, double[]? classShares = null) =>
        new(experiment.Name, experiment.Objective.Short, Seed, status, message, stepsCompleted,
            flow is null ? 0 : FlowBuilder.ParameterCount(flow),
            bestStep >= 0 ? FSharpOption<int>.Some(bestStep) : FSharpOption<int>.None,
            bestStep >= 0 ? Some(bestValidation) : FSharpOption<double>.None,
            Optional(testNll), Optional(double.IsNaN(testNll) ? double.NaN : ImagePreprocessingModule.bitsPerDim8Bit(testNll, NiceMnist.Dimension)),
            Optional(mode), Optional(inception), Optional(accuracy),
            classShares is null ? FSharpOption<FSharpList<double>>.None : FSharpOption<FSharpList<double>>.Some(ListModule.OfArray(classShares)),
            classShares is null ? FSharpOption<int>.None : FSharpOption<int>.Some(SampleQuality.labelsCovered(Enumerable.Repeat(1.0 / CoreClassifier.Classes, CoreClassifier.Classes).ToArray(), classShares)),
            jacobian ?? FSharpOption<JacobianSpread>.None,
            Optional(estimates.Parzen is null ? double.NaN : estimates.ExactParzen),
            estimates.Parzen is null ? FSharpOption<ParzenEstimate>.None : FSharpOption<ParzenEstimate>.Some(estimates.Parzen),
            Optional(estimates.Ais is null ? double.NaN : estimates.ExactAis),
            estimates.Ais is null ? FSharpOption<AisEstimate>.None : FSharpOption<AisEstimate>.Some(estimates.Ais), Wall);
}
