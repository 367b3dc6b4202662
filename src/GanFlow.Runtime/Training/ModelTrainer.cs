using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Metrics;
using GanFlow.Core.Models;
using GanFlow.Core.Training;
using GanFlow.Runtime.Checkpoints;
using GanFlow.Runtime.Devices;
using GanFlow.Runtime.Flows;
using GanFlow.Runtime.Modules;
using Microsoft.FSharp.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Training;

/// <summary>
/// The one interpreter of a <see cref="Model"/> (a generator and an objective) as a training run. Per generator step:
/// when the objective has a critic, <c>criticSteps</c> critic updates (each on a fresh data batch, with the critic's
/// constraints), then one generator update on the objective's loss (<see cref="ObjectiveLosses"/>). Evaluations record
/// what the model can do: sample scores always, the critic's estimate when it has one, exact-density scores when the
/// generator is a flow. Every random draw of step t is a function of (seed, t, stream) alone (<see cref="StepSeeds"/>),
/// so on the CPU a resumed run gives the same numbers as an uninterrupted one.
/// </summary>
public sealed class ModelTrainer : TrainingRun
{
    private ModelNetworks? networks;
    private ParameterOptimizer? generatorOptimizer;
    private ParameterOptimizer? criticOptimizer;
    private double generatorLoss = double.NaN;
    private double criticLoss = double.NaN;
    private double functionEvaluations = double.NaN;
    /// <summary>The digit classifier that scores image samples (<c>evaluation.classifier</c>), or null.</summary>
    private GanFlow.Runtime.Images.DigitClassifierNetwork? classifier;
    /// <summary>The splits of a finite sample or a sample file, or null for fresh data every step.</summary>
    private readonly Splits? splits;

    /// <summary>Points of a split whose NLL an evaluation records (the first ones when a split is larger).</summary>
    public const int SplitNllPoints = GanFlow.Core.Experiments.EvaluationData.SplitNllPoints;

    private ModelTrainer(Experiment experiment, RunContext context, RunStart start) : base(experiment, context, start)
    {
        splits = DataSplits.Of(experiment);
        foreach (var note in EvaluationNotes()) context.OnNotice?.Invoke("note: " + note);
    }

    /// <summary>What the evaluations' k-nearest-neighbour scores will suffer from, said at the start of the run as
    /// <c>ganflow metric</c> says it of its files: a sample file's validation split with repeated points (rows written
    /// twice, or rounded to a grid: k-NN balls of radius 0; a finite sample of a known law avoids them with fresh draws),
    /// and evaluations of fewer points than precision, recall, density and coverage need (a validation split, or
    /// <c>evaluation.samples</c> / <c>finalSamples</c>, below <see cref="RecallScores.PointsNeeded"/>: the four NaN).</summary>
    private IEnumerable<string> EvaluationNotes()
    {
        if (experiment.Data is DataSource.File file && splits is not null
            && RepeatedPoints.note($"the validation split of {file.file.Path}", PointsModule.create(splits.Dimension, splits.Validation))?.Value is { } repeated)
            yield return repeated;
        // An evaluation scores its model samples against as many data points: the first of the evaluation split when the
        // law is unknown.
        var samples = Math.Min(experiment.Evaluation.Samples, experiment.Evaluation.FinalSamples);
        var field = experiment.Evaluation.Samples <= experiment.Evaluation.FinalSamples
            ? $"evaluation.samples = {experiment.Evaluation.Samples}" : $"evaluation.finalSamples = {experiment.Evaluation.FinalSamples}";
        var split = ScoresAgainstValidationSplit && splits is not null ? DataSplits.EvaluationSplit(splits).Length / splits.Dimension : int.MaxValue;
        var tooFew = split < samples
            ? TooFewPoints.note($"the {(splits!.Validation.Length > 0 ? "validation" : "test")} split of {DataName}, which every evaluation scores against,", split)
            : TooFewPoints.note($"each evaluation ({field} model samples against as many data points)", samples);
        if (tooFew?.Value is { } few) yield return few;
    }

    /// <summary>The file or folder the data come from, or "the data" (<see cref="DataSplits.Source"/>).</summary>
    private string DataName => DataSplits.Source(experiment).Name ?? "the data";

    /// <inheritdoc />
    protected override SplitPoints? SplitSizes => splits is null ? null
        : new SplitPoints(splits.Train.Length / splits.Dimension, splits.Validation.Length / splits.Dimension, splits.Test.Length / splits.Dimension);

