using GanFlow.Core.Search;
using GanFlow.Core.Specs;
using GanFlow.Store;
using Microsoft.FSharp.Collections;
using SearchSpec = GanFlow.Core.Search.Search;

namespace GanFlow.Runtime.Search;

/// <summary>
/// A worker's view of a search: the scheduler's state folded from the store's event log, event by event, checking that
/// every recorded decision is the one the pure scheduler (<see cref="Asha"/>) takes again (so a log written by another
/// search or another scheduler is refused instead of silently followed). Every worker folds the same log, so all reach
/// the same state; the decisions it appends it folds like anyone else's. Also the translation between the scheduler's
/// decisions and the store's event rows.
/// </summary>
public sealed class SearchLedger
{
    private readonly SearchSpec search;
    private readonly string location;
    private readonly List<(int Trial, int Step, double Value)> reached = [];
    private readonly Dictionary<int, int> steps = [];
    private Decision? derived;

    /// <summary>The ledger of <paramref name="search"/> before any event; <paramref name="location"/> names the store in messages.</summary>
    public SearchLedger(SearchSpec search, string location)
    {
        this.search = search;
        this.location = location;
        State = Asha.init(search.Scheduler, search.Trials);
    }

    /// <summary>The scheduler's state after the events folded so far.</summary>
    public SearchState State { get; private set; }

    /// <summary>The sequence number of the last event folded (0 before any).</summary>
    public long Sequence { get; private set; }

    /// <summary>Whether the search is over: nothing runs, nothing can start or be promoted, and no trial waits at a rung
    /// (the waiting ones were stopped by recorded <c>stop</c> decisions).</summary>
    public bool Over => Asha.isFinished(State) && State.Phases.All(p => !p.Value.IsPaused);

    /// <summary>Steps a trial has completed, by the log.</summary>
    public int StepsOf(int trial) => steps.GetValueOrDefault(trial);

    /// <summary>The store's name of a decision.</summary>
    public static string Kind(Decision d) => d switch
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

    /// <summary>The trial, rung and step of a decision (a start's rung is 0 here; <see cref="EventOf"/> records the rung of
    /// the milestone it starts towards).</summary>
    public static (int Trial, int? Rung, int? Step) Fields(Decision d) => d switch
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

    /// <summary>The event row of a decision (a started trial's carries its assignment, and the rung of the milestone it
    /// starts towards: 0, or its bracket's first rung under Hyperband).</summary>
    public NewSearchEvent EventOf(Decision d)
    {
        var (trial, rung, step) = Fields(d);
        if (d is Decision.Start start) rung = Rung(start.toStep);
        var detail = d is Decision.Start ? SearchSpaceModule.describe(SearchModule.assignment(search, trial)) : null;
        return new NewSearchEvent(Kind(d), trial, rung, step, null, detail);
    }

    /// <summary>The milestone index of a milestone step.</summary>
    public int Rung(int toStep) => State.Milestones.ToList().IndexOf(toStep);

    private static bool Matches(SearchEvent logged, NewSearchEvent now) =>
        logged.Kind == now.Kind && logged.Trial == now.Trial && logged.Rung == now.Rung && logged.Step == now.Step;

    private RunFolderException Disagreement(SearchEvent logged, string now) =>
        new($"{location}: recorded decision #{logged.Sequence} ({logged.Kind} trial {logged.Trial}) of search {search.Name} " +
            $"is not what the scheduler decides now ({now}): the search spec or the scheduler changed since it was recorded");

    /// <summary>Raises the trial count to <paramref name="trials"/> (a resume with more trials); never lowers it.</summary>
    public void AllowTrials(int trials)
    {
        State = Asha.allowTrials(trials, State);
    }

    /// <summary>Folds events (in order, each after the last folded one).</summary>
    /// <exception cref="RunFolderException">A recorded decision is not the one the scheduler takes again.</exception>
    public void Fold(IEnumerable<SearchEvent> events)
    {
        foreach (var e in events)
        {
            if (e.Sequence <= Sequence) continue;
            switch (e.Kind)
            {
                case "start" or "promote":
                {
                    var (next, decision) = Asha.next(State);
                    if (decision is null || !Matches(e, EventOf(decision.Value))) throw Disagreement(e, decision is null ? "nothing" : Kind(decision.Value));
                    State = next;
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
                    var (next, decision) = Asha.report(e.Trial, outcome, State);
                    State = next;
                    derived = decision;
                    if (e.Kind == "reached" && e.Value is { } v) reached.Add((e.Trial, e.Step ?? 0, v));
                    if (e.Step is { } s) steps[e.Trial] = s;
                    break;
                }
                case "stop":
                    // The search's end stops every waiting trial at once; its other stop events find theirs stopped.
                    if (State.Phases.TryGetValue(e.Trial, out var phase) && phase.IsPaused) State = Asha.finish(State).Item1;
                    break;
                default: // pause, complete, diverge, fail: the decision that followed the last outcome
                    if (derived is null || !Matches(e, EventOf(derived))) throw Disagreement(e, derived is null ? "nothing" : Kind(derived));
                    derived = null;
                    break;
            }
            Sequence = e.Sequence;
        }
    }

    /// <summary>The trial row of <paramref name="trial"/> with this status, rung and metric.</summary>
    public TrialRow Row(int trial, string status, int rung, double? metric)
    {
        var assignment = SearchModule.assignment(search, trial);
        return new TrialRow(trial, SearchSpaceModule.describe(assignment), SpecJson.serialize(assignment),
            SpecJson.serialize(SearchModule.trialExperiment(search, trial)), SearchDriver.TrialFolder(trial), status, rung, StepsOf(trial), metric);
    }

    /// <summary>The best trial by the log so far, or null.</summary>
    public BestTrial? Best()
    {
        var best = Asha.best(ListModule.OfSeq(reached.Select(r => Tuple.Create(r.Trial, r.Step, r.Value))), search.Scheduler.Direction);
        return best is null ? null : new BestTrial(best.Value.Item1, best.Value.Item2, best.Value.Item3);
    }

    /// <summary>The last rung value a trial reached, or null.</summary>
    public double? LastValueOf(int trial) => reached.Where(x => x.Trial == trial).Select(x => (double?)x.Value).LastOrDefault();
}
