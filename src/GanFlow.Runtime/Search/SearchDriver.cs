using GanFlow.Core.Experiments;
using GanFlow.Core.Search;
using GanFlow.Core.Specs;
using GanFlow.Store;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using SearchSpec = GanFlow.Core.Search.Search;

namespace GanFlow.Runtime.Search;

/// <summary>Where a search stands, for progress displays.</summary>
/// <param name="Trials">Trials the search may start.</param>
/// <param name="Started">Trials started.</param>
/// <param name="Counts">Trials per status (<c>running</c>, <c>promoted</c>, <c>paused</c>, <c>stopped</c>, <c>completed</c>,
/// <c>diverged</c>, <c>failed</c>).</param>
/// <param name="Best">The best trial so far, if any.</param>
/// <param name="BestAssignment">Its assignment.</param>
/// <param name="Line">The decision just taken, as one line.</param>
public sealed record SearchProgress(int Trials, int Started, IReadOnlyDictionary<string, int> Counts, BestTrial? Best, string BestAssignment, string Line);

/// <summary>
/// The search's driver: the only writer of its store. It rebuilds the scheduler by replaying the store's event log
/// (checking that every recorded decision is the one the scheduler takes again), runs the jobs that were in flight when
/// the search stopped (each continues from its trial's checkpoint), then asks the pure scheduler (<see cref="Asha"/>) for
/// work whenever a worker is free and records every decision and outcome in one transaction each. With one worker the
/// order of everything is fixed, so the same search and seed give the same store.
/// </summary>
public sealed class SearchDriver
{
    private readonly SearchSpec search;
    private readonly ISearchStore store;
    private readonly ITrialRunner runner;
    private readonly string directory;
    private readonly int workers;
    private readonly Action<SearchProgress>? progress;
    private readonly List<(int Trial, int Step, double Value)> reached = [];
    private readonly Dictionary<int, int> steps = [];
    private SearchState state;

    /// <summary>The trial folders' parent, inside the search folder.</summary>
    public const string TrialsFolder = "trials";