    /// <summary>The law of the data (fresh draws, exact scores); only called when the source has one.</summary>
    private Distribution Law => experiment.Law!.Value;

    /// <summary>Whether evaluations score against the validation split (a sample file's or images': their law is
    /// unknown). The test split is kept for the held-out numbers at the end (<c>heldout.json</c>), so that nothing a
    /// search ranks by has seen it.</summary>
    private bool ScoresAgainstValidationSplit => experiment.Law is null;

    private Model Spec => experiment.Model;

    /// <summary>
    /// Trains and evaluates a validated experiment. Never throws: divergence (a NaN/Inf loss, sample or metric, or an
    /// adaptive ODE solve out of steps) ends with <see cref="RunStatus.Diverged"/>, any other error with
    /// <see cref="RunStatus.Failed"/>; either way <c>summary.json</c> is written when the folder is writable.
    /// </summary>
    public static RunSummary Run(Experiment experiment, RunContext context, RunStart start) =>
        new ModelTrainer(experiment, context, start).Execute();

    /// <inheritdoc />
    protected override void DisposeModels()
    {
        generatorOptimizer?.Dispose();
        criticOptimizer?.Dispose();
        networks?.Dispose();
        classifier?.Dispose();
    }

    /// <summary>The data points a flow's initialisation sees (Gaussianization anchors, standardization statistics): fresh
    /// ones, or the first of the training split.</summary>
    private Tensor InitialData()
    {
        var values = splits is null
            ? Sampling.sample(StepSeeds.Random(experiment.Seed, 0, StepSeeds.Stream.Initialization), Law,
                FlowGeneratorModule.InitialDataPoints)
            : DataSplits.InitialPoints(splits);
        return FlowTrainer.ToTensor(values, dimension);
    }

    /// <inheritdoc />
    protected override RunSummary Train()
    {
        var resumeFrom = ResumeFrom;
        using (var initialData = InitialData())
            networks = ModelNetworks.Create(Spec, dimension, StepSeeds.Of(experiment.Seed, 0, StepSeeds.Stream.Initialization), context.Device,
                initialData, n =>
                {
                    if (resumeFrom is not null)
                        foreach (var (name, module) in n.Modules) CheckpointStore.LoadModule(resumeFrom, name, module);
                    else if (Spec.Init is GeneratorInit.FromVae fromVae)
                        VaeInitialization.Load(fromVae.runFolder, Spec, dimension, n.Generator);
                }, DataSplits.Observation(experiment));
        generatorParameters = ModelNetworks.ParameterCount(networks.Generator.Module);
        criticParameters = networks.Critic is { } c ? ModelNetworks.ParameterCount(c) : 0;
        generatorOptimizer = OptimizerFactory.Create(Spec.Optimizer, networks.Generator.Module.parameters());
        if (networks.Critic is { } critic) criticOptimizer = OptimizerFactory.Create(networks.Adversarial!.CriticOptimizer, critic.parameters());
        networks.Train(true);
        classifier = GanFlow.Runtime.Images.RunClassifier.Open(experiment, context.OutputDirectory, context.ClassifierFile, context.Device,
            context.OnNotice ?? (_ => { }));

        var steps = experiment.Budget.Steps;
        if (resumeFrom is not null)
        {
            foreach (var (name, optimizer) in Optimizers) CheckpointStore.LoadOptimizer(resumeFrom, name, optimizer);
            var state = CheckpointStore.StateOf(resumeFrom);
            generatorLoss = state.GeneratorLoss;
            criticLoss = state.CriticLoss;
            bestValidation = ((RunStart.Continue)start).KeptRecords.Where(r => CompetesForBest(r.Step))
                .Select(r => r.Density?.Value.ValidationNll?.Value).Where(v => v is not null).Min();
            ContinueFrom(state);
        }
        if (TrainToBudget() is { } paused) return PausedSummary(paused);

        var (final, samples, data) = Evaluate(steps, experiment.Evaluation.FinalSamples);
        Record(final);
        store.WriteSamples(samples, dimension);
        networks.Generator.WriteFinalFiles(store, experiment, data);
        Checkpoint();
        if (HeldOutEvaluation.Applies(experiment))
        {
            var (heldOut, singularValues) = HeldOutEvaluation.Run(experiment, networks, splits, steps, context.Device,
                bestValidation is null ? null : BestNetworks);
            store.WriteHeldOut(heldOut);
            if (singularValues is not null) store.WriteJacobian(singularValues);
        }
        return Summary(RunStatus.Completed, $"completed {steps} steps", final);
    }

