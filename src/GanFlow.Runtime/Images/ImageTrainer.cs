using GanFlow.Core.Experiments;
using GanFlow.Core.Images;
using GanFlow.Core.Metrics;
using GanFlow.Core.Models;
using GanFlow.Core.Specs;
using GanFlow.Runtime.Checkpoints;
using GanFlow.Runtime.Modules;
using GanFlow.Runtime.Training;
using GanFlow.Store;
using Microsoft.FSharp.Core;
using TorchSharp;
using Optimizer = GanFlow.Core.Training.Optimizer;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// The one training loop of every <see cref="ImageModel"/>: the VAE's ELBO step, the DCGAN's discriminator and
/// generator steps, the WGAN's clipped critic steps and generator step, evaluated (energy statistic, ELBO) and
/// checkpointed every <c>evaluation.every</c> steps and at the end, then the pictures. Every random draw of step t is a
/// function of (seed, t, stream) (<see cref="StepSeeds"/>), so a resumed run repeats an uninterrupted one. It never
/// throws: a non-finite loss or metric ends the run as Diverged, anything else as Failed, and summary.json is written
/// either way.
/// </summary>
internal sealed class ImageTrainer
{
    private readonly ImageExperiment experiment;
    private readonly ImageRunContext context;
    private readonly ImageData train;
    private readonly ImageData test;
    private readonly int totalSteps;
    private readonly List<ImageEvaluationRecord> records = [];
    private readonly System.Diagnostics.Stopwatch clock = new();
    private ImageNetworks? networks;
    private ParameterOptimizer? generatorOptimizer;
    private ParameterOptimizer? secondOptimizer;
    private int stepsCompleted;
    private double wallOffset;
    private double generatorLoss = double.NaN;
    private double criticLoss = double.NaN;
    private double elboSum;
    private int elboCount;

    public ImageTrainer(ImageExperiment experiment, ImageRunContext context, ImageData train, ImageData test)
    {
        this.experiment = experiment;
        this.context = context;
        this.train = train;
        this.test = test;
        totalSteps = ImageBudgetModule.steps(train.Count, experiment.Model.BatchSize, experiment.Budget);
    }

    private double Wall => wallOffset + clock.Elapsed.TotalSeconds;
    private int Seed => experiment.Seed;
    private string Directory => context.OutputDirectory;

    /// <summary>Trains from scratch (or from <paramref name="resumeFrom"/> with the <paramref name="kept"/> evaluations),
    /// the generator loaded from <paramref name="vaeInit"/> when the spec starts from a VAE.</summary>
    public ImageRunSummary Run(LocatedCheckpoint? resumeFrom, IReadOnlyList<ImageEvaluationRecord> kept, LocatedCheckpoint? vaeInit)
    {
        clock.Start();
        ImageRunSummary summary;
        try
        {
            networks = ImageNetworks.Create(experiment.Model, train.Side, StepSeeds.Of(Seed, 0, StepSeeds.Stream.Initialization), context.Device);
            if (vaeInit is not null) CheckpointStore.LoadModule(vaeInit, "generator", networks.Generator);
            if (resumeFrom is not null)
            {
                CheckpointStore.LoadModule(resumeFrom, "generator", networks.Generator);
                CheckpointStore.LoadModule(resumeFrom, networks.SecondName, networks.SecondNetwork);
            }
            CreateOptimizers();
            if (resumeFrom is not null)
            {
                CheckpointStore.LoadOptimizer(resumeFrom, "generator", generatorOptimizer!);
                CheckpointStore.LoadOptimizer(resumeFrom, networks.SecondName, secondOptimizer!);
                var state = CheckpointStore.StateOf(resumeFrom);
                stepsCompleted = state.Step;
                wallOffset = state.WallSeconds;
                generatorLoss = state.GeneratorLoss;
                criticLoss = state.CriticLoss;
                records.AddRange(kept);
                WriteMetrics();
            }
            else
            {
                AtomicFile.WriteAllText(Path.Combine(Directory, RunFiles.Spec), SpecJson.serialize(experiment));
                WriteMetrics();
                Record(Evaluate(0));
            }
            var every = experiment.Evaluation.Every;
            for (var step = stepsCompleted; step < totalSteps; step++)
            {
                TrainStep(step);
                stepsCompleted = step + 1;
                if (stepsCompleted % every == 0 || stepsCompleted == totalSteps)
                {
                    Record(Evaluate(stepsCompleted));
                    Checkpoint();
                }
            }
            ImagePictures.Write(experiment, networks, test, Directory);
            summary = Summary(RunStatus.Completed, $"{totalSteps} steps", records.LastOrDefault());
        }
        catch (RunDivergedException error)
        {
            summary = Summary(RunStatus.Diverged, error.Message, null);
        }
        catch (GanFlow.Core.Numerics.NonFiniteException error)
        {
            summary = Summary(RunStatus.Diverged, $"after {stepsCompleted} steps: {error.Message}", null);
        }
        catch (Exception error) when (error is not RunFolderException)
        {
            summary = Summary(RunStatus.Failed, FailureText.Of(error), null);
        }
        finally
        {
            generatorOptimizer?.Dispose();
            secondOptimizer?.Dispose();
        }
        try
        {
            AtomicFile.WriteAllText(Path.Combine(Directory, RunFiles.Summary), SpecJson.serialize(summary));
        }
        finally
        {
            networks?.Dispose();
        }
        return summary;
    }

