using GanFlow.Core.Experiments;
using GanFlow.Runtime.Store;

namespace GanFlow.Runtime.Checkpoints;

/// <summary>
/// When a run folder's checkpoint may be continued, and clearing a folder for a fresh start. One
/// rule for every trainer (GAN and flow).
/// </summary>
public static class ResumePolicy
{
    /// <summary>
    /// The checkpoint to continue from: one exists, the folder's spec.json equals
    /// <paramref name="experiment"/> apart from the step budget (extending a run is what resuming is
    /// for), and it is not past the budget. Otherwise null.
    /// </summary>
    public static CheckpointState? ResumePoint(string directory, RunStore store, Experiment experiment)
    {
        var state = CheckpointStore.ReadState(directory);
        var specText = store.ReadSpecText();
        if (state is null || specText is null || state.Step > experiment.Budget.Steps) return null;
        Experiment stored;
        try
        {
            stored = GanFlow.Core.Specs.SpecJson.deserialize<Experiment>(specText);
        }
        catch (Exception)
        {
            return null;
        }
        return WithoutStepBudget(stored).Equals(WithoutStepBudget(experiment)) ? state : null;
    }

    private static Experiment WithoutStepBudget(Experiment e) =>
        new(e.Name, e.Description, e.Dataset, e.Model, new Budget(0, e.Budget.BatchSize), e.Evaluation, e.Seed);

    /// <summary>Removes earlier results and checkpoints, so a later resume never loads another spec's state.</summary>
    public static void DeleteEarlierResults(string directory, RunStore store)
    {
        store.ClearResults();
        if (!Directory.Exists(directory)) return;
        foreach (var folder in Directory.EnumerateDirectories(directory, RunFiles.Checkpoint + "*"))
            Directory.Delete(folder, recursive: true);
    }
}
