using GanFlow.Core.Experiments;
using GanFlow.Core.Specs;
using GanFlow.Store;
using Microsoft.FSharp.Collections;

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
    /// <summary>Spec fields a resume may change: the description (a command-line note) and the budget (extending is
    /// resuming; <c>--steps</c> turns a budget in epochs into one in steps).</summary>
    public static readonly IReadOnlyList<string> ResumableFields = ["description", "budget.steps", "budget.epochs"];

    /// <summary><c>--resume</c> needs a run to resume: a folder that holds none (missing, or without a spec and a
    /// checkpoint) is refused before anything is created, as <c>ganflow search --resume</c> refuses one.</summary>
    /// <exception cref="RunFolderException">Nothing to resume in <paramref name="directory"/>.</exception>
    public static void RequireRunToResume(string directory)
    {
        var holdsRun = Directory.Exists(directory)
                       && (File.Exists(Path.Combine(directory, RunFiles.Spec)) || CheckpointFolders.Any(directory));
        if (!holdsRun)
            throw new RunFolderException(
                $"--resume {directory}: nothing to resume ({(Directory.Exists(directory) ? "it holds no run" : "no such folder")}); nothing was created. Run without --resume to start it");
    }

    /// <summary>
    /// The rule of a run started without <c>--resume</c> in a folder that may already hold one, the same for every kind of run:
    /// trained steps are never lost to one command. An empty folder, or <paramref name="fresh"/> (<c>--fresh</c>: the
    /// earlier run's result files are removed, said through <paramref name="notice"/>), starts afresh. Otherwise: the same
    /// spec (apart from its description), finished (completed or diverged), is left as it is (the result is true: nothing
    /// to do); the same spec unfinished with something trained (paused, failed, or killed after a checkpoint) is refused,
    /// pointing to <c>--resume</c> and <c>--fresh</c> (to <c>--fresh</c> alone when it failed before its first checkpoint); another spec is refused naming its first differing field; a folder
    /// whose earlier run never reached a checkpoint starts afresh.
    /// </summary>
    /// <param name="folder">The run folder, owned for the run's lifetime.</param>
    /// <param name="requested">The spec about to run.</param>
    /// <param name="results">The result files and folders a run of this kind writes (removed when it starts afresh).</param>
    /// <param name="earlier">The earlier run's summary as status (lower case) and steps completed, or null when it has none.</param>
    /// <param name="fresh">Replace whatever run the folder holds.</param>
    /// <param name="notice">Where the decision is said.</param>
    /// <param name="sameData">Throws a <see cref="RunFolderException"/> when a finished run of this spec ran on other data
    /// than the run would read now (<see cref="DataFingerprint.CheckFinished"/>); null when there is nothing to check.</param>
    /// <returns>True when the folder already holds this run finished and nothing is to be done; false when the run starts
    /// from step 0 (the folder then holds none of <paramref name="results"/>).</returns>
    /// <exception cref="RunFolderException">The folder holds another spec's run, or this spec's unfinished run; nothing was changed.</exception>
    public static bool StartWithoutResume<T>(OwnedFolder folder, T requested, IReadOnlyList<string> results, (string Status, int Steps)? earlier,
        bool fresh, Action<string> notice, Action? sameData = null) where T : class
    {
        var present = results.Where(name => File.Exists(Path.Combine(folder.Directory, name)) || Directory.Exists(Path.Combine(folder.Directory, name))).ToList();
        if (present.Count == 0) return false;
        var specPath = Path.Combine(folder.Directory, RunFiles.Spec);
        T? stored = null;
        if (!fresh && File.Exists(specPath))
        {
            try
            {
                stored = RunStore.ReadJson<T>(specPath);
            }
            catch (RunFolderException e)
            {
                throw new RunFolderException($"{folder.Directory} holds a run whose {RunFiles.Spec} cannot be read ({e.Message}); nothing was changed. --fresh replaces it, or choose another --out");
            }
        }
        if (stored is not null)
        {
            if (SpecDiff.first(ListModule.OfSeq(["description"]), stored, requested)?.Value is { } difference)
                throw new RunFolderException(
                    $"{folder.Directory} holds a run of another spec: its {difference.Field} = {difference.Left}, the requested one {difference.Right}; " +
                    "nothing was changed. --fresh replaces it (its results are removed), --resume extends it when only budget.steps grew, or choose another --out");
            var checkpoint = CheckpointFolders.Any(folder.Directory);
            switch (earlier)
            {
                case { Status: "completed" or "diverged" } done:
                    sameData?.Invoke();
                    notice($"{folder.Directory} already holds this run, {done.Status} after {done.Steps} steps: nothing to do (--fresh runs it again)");
                    return true;
                case { } unfinished when checkpoint:
                    throw new RunFolderException(
                        $"{folder.Directory} holds this run unfinished ({unfinished.Status} after {unfinished.Steps} steps); nothing was changed. " +
                        "--resume continues it from its newest checkpoint, --fresh starts it over");
                case { } unfinished:
                    // Failed (or paused) before its first checkpoint: nothing to continue, and --resume would say
                    // "no checkpoint yet: starting from step 0".
                    throw new RunFolderException(
                        $"{folder.Directory} holds this run unfinished ({unfinished.Status} after {unfinished.Steps} steps) with no checkpoint; nothing was changed. " +
                        "There is nothing to continue: --fresh starts it over (so would --resume, from step 0)");
                case null when checkpoint:
                    throw new RunFolderException(
                        $"{folder.Directory} holds this run unfinished (stopped after a checkpoint, without {RunFiles.Summary}); nothing was changed. " +
                        "--resume continues it from its newest checkpoint, --fresh starts it over");
            }
        }
        // Removed first (refused, with nothing removed, where a file the tool did not write lies among them), then said.
        folder.RemoveOwnFiles(results);
        notice($"replacing the earlier run in {folder.Directory}; its {string.Join(", ", present)} were removed");
        return false;
    }

    /// <summary>
    /// Decides how <paramref name="experiment"/> starts in <paramref name="folder"/>. Without <paramref name="resume"/>, by
    /// <see cref="StartWithoutResume"/> (<paramref name="fresh"/>: replace whatever is there). With it: a folder without an earlier run
    /// or checkpoint starts from step 0; a completed run of the same spec and budget is left as it is; otherwise the
    /// newest valid checkpoint is continued (a corrupt newest one falls back to the previous one, with a notice).
    /// </summary>
    /// <exception cref="RunFolderException">A resume whose spec differs from the folder's in anything but the step budget
    /// (the message names the first differing field and both values), a budget below the checkpoint's step, an
    /// unreadable spec.json, summary.json or metrics.csv, or checkpoints of which none is valid. Nothing is changed.</exception>
    /// <param name="folder">The run folder, owned for the run's lifetime.</param>
    /// <param name="experiment">The spec about to run.</param>
    /// <param name="resume"><c>--resume</c>: continue the folder's run.</param>
    /// <param name="notice">Where the decision is said.</param>
    /// <param name="stopAtStep"><c>--until</c>: the step to pause at, if any.</param>
    /// <param name="fresh"><c>--fresh</c>: replace whatever run the folder holds.</param>
    /// <param name="data">The data files the run reads now (<see cref="DataFingerprint.Of"/>): a continued run's must be
    /// those it started on (<see cref="DataFingerprint.Check"/>), checked before anything is said or changed; null skips
    /// the check.</param>
    public static RunStart Plan(OwnedFolder folder, Experiment experiment, bool resume, Action<string> notice, int? stopAtStep = null, bool fresh = false,
        IReadOnlyList<DataFile>? data = null)
    {
        var store = new RunStore(folder.Directory);
        if (!resume)
        {
            var summaryOf = SummaryOrNull(store);
            return StartWithoutResume(folder, experiment, RunFiles.RunResults,
                summaryOf is { } s ? (s.Status.ToString().ToLowerInvariant(), s.StepsCompleted) : null, fresh, notice,
                data is null ? null : () => DataFingerprint.CheckFinished(folder.Directory, data))
                ? new RunStart.AlreadyComplete(summaryOf!)
                : new RunStart.Fresh();
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
                "(a resume may change only the step budget); nothing was changed. Run with --fresh instead of --resume to replace it, or choose another --out");

        var summary = store.ReadSummary();
        var target = Math.Min(stopAtStep ?? experiment.Budget.Steps, experiment.Budget.Steps);
        if (summary is { } done && done.StepsCompleted == target && stored.Budget.Steps == experiment.Budget.Steps &&
            (done.Status.IsCompleted || (done.Status.IsPaused && target < experiment.Budget.Steps)))
        {
            if (data is not null) DataFingerprint.CheckFinished(folder.Directory, data);
            return new RunStart.AlreadyComplete(done);
        }

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
        if (data is not null) DataFingerprint.Check(folder.Directory, data);
        // The evaluation at the checkpoint's step stands where it was an intermediate one and stays one: not an earlier
        // budget's final evaluation, nor one at a budget lowered to this very step (whose final evaluation follows). A
        // pause's evaluation off the schedule (--until, a search's milestone) stays a row, as the search's store has it.
        var intermediate = step < stored.Budget.Steps && step < experiment.Budget.Steps;
        var kept = store.ReadMetrics().Where(r => r.Step < step || (intermediate && r.Step == step)).ToList();
        notice(ResumeNotice(folder.Directory, step, stored.Budget.Steps, experiment.Budget.Steps));
        return new RunStart.Continue(checkpoint, kept);
    }

    /// <summary>What a resume from the checkpoint at <paramref name="step"/> does, in words: continue to the budget (said
    /// when it was lowered or raised since the run started), finish a run whose last checkpoint is at its budget (its
    /// end-of-run evaluation was cut off), or extend a finished run.</summary>
    public static string ResumeNotice(string directory, int step, int storedSteps, int steps)
    {
        if (step < storedSteps)
        {
            var change = steps < storedSteps ? $" (its budget lowered from {storedSteps})"
                : steps > storedSteps ? $" (its budget raised from {storedSteps})" : "";
            return $"resuming {directory} from its checkpoint at step {step} of {steps}{change}";
        }
        return step == steps
            ? $"resuming {directory} from its checkpoint at step {step} of {steps}: its end-of-run evaluation"
            : $"extending {directory} from step {step} to {steps}";
    }

    private static RunSummary? SummaryOrNull(RunStore store)
    {
        try
        {
            return store.ReadSummary();
        }
        catch (RunFolderException)
        {
            return null;
        }
    }
}

internal static class ListExtensions
{
    public static Microsoft.FSharp.Collections.FSharpList<T> ToFSharpList<T>(this IEnumerable<T> items) =>
        Microsoft.FSharp.Collections.ListModule.OfSeq(items);
}
