namespace GanFlow.Store;

/// <summary>One entry of a search's ordered event log: a decision of the scheduler or the outcome of a trial's job.</summary>
/// <param name="Sequence">Position in the log (1, 2, …).</param>
/// <param name="Kind">What happened: <c>start</c> and <c>promote</c> (a job issued), <c>reached</c>, <c>diverged</c> and
/// <c>failed</c> (how a job ended), <c>pause</c>, <c>complete</c>, <c>diverge</c>, <c>fail</c> and <c>stop</c> (what the
/// scheduler decided about the trial).</param>
/// <param name="Trial">The trial (0-based).</param>
/// <param name="Rung">The milestone index concerned (0-based), where there is one.</param>
/// <param name="Step">The training step concerned: the job's target, or the step reached.</param>
/// <param name="Value">The metric value reached, where there is one.</param>
/// <param name="Detail">Free text: a failure's message, the assignment of a started trial.</param>
/// <param name="At">When it was recorded (UTC, ISO 8601).</param>
public sealed record SearchEvent(long Sequence, string Kind, int Trial, int? Rung, int? Step, double? Value, string? Detail, string At);

/// <summary>An event to append (the store assigns its sequence number and time).</summary>
public sealed record NewSearchEvent(string Kind, int Trial, int? Rung, int? Step, double? Value, string? Detail);

/// <summary>A trial as the store keeps it.</summary>
/// <param name="Trial">The trial (0-based).</param>
/// <param name="Assignment">Its assignment, <c>name=value</c> pairs.</param>
/// <param name="AssignmentJson">Its assignment as JSON.</param>
/// <param name="SpecJson">Its resolved experiment spec (JSON).</param>
/// <param name="Folder">Its run folder, relative to the search folder.</param>
/// <param name="Status"><c>running</c>, <c>promoted</c> (running to a higher rung), <c>paused</c>, <c>stopped</c>,
/// <c>completed</c>, <c>diverged</c> or <c>failed</c>.</param>
/// <param name="Rung">The milestone index it is at or heading to.</param>
/// <param name="Steps">Training steps it has completed.</param>
/// <param name="Metric">Its metric at the last milestone it reached (null before the first).</param>
public sealed record TrialRow(int Trial, string Assignment, string AssignmentJson, string SpecJson, string Folder, string Status, int Rung, int Steps, double? Metric);

/// <summary>One evaluation of a trial (a row of its metrics.csv).</summary>
public sealed record TrialReport(int Trial, int Step, double W1, double W1Exact, double CriticW1, double Energy, double Nll, double WallSeconds);

/// <summary>The best trial so far: the best metric at the highest milestone any trial reached.</summary>
public sealed record BestTrial(int Trial, int Step, double Metric);

/// <summary>The search a store belongs to.</summary>
/// <param name="Name">The search's name.</param>
/// <param name="RecordJson">The search's record (everything but its resolve function), JSON.</param>
/// <param name="Format">The store's layout version.</param>
public sealed record SearchHeader(string Name, string RecordJson, int Format);

/// <summary>
/// A search's store: its spec, every trial, every evaluation, and the ordered log of decisions and outcomes from which
/// a resumed search rebuilds its scheduler. One writer (the search's driver; workers never write it); readers may read
/// while it writes. Implemented on SQLite (<see cref="SqliteSearchStore"/>); a server database can implement the same
/// contract so that many machines share one search.
/// </summary>
public interface ISearchStore : IDisposable
{
    /// <summary>The search the store holds, or null for a new store.</summary>
    SearchHeader? ReadHeader();
    /// <summary>Records (or updates) the search's record.</summary>
    void WriteHeader(string name, string recordJson);
    /// <summary>The event log, in order.</summary>
    IReadOnlyList<SearchEvent> ReadEvents();
    /// <summary>Every trial, by id.</summary>
    IReadOnlyList<TrialRow> ReadTrials();
    /// <summary>Every evaluation of every trial, by trial then step.</summary>
    IReadOnlyList<TrialReport> ReadReports();
    /// <summary>The best trial so far, or null before the first report.</summary>
    BestTrial? ReadBest();
    /// <summary>Appends events and writes trial rows, evaluations and the best trial, all in one transaction: a kill leaves
    /// all of it or none.</summary>
    void Commit(IReadOnlyList<NewSearchEvent> events, IReadOnlyList<TrialRow> trials, IReadOnlyList<TrialReport> reports, BestTrial? best);
}
