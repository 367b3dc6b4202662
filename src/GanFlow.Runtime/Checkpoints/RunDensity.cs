using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Models;
using GanFlow.Runtime.Flows;
using GanFlow.Runtime.Modules;
using GanFlow.Runtime.Training;
using GanFlow.Store;
using TorchSharp;

namespace GanFlow.Runtime.Checkpoints;

/// <summary>
/// The trained density of a flow run, loaded back from its folder (<c>spec.json</c> and its newest valid checkpoint)
/// for <c>ganflow metric --model RUN</c>: log p(x) at points and seeded draws, on the CPU. The one place that turns a
/// run folder into a density; it builds the networks with <see cref="ModelNetworks.Create"/> exactly as training did,
/// so the checkpoint's parameters and buffers fit them.
/// </summary>
public sealed class RunDensity : IDisposable
{
    private readonly ModelNetworks networks;
    private readonly FlowGeneratorModule flow;

    /// <summary>The data dimension of the run.</summary>
    public int Dimension { get; }

    /// <summary>The training step of the checkpoint loaded.</summary>
    public int Step { get; }

    private RunDensity(ModelNetworks networks, FlowGeneratorModule flow, int dimension, int step)
    {
        this.networks = networks;
        this.flow = flow;
        Dimension = dimension;
        Step = step;
    }

    /// <summary>Loads the run in <paramref name="runFolder"/>; <paramref name="warn"/> hears of a corrupt newest
    /// checkpoint passed over.</summary>
    /// <exception cref="RunFolderException">Not a run folder, a model without a density, or no valid checkpoint (the
    /// message names the folder or file).</exception>
    public static RunDensity Load(string runFolder, Action<string>? warn = null)
    {
        if (!Directory.Exists(runFolder)) throw new RunFolderException($"{runFolder}: no such folder (--model wants a run folder written by `ganflow run`)");
        var specPath = Path.Combine(runFolder, RunFiles.Spec);
        if (!File.Exists(specPath)) throw new RunFolderException(NotARunFolder.Message(runFolder, RunFiles.Spec));
        var experiment = RunStore.ReadJson<Experiment>(specPath);
        if (!ModelModule.hasDensity(experiment.Model))
            throw new RunFolderException($"{runFolder}: its model ({ModelModule.describe(experiment.Model)}) has no density; --model needs a flow run");
        var checkpoint = CheckpointFolders.Locate(runFolder, warn)
            ?? throw new RunFolderException($"{runFolder}: no checkpoint (the run has not saved one yet)");
        var dimension = experiment.Dimension;
        // The flow's initial data only shapes modules whose values the checkpoint then replaces (standardization
        // statistics, Gaussianization anchors): drawn as training draws it without a finite training set, or, for a
        // sample file (no law; the file need not be there any more), from a standard normal.
        // (For images, uniform values in [0.25, 0.75], inside the logit map's domain.)
        var observation = DataSplits.Observation(experiment);
        var random = StepSeeds.Random(experiment.Seed, 0, StepSeeds.Stream.Initialization);
        var values = experiment.Law is { } law ? Sampling.sample(random, law.Value, FlowGeneratorModule.InitialDataPoints)
            : observation is not null ? Enumerable.Range(0, FlowGeneratorModule.InitialDataPoints * dimension).Select(_ => 0.25 + 0.5 * random.NextDouble()).ToArray()
            : Sampling.sample(random, Distribution.NewIsotropicGaussian(Microsoft.FSharp.Collections.ListModule.Replicate(dimension, 0.0), 1.0), FlowGeneratorModule.InitialDataPoints);
        using var initial = FlowTrainer.ToTensor(values, dimension);
        var networks = ModelNetworks.Create(experiment.Model, dimension, StepSeeds.Of(experiment.Seed, 0, StepSeeds.Stream.Initialization),
            torch.CPU, initial, n =>
            {
                foreach (var (name, module) in n.Modules) CheckpointStore.LoadModule(checkpoint, name, module);
            }, observation);
        networks.Train(false);
        return new RunDensity(networks, (FlowGeneratorModule)networks.Generator, dimension, checkpoint.Manifest.Step);
    }

    /// <summary>log p(x) in nats at each row-major point (<see cref="Dimension"/> coordinates each).</summary>
    public double[] LogDensity(double[] points) => flow.LogDensity(points);

    /// <summary><paramref name="count"/> draws x = g(z), z from a generator seeded with <paramref name="seed"/>, row-major.</summary>
    public double[] Sample(int seed, int count)
    {
        flow.BeginEvaluation(seed);
        using var noise = new torch.Generator((ulong)seed);
        return FlowTrainer.Sample(flow.Flow, count, noise);
    }

    /// <inheritdoc />
    public void Dispose() => networks.Dispose();
}
