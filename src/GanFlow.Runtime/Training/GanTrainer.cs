using System.Diagnostics;
using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Metrics;
using GanFlow.Core.Models;
using GanFlow.Core.Training;
using GanFlow.Runtime.Checkpoints;
using GanFlow.Runtime.Devices;
using GanFlow.Runtime.Modules;
using GanFlow.Store;
using Microsoft.FSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Training;

/// <summary>Raised inside a run when a loss or a metric is NaN or infinite; the trainer turns it into <see cref="RunStatus.Diverged"/>.</summary>

/// <summary>
/// The one interpreter of a <see cref="Gan"/> spec as a training loop: <c>CriticSteps</c> critic
/// updates (each on a fresh data batch, with the spec's Lipschitz constraints) per generator update,
/// the learning-rate schedule per generator step, evaluations, checkpoints and the run folder.
/// Every random draw of step t is a function of (seed, t) alone (<see cref="StepSeeds"/>), so on the
/// CPU a resumed run gives the same numbers as an uninterrupted one.
/// </summary>
public sealed class GanTrainer : TrainingRun
{
    private readonly Gan spec;
    private GanNetworks? networks;
    private ParameterOptimizer? generatorOptimizer;
    private ParameterOptimizer? criticOptimizer;
    private double generatorLoss = double.NaN;
    private double criticLoss = double.NaN;

    private GanTrainer(Experiment experiment, Gan spec, RunContext context, RunStart start) : base(experiment, context, start) => this.spec = spec;

    /// <summary>
    /// Trains and evaluates a validated experiment whose model is <paramref name="spec"/>. Never throws:
    /// divergence ends with <see cref="RunStatus.Diverged"/>, any other error with <see cref="RunStatus.Failed"/>;
    /// either way <c>summary.json</c> is written when the folder is writable.
    /// </summary>
    public static RunSummary Run(Experiment experiment, Gan spec, RunContext context, RunStart start) =>
        new GanTrainer(experiment, spec, context, start).Execute();

    protected override void DisposeModels()
    {
        generatorOptimizer?.Dispose();
        criticOptimizer?.Dispose();
        networks?.Dispose();
    }

    protected override RunSummary Train()
    {
        var resumeFrom = ResumeFrom;
        networks = GanNetworks.Create(spec, dimension, StepSeeds.Of(experiment.Seed, 0, StepSeeds.Stream.Initialization), context.Device,
            resumeFrom is null ? null : n =>
            {
                foreach (var (name, module) in n.Modules) CheckpointStore.LoadModule(resumeFrom, name, module);
            });
        generatorParameters = GanNetworks.ParameterCount(networks.Generator);
        criticParameters = GanNetworks.ParameterCount(networks.Critic);
        generatorOptimizer = OptimizerFactory.Create(spec.GeneratorOptimizer, networks.Generator.parameters());
        criticOptimizer = OptimizerFactory.Create(spec.CriticOptimizer, networks.Critic.parameters());
        networks.Generator.train();
        networks.Critic.train();

        var steps = experiment.Budget.Steps;
        var evaluation = experiment.Evaluation;
        if (resumeFrom is not null)
        {
            foreach (var (name, optimizer) in Optimizers) CheckpointStore.LoadOptimizer(resumeFrom, name, optimizer);
            var state = CheckpointStore.StateOf(resumeFrom);
            generatorLoss = state.GeneratorLoss;
            criticLoss = state.CriticLoss;
            ContinueFrom(state);
        }
        if (TrainToBudget() is { } paused) return PausedSummary(paused);

        var (final, samples) = Evaluate(steps, evaluation.FinalSamples);
        Record(final);
        store.WriteSamples(samples, dimension);
        Checkpoint();
        return Summary(RunStatus.Completed, $"completed {steps} generator steps", final);
    }

    protected override EvaluationRecord EvaluateDuringTraining(int step) => Evaluate(step, experiment.Evaluation.Samples).Record;

    protected override void SaveCheckpoint() =>
        CheckpointStore.Save(context.OutputDirectory, new CheckpointState(stepsCompleted, WallSeconds, generatorLoss, criticLoss),
            networks!.Modules, Optimizers);

    private (string, ParameterOptimizer)[] Optimizers => [("generator", generatorOptimizer!), ("critic", criticOptimizer!)];

    private Tensor DataBatch(Random rng, int count)
    {
        var values = Sampling.sample(rng, experiment.Dataset, count);
        var floats = new float[values.Length];
        for (var i = 0; i < values.Length; i++) floats[i] = (float)values[i];
        return torch.tensor(floats, new long[] { count, dimension }).to(context.Device);
    }

