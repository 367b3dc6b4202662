using GanFlow.Core.Search;
using GanFlow.Store;
using SearchSpec = GanFlow.Core.Search.Search;

namespace GanFlow.Runtime.Search;

/// <summary>Where a search stands, for progress displays.</summary>
/// <param name="Trials">Trials the search may start.</param>
/// <param name="Started">Trials started.</param>
/// <param name="Counts">Trials per status (<c>running</c>, <c>promoted</c>, <c>paused</c>, <c>stopped</c>, <c>completed</c>,
/// <c>diverged</c>, <c>failed</c>).</param>
/// <param name="Best">The best trial so far, if any.</param>
/// <param name="BestAssignment">Its assignment.</param>
/// <param name="Line">What was just recorded, as one line.</param>
public sealed record SearchProgress(int Trials, int Started, IReadOnlyDictionary<string, int> Counts, BestTrial? Best, string BestAssignment, string Line);

/// <summary>
/// Runs a search with <c>K</c> workers inside this process (threads sharing one store handle): the same
/// <see cref="SearchWorker"/>s that `ganflow worker` runs as processes, for tests with closed-form objectives and for
/// the bench. A search resumed after a crash continues from its store: the replay checks every recorded decision,
/// and a job whose worker died is given to a worker again once its lease has expired. With one worker the order of
/// everything is fixed, so the same search and seed give the same store.
/// </summary>
public sealed class SearchDriver
{
    private readonly SearchSpec search;
    private readonly Func<ISearchStore> stores;
    private readonly ISearchStore store;
    private readonly ITrialRunner runner;
    private readonly string directory;
    private readonly int workers;
    private readonly Action<SearchProgress>? progress;
    private readonly object progressGate = new();

    /// <summary>The trial folders' parent, inside the search folder.</summary>
    public const string TrialsFolder = SearchFolder.Trials;

    /// <summary>A trial's run folder, relative to the search folder.</summary>
    public static string TrialFolder(int trial) => Path.Combine(TrialsFolder, trial.ToString("0000", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A driver of <paramref name="search"/> over <paramref name="store"/> (shared by every worker), running jobs
    /// through <paramref name="runner"/>, <paramref name="workers"/> at once, in the search folder <paramref name="directory"/>.</summary>
    public SearchDriver(SearchSpec search, ISearchStore store, ITrialRunner runner, string directory, int workers, Action<SearchProgress>? progress = null)
        : this(search, store, () => store, runner, directory, workers, progress)
    {
    }

    /// <summary>A driver whose workers each open their own store handle with <paramref name="stores"/> (a server store:
    /// one connection per worker), reading progress through <paramref name="store"/>.</summary>
    public SearchDriver(SearchSpec search, ISearchStore store, Func<ISearchStore> stores, ITrialRunner runner, string directory, int workers,
        Action<SearchProgress>? progress = null)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), workers, "must be >= 1");
        this.search = search;
        this.store = store;
        this.stores = stores;
        this.runner = runner;
        this.directory = directory;
        this.workers = workers;
        this.progress = progress;
        State = Asha.init(search.Scheduler, search.Trials);
    }

    /// <summary>The scheduler's state (after <see cref="Run"/>: the final one, folded from the store).</summary>
    public SearchState State { get; private set; }

    /// <summary>The workers of the last <see cref="Run"/>.</summary>
    public IReadOnlyList<SearchWorker> Workers { get; private set; } = [];

    private void Report(string line)
    {
        if (progress is null) return;
        lock (progressGate)
        {
            var counts = new Dictionary<string, int>
            {
                ["running"] = 0, ["promoted"] = 0, ["paused"] = 0, ["stopped"] = 0, ["completed"] = 0, ["diverged"] = 0, ["failed"] = 0,
            };
            var trials = store.ReadTrials();
            foreach (var row in trials) counts[row.Status] = counts.GetValueOrDefault(row.Status) + 1;
            var best = store.ReadBest();
            progress(new SearchProgress(store.ReadHeader()?.Trials ?? search.Trials, trials.Count, counts, best,
                best is null ? "" : trials.FirstOrDefault(t => t.Trial == best.Trial)?.Assignment ?? "", line));
        }
    }

    /// <summary>Runs the search until it is over (or <paramref name="cancel"/> fires: running jobs give their leases back
    /// after their next checkpoint, everything recorded stays, and a later run continues). Returns whether it is over.</summary>
    /// <exception cref="RunFolderException">The store's log disagrees with the scheduler (another search or scheduler).</exception>
    public bool Run(CancellationToken cancel)
    {
        var opened = new List<ISearchStore>();
        var list = new List<SearchWorker>();
        for (var k = 0; k < workers; k++)
        {
            var own = stores();
            if (!ReferenceEquals(own, store)) opened.Add(own);
            var worker = new SearchWorker(search, own, own, runner, directory, new WorkerOptions(SearchWorker.NewId()));
            worker.Recorded += Report;
            list.Add(worker);
        }
        Workers = list;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var tasks = list.Select(w => Task.Factory.StartNew(() =>
        {
            try
            {
                return w.Run(failed.Token);
            }
            catch
            {
                failed.Cancel(); // one worker's failure stops the others
                throw;
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            Task.WaitAll(tasks);
        }
        catch (AggregateException e)
        {
            throw e.InnerExceptions.First();
        }
        finally
        {
            foreach (var s in opened) s.Dispose();
        }
        var ledger = new SearchLedger(search, store.Location);
        ledger.AllowTrials(store.ReadHeader()?.Trials ?? search.Trials);
        ledger.Fold(store.ReadEvents());
        State = ledger.State;
        return ledger.Over;
    }
}