    /// <summary>The lowest validation NLL so far (with a finite training set and a density), or null.</summary>
    private double? bestValidation;

    /// <summary>Keeps the best-validated checkpoint: an evaluation with a lower validation NLL than every earlier one saves
    /// the modules as <see cref="GanFlow.Store.RunFiles.BestCheckpoint"/>.</summary>
    protected override void OnRecorded(EvaluationRecord record)
    {
        if (!CompetesForBest(record.Step) || record.Density?.Value.ValidationNll?.Value is not { } validation) return;
        if (bestValidation is { } best && validation >= best) return;
        bestValidation = validation;
        CheckpointStore.SaveBest(context.OutputDirectory, new CheckpointState(record.Step, WallSeconds, generatorLoss, criticLoss), networks!.Modules);
    }

    /// <summary>Whether the evaluation at <paramref name="step"/> may become the best-validated checkpoint: the scheduled
    /// ones and the final one, those an uninterrupted run makes. A pause's evaluation off the schedule (--until) is a
    /// row of metrics.csv but no candidate, so a paused and resumed run keeps the best checkpoint an uninterrupted one
    /// keeps.</summary>
    private bool CompetesForBest(int step) => step % experiment.Evaluation.Every == 0 || step == experiment.Budget.Steps;

    /// <summary>The networks of the best-validated checkpoint, and its step.</summary>
    private (ModelNetworks, int) BestNetworks()
    {
        var best = CheckpointStore.Best(context.OutputDirectory);
        using var initialData = InitialData();
        var loaded = ModelNetworks.Create(Spec, dimension, StepSeeds.Of(experiment.Seed, 0, StepSeeds.Stream.Initialization), context.Device,
            initialData, n =>
            {
                foreach (var (name, module) in n.Modules) CheckpointStore.LoadModule(best, name, module);
            }, DataSplits.Observation(experiment));
        return (loaded, best.Manifest.Step);
    }

    /// <inheritdoc />
    protected override EvaluationRecord EvaluateDuringTraining(int step) => Evaluate(step, experiment.Evaluation.Samples).Record;

    /// <inheritdoc />
    protected override void SaveCheckpoint() =>
        CheckpointStore.Save(context.OutputDirectory, new CheckpointState(stepsCompleted, WallSeconds, generatorLoss, criticLoss),
            networks!.Modules, Optimizers);

    /// <summary>Every optimiser by its checkpoint name (the generator's shares its module's name).</summary>
    private (string, ParameterOptimizer)[] Optimizers =>
        criticOptimizer is null ? [(networks!.Generator.Name, generatorOptimizer!)]
            : [(networks!.Generator.Name, generatorOptimizer!), ("critic", criticOptimizer)];

    /// <summary>A training batch of <paramref name="count"/> data samples drawn with <paramref name="rng"/>: fresh, or from
    /// the training split (images dequantized afresh from the same stream).</summary>
    private Tensor DataBatch(Random rng, int count)
    {
        if (splits is null) return networks!.Generator.DataTensor(Sampling.sample(rng, Law, count), dimension, context.Device);
        var batch = FiniteSampleModule.batch(splits, rng, count);
        DataSplits.Redequantize(experiment, batch, rng);
        return networks!.Generator.DataTensor(batch, dimension, context.Device);
    }

    /// <summary>The data an evaluation scores against: <paramref name="count"/> samples drawn with <paramref name="rng"/>
    /// as training draws them, or for a sample file or images the first <paramref name="count"/> points of the evaluation
    /// split (<see cref="DataSplits.EvaluationSplit"/>: the validation split, or the test split when there is none; all
    /// of them when it holds fewer).</summary>
    private Tensor EvaluationData(Random rng, int count)
    {
        if (!ScoresAgainstValidationSplit) return DataBatch(rng, count);
        var split = DataSplits.EvaluationSplit(splits!);
        return networks!.Generator.DataTensor(split[..(Math.Min(count, split.Length / dimension) * dimension)], dimension, context.Device);
    }

    /// <summary>The mean −log p of the first <see cref="SplitNllPoints"/> points of a split.</summary>
    private double SplitNll(double[] split, string name, int step)
    {
        var points = split[..(Math.Min(SplitNllPoints, split.Length / dimension) * dimension)];
        var nll = -networks!.Generator.LogDensity(points).Average();
        RequireFinite(nll, $"NLL on the {name} split", step);
        return nll;
    }

