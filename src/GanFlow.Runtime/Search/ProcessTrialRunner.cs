using GanFlow.Core.Experiments;
using GanFlow.Core.Specs;
using GanFlow.Runtime.Processes;
using GanFlow.Store;

namespace GanFlow.Runtime.Search;

/// <summary>
/// Runs each job as its own <c>ganflow run --spec - --out TRIAL --until STEP --resume</c> process (one intra-op thread,
/// no report), so trials share no state at all and a crash takes only its own job down, at the price of starting .NET and
/// libtorch for every job (the search's design before long-lived workers; `ganflow bench` compares the two). The process's output is
/// appended to the trial's <c>run.log</c>. On CUDA the trials spread over the GPUs (<see cref="Devices.DeviceSelection.ForTrial"/>). A job whose process is killed by a signal (not by this search) is run again
/// from the trial's checkpoint, up to <see cref="Attempts"/> times, then recorded as failed.
/// </summary>
public sealed class ProcessTrialRunner(GanflowCommand command, string device) : ITrialRunner
{
    /// <summary>Attempts per job when its process is killed from outside.</summary>
    public const int Attempts = 3;

    /// <summary>How long a job waits for a trial folder still locked by a worker of an earlier, killed driver.</summary>
    public const int LockWaitMilliseconds = 60_000;

    /// <inheritdoc />
    public TrialResult Run(TrialJob job, CancellationToken cancel)
    {
        Directory.CreateDirectory(job.Folder);
        if (FolderMarker.Read(job.Folder) is null) FolderMarker.For(FolderKind.Run).Write(job.Folder);
        // After a kill of an earlier driver its worker may still hold the trial's lock for a moment (it ends itself once it
        // sees its parent gone): wait for the lock instead of failing the job as "in use".
        TrialFolders.WaitForLock(job.Folder, LockWaitMilliseconds, cancel);
        var arguments = new List<string>
        {
            "run", "--spec", "-", "--out", job.Folder, "--until", job.ToStep.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--threads", "1", "--device", Devices.DeviceSelection.ForTrial(device, job.Trial), "--no-report", "--tensorboard",
        };
        var spec = SpecJson.serialize(job.Experiment);
        var exit = 0;
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            // Resume semantics once the folder holds the trial's run (a later rung, or a retry after a crash).
            var resume = ExperimentTrialRunner.HoldsRun(job.Folder) ? (string[])["--resume"] : [];
            using var child = WorkerProcess.Start(command, [.. arguments, .. resume], spec, Path.Combine(job.Folder, RunFiles.Log), threads: 1);
            exit = child.WaitForExit(cancel);
            if (exit is >= 0 and < 128) break; // an exit of its own; 128 + n is a kill by signal n
        }
        var store = new RunStore(job.Folder);
        RunSummary? summary;
        try
        {
            summary = store.ReadSummary();
        }
        catch (RunFolderException e)
        {
            return new TrialResult(RunStatus.Failed, 0, null, [], e.Message);
        }
        if (summary is null || exit is < 0 or >= 128 || exit == 2)
            return new TrialResult(RunStatus.Failed, summary?.StepsCompleted ?? 0, null, [],
                $"ganflow run exited with {exit}{(summary is null ? " without a summary" : "")} (see {Path.Combine(job.Folder, RunFiles.Log)})");
        return TrialFolders.ResultOf(job, summary, store);
    }
}
