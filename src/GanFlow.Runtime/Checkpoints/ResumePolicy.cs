using GanFlow.Core.Experiments;
using GanFlow.Core.Specs;
using GanFlow.Store;

namespace GanFlow.Runtime.Checkpoints;

/// <summary>How a run starts in its folder, decided before any compute by <see cref="ResumePolicy.Plan"/>.</summary>
public abstract record RunStart
{
    private RunStart() { }

    /// <summary>From step 0; the folder holds no earlier results (they were removed, if there were any).</summary>
    public sealed record Fresh : RunStart;

    /// <summary>From a checkpoint of the same spec.</summary>
    /// <param name="Checkpoint">The newest valid checkpoint.</param>
    /// <param name="KeptRecords">The evaluations of metrics.csv that stand: those before the checkpoint's step, and the one
    /// at it when that was an intermediate evaluation (a final one is taken again if the longer budget asks for it).</param>
    public sealed record Continue(LocatedCheckpoint Checkpoint, IReadOnlyList<EvaluationRecord> KeptRecords) : RunStart;

    /// <summary>The folder already holds this run, completed: nothing to do.</summary>
    /// <param name="Summary">Its summary, unchanged.</param>
    public sealed record AlreadyComplete(RunSummary Summary) : RunStart;
}

/// <summary>
/// One rule for every model family: when a run folder's earlier run is continued, extended, left alone or replaced.
/// Nothing is deleted unless the run starts afresh without <c>--resume</c>, and then only the tool's own result files.
/// </summary>
public static class ResumePolicy
{
    /// <summary>Spec fields a resume may change: the description (a command-line note) and the step budget (extending is resuming).</summary>
    public static readonly IReadOnlyList<string> ResumableFields = ["description", "budget.steps"];

    /// <summary>
    /// Decides how <paramref name="experiment"/> starts in <paramref name="folder"/>. Without <paramref name="resume"/>, an
    /// earlier run there is replaced (said through <paramref name="notice"/>). With it: a folder without an earlier run
    /// or checkpoint starts from step 0; a completed run of the same spec and budget is left as it is; otherwise the
    /// newest valid checkpoint is continued (a corrupt newest one falls back to the previous one, with a notice).
    /// </summary>
    /// <exception cref="RunFolderException">A resume whose spec differs from the folder's in anything but the step budget
    /// (the message names the first differing field and both values), a budget below the checkpoint's step, an
    /// unreadable spec.json, summary.json or metrics.csv, or checkpoints of which none is valid. Nothing is changed.</exception>
    public static RunStart Plan(OwnedFolder folder, Experiment experiment, bool resume, Action<string> notice, int? stopAtStep = null)
    {
        var store = new RunStore(folder.Directory);
        if (!resume)
        {
            var earlier = RunFiles.RunResults.Where(name => File.Exists(Path.Combine(folder.Directory, name)) || Directory.Exists(Path.Combine(folder.Directory, name))).ToList();
            if (earlier.Count > 0)
            {
                notice($"replacing the earlier run in {folder.Directory} ({DescribeEarlier(store)}); its {string.Join(", ", earlier)} are removed");
                folder.RemoveOwnFiles(RunFiles.RunResults);
            }
            return new RunStart.Fresh();
        }

        var stored = store.ReadSpec();
        if (stored is null)
        {
            if (CheckpointFolders.Any(folder.Directory))
                throw new RunFolderException($"cannot resume {folder.Directory}: it holds a checkpoint but no {RunFiles.Spec}; nothing was changed");
            notice($"nothing to resume in {folder.Directory}: starting from step 0");
            folder.RemoveOwnFiles(RunFiles.RunResults);
            return new RunStart.Fresh();
        }
        if (SpecDiff.first(ResumableFields.ToFSharpList(), stored, experiment)?.Value is { } difference)
            throw new RunFolderException(
                $"cannot resume {folder.Directory}: its run has {difference.Field} = {difference.Left}, the requested one {difference.Right} " +
                "(a resume may change only the step budget); nothing was changed. Run without --resume to replace it, or choose another --out");

        var summary = store.ReadSummary();
        var target = Math.Min(stopAtStep ?? experiment.Budget.Steps, experiment.Budget.Steps);
        if (summary is { } done && done.StepsCompleted == target && stored.Budget.Steps == experiment.Budget.Steps &&
            (done.Status.IsCompleted || (done.Status.IsPaused && target < experiment.Budget.Steps)))
            return new RunStart.AlreadyComplete(done);

        var checkpoint = CheckpointFolders.Locate(folder.Directory, notice);
        if (checkpoint is null)
        {
            notice($"no checkpoint yet in {folder.Directory}: starting from step 0");
            folder.RemoveOwnFiles(RunFiles.RunResults);
            return new RunStart.Fresh();
        }
        var step = checkpoint.Manifest.Step;
        if (step > experiment.Budget.Steps)
            throw new RunFolderException(
                $"cannot resume {folder.Directory} with budget.steps = {experiment.Budget.Steps}: its checkpoint is at step {step} " +
                "(a run is extended, never shortened); nothing was changed");
        if (step > target)
            throw new RunFolderException(
                $"cannot pause {folder.Directory} at step {target}: its checkpoint is already at step {step}; nothing was changed");
        var intermediate = step < stored.Budget.Steps; // the evaluation at the checkpoint's step was an intermediate one
        var kept = store.ReadMetrics().Where(r => r.Step < step || (intermediate && r.Step == step)).ToList();
        notice(step < stored.Budget.Steps
            ? $"resuming {folder.Directory} from its checkpoint at step {step} of {experiment.Budget.Steps}"
            : $"extending {folder.Directory} from step {step} to {experiment.Budget.Steps}");
        return new RunStart.Continue(checkpoint, kept);
    }

    private static string DescribeEarlier(RunStore store)
    {
        try
        {
            return store.ReadSummary() is { } s ? $"{s.Experiment}, {s.Status} after {s.StepsCompleted} steps"
                : store.ReadSpec() is { } e ? $"{e.Name}, unfinished" : "unfinished";
        }
        catch (RunFolderException)
        {
            return "unreadable";
        }
    }
}

internal static class ListExtensions
{
    public static Microsoft.FSharp.Collections.FSharpList<T> ToFSharpList<T>(this IEnumerable<T> items) =>
        Microsoft.FSharp.Collections.ListModule.OfSeq(items);
}