    /// <summary>The generator's density scores with what the data adds: KL(data ‖ model) when the data's density is
    /// known, the NLL of the training and validation splits when the training set is finite.</summary>
    private DensityScores WithDataScores(DensityScores d, double[] data, int step)
    {
        var kl = FSharpOption<double>.None;
        if (DataSourceModule.hasDensity(experiment.Data))
        {
            var entropyTerm = 0.0;
            var n = data.Length / dimension;
            for (var i = 0; i < n; i++) entropyTerm += Densities.logDensity(Law, data[(i * dimension)..((i + 1) * dimension)]);
            var value = entropyTerm / n + d.Nll;
            RequireFinite(value, "KL(data ‖ model)", step);
            kl = FSharpOption<double>.Some(value);
        }
        var train = splits is null ? FSharpOption<double>.None : FSharpOption<double>.Some(SplitNll(splits.Train, "training", step));
        var validation = splits is null || splits.Validation.Length == 0 ? FSharpOption<double>.None
            : FSharpOption<double>.Some(SplitNll(splits.Validation, "validation", step));
        return new DensityScores(d.Nll, d.BitsPerDim, d.InverseError, d.LatentInverseError, d.FunctionEvaluations, kl, train, validation);
    }

    /// <summary>The value of a one-element tensor of either precision.</summary>
    private static double ValueOf(Tensor t) => t.dtype == ScalarType.Float32 ? t.item<float>() : t.item<double>();

    /// <summary>One generator step (0-based <paramref name="step"/>) with its critic steps.</summary>
    protected override void TrainStep(int step)
    {
        var nets = networks!;
        var seed = experiment.Seed;
        var batch = experiment.Budget.BatchSize;
        generatorOptimizer!.LearningRate = LearningRateScheduleModule.at(Spec.Schedule, Spec.Optimizer.LearningRate, step);
        if (criticOptimizer is not null)
            criticOptimizer.LearningRate = LearningRateScheduleModule.at(Spec.Schedule, nets.Adversarial!.CriticOptimizer.LearningRate, step);
        var data = StepSeeds.Random(seed, step, StepSeeds.Stream.TrainingData);
        var randomness = nets.StepRandomness;
        var noiseSeed = StepSeeds.Of(seed, step, StepSeeds.Stream.TrainingNoise);
        randomness.manual_seed(noiseSeed);
        nets.Generator.BeginStep(noiseSeed, StepSeeds.Of(seed, step, StepSeeds.Stream.LatentNoise));

        if (nets.Critic is { } critic) CriticSteps(step, nets, critic, data, randomness, batch);

        using var scope = torch.NewDisposeScope();
        var objective = Spec.Objective;
        generatorOptimizer.ZeroGrad();
        var adversarial = ObjectiveLosses.HasAdversarialPart(objective)
            ? GanLosses.Generator(nets.Adversarial!.Loss, nets.Critic!.forward(nets.Generator.SampleForTraining(batch, randomness, context.Device)))
            : null;
        var likelihood = ObjectiveLosses.HasLikelihoodPart(objective) ? nets.Generator.LikelihoodLoss(DataBatch(data, batch)).Loss : null;
        var loss = ObjectiveLosses.Generator(objective, adversarial, likelihood);
        generatorLoss = ValueOf(loss);
        functionEvaluations = nets.Generator.FunctionEvaluations;
        RequireFinite(generatorLoss, objective.IsMaximumLikelihood ? "training loss" : "generator loss", step + 1);
        loss.backward();
        generatorOptimizer.Step();
    }

    /// <summary>The critic's <c>criticSteps</c> updates of one generator step, each on a fresh data batch.</summary>
    private void CriticSteps(int step, ModelNetworks nets, nn.Module<Tensor, Tensor> critic, Random data, torch.Generator randomness, int batch)
    {
        var game = nets.Adversarial!;
        var constraints = nets.Constraints!;
        for (var k = 0; k < game.CriticSteps; k++)
        {
            using var scope = torch.NewDisposeScope();
            var real = DataBatch(data, batch);
            Tensor fake;
            using (torch.no_grad())
                fake = nets.Generator.SampleForTraining(batch, randomness, context.Device);
            criticOptimizer!.ZeroGrad();
            var loss = GanLosses.Critic(game.Loss, critic.forward(real), critic.forward(fake));
            foreach (var penalty in constraints.PenaltyWeights)
            {
                using var weight = penalty.ToScalar();
                // add(t, alpha), not loss + t: TorchSharp 0.107's + makes an implicit Scalar (see ParameterOptimizer).
                loss = loss.add(GanLosses.GradientPenalty(critic, real, fake, randomness), weight);
            }
            loss.backward();
            criticOptimizer.Step();
            foreach (var clip in constraints.ClipValues)
            {
                using var noGrad = torch.no_grad();
                using var low = (-clip).ToScalar();
                using var high = clip.ToScalar();
                foreach (var parameter in critic.parameters()) parameter.clamp_(low, high);
            }
            criticLoss = ValueOf(loss);
            RequireFinite(criticLoss, $"critic loss (critic update {k + 1})", step + 1);
        }
    }

