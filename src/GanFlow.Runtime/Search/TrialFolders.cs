using System.Text;
using GanFlow.Core.Experiments;
using GanFlow.Store;

namespace GanFlow.Runtime.Search;

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
                throw new TrialFolderBusyException($"{folder} is still in use by {FolderLock.DescribeHolder(folder)} after {(milliseconds / 1000.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture)} s");
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
