using System.Collections.Concurrent;
using System.Diagnostics;
using GanFlow.Core.Experiments;
using GanFlow.Core.Search;
using GanFlow.Store;
using SearchSpec = GanFlow.Core.Search.Search;

namespace GanFlow.Runtime.Search;

/// <summary>How a worker's run ended.</summary>
public enum WorkerEnd
{
    /// <summary>The search is over.</summary>
    Finished,
    /// <summary>No job came for the idle limit (<c>--idle-exit</c>).</summary>
    Idle,
    /// <summary>Stopped from outside (a signal): the running job's lease was given back.</summary>
    Stopped,
}

/// <summary>A trial's folder is still locked by another process (the process of an earlier attempt, not yet gone): the
/// worker gives the job back instead of failing it.</summary>
public sealed class TrialFolderBusyException(string message) : Exception(message);

/// <summary>A worker's settings.</summary>
/// <param name="Id">The worker's id in the store (unique; <see cref="SearchWorker.NewId"/>).</param>
/// <param name="IdleExit">End when no job came for this long; null: wait until the search is over.</param>
/// <param name="OnLeaseLost">What to do when the worker loses its lease (its renewal refused, or not renewed before the
/// local deadline, which precedes the database's expiry): the command line's worker ends its process at once, so it
/// writes nothing more; null (in-process workers of tests and the bench): cancel the job, whose report the store will
/// refuse.</param>
/// <param name="Log">Where the worker says what it does (one line each), or null.</param>
/// <param name="LeaseMargin">The share of the lease a worker trusts locally: it must have renewed within this share of
/// the lease length since its last successful renewal began, else it counts the lease as lost (default 0.9).</param>
public sealed record WorkerOptions(
    string Id,
    TimeSpan? IdleExit = null,
    Action<Lease>? OnLeaseLost = null,
    Action<string>? Log = null,
    double LeaseMargin = 0.9);

/// <summary>
/// One long-lived worker of a search: it pulls jobs from the store, runs them one at a time through its
/// <see cref="ITrialRunner"/>, and records what they did. Every decision is taken under the search's lock
/// (<see cref="ISearchStore.Locked{T}"/>): the worker folds the events it has not seen (<see cref="SearchLedger"/>),
/// expires leases that ran out (by the database's clock), then takes, in this order, a job that was issued but is
/// held by nobody (its worker died or gave it back: a new attempt, from the trial's checkpoint), the scheduler's next
/// job (<see cref="Asha.next"/>), or, when the search is over, records the stopping of the waiting trials. A job is held
/// under a lease that a keeper thread renews every third of its length (the heartbeat of the worker rides along). A
/// report is accepted only while the lease holds (fencing): a worker that lost its lease cannot record a milestone, so
/// none is recorded twice. Start one or two hundred of them, at any time, on any machine that reaches the store and the
/// shared folder.
/// </summary>
public sealed class SearchWorker
{
    private readonly SearchSpec search;
    private readonly ISearchStore store;
    private readonly ISearchStore keeperStore;
    private readonly ITrialRunner runner;
    private readonly string directory;
    private readonly WorkerOptions options;
    private readonly object leaseGate = new();
    private Lease? current;
    private CancellationTokenSource? currentCancel;
    private long deadlineTicks;
    private bool currentLost;

    /// <summary>A worker of <paramref name="search"/> on <paramref name="store"/> (its lease keeper on
    /// <paramref name="keeperStore"/>, a second connection, or the same handle), running jobs with <paramref name="runner"/>
    /// in the search folder <paramref name="directory"/>.</summary>
    public SearchWorker(SearchSpec search, ISearchStore store, ISearchStore keeperStore, ITrialRunner runner, string directory, WorkerOptions options)
    {
        this.search = search;
        this.store = store;
        this.keeperStore = keeperStore;
        this.runner = runner;
        this.directory = directory;
        this.options = options;
        Ledger = new SearchLedger(search, store.Location);
    }

    /// <summary>A new worker id: host, process id and a random suffix.</summary>
    public static string NewId() => $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>The worker's view of the search.</summary>
    public SearchLedger Ledger { get; private set; }

    /// <summary>The lease of the job running now, or null.</summary>
    public Lease? Current { get { lock (leaseGate) return current; } }

    /// <summary>Seconds each locked transaction that decided something took (lock wait, fold, decide, commit).</summary>
    public ConcurrentQueue<double> DecisionSeconds { get; } = new();

    /// <summary>Jobs this worker ran.</summary>
    public int Jobs { get; private set; }