    /// <summary>One generator step (0-based <paramref name="step"/>) with its critic steps.</summary>
    protected override void TrainStep(int step)
    {
        var nets = networks!;
        var seed = experiment.Seed;
        var batch = experiment.Budget.BatchSize;
        generatorOptimizer!.LearningRate = LearningRateScheduleModule.at(spec.Schedule, spec.GeneratorOptimizer.LearningRate, step);
        criticOptimizer!.LearningRate = LearningRateScheduleModule.at(spec.Schedule, spec.CriticOptimizer.LearningRate, step);
        var data = StepSeeds.Random(seed, step, StepSeeds.Stream.TrainingData);
        var randomness = nets.StepRandomness;
        randomness.manual_seed(StepSeeds.Of(seed, step, StepSeeds.Stream.TrainingNoise));

        for (var k = 0; k < spec.CriticSteps; k++)
        {
            using var scope = torch.NewDisposeScope();
            var real = DataBatch(data, batch);
            Tensor fake;
            using (torch.no_grad())
                fake = nets.Generator.forward(PriorSampler.Sample(spec.Prior, batch, randomness, context.Device));
            criticOptimizer!.ZeroGrad();
            var loss = GanLosses.Critic(spec.Objective, nets.Critic.forward(real), nets.Critic.forward(fake));
            foreach (var constraint in spec.Lipschitz)
            {
                if (constraint is LipschitzConstraint.GradientPenalty { weight: > 0.0 } penalty)
                {
                    using var weight = penalty.weight.ToScalar();
                    // add(t, alpha), not loss + t: TorchSharp 0.107's + makes an implicit Scalar (see ParameterOptimizer).
                    loss = loss.add(GanLosses.GradientPenalty(nets.Critic, real, fake, randomness), weight);
                }
            }
            loss.backward();
            criticOptimizer.Step();
            foreach (var constraint in spec.Lipschitz)
            {
                if (constraint is LipschitzConstraint.WeightClipping clipping)
                {
                    using var noGrad = torch.no_grad();
                    using var low = (-clipping.clip).ToScalar();
                    using var high = clipping.clip.ToScalar();
                    foreach (var parameter in nets.Critic.parameters()) parameter.clamp_(low, high);
                }
            }
            criticLoss = loss.item<float>();
            RequireFinite(criticLoss, $"critic loss (critic update {k + 1})", step + 1);
        }

        using (var scope = torch.NewDisposeScope())
        {
            generatorOptimizer!.ZeroGrad();
            var fake = nets.Generator.forward(PriorSampler.Sample(spec.Prior, batch, randomness, context.Device));
            var loss = GanLosses.Generator(spec.Objective, nets.Critic.forward(fake));
            loss.backward();
            generatorOptimizer.Step();
            generatorLoss = loss.item<float>();
            RequireFinite(generatorLoss, "generator loss", step + 1);
        }
    }

    private static void RequireFinite(double value, string quantity, int step)
    {
        if (!double.IsFinite(value))
            throw new RunDivergedException($"{quantity} is {value} at generator step {step}");
    }

    /// <summary>
    /// Scores the model after <paramref name="step"/> generator steps on <paramref name="count"/> model
    /// samples (evaluation mode, no gradient) and as many fresh data samples, each stream seeded from
    /// (seed, step). Leaves the networks' state untouched, so evaluating does not change training.
    /// </summary>
    private (EvaluationRecord Record, double[] ModelSamples) Evaluate(int step, int count)
    {
        var nets = networks!;
        nets.Generator.eval();
        nets.Critic.eval();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            using var noise = new torch.Generator((ulong)StepSeeds.Of(experiment.Seed, step, StepSeeds.Stream.EvaluationNoise));
            var modelTensor = nets.Generator.forward(PriorSampler.Sample(spec.Prior, count, noise, context.Device));
            var model = modelTensor.cpu().data<float>().Select(v => (double)v).ToArray();
            if (model.Any(v => !double.IsFinite(v)))
                throw new RunDivergedException($"model samples hold non-finite values at generator step {step}");
            var dataRng = StepSeeds.Random(experiment.Seed, step, StepSeeds.Stream.EvaluationData);
            var dataTensor = DataBatch(dataRng, count);
            var data = dataTensor.cpu().data<float>().Select(v => (double)v).ToArray();
            var oneDimensional = dimension == 1;
            // The eq. 8 estimators are 1-D; in more dimensions W1 is not computed (NaN).
            var w1 = oneDimensional ? Wasserstein.w1(model, data) : double.NaN;
            var w1Exact = oneDimensional ? Wasserstein.w1ToDistribution(model, experiment.Dataset) : double.NaN;
            var criticW1 = nets.Critic.forward(dataTensor).mean().item<float>() - (double)nets.Critic.forward(modelTensor).mean().item<float>();
            if (oneDimensional)
            {
                RequireFinite(w1, "W1", step);
                RequireFinite(w1Exact, "W1 to the exact distribution", step);
            }
            RequireFinite(criticW1, "critic W1 estimate", step);
            var record = new EvaluationRecord(step, w1, w1Exact, criticW1, EnergyDistance(model, data, dimension),
                generatorLoss, criticLoss, WallSeconds,
                double.NaN, double.NaN, double.NaN, double.NaN); // nll, inverse_error, nfe, latent_inverse_error: flows only
            return (record, model);
        }
        finally
        {
            nets.Generator.train();
            nets.Critic.train();
        }
    }

    /// <summary>Energy distance between model and data samples: the exact O(n log n) form in 1-D;
    /// in d &gt; 1 the O(n²) form on the first 2,000 points of each.</summary>
    internal static double EnergyDistance(double[] model, double[] data, int dimension)
    {
        if (dimension == 1) return GanFlow.Core.Metrics.EnergyDistance.energyDistance(model, data);
        int take = Math.Min(2_000, Math.Min(model.Length, data.Length) / dimension) * dimension;
        return GanFlow.Core.Metrics.EnergyDistance.energyDistanceNd(dimension, model[..take], data[..take]);
    }
}
