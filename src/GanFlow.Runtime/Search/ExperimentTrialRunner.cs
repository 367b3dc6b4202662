using System.Globalization;
using GanFlow.Core.Experiments;
using GanFlow.Runtime.Devices;
using GanFlow.Store;

namespace GanFlow.Runtime.Search;

/// <summary>
/// Runs each job in the worker's own process through the runtime's entry point, <see cref="ExperimentRunner.Run"/>, with
/// <c>--resume</c> semantics and the job's milestone as <see cref="RunContext.StopAtStep"/>: the trial continues from
/// its newest checkpoint (a job already done is a no-op), trains to the milestone, evaluates and checkpoints there, and
/// ends as <c>Paused</c> (or <c>Completed</c> at the maximum). TorchSharp is initialised once per worker; jobs run one at
/// a time, so the one-trial-per-thread rules of a run hold. The notices, one line per evaluation and the outcome are
/// appended to the trial's <c>run.log</c>. The job's cancellation token is not observed (a run cannot be stopped from
/// inside); the worker stops a job by ending its process (<see cref="SearchWorker"/>).
/// </summary>
/// <param name="device">The worker's <c>--device</c>.</param>
/// <param name="lockWaitMilliseconds">How long a job waits for a trial folder still locked by the process of an earlier
/// attempt before it is given back (<see cref="TrialFolderBusyException"/>); <see cref="LockWaitMilliseconds"/> by default.</param>
public sealed class ExperimentTrialRunner(string device, int lockWaitMilliseconds = ExperimentTrialRunner.LockWaitMilliseconds) : ITrialRunner
{
    /// <summary>How long a job waits, by default, for a trial folder still locked by the process of an earlier attempt.</summary>
    public const int LockWaitMilliseconds = 120_000;

    /// <inheritdoc />
    public TrialResult Run(TrialJob job, CancellationToken cancel)
    {
        Directory.CreateDirectory(job.Folder);
        if (FolderMarker.Read(job.Folder) is null) FolderMarker.For(FolderKind.Run).Write(job.Folder);
        TrialFolders.WaitForLock(job.Folder, lockWaitMilliseconds, cancel);
        using var log = TrialFolders.AppendLog(job.Folder, $"trial {job.Trial} to step {job.ToStep} in process {Environment.ProcessId}");
        var context = new RunContext(
            DeviceSelection.FromString(DeviceSelection.ForTrial(device, job.Trial)), job.Folder,
            OnEvaluation: r => log.Line(string.Create(CultureInfo.InvariantCulture, $"step {r.Step}: w1 {r.W1:G6}, energy {r.Energy:G6}, {r.WallSeconds:F1} s")),
            Resume: HoldsRun(job.Folder), OnNotice: log.Line, StopAtStep: job.ToStep, TensorBoard: true);
        RunSummary summary;
        try
        {
            summary = ExperimentRunner.Run(job.Experiment, context);
        }
        catch (FolderInUseException e)
        {
            log.Line($"the folder is in use: {e.Message}");
            throw new TrialFolderBusyException(e.Message);
        }
        catch (Exception e) when (e is RunFolderException or SampleFileException or GanFlow.Core.Specs.SpecValidationException)
        {
            log.Line($"refused: {e.Message}");
            return new TrialResult(RunStatus.Failed, 0, null, [], e.Message);
        }
        log.Line($"{summary.Status} after {summary.StepsCompleted} steps: {summary.Message}");
        return TrialFolders.ResultOf(job, summary, new RunStore(job.Folder));
    }

    /// <summary>Whether a trial's folder already holds its run (a job continues it with resume semantics; a first job
    /// starts it, since resuming needs something to resume).</summary>
    internal static bool HoldsRun(string folder) =>
        File.Exists(Path.Combine(folder, RunFiles.Spec)) || CheckpointFolders.Any(folder);
}