    private void CreateOptimizers()
    {
        var nets = networks!;
        switch (experiment.Model)
        {
            case ImageModel.Vae v:
                // One Adam over encoder and decoder (eq. 22 is minimised jointly); saved under both names' files.
                generatorOptimizer = OptimizerFactory.Create(Optimizer.NewAdam(v.Item.Optimizer), nets.Generator.parameters());
                secondOptimizer = OptimizerFactory.Create(Optimizer.NewAdam(v.Item.Optimizer), nets.SecondNetwork.parameters());
                break;
            case ImageModel.Dcgan d:
                generatorOptimizer = OptimizerFactory.Create(Optimizer.NewAdam(d.Item.Optimizer), nets.Generator.parameters());
                secondOptimizer = OptimizerFactory.Create(Optimizer.NewAdam(d.Item.Optimizer), nets.SecondNetwork.parameters());
                break;
            case ImageModel.Wgan w:
                generatorOptimizer = OptimizerFactory.Create(Optimizer.NewRmsProp(w.Item.Optimizer), nets.Generator.parameters());
                secondOptimizer = OptimizerFactory.Create(Optimizer.NewRmsProp(w.Item.Optimizer), nets.SecondNetwork.parameters());
                break;
            default:
                throw new NotSupportedException($"image model '{experiment.Model}' has no training interpretation");
        }
    }

    private static double ValueOf(Tensor t) => t.cpu().to_type(ScalarType.Float64).item<double>();

    private Tensor Prior(int count, torch.Generator noise) =>
        torch.randn(new long[] { count, experiment.Model.Generator.Latent }, generator: noise).to(context.Device);

    /// <summary>One generator step (0-based <paramref name="step"/>) with its critic steps.</summary>
    private void TrainStep(int step)
    {
        var nets = networks!;
        var batch = experiment.Model.BatchSize;
        using var noise = new torch.Generator((ulong)StepSeeds.Of(Seed, step, StepSeeds.Stream.TrainingNoise));
        switch (experiment.Model)
        {
            case ImageModel.Vae:
            {
                using var scope = torch.NewDisposeScope();
                var x = train.Batch(train.MinibatchIndices(Seed, step, batch));
                generatorOptimizer!.ZeroGrad();
                secondOptimizer!.ZeroGrad();
                var elbo = VaeObjective.Elbo(nets.Encoder!, nets.Generator, x, noise).mean();
                var loss = elbo.neg();
                generatorLoss = ValueOf(loss);
                TrainingRun.RequireFinite(generatorLoss, "negative ELBO", step + 1);
                loss.backward();
                generatorOptimizer.Step();
                secondOptimizer.Step();
                elboSum -= generatorLoss;
                elboCount++;
                break;
            }
            case ImageModel.Dcgan:
                CriticStep(GanObjective.NonSaturating, train.MinibatchIndices(Seed, step, batch), noise, 0.0, step);
                GeneratorStep(GanObjective.NonSaturating, batch, noise, step);
                break;
            case ImageModel.Wgan w:
                for (var k = 0; k < w.Item.CriticSteps; k++)
                    CriticStep(GanObjective.Wasserstein, train.MinibatchIndices(Seed, step * w.Item.CriticSteps + k, batch), noise, w.Item.Clip, step);
                GeneratorStep(GanObjective.Wasserstein, batch, noise, step);
                break;
            default:
                throw new NotSupportedException($"image model '{experiment.Model}' has no training interpretation");
        }
    }

    /// <summary>One discriminator/critic update on real images at <paramref name="indices"/> and as many generated ones;
    /// with <paramref name="clip"/> &gt; 0 every critic parameter is clamped to [−clip, clip] afterwards.</summary>
    private void CriticStep(GanObjective objective, long[] indices, torch.Generator noise, double clip, int step)
    {
        var nets = networks!;
        using var scope = torch.NewDisposeScope();
        var real = train.Batch(indices);
        Tensor fake;
        using (torch.no_grad()) fake = nets.Generator.forward(Prior(indices.Length, noise));
        secondOptimizer!.ZeroGrad();
        var loss = GanLosses.Critic(objective, nets.Critic!.forward(real), nets.Critic.forward(fake));
        criticLoss = ValueOf(loss);
        TrainingRun.RequireFinite(criticLoss, "critic loss", step + 1);
        loss.backward();
        secondOptimizer.Step();
        if (clip > 0.0)
        {
            using var noGrad = torch.no_grad();
            using var low = (-clip).ToScalar();
            using var high = clip.ToScalar();
            foreach (var parameter in nets.Critic.parameters()) parameter.clamp_(low, high);
        }
    }