    /// <summary>Reports of this worker the store refused (its lease was lost).</summary>
    public int Refused { get; private set; }

    /// <summary>Called with a line whenever the worker recorded something.</summary>
    public event Action<string>? Recorded;

    private void Log(string line) => options.Log?.Invoke($"{options.Id}: {line}");

    private double LeaseSeconds => store.ReadHeader()?.LeaseSeconds ?? throw new RunFolderException($"{store.Location} holds no search named {search.Name}");

    private abstract record Work
    {
        public sealed record Job(Lease Lease, bool Again) : Work;
        public sealed record Over : Work;
        public sealed record Wait : Work;
    }

    /// <summary>Runs jobs until the search is over, the idle limit passes, or <paramref name="stop"/> fires (the running
    /// job then checkpoints at its next evaluation, or ends, and its lease is given back).</summary>
    public WorkerEnd Run(CancellationToken stop)
    {
        var leaseSeconds = LeaseSeconds;
        using var keeperStop = new CancellationTokenSource();
        var keeper = new Thread(() => Keep(leaseSeconds, keeperStop.Token)) { IsBackground = true, Name = "ganflow lease keeper" };
        var watch = new Thread(() => WatchDeadline(keeperStop.Token)) { IsBackground = true, Name = "ganflow lease deadline" };
        keeperStore.Heartbeat(options.Id, LocalProcess.ProcessTable, Environment.ProcessId);
        keeper.Start();
        watch.Start();
        try
        {
            var idle = Stopwatch.StartNew();
            var backoff = TimeSpan.FromMilliseconds(50);
            while (true)
            {
                if (stop.IsCancellationRequested) return WorkerEnd.Stopped;
                var start = Stopwatch.GetTimestamp();
                var work = Transact(Take);
                switch (work)
                {
                    case Work.Job job:
                        DecisionSeconds.Enqueue(Stopwatch.GetElapsedTime(start).TotalSeconds);
                        if (RunJob(job.Lease, job.Again, start, stop)) return WorkerEnd.Stopped;
                        idle.Restart();
                        backoff = TimeSpan.FromMilliseconds(50);
                        break;
                    case Work.Over:
                        return WorkerEnd.Finished;
                    default:
                        if (options.IdleExit is { } limit && idle.Elapsed >= limit) return WorkerEnd.Idle;
                        stop.WaitHandle.WaitOne(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 50)));
                        backoff = TimeSpan.FromMilliseconds(Math.Min(2_000, backoff.TotalMilliseconds * 1.5));
                        break;
                }
            }
        }
        finally
        {
            keeperStop.Cancel();
            keeper.Join();
            watch.Join();
            try
            {
                keeperStore.EndWorker(options.Id);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or RunFolderException)
            {
                Log($"could not record its end: {FailureText.Of(e)}");
            }
        }
    }

    /// <summary>Runs <paramref name="body"/> under the search's lock, retrying when the database fails (a broken connection,
    /// a server restart: 6 tries over about a minute). A failed transaction was rolled back, so the view folded so far is
    /// dropped and folded again from the log.</summary>
    private T Transact<T>(Func<ISearchTransaction, T> body)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return store.Locked(body);
            }
            catch (System.Data.Common.DbException e) when (attempt < 6)
            {
                Log($"the store failed ({FailureText.Of(e)}); trying again (try {attempt + 1} of 6)");
                Ledger = new SearchLedger(search, store.Location);
                Thread.Sleep(TimeSpan.FromSeconds(Math.Pow(2, attempt)));
            }
        }
    }

    /// <summary>The next piece of work, decided under the search's lock.</summary>
    private Work Take(ISearchTransaction tx)
    {
        Ledger.AllowTrials(tx.Trials);
        Ledger.Fold(tx.EventsAfter(Ledger.Sequence));
        var expired = tx.ExpireLeases();
        if (expired > 0) Log($"{expired} lease(s) expired");
        // A worker that shared this worker's process table and is gone (SIGKILL, a crash) holds its job no longer.
        var dead = tx.ExpireDeadWorkers(LocalProcess.ProcessTable, LocalProcess.IsAlive);
        if (dead > 0) Log($"{dead} lease(s) of a worker of this machine that is no longer running ended");
        var held = tx.HeldAttempts().Select(a => (a.Trial, a.ToStep)).ToHashSet();
        var orphan = Asha.running(Ledger.State).Select(t => (Trial: t.Item1, ToStep: t.Item2)).Where(j => !held.Contains(j)).OrderBy(j => j.Trial).ToList();
        if (orphan.Count > 0)
        {
            var (trial, toStep) = orphan[0];
            return new Work.Job(tx.Grant(trial, toStep, options.Id), true);
        }
        var (_, decision) = Asha.next(Ledger.State);
        if (decision is not null)
        {
            var (trial, _, toStep) = SearchLedger.Fields(decision.Value);
            Ledger.Fold(tx.Append(options.Id, [Ledger.EventOf(decision.Value)]));
            tx.WriteTrials([Ledger.Row(trial, decision.Value.IsPromote ? "promoted" : "running", Ledger.Rung(toStep!.Value), null)]);
            Recorded?.Invoke(decision.Value.IsPromote
                ? $"trial {trial}: promoted to step {toStep}"
                : $"trial {trial}: started ({Core.Search.SearchSpaceModule.describe(SearchModule.assignment(search, trial))})");
            return new Work.Job(tx.Grant(trial, toStep.Value, options.Id), false);
        }
        if (Asha.isFinished(Ledger.State) && !Ledger.Over)
        {
            var stops = Asha.finish(Ledger.State).Item2;
            Ledger.Fold(tx.Append(options.Id, stops.Select(Ledger.EventOf).ToList()));
            tx.WriteTrials(stops.Select(d =>
            {
                var (t, r, _) = SearchLedger.Fields(d);
                return Ledger.Row(t, "stopped", r ?? 0, Ledger.LastValueOf(t));
            }).ToList());
            if (Ledger.Best() is { } best) tx.WriteBest(best);
            Recorded?.Invoke($"search finished: {stops.Length} trials stopped at their rungs");
        }
        return Ledger.Over ? new Work.Over() : new Work.Wait();
    }

    /// <summary>Whether <see cref="Run"/> returned (or threw) with its last job's run still going on its own thread
    /// (stopped from outside between two checkpoints; a run observes no cancellation): the process must then end without
    /// the native libraries' teardown (<see cref="Processes.ImmediateExit"/>), and it must end, so that the job writes
    /// nothing more after its lease was given back.</summary>
    public bool LeftJobRunning { get; private set; }

    /// <summary>Runs one job under its lease and records its result (or gives the lease back when stopped); returns
    /// whether the worker was stopped.</summary>
    private bool RunJob(Lease lease, bool again, long grantStarted, CancellationToken stop)
    {
        var trialJob = new TrialJob(lease.Trial, lease.ToStep, SearchModule.trialExperiment(search, lease.Trial), Path.Combine(directory, SearchDriver.TrialFolder(lease.Trial)));
        using var jobCancel = new CancellationTokenSource();
        lock (leaseGate)
        {
            current = lease;
            currentCancel = jobCancel;
            currentLost = false;
            deadlineTicks = grantStarted + (long)(options.LeaseMargin * lease.Seconds * Stopwatch.Frequency);
        }
        Jobs++;
        Log($"{(again ? "again: " : "")}trial {lease.Trial} to step {lease.ToStep}, attempt {lease.Attempt}");
        if (again) Recorded?.Invoke($"trial {lease.Trial}: its job to step {lease.ToStep} again (attempt {lease.Attempt})");
        var task = Task.Factory.StartNew(() => runner.Run(trialJob, jobCancel.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            WaitHandle.WaitAny([((IAsyncResult)task).AsyncWaitHandle, stop.WaitHandle]);
            if (!task.IsCompleted)
            {
                // Stopped from outside: let the job reach its next checkpoint (or its end), then give the lease back.
                var folder = trialJob.Folder;
                var step = CheckpointStep(folder);
                // WaitOne, not task.Wait: a job that fails meanwhile is recorded below as failed, not thrown from here.
                while (!task.IsCompleted && CheckpointStep(folder) <= step) ((IAsyncResult)task).AsyncWaitHandle.WaitOne(200);
                if (!task.IsCompleted)
                {
                    Release(lease, "stopped by a signal after its checkpoint at step " + CheckpointStep(folder));
                    jobCancel.Cancel();
                    return true;
                }
            }
            TrialResult result;
            try
            {
                result = task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // The lease was lost (in-process workers): nothing to record; the store would refuse it anyway.
                Log($"trial {lease.Trial}: job cancelled, its lease lost");
                return stop.IsCancellationRequested;
            }
            catch (TrialFolderBusyException e)
            {
                Release(lease, FailureText.Of(e));
                return stop.IsCancellationRequested;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result = new TrialResult(RunStatus.Failed, Ledger.StepsOf(lease.Trial), null, [], FailureText.Of(e));
            }
            Report(lease, result, Stopwatch.GetTimestamp());
            return stop.IsCancellationRequested;
        }
        finally
        {
            // Also when giving the lease back threw (the store unreachable): the job's thread may still be training.
            LeftJobRunning = !task.IsCompleted;
            lock (leaseGate)
            {
                current = null;
                currentCancel = null;
            }
        }
    }

    /// <summary>The step of a trial folder's newest checkpoint (0 without one).</summary>
    private static int CheckpointStep(string folder)
    {
        try
        {
            var manifest = Path.Combine(folder, RunFiles.Checkpoint, CheckpointFolders.ManifestFile);
            return File.Exists(manifest) ? CheckpointFolders.Check(Path.Combine(folder, RunFiles.Checkpoint)).Manifest?.Step ?? 0 : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Gives the running job's lease back (its outcome <c>released</c>), so that any worker takes it at once.</summary>
    public void Release(Lease lease, string why)
    {
        Transact(tx =>
        {
            tx.EndAttempt(lease, "released");
            return 0;
        });
        Log($"trial {lease.Trial}: lease given back ({why})");
        Recorded?.Invoke($"trial {lease.Trial}: job to step {lease.ToStep} given back ({why})");
    }

    /// <summary>Records a job's result under the lock, if the lease still holds.</summary>
    private void Report(Lease lease, TrialResult result, long started)
    {
        var spec = search.Scheduler;
        var accepted = Transact(tx =>
        {
            Ledger.AllowTrials(tx.Trials);
            Ledger.Fold(tx.EventsAfter(Ledger.Sequence));
            if (!tx.Holds(lease))
            {
                tx.EndAttempt(lease, "expired", refused: true);
                Refused++;
                Log($"trial {lease.Trial}: report refused, its lease to step {lease.ToStep} (attempt {lease.Attempt}) was lost");
                return false;
            }
            var trial = lease.Trial;
            var toStep = lease.ToStep;
            var rung = Ledger.Rung(toStep);
            Outcome outcome;
            NewSearchEvent logged;
            if (result.AtStep is not null && (result.Status.IsPaused || result.Status.IsCompleted))
            {
                var evaluations = result.Evaluations.Select(r => Tuple.Create(r.Step, MetricOf(spec.Metric, r))).ToList();
                if (evaluations.All(e => e.Item1 != toStep)) evaluations.Add(Tuple.Create(toStep, MetricOf(spec.Metric, result.AtStep)));
                var value = Rungs.value(spec.RungValue, Microsoft.FSharp.Collections.ListModule.OfSeq(evaluations), toStep);
                outcome = Outcome.NewReached(toStep, value);
                logged = new NewSearchEvent("reached", trial, rung, toStep, value, null);
            }
            else if (result.Status.IsDiverged)
            {
                outcome = Outcome.DivergedOnTheWay;
                logged = new NewSearchEvent("diverged", trial, rung, result.Steps, null, result.Message);
            }
            else
            {
                outcome = Outcome.FailedOnTheWay;
                logged = new NewSearchEvent("failed", trial, rung, result.Steps, null, result.Message);
            }
            var decision = Asha.report(trial, outcome, Ledger.State).Item2;
            Ledger.Fold(tx.Append(options.Id, [logged, Ledger.EventOf(decision)]));
            var status = decision switch
            {
                Decision.Pause => "paused",
                Decision.Complete => "completed",
                Decision.Diverge => "diverged",
                _ => "failed",
            };
            var metric = logged.Kind == "reached" && logged.Value is { } m && double.IsFinite(m) ? m : (double?)null;
            tx.WriteTrials([Ledger.Row(trial, status, rung, metric)]);
            tx.WriteReports(result.Evaluations.Select(r => new TrialReport(trial, r.Step, r.W1, r.W1Exact, r.CriticW1, r.Energy, r.Nll, r.WallSeconds, MetricOf(spec.Metric, r))).ToList());
            if (Ledger.Best() is { } best) tx.WriteBest(best);
            tx.EndAttempt(lease, "reported");
            Recorded?.Invoke($"trial {trial}: {status} at step {result.Steps}" + (metric is { } v ? $", {SearchMetricModule.name(spec.Metric)} {v:G5}" : $" ({result.Message})"));
            return true;
        });
        DecisionSeconds.Enqueue(Stopwatch.GetElapsedTime(started).TotalSeconds);
        // Refused: this worker lost its lease (as its keeper would have found); a process worker ends itself.
        if (!accepted) options.OnLeaseLost?.Invoke(lease);
    }

    /// <summary>The search metric of an evaluation.</summary>
    public static double MetricOf(SearchMetric metric, EvaluationRecord r) =>
        metric is SearchMetric.Column column ? MetricColumns.valueOf(column.name, r)
        : metric.IsW1 ? r.W1 : metric.IsW1Exact ? r.W1Exact : metric.IsEnergy ? r.Energy : r.Nll;

    /// <summary>The lease keeper: heartbeats, renews the running job's lease every third of its length (each successful
    /// renewal moves the local deadline that <see cref="WatchDeadline"/> enforces), and declares the lease lost when a
    /// renewal is refused.</summary>
    private void Keep(double leaseSeconds, CancellationToken stop)
    {
        var length = leaseSeconds; // the running lease's length, as its grant or last renewal gave it
        Lease? renewing = null;
        var nextBeat = Stopwatch.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            Lease? lease;
            lock (leaseGate) lease = currentLost ? null : current;
            if (lease != renewing)
            {
                renewing = lease;
                if (lease is not null) length = lease.Seconds;
            }
            var now = Stopwatch.GetTimestamp();
            var period = TimeSpan.FromSeconds(Math.Min(leaseSeconds, length) / 3);
            if (now >= nextBeat)
            {
                nextBeat = now + (long)(period.TotalSeconds * Stopwatch.Frequency);
                try
                {
                    keeperStore.Heartbeat(options.Id, LocalProcess.ProcessTable, Environment.ProcessId);
                    if (lease is not null)
                    {
                        var started = Stopwatch.GetTimestamp();
                        if (keeperStore.Renew(lease) is { } renewed)
                        {
                            length = renewed;
                            lock (leaseGate)
                                if (current == lease) deadlineTicks = started + (long)(options.LeaseMargin * renewed * Stopwatch.Frequency);
                        }
                        else
                        {
                            lock (leaseGate)
                                if (current != lease) continue; // the job ended meanwhile: its attempt was closed by its report
                            LeaseLost(lease, "its renewal was refused");
                        }
                    }
                }
                catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException or IOException)
                {
                    Log($"lease keeper: {FailureText.Of(e)} (retrying)");
                }
            }
            var wait = TimeSpan.FromSeconds(Math.Max(0.001, (double)(nextBeat - Stopwatch.GetTimestamp()) / Stopwatch.Frequency));
            stop.WaitHandle.WaitOne(wait < period ? wait : period);
        }
    }

    /// <summary>How often <see cref="WatchDeadline"/> looks at a running job's deadline at the most (and whether a job
    /// started).</summary>
    private static readonly TimeSpan DeadlineLook = TimeSpan.FromMilliseconds(250);

    /// <summary>The local deadline's watch: declares the running job's lease lost once its deadline (a share of the lease
    /// length after the grant or the last successful renewal began, so before the database's expiry) passes. A thread
    /// of its own, apart from the keeper, because the keeper's store calls can block far longer than a lease: a SQLite
    /// call waits out its busy timeout while another process holds the lock (one frozen by SIGSTOP inside a transaction,
    /// say), and a worker that was itself frozen past its lease must end itself as soon as it runs again (a CI run saw
    /// one take more than 30 s when only the keeper looked). The stopwatch's clock is monotonic and counts the time a
    /// process spent stopped.</summary>
    private void WatchDeadline(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Lease? lease;
            double left;
            // The clock is read under the lock: a renewal that moved the deadline before this look is always seen.
            lock (leaseGate)
            {
                lease = currentLost ? null : current;
                left = lease is null ? DeadlineLook.TotalSeconds : (double)(deadlineTicks - Stopwatch.GetTimestamp()) / Stopwatch.Frequency;
            }
            if (left <= 0)
            {
                LeaseLost(lease!, "not renewed before its local deadline");
                continue;
            }
            stop.WaitHandle.WaitOne(TimeSpan.FromSeconds(Math.Clamp(left, 0.001, DeadlineLook.TotalSeconds)));
        }
    }

    private void LeaseLost(Lease lease, string why)
    {
        CancellationTokenSource? cancel;
        lock (leaseGate)
        {
            if (current != lease || currentLost) return;
            currentLost = true;
            cancel = currentCancel;
        }
        Log($"trial {lease.Trial}: lease lost ({why})");
        if (options.OnLeaseLost is { } lost) lost(lease);
        else
        {
            try
            {
                cancel?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The job ended meanwhile and its run disposed the source: there is nothing left to cancel.
            }
        }
    }
}
