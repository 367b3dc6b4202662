using System.Globalization;
using System.Text;
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
public sealed class ExperimentTrialRunner(string device) : ITrialRunner
{
    /// <summary>How long a job waits for a trial folder still locked by the process of an earlier attempt.</summary>
    public const int LockWaitMilliseconds = 120_000;

    /// <inheritdoc />
    public TrialResult Run(TrialJob job, CancellationToken cancel)
    {
        Directory.CreateDirectory(job.Folder);
        if (FolderMarker.Read(job.Folder) is null) FolderMarker.For(FolderKind.Run).Write(job.Folder);
        TrialFolders.WaitForLock(job.Folder, LockWaitMilliseconds, cancel);
        using var log = TrialFolders.AppendLog(job.Folder, $"trial {job.Trial} to step {job.ToStep} in process {Environment.ProcessId}");
        var context = new RunContext(
            DeviceSelection.FromString(DeviceSelection.ForTrial(device, job.Trial)), job.Folder,
            OnEvaluation: r => log.Line(string.Create(CultureInfo.InvariantCulture, $"step {r.Step}: w1 {r.W1:G6}, energy {r.Energy:G6}, {r.WallSeconds:F1} s")),
            Resume: true, OnNotice: log.Line, StopAtStep: job.ToStep, TensorBoard: true);
        RunSummary summary;
        try
        {
            summary = ExperimentRunner.Run(job.Experiment, context);
        }
        catch (RunFolderException e) when (FolderLock.IsHeld(job.Folder))
        {
            log.Line($"the folder is in use: {e.Message}");
            throw new TrialFolderBusyException(e.Message);
        }
        catch (Exception e) when (e is RunFolderException or GanFlow.Core.Specs.SpecValidationException)
        {
            log.Line($"refused: {e.Message}");
            return new TrialResult(RunStatus.Failed, 0, null, [], e.Message);
        }
        log.Line($"{summary.Status} after {summary.StepsCompleted} steps: {summary.Message}");
        return TrialFolders.ResultOf(job, summary, new RunStore(job.Folder));
    }
}

/// <summary>What every trial runner does with a trial folder: wait for its lock, log, read its result.</summary>
public static class TrialFolders
{
    /// <summary>Waits while another process holds <paramref name="folder"/>'s lock (the process of an earlier attempt, ending).</summary>
    /// <exception cref="TrialFolderBusyException">It still holds it after <paramref name="milliseconds"/>.</exception>
    public static void WaitForLock(string folder, int milliseconds, CancellationToken cancel)
    {
        for (var waited = 0; FolderLock.IsHeld(folder); waited += 100)
        {
            if (waited >= milliseconds)
                throw new TrialFolderBusyException($"{folder} is still in use by {FolderLock.DescribeHolder(folder)} after {milliseconds / 1000} s");
            cancel.ThrowIfCancellationRequested();
            Thread.Sleep(100);
        }
    }

    /// <summary>A trial's <c>run.log</c>, opened for appending, with a header line for this attempt.</summary>
    public static TrialLog AppendLog(string folder, string header) => new(Path.Combine(folder, RunFiles.Log), header);

    /// <summary>The job's result from the run's summary and its metrics.csv.</summary>
    public static TrialResult ResultOf(TrialJob job, RunSummary summary, RunStore store)
    {
        IReadOnlyList<EvaluationRecord> evaluations;
        try
        {
            evaluations = store.ReadMetrics();
        }
        catch (RunFolderException e)
        {
            return new TrialResult(RunStatus.Failed, summary.StepsCompleted, null, [], e.Message);
        }
        var reached = summary.StepsCompleted == job.ToStep && (summary.Status.IsPaused || summary.Status.IsCompleted);
        var status = reached || !(summary.Status.IsPaused || summary.Status.IsCompleted) ? summary.Status : RunStatus.Failed;
        var atStep = reached ? summary.Final?.Value : null;
        return new TrialResult(status, summary.StepsCompleted, atStep, evaluations,
            reached || status != RunStatus.Failed ? summary.Message : $"the run ended at step {summary.StepsCompleted}, not at {job.ToStep}: {summary.Message}");
    }
}

/// <summary>A trial's <c>run.log</c> open for appending (every line flushed at once, so a kill loses none written).</summary>
public sealed class TrialLog : IDisposable
{
    private readonly StreamWriter writer;
    private readonly object gate = new();

    internal TrialLog(string path, string header)
    {
        writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));
        Line($"--- {DateTime.UtcNow:O} {header}");
    }

    /// <summary>Appends one line.</summary>
    public void Line(string text)
    {
        lock (gate)
        {
            writer.WriteLine(text);
            writer.Flush();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate) writer.Dispose();
    }
}