    private void GeneratorStep(GanObjective objective, int batch, torch.Generator noise, int step)
    {
        var nets = networks!;
        using var scope = torch.NewDisposeScope();
        generatorOptimizer!.ZeroGrad();
        var loss = GanLosses.Generator(objective, nets.Critic!.forward(nets.Generator.forward(Prior(batch, noise))));
        generatorLoss = ValueOf(loss);
        TrainingRun.RequireFinite(generatorLoss, "generator loss", step + 1);
        loss.backward();
        generatorOptimizer.Step();
    }

    private static double[] Flat(Tensor images) => images.flatten(1).cpu().to_type(ScalarType.Float64).data<double>().ToArray();

    /// <summary>
    /// The metrics after <paramref name="step"/> steps, in evaluation mode: the energy statistic averaged over
    /// <c>evaluation.energyBatches</c> batches of test images against generator samples, the same test images and latent
    /// draws at every evaluation (seeded from the run's seed alone) so the curve over training is not noise between
    /// draws; and for a VAE the test ELBO with one fixed ε per image.
    /// </summary>
    private ImageEvaluationRecord Evaluate(int step)
    {
        var nets = networks!;
        var spec = experiment.Evaluation;
        nets.Train(false);
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var pickImages = StepSeeds.Random(Seed, 0, StepSeeds.Stream.EvaluationData);
            using var latent = new torch.Generator((ulong)StepSeeds.Of(Seed, 0, StepSeeds.Stream.EvaluationNoise));
            var n = spec.EnergyBatchSize;
            var dimension = train.Side * train.Side;
            var energy = 0.0;
            for (var b = 0; b < spec.EnergyBatches; b++)
            {
                var real = Flat(test.Batch(test.RandomIndices(pickImages, n)));
                var fake = Flat(nets.Generator.forward(Prior(n, latent)));
                if (fake.Any(v => !double.IsFinite(v))) throw new RunDivergedException($"generator samples hold non-finite values at step {step}");
                energy += EnergyDistance.energyStatistic(dimension, real, fake);
            }
            energy /= spec.EnergyBatches;
            TrainingRun.RequireFinite(energy, "energy statistic", step);
            var testElbo = double.NaN;
            if (nets.Encoder is { } encoder)
            {
                testElbo = TestElbo(encoder, nets.Generator, test, Math.Min(spec.TestImages, test.Count), Seed);
                TrainingRun.RequireFinite(testElbo, "test ELBO", step);
            }
            var trainElbo = elboCount > 0 ? elboSum / elboCount : double.NaN;
            elboSum = 0.0;
            elboCount = 0;
            return new ImageEvaluationRecord(step, Wall, trainElbo, testElbo, energy, generatorLoss, criticLoss);
        }
        finally
        {
            nets.Train(true);
        }
    }

    /// <summary>Mean one-sample ELBO over the first <paramref name="count"/> images of <paramref name="data"/>, ε seeded from
    /// <paramref name="seed"/> (evaluation mode is the caller's).</summary>
    internal static double TestElbo(ConvEncoderModule encoder, ConvGeneratorModule generator, ImageData data, int count, int seed)
    {
        using var noise = new torch.Generator((ulong)StepSeeds.Of(seed, 0, StepSeeds.Stream.HeldOutNoise));
        var total = 0.0;
        for (var start = 0; start < count; start += 500)
        {
            using var scope = torch.NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(500, count - start)).Select(i => (long)i).ToArray();
            total += ValueOf(VaeObjective.Elbo(encoder, generator, data.Batch(indices), noise).sum());
        }
        return total / count;
    }

    private void Record(ImageEvaluationRecord record)
    {
        records.Add(record);
        WriteMetrics();
        context.OnEvaluation?.Invoke(record);
    }

    private void WriteMetrics() => AtomicFile.WriteAllText(Path.Combine(Directory, RunFiles.Metrics), ImageMetricsCsv.format(records));

    private void Checkpoint()
    {
        var nets = networks!;
        CheckpointStore.Save(Directory, new CheckpointState(stepsCompleted, Wall, generatorLoss, criticLoss),
            [("generator", nets.Generator), (nets.SecondName, nets.SecondNetwork)],
            [("generator", generatorOptimizer!), (nets.SecondName, secondOptimizer!)]);
    }

    private ImageRunSummary Summary(RunStatus status, string message, ImageEvaluationRecord? final)
    {
        var nets = networks;
        return new ImageRunSummary(experiment.Name, Seed, status, message, stepsCompleted, Wall, context.Device.ToString(),
            nets is null ? 0 : ImageNetworks.ParameterCount(nets.Generator),
            nets is null ? 0 : ImageNetworks.ParameterCount(nets.SecondNetwork),
            records.Count > 0 && records[0].Step == 0 ? records[0].Energy : double.NaN,
            final is null ? FSharpOption<ImageEvaluationRecord>.None : FSharpOption<ImageEvaluationRecord>.Some(final));
    }
}
