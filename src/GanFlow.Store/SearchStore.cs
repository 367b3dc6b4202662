namespace GanFlow.Store;

/// <summary>One entry of a search's ordered event log: a decision of the scheduler or the outcome of a trial's job.</summary>
/// <param name="Sequence">Position in the search's log (1, 2, …).</param>
/// <param name="Kind">What happened: <c>start</c> and <c>promote</c> (a job issued), <c>reached</c>, <c>diverged</c> and
/// <c>failed</c> (how a job ended), <c>pause</c>, <c>complete</c>, <c>diverge</c>, <c>fail</c> and <c>stop</c> (what the
/// scheduler decided about the trial).</param>
/// <param name="Trial">The trial (0-based).</param>
/// <param name="Rung">The milestone index concerned (0-based), where there is one.</param>
/// <param name="Step">The training step concerned: the job's target, or the step reached.</param>
/// <param name="Value">The metric value reached (the rung value), where there is one.</param>
/// <param name="Detail">Free text: a failure's message, the assignment of a started trial.</param>
/// <param name="At">When it was recorded (UTC, ISO 8601, the database's clock).</param>
/// <param name="Worker">The worker that recorded it.</param>
public sealed record SearchEvent(long Sequence, string Kind, int Trial, int? Rung, int? Step, double? Value, string? Detail, string At, string Worker);

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
/// <param name="Metric">Its rung value at the last milestone it reached (null before the first).</param>
public sealed record TrialRow(int Trial, string Assignment, string AssignmentJson, string SpecJson, string Folder, string Status, int Rung, int Steps, double? Metric);

/// <summary>One evaluation of a trial (a row of its metrics.csv).</summary>
/// <param name="Trial">The trial (0-based).</param>
/// <param name="Step">The training step of the evaluation.</param>
/// <param name="W1">The W1 distance to the data at that step (the run's <c>w1</c> column).</param>
/// <param name="W1Exact">The W1 distance to the declared law (<c>w1_exact</c>), NaN where the run has none.</param>
/// <param name="CriticW1">The critic's estimate of W1 (<c>critic_w1</c>), NaN for a model without a critic.</param>
/// <param name="Energy">The energy distance to the data (<c>energy</c>).</param>
/// <param name="Nll">The test negative log-likelihood in nats (<c>nll</c>), NaN for a model without a density.</param>
/// <param name="WallSeconds">The run's training wall clock at that step (<c>wall_seconds</c>).</param>
/// <param name="Metric">The value of the search's own metric in this evaluation (any recorded column, e.g. recall); NaN
/// in stores of layout 2, which kept only the columns before it.</param>
public sealed record TrialReport(int Trial, int Step, double W1, double W1Exact, double CriticW1, double Energy, double Nll, double WallSeconds, double Metric);

/// <summary>The best trial so far: the best metric at the highest milestone any trial reached.</summary>
public sealed record BestTrial(int Trial, int Step, double Metric);

/// <summary>A search as its store records it.</summary>
/// <param name="Name">The search's name (unique in its store).</param>
/// <param name="RecordJson">The search's record (everything but its resolve function and curve), JSON.</param>
/// <param name="Trials">Trials it may start (the record's, kept apart so that workers see a raised count at once).</param>
/// <param name="OutDirectory">The shared folder of its trial folders (absolute).</param>
/// <param name="LeaseSeconds">How long a job's lease lasts without renewal.</param>
public sealed record SearchHeader(string Name, string RecordJson, int Trials, string OutDirectory, double LeaseSeconds);

/// <summary>One attempt at a job: a worker's lease on training a trial to a milestone.</summary>
/// <param name="Trial">The trial.</param>
/// <param name="ToStep">The job's milestone.</param>
/// <param name="Attempt">1 for the job's first attempt, then 2, 3, … each time the job is given to a worker again.</param>
/// <param name="Worker">The worker holding (or that held) it.</param>
/// <param name="Started">When it was granted (UTC, ISO 8601, the database's clock).</param>
/// <param name="Expires">When its lease expires (or expired) unless renewed.</param>
/// <param name="Ended">When it ended (its outcome recorded), or null while held.</param>
/// <param name="Outcome">Null while held; <c>reported</c> (its result recorded), <c>released</c> (given back by its
/// worker, stopped by a signal), <c>expired</c> (its lease ran out and another worker may take the job).</param>
/// <param name="ReportRefused">Whether its worker tried to report after the lease was lost and was refused.</param>
public sealed record AttemptRow(int Trial, int ToStep, int Attempt, string Worker, string Started, string Expires, string? Ended, string? Outcome, bool ReportRefused);