    /// <summary>
    /// Scores the model after <paramref name="step"/> generator steps on <paramref name="count"/> model samples (evaluation
    /// mode, no gradient) and as many fresh data samples, each stream seeded from (seed, step). Leaves the networks'
    /// state untouched, so evaluating does not change training. Returns the data samples too (a flow's final files).
    /// </summary>
    private (EvaluationRecord Record, double[] ModelSamples, double[] DataSamples) Evaluate(int step, int count)
    {
        var nets = networks!;
        nets.Train(false);
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var noiseSeed = StepSeeds.Of(experiment.Seed, step, StepSeeds.Stream.EvaluationNoise);
            nets.Generator.BeginEvaluation(noiseSeed);
            using var noise = new torch.Generator((ulong)noiseSeed);
            var (model, modelTensor) = nets.Generator.SampleForEvaluation(count, noise, context.Device);
            if (model.Any(v => !double.IsFinite(v)))
                throw new RunDivergedException($"model samples hold non-finite values at generator step {step}");
            var dataRng = StepSeeds.Random(experiment.Seed, step, StepSeeds.Stream.EvaluationData);
            var dataTensor = EvaluationData(dataRng, count);
            var data = dataTensor.dtype == ScalarType.Float64 ? dataTensor.cpu().data<double>().ToArray()
                : dataTensor.cpu().data<float>().Select(v => (double)v).ToArray();

            FSharpOption<double> w1 = FSharpOption<double>.None, w1Exact = FSharpOption<double>.None;
            if (dimension == 1) // the eq. 8 estimators are 1-D
            {
                var empirical = Wasserstein.w1(model, data);
                RequireFinite(empirical, "W1", step);
                w1 = FSharpOption<double>.Some(empirical);
                if (experiment.Law is not null)
                {
                    var exact = Wasserstein.w1ToDistribution(model, Law);
                    RequireFinite(exact, "W1 to the exact distribution", step);
                    w1Exact = FSharpOption<double>.Some(exact);
                }
            }
            // k-NN balls need distinct data points: with a finite sample of a law, fresh draws of the law instead of the
            // evaluation's draws from the training split (with replacement, so with repeats); a file's or images'
            // validation split is already distinct points.
            var recallData = splits is null || ScoresAgainstValidationSplit ? data
                : Sampling.sample(StepSeeds.Random(experiment.Seed, step, StepSeeds.Stream.RecallData), Law, Math.Min(count, RecallScores.Points));
            var recall = PrecisionRecallModule.ofEvaluation(dimension, model, recallData);
            var samples = new SampleScores(w1, w1Exact, EnergyDistance.ofSamples(dimension, model, data), recall is { } pr ? pr.Value : PrecisionRecall.Missing);

            FSharpOption<CriticScores> criticScores = FSharpOption<CriticScores>.None;
            if (nets.Critic is { } critic)
            {
                var criticW1 = ValueOf(critic.forward(dataTensor).mean()) - ValueOf(critic.forward(modelTensor).mean());
                RequireFinite(criticW1, "critic W1 estimate", step);
                criticScores = FSharpOption<CriticScores>.Some(new CriticScores(criticW1, criticLoss));
            }
            var density = nets.Generator.ScoreDensity(experiment, step, data, noise, functionEvaluations) is { } d
                ? FSharpOption<DensityScores>.Some(WithDataScores(d, data, step)) : FSharpOption<DensityScores>.None;
            var modes = DataSourceModule.hasModes(experiment.Data) ? FSharpOption<ModeScores>.Some(SampleQuality.ofSamples(Law, model))
                : classifier is not null ? FSharpOption<ModeScores>.Some(GanFlow.Runtime.Images.RunClassifier.Scores(classifier, modelTensor))
                : FSharpOption<ModeScores>.None;
            var record = new EvaluationRecord(step, generatorLoss, WallSeconds, samples, criticScores, density, modes);
            return (record, model, data);
        }
        finally
        {
            nets.Train(true);
        }
    }
}