    /// <summary>A trial's run folder, relative to the search folder.</summary>
    public static string TrialFolder(int trial) => Path.Combine(TrialsFolder, trial.ToString("0000", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A driver of <paramref name="search"/> over <paramref name="store"/>, running jobs through
    /// <paramref name="runner"/>, at most <paramref name="workers"/> at once, in the search folder <paramref name="directory"/>.</summary>
    public SearchDriver(SearchSpec search, ISearchStore store, ITrialRunner runner, string directory, int workers, Action<SearchProgress>? progress = null)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), workers, "must be >= 1");
        this.search = search;
        this.store = store;
        this.runner = runner;
        this.directory = directory;
        this.workers = workers;
        this.progress = progress;
        state = Asha.init(search.Scheduler, search.Trials);
    }

    /// <summary>The scheduler's state (after <see cref="Run"/>: the final one).</summary>
    public SearchState State => state;

    private int Rung(int toStep) => state.Milestones.ToList().IndexOf(toStep);

    private static string Kind(Decision d) => d switch
    {
        Decision.Start => "start",
        Decision.Promote => "promote",
        Decision.Pause => "pause",
        Decision.Complete => "complete",
        Decision.Stop => "stop",
        Decision.Diverge => "diverge",
        Decision.Fail => "fail",
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, "unknown decision"),
    };

    private static (int Trial, int? Rung, int? Step) Fields(Decision d) => d switch
    {
        Decision.Start s => (s.trial, 0, s.toStep),
        Decision.Promote p => (p.trial, p.rung, p.toStep),
        Decision.Pause p => (p.trial, p.rung, null),
        Decision.Complete c => (c.trial, null, null),
        Decision.Stop s => (s.trial, s.rung, null),
        Decision.Diverge d2 => (d2.trial, null, null),
        Decision.Fail f => (f.trial, null, null),
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, "unknown decision"),
    };

    private NewSearchEvent EventOf(Decision d)
    {
        var (trial, rung, step) = Fields(d);
        var detail = d is Decision.Start ? SearchSpaceModule.describe(SearchModule.assignment(search, trial)) : null;
        return new NewSearchEvent(Kind(d), trial, rung, step, null, detail);
    }

    private static bool Matches(SearchEvent logged, NewSearchEvent now) =>
        logged.Kind == now.Kind && logged.Trial == now.Trial && logged.Rung == now.Rung && logged.Step == now.Step;

    private RunFolderException Disagreement(SearchEvent logged, string now) =>
        new($"{Path.Combine(directory, SqliteSearchStore.FileName)}: recorded decision #{logged.Sequence} ({logged.Kind} trial {logged.Trial}) " +
            $"is not what the scheduler decides now ({now}): the search spec or the scheduler changed since it was recorded");

    /// <summary>Rebuilds the state from the store's log, checking every recorded decision; returns the jobs in flight.</summary>
    private void Replay()
    {
        Decision? derived = null;
        var finished = false;
        foreach (var e in store.ReadEvents())
        {
            switch (e.Kind)
            {
                case "start" or "promote":
                {
                    var (next, decision) = Asha.next(state);
                    if (decision is null || !Matches(e, EventOf(decision.Value))) throw Disagreement(e, decision is null ? "nothing" : Kind(decision.Value));
                    state = next;
                    break;
                }
                case "reached" or "diverged" or "failed":
                {
                    var outcome = e.Kind switch
                    {
                        "reached" => Outcome.NewReached(e.Step ?? -1, e.Value ?? double.NaN),
                        "diverged" => Outcome.DivergedOnTheWay,
                        _ => Outcome.FailedOnTheWay,
                    };
                    var (next, decision) = Asha.report(e.Trial, outcome, state);
                    state = next;
                    derived = decision;
                    if (e.Kind == "reached" && e.Value is { } v) reached.Add((e.Trial, e.Step ?? 0, v));
                    if (e.Step is { } s) steps[e.Trial] = s;
                    break;
                }
                case "stop" when !finished:
                    state = Asha.finish(state).Item1;
                    finished = true;
                    break;
                case "stop":
                    break;
                default: // pause, complete, diverge, fail: the decision that followed the last outcome
                    if (derived is null || !Matches(e, EventOf(derived))) throw Disagreement(e, derived is null ? "nothing" : Kind(derived));
                    derived = null;
                    break;
            }
        }
    }

    private TrialRow Row(int trial, string status, int rung, double? metric)
    {
        var assignment = SearchModule.assignment(search, trial);
        return new TrialRow(trial, SearchSpaceModule.describe(assignment), SpecJson.serialize(assignment),
            SpecJson.serialize(SearchModule.trialExperiment(search, trial)), TrialFolder(trial), status, rung, steps.GetValueOrDefault(trial), metric);
    }

    private BestTrial? Best()
    {
        var best = Asha.best(ListModule.OfSeq(reached.Select(r => Tuple.Create(r.Trial, r.Step, r.Value))), search.Scheduler.Direction);
        return best is null ? null : new BestTrial(best.Value.Item1, best.Value.Item2, best.Value.Item3);
    }

    private void Report(string line)
    {
        if (progress is null) return;
        var counts = new Dictionary<string, int>
        {
            ["running"] = 0, ["promoted"] = 0, ["paused"] = 0, ["stopped"] = 0, ["completed"] = 0, ["diverged"] = 0, ["failed"] = 0,
        };
        foreach (var row in store.ReadTrials()) counts[row.Status] = counts.GetValueOrDefault(row.Status) + 1;
        var best = Best();
        progress(new SearchProgress(state.Trials, state.Started, counts, best,
            best is null ? "" : SearchSpaceModule.describe(SearchModule.assignment(search, best.Trial)), line));
    }

    private static double Metric(SearchMetric metric, EvaluationRecord r) =>
        metric.IsW1 ? r.W1 : metric.IsW1Exact ? r.W1Exact : metric.IsEnergy ? r.Energy : r.Nll;

    /// <summary>Runs the search until nothing remains to run (or <paramref name="cancel"/> fires: the jobs in flight are
    /// stopped, everything recorded stays, and a later run continues). Returns whether the search finished.</summary>
    /// <exception cref="RunFolderException">The store's log disagrees with the scheduler (another search or scheduler).</exception>
    public bool Run(CancellationToken cancel)
    {
        Replay();
        var pending = new Queue<(int Trial, int ToStep)>(Asha.running(state).Select(t => (t.Item1, t.Item2)));
        var running = new Dictionary<Task<TrialResult>, (int Trial, int ToStep)>();
        Task<TrialResult> Launch(int trial, int toStep)
        {
            var job = new TrialJob(trial, toStep, SearchModule.trialExperiment(search, trial), Path.Combine(directory, TrialFolder(trial)));
            var task = Task.Run(() => runner.Run(job, cancel), CancellationToken.None);
            running[task] = (trial, toStep);
            return task;
        }
        try
        {
            while (true)
            {
                while (running.Count < workers && !cancel.IsCancellationRequested)
                {
                    if (pending.TryDequeue(out var again))
                    {
                        Launch(again.Trial, again.ToStep);
                        Report($"trial {again.Trial}: continuing its interrupted job to step {again.ToStep}");
                        continue;
                    }
                    var (next, decision) = Asha.next(state);
                    if (decision is null) break;
                    state = next;
                    var (trial, rung, toStep) = Fields(decision.Value);
                    var status = decision.Value.IsPromote ? "promoted" : "running";
                    store.Commit([EventOf(decision.Value)], [Row(trial, status, Rung(toStep!.Value), null)], [], null);
                    Launch(trial, toStep.Value);
                    Report(decision.Value.IsPromote ? $"trial {trial}: promoted from rung {rung} to step {toStep}" : $"trial {trial}: started ({SearchSpaceModule.describe(SearchModule.assignment(search, trial))})");
                }
                if (running.Count == 0) break;
                var finished = Task.WhenAny(running.Keys).GetAwaiter().GetResult();
                var (doneTrial, doneStep) = running[finished];
                running.Remove(finished);
                var result = finished.GetAwaiter().GetResult(); // rethrows a cancellation
                Complete(doneTrial, doneStep, result);
            }
        }
        catch (OperationCanceledException)
        {
            foreach (var task in running.Keys)
            {
                try { task.Wait(); } catch (AggregateException) { } // each job stops its process on cancellation
            }
            return false;
        }
        if (cancel.IsCancellationRequested) return false;
        if (!Asha.isFinished(state)) return false;
        var (ended, stops) = Asha.finish(state);
        state = ended;
        if (!stops.IsEmpty)
        {
            store.Commit(stops.Select(EventOf).ToList(),
                stops.Select(d => { var (t, r, _) = Fields(d); return Row(t, "stopped", r ?? 0, reached.LastOrDefault(x => x.Trial == t).Value); }).ToList(), [], Best());
            Report($"search finished: {stops.Length} trials stopped at their rungs");
        }
        return true;
    }

    /// <summary>Records how a job ended, and what the scheduler makes of it, in one transaction.</summary>
    private void Complete(int trial, int toStep, TrialResult result)
    {
        steps[trial] = result.Steps;
        Outcome outcome;
        NewSearchEvent logged;
        if (result.AtStep is { } at && (result.Status.IsPaused || result.Status.IsCompleted))
        {
            var value = Metric(search.Scheduler.Metric, at);
            outcome = Outcome.NewReached(toStep, value);
            logged = new NewSearchEvent("reached", trial, Rung(toStep), toStep, value, null);
            if (double.IsFinite(value)) reached.Add((trial, toStep, value));
        }
        else if (result.Status.IsDiverged)
        {
            outcome = Outcome.DivergedOnTheWay;
            logged = new NewSearchEvent("diverged", trial, Rung(toStep), result.Steps, null, result.Message);
        }
        else
        {
            outcome = Outcome.FailedOnTheWay;
            logged = new NewSearchEvent("failed", trial, Rung(toStep), result.Steps, null, result.Message);
        }
        var (next, decision) = Asha.report(trial, outcome, state);
        state = next;
        var status = decision switch
        {
            Decision.Pause => "paused",
            Decision.Complete => "completed",
            Decision.Diverge => "diverged",
            _ => "failed",
        };
        var metric = logged.Kind == "reached" && logged.Value is { } m && double.IsFinite(m) ? m : (double?)null;
        var reports = result.Evaluations.Select(r => new TrialReport(trial, r.Step, r.W1, r.W1Exact, r.CriticW1, r.Energy, r.Nll, r.WallSeconds)).ToList();
        store.Commit([logged, EventOf(decision)], [Row(trial, status, Rung(toStep), metric)], reports, Best());
        Report($"trial {trial}: {status} at step {result.Steps}" + (metric is { } v ? $", {search.Scheduler.Metric} {v:G5}" : $" ({result.Message})"));
    }
}
