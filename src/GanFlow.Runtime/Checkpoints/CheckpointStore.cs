using System.Text.Json.Serialization;
using System.Text.Json;
using GanFlow.Runtime.Modules;
using GanFlow.Runtime.Store;
using GanFlow.Runtime.Training;

namespace GanFlow.Runtime.Checkpoints;

/// <summary>Scalars saved with a checkpoint (flows: the training loss as <c>GeneratorLoss</c>, <c>CriticLoss</c> NaN).</summary>
/// <param name="Step">Generator steps completed when it was taken.</param>
/// <param name="WallSeconds">Wall time of the run up to then (a resumed run continues the clock).</param>
/// <param name="GeneratorLoss">Generator loss of the last step.</param>
/// <param name="CriticLoss">Critic loss of the last critic step.</param>
public sealed record CheckpointState(int Step, double WallSeconds, double GeneratorLoss, double CriticLoss);

/// <summary>
/// The latest checkpoint of a run, in <c>DIR/checkpoint/</c>: both networks' parameters and
/// buffers (spectral-norm <c>u</c>, batch-norm running statistics), both optimisers' state and a
/// <c>state.json</c>. Saved atomically: everything is written to a temporary folder, which then
/// replaces the old checkpoint by renames; <c>state.json</c> is written last, so a folder holding it is complete.
/// </summary>
public static class CheckpointStore
{
    private const string GeneratorFile = "generator.bin";
    private const string CriticFile = "critic.bin";
    private const string GeneratorOptimizerFile = "generator-optimizer.bin";
    private const string CriticOptimizerFile = "critic-optimizer.bin";
    private const string FlowFile = "flow.bin";
    private const string FlowOptimizerFile = "flow-optimizer.bin";
    private const string StateFile = "state.json";
    private const string RetiredPrefix = RunFiles.Checkpoint + ".retired-";
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>The checkpoint folder of a run folder.</summary>
    public static string FolderOf(string runDirectory) => Path.Combine(runDirectory, RunFiles.Checkpoint);

    /// <summary>Saves a checkpoint, replacing the previous one atomically.</summary>
    public static void Save(string runDirectory, CheckpointState state, GanNetworks networks, ParameterOptimizer generatorOptimizer, ParameterOptimizer criticOptimizer) =>
        Save(runDirectory, state, folder =>
        {
            networks.Generator.save(Path.Combine(folder, GeneratorFile));
            networks.Critic.save(Path.Combine(folder, CriticFile));
            generatorOptimizer.Save(Path.Combine(folder, GeneratorOptimizerFile));
            criticOptimizer.Save(Path.Combine(folder, CriticOptimizerFile));
        });

    /// <summary>Saves a flow's checkpoint (its parameters and buffers, its optimiser's state), replacing the previous one atomically.</summary>
    public static void SaveFlow(string runDirectory, CheckpointState state, TorchSharp.torch.nn.Module flow, ParameterOptimizer optimizer) =>
        Save(runDirectory, state, folder =>
        {
            flow.save(Path.Combine(folder, FlowFile));
            optimizer.Save(Path.Combine(folder, FlowOptimizerFile));
        });

    /// <summary>Loads a flow's parameters and buffers (call before creating its optimiser).</summary>
    public static void LoadFlow(string runDirectory, TorchSharp.torch.nn.Module flow)
    {
        var folder = Locate(runDirectory) ?? throw new FileNotFoundException($"no checkpoint in {runDirectory}");
        flow.load(Path.Combine(folder, FlowFile));
    }

    /// <summary>Loads a flow optimiser's state.</summary>
    public static void LoadFlowOptimizer(string runDirectory, ParameterOptimizer optimizer)
    {
        var folder = Locate(runDirectory) ?? throw new FileNotFoundException($"no checkpoint in {runDirectory}");
        optimizer.Load(Path.Combine(folder, FlowOptimizerFile));
    }

    private static void Save(string runDirectory, CheckpointState state, Action<string> writeModelFiles)
    {
        Directory.CreateDirectory(runDirectory);
        var temporary = Path.Combine(runDirectory, $".{RunFiles.Checkpoint}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            writeModelFiles(temporary);
            File.WriteAllText(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(state, Json));

            var target = FolderOf(runDirectory);
            string? retired = null;
            if (Directory.Exists(target))
            {
                retired = Path.Combine(runDirectory, RetiredPrefix + Guid.NewGuid().ToString("N"));
                Directory.Move(target, retired);
            }
            Directory.Move(temporary, target);
            if (retired is not null) Directory.Delete(retired, recursive: true);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>
    /// The folder of the latest complete checkpoint, or null. Falls back to a retired copy when a
    /// kill fell between the two renames of <see cref="Save"/>.
    /// </summary>
    public static string? Locate(string runDirectory)
    {
        var folder = FolderOf(runDirectory);
        if (File.Exists(Path.Combine(folder, StateFile))) return folder;
        if (!Directory.Exists(runDirectory)) return null;
        return Directory.EnumerateDirectories(runDirectory, RetiredPrefix + "*")
            .Where(d => File.Exists(Path.Combine(d, StateFile)))
            .OrderByDescending(d => Directory.GetLastWriteTimeUtc(d))
            .FirstOrDefault();
    }

    /// <summary>The state of the latest checkpoint, or null when there is none.</summary>
    public static CheckpointState? ReadState(string runDirectory)
    {
        var folder = Locate(runDirectory);
        return folder is null ? null : JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(Path.Combine(folder, StateFile)), Json);
    }

    /// <summary>Loads both networks' parameters and buffers (call before creating optimisers over them).</summary>
    public static void LoadNetworks(string runDirectory, GanNetworks networks)
    {
        var folder = Locate(runDirectory) ?? throw new FileNotFoundException($"no checkpoint in {runDirectory}");
        networks.Generator.load(Path.Combine(folder, GeneratorFile));
        networks.Critic.load(Path.Combine(folder, CriticFile));
    }

    /// <summary>Loads both optimisers' state (step counts and moment estimates).</summary>
    public static void LoadOptimizers(string runDirectory, ParameterOptimizer generatorOptimizer, ParameterOptimizer criticOptimizer)
    {
        var folder = Locate(runDirectory) ?? throw new FileNotFoundException($"no checkpoint in {runDirectory}");
        generatorOptimizer.Load(Path.Combine(folder, GeneratorOptimizerFile));
        criticOptimizer.Load(Path.Combine(folder, CriticOptimizerFile));
    }
}
