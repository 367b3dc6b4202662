using GanFlow.Runtime.Training;
using GanFlow.Store;
using TorchSharp;

namespace GanFlow.Runtime.Checkpoints;

/// <summary>What a run needs besides its modules and optimisers to continue exactly (a flow keeps its training loss
/// as <c>GeneratorLoss</c>, <c>CriticLoss</c> NaN).</summary>
/// <param name="Step">Training steps completed when it was taken.</param>
/// <param name="WallSeconds">Wall time of the run up to then (a resumed run continues the clock).</param>
/// <param name="GeneratorLoss">Generator (or flow) loss of the last step.</param>
/// <param name="CriticLoss">Critic loss of the last critic step.</param>
public sealed record CheckpointState(int Step, double WallSeconds, double GeneratorLoss, double CriticLoss);

/// <summary>
/// One checkpoint format for every model family: named modules (parameters and buffers: spectral-norm <c>u</c>,
/// batch-norm statistics, a flow's standardization) as <c>NAME.module.bin</c>, named optimisers (step count and
/// moments) as <c>NAME.optimizer.bin</c>, and the <see cref="CheckpointState"/> in the manifest, written through
/// <see cref="CheckpointFolders"/> (checksums, the two newest kept, atomic rotation).
/// </summary>
public static class CheckpointStore
{
    private const string GeneratorLoss = "generatorLoss";
    private const string CriticLoss = "criticLoss";

    private static string ModuleFile(string name) => $"{name}.module.bin";
    private static string OptimizerFile(string name) => $"{name}.optimizer.bin";

    /// <summary>Saves a checkpoint of <paramref name="modules"/> and <paramref name="optimizers"/> (names unique within each).</summary>
    public static void Save(string runDirectory, CheckpointState state,
        IEnumerable<(string Name, torch.nn.Module Module)> modules, IEnumerable<(string Name, ParameterOptimizer Optimizer)> optimizers)
    {
        var values = new Dictionary<string, double> { [GeneratorLoss] = state.GeneratorLoss, [CriticLoss] = state.CriticLoss };
        CheckpointFolders.Save(runDirectory, state.Step, state.WallSeconds, values, folder =>
        {
            foreach (var (name, module) in modules) module.save(Path.Combine(folder, ModuleFile(name)));
            foreach (var (name, optimizer) in optimizers) optimizer.Save(Path.Combine(folder, OptimizerFile(name)));
        });
    }

    /// <summary>Saves the modules alone as the run folder's best-validated checkpoint (<see cref="RunFiles.BestCheckpoint"/>),
    /// replacing the earlier one.</summary>
    public static void SaveBest(string runDirectory, CheckpointState state, IEnumerable<(string Name, torch.nn.Module Module)> modules)
    {
        var values = new Dictionary<string, double> { [GeneratorLoss] = state.GeneratorLoss, [CriticLoss] = state.CriticLoss };
        CheckpointFolders.SaveAs(runDirectory, RunFiles.BestCheckpoint, state.Step, state.WallSeconds, values, folder =>
        {
            foreach (var (name, module) in modules) module.save(Path.Combine(folder, ModuleFile(name)));
        });
    }

    /// <summary>The run folder's best-validated checkpoint, checked against its manifest.</summary>
    /// <exception cref="RunFolderException">It is missing or corrupt (the message names the file).</exception>
    public static LocatedCheckpoint Best(string runDirectory)
    {
        var folder = Path.Combine(runDirectory, RunFiles.BestCheckpoint);
        if (!Directory.Exists(folder)) throw new RunFolderException($"{folder} is missing");
        var (manifest, problem) = CheckpointFolders.Check(folder);
        return manifest is null ? throw new RunFolderException(problem!) : new LocatedCheckpoint(folder, manifest);
    }

    /// <summary>The state recorded with a checkpoint.</summary>
    public static CheckpointState StateOf(LocatedCheckpoint checkpoint)
    {
        var m = checkpoint.Manifest;
        double Value(string key) => m.Values.TryGetValue(key, out var v) ? v : double.NaN;
        return new CheckpointState(m.Step, m.WallSeconds, Value(GeneratorLoss), Value(CriticLoss));
    }

    /// <summary>Loads a module's parameters and buffers (before creating an optimiser over it).</summary>
    /// <exception cref="RunFolderException">The checkpoint holds no module of that name.</exception>
    public static void LoadModule(LocatedCheckpoint checkpoint, string name, torch.nn.Module module) =>
        module.load(Existing(checkpoint, ModuleFile(name)));

    /// <summary>Loads an optimiser's state.</summary>
    /// <exception cref="RunFolderException">The checkpoint holds no optimiser of that name.</exception>
    public static void LoadOptimizer(LocatedCheckpoint checkpoint, string name, ParameterOptimizer optimizer) =>
        optimizer.Load(Existing(checkpoint, OptimizerFile(name)));

    private static string Existing(LocatedCheckpoint checkpoint, string file) =>
        checkpoint.Manifest.Files.ContainsKey(file) ? checkpoint.PathOf(file)
            : throw new RunFolderException($"{checkpoint.Folder} holds no {file}: it was written for another model");
}