/// <summary>A worker as the store sees it.</summary>
/// <param name="Worker">Its id (host, process id and a random suffix).</param>
/// <param name="Started">When it registered (UTC, ISO 8601).</param>
/// <param name="Seen">Its last heartbeat.</param>
/// <param name="Ended">When it ended cleanly, or null.</param>
/// <param name="Alive">Whether its heartbeat is younger than the lease and it has not ended.</param>
public sealed record WorkerRow(string Worker, string Started, string Seen, string? Ended, bool Alive);

/// <summary>A worker's hold on one attempt at a job: what it renews and what fences its report.</summary>
/// <param name="Trial">The trial the job trains (0-based).</param>
/// <param name="ToStep">The milestone the job trains it to (training steps).</param>
/// <param name="Attempt">The attempt's number at this job (1 for the first; a job whose lease expired gets another).</param>
/// <param name="Worker">The id of the worker that holds it.</param>
/// <param name="Seconds">The lease length it was granted with (the search's, read in the granting transaction).</param>
public sealed record Lease(int Trial, int ToStep, int Attempt, string Worker, double Seconds);

/// <summary>The search store's layout is not the one this ganflow reads and writes (an older or newer store).</summary>
public sealed class SearchStoreVersionException(string message) : RunFolderException(message);

/// <summary>
/// What a worker may do while it holds its search's lock, all in one transaction: read the events it has not seen,
/// append decisions and outcomes, and hand out, check and end leases. Whatever the body of
/// <see cref="ISearchStore.Locked{T}"/> wrote is committed when it returns and rolled back when it throws, so a kill
/// leaves all of it or none.
/// </summary>
public interface ISearchTransaction
{
    /// <summary>The search's trial count now (raised by a resume with more trials).</summary>
    int Trials { get; }
    /// <summary>The events after <paramref name="sequence"/>, in order.</summary>
    IReadOnlyList<SearchEvent> EventsAfter(long sequence);
    /// <summary>Appends events to the log, recorded by <paramref name="worker"/>; returns them as stored (with their
    /// sequence numbers).</summary>
    IReadOnlyList<SearchEvent> Append(string worker, IReadOnlyList<NewSearchEvent> events);
    /// <summary>Writes (inserts or updates) trial rows.</summary>
    void WriteTrials(IReadOnlyList<TrialRow> trials);
    /// <summary>Writes evaluations (replacing a trial's earlier row at the same step).</summary>
    void WriteReports(IReadOnlyList<TrialReport> reports);
    /// <summary>Records the best trial so far.</summary>
    void WriteBest(BestTrial best);
    /// <summary>Ends every held attempt whose lease has run out (by the database's clock) as <c>expired</c>; returns how many.</summary>
    int ExpireLeases();
    /// <summary>Ends as <c>expired</c> every held attempt of a worker recorded with <paramref name="host"/> (the process
    /// table it ran in, <see cref="LocalProcess.ProcessTable"/>) whose process <paramref name="isAlive"/> says is gone (a
    /// worker of this machine and PID namespace killed with SIGKILL), before its lease runs out; returns how many. A pid
    /// since reused by another process counts as alive, and its lease runs out as usual. Those dead workers, holding a
    /// job or not, are recorded as ended.</summary>
    int ExpireDeadWorkers(string host, Func<int, bool> isAlive);
    /// <summary>The attempts held now (not ended; after <see cref="ExpireLeases"/>, all with a live lease).</summary>
    IReadOnlyList<AttemptRow> HeldAttempts();
    /// <summary>Gives the job (<paramref name="trial"/>, <paramref name="toStep"/>) to <paramref name="worker"/> as its next
    /// attempt, with a lease of the search's length from now (the database's clock).</summary>
    Lease Grant(int trial, int toStep, string worker);
    /// <summary>Whether <paramref name="lease"/> still holds: not ended, and not expired by the database's clock.</summary>
    bool Holds(Lease lease);
    /// <summary>Ends the attempt of <paramref name="lease"/> with <paramref name="outcome"/> (<c>reported</c>,
    /// <c>released</c>, <c>expired</c>); with <paramref name="refused"/> it also records that its report was refused.</summary>
    void EndAttempt(Lease lease, string outcome, bool refused = false);
}

/// <summary>
/// One search in a store: its record, every trial, every evaluation, the ordered log of decisions and outcomes from
/// which any worker rebuilds the scheduler, the job attempts with their leases, and the workers. Many workers on many
/// machines share one store; whoever decides takes the search's lock (<see cref="Locked{T}"/>), folds the events it has
/// not seen, decides with the pure scheduler and appends, in one transaction. Two implementations pass the same tests:
/// <see cref="SqliteSearchStore"/> (one machine, <c>DIR/study.db</c>) and <see cref="PostgresSearchStore"/> (a PostgreSQL
/// server, for workers anywhere). Methods may be called from several threads.
/// </summary>
public interface ISearchStore : IDisposable
{
    /// <summary>Where the store is, as messages name it (never with a password).</summary>
    string Location { get; }
    /// <summary>The name of the search this handle works on.</summary>
    string SearchName { get; }
    /// <summary>The search, or null when the store holds none of that name.</summary>
    SearchHeader? ReadHeader();
    /// <summary>Records the search (refused when one of that name exists).</summary>
    /// <exception cref="RunFolderException">The store already holds a search of that name.</exception>
    void CreateSearch(SearchHeader header);
    /// <summary>Updates the search's record, trial count and lease length (a resume).</summary>
    void UpdateSearch(string recordJson, int trials, double leaseSeconds);
    /// <summary>Removes the search and everything recorded of it (<c>--fresh</c>); other searches are left alone.</summary>
    void DeleteSearch();
    /// <summary>The event log, in order.</summary>
    IReadOnlyList<SearchEvent> ReadEvents();
    /// <summary>How many events the log holds: what a watcher polls to learn whether anything happened, without reading
    /// the log.</summary>
    int CountEvents() => ReadEvents().Count;
    /// <summary>Every trial, by id.</summary>
    IReadOnlyList<TrialRow> ReadTrials();
    /// <summary>Every evaluation of every trial, by trial then step.</summary>
    IReadOnlyList<TrialReport> ReadReports();
    /// <summary>The best trial so far, or null before the first report.</summary>
    BestTrial? ReadBest();
    /// <summary>Every attempt at every job, by trial, milestone and attempt.</summary>
    IReadOnlyList<AttemptRow> ReadAttempts();
    /// <summary>Every worker that registered, by id.</summary>
    IReadOnlyList<WorkerRow> ReadWorkers();
    /// <summary>Runs <paramref name="body"/> under the search's lock in one transaction (committed when it returns,
    /// rolled back when it throws) and returns its value. Blocks while another worker holds the lock.</summary>
    T Locked<T>(Func<ISearchTransaction, T> body);
    /// <summary>Extends <paramref name="lease"/> by the search's lease length from now (the database's clock); returns that
    /// length (it may have changed since the grant: a resume with another <c>--lease-seconds</c>), or null when the lease
    /// is lost (ended, or already expired), and then it stays lost.</summary>
    double? Renew(Lease lease);
    /// <summary>Records that <paramref name="worker"/> is alive (registering it the first time, with <paramref name="host"/>,
    /// the process table it runs in (<see cref="LocalProcess.ProcessTable"/>: machine name, boot id, PID namespace), and
    /// <paramref name="processId"/>).</summary>
    void Heartbeat(string worker, string host, int processId);
    /// <summary>Records that <paramref name="worker"/> ended cleanly.</summary>
    void EndWorker(string worker);
}
