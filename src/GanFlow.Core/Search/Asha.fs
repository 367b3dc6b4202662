namespace GanFlow.Core.Search

/// Where one trial of a search stands.
[<RequireQualifiedAccess>]
type TrialPhase =
    /// A job trains it (or, after a crash, must train it again from its checkpoint) to `toStep`.
    | Running of toStep: int
    /// It reported at milestone `rung` (0-based, below the last) and waits there, checkpointed, for a promotion.
    | Paused of rung: int
    /// The search ended while it waited at `rung`: never promoted.
    | Stopped of rung: int
    /// It trained to the maximum resource.
    | Completed
    /// Its loss or metric became NaN or infinite on the way to a rung.
    | Diverged
    /// Its run failed for another reason.
    | Failed

/// What a trial's job ended with.
[<RequireQualifiedAccess>]
type Outcome =
    /// It reached the milestone `step` with this metric value.
    | Reached of step: int * value: float
    /// It diverged before reaching its milestone.
    | DivergedOnTheWay
    /// It failed before reaching its milestone.
    | FailedOnTheWay

/// A scheduling decision, as the store records it.
[<RequireQualifiedAccess>]
type Decision =
    /// Start trial `trial` (the next of the search's sequence) and train it to `toStep`.
    | Start of trial: int * toStep: int
    /// Continue `trial` from its checkpoint at milestone `rung` to `toStep` (never retrained from scratch).
    | Promote of trial: int * rung: int * toStep: int
    /// `trial` reported at milestone `rung` and waits there.
    | Pause of trial: int * rung: int
    /// `trial` reached the maximum resource.
    | Complete of trial: int
    /// The search ended with `trial` waiting at `rung`.
    | Stop of trial: int * rung: int
    /// `trial` diverged.
    | Diverge of trial: int
    /// `trial` failed.
    | Fail of trial: int

/// The state of a search's scheduler: a pure value, changed only by `Asha.next`, `Asha.report` and `Asha.finish`, so
/// that the driver's I/O is kept apart and a resumed search rebuilds its state by replaying the recorded events.
type SearchState =
    { /// The scheduler and what it optimises.
      Spec: SchedulerSpec
      /// Milestone steps (`Rungs.milestones`): rungs, then the maximum.
      Milestones: int list
      /// Trials the search may start in all.
      Trials: int
      /// Trials started so far (trial ids are 0 .. Started − 1, in order).
      Started: int
      /// Every started trial's phase.
      Phases: Map<int, TrialPhase>
      /// Per rung index: the (trial, value) pairs recorded there, in arrival order (a diverged or failed trial counts
      /// with the worst possible value: it spent the rung's resource and ranks last).
      Recorded: Map<int, (int * float) list>
      /// Per rung index: the trials promoted from it.
      Promoted: Map<int, Set<int>>
      /// Per rung index: the trials sent towards it (started towards their bracket's first rung, 0 without brackets;
      /// promoted to the others).
      Entered: Map<int, Set<int>> }

/// The scheduler's transitions (pure).
module Asha =

    let private recordedAt (rung: int) (s: SearchState) = s.Recorded |> Map.tryFind rung |> Option.defaultValue []
    let private promotedFrom (rung: int) (s: SearchState) = s.Promoted |> Map.tryFind rung |> Option.defaultValue Set.empty
    let private enteredAt (rung: int) (s: SearchState) = s.Entered |> Map.tryFind rung |> Option.defaultValue Set.empty
    let private add (rung: int) (trial: int) (m: Map<int, Set<int>>) = m |> Map.add rung (Set.add trial (m |> Map.tryFind rung |> Option.defaultValue Set.empty))

    /// The worst value of a direction (a diverged or failed trial's).
    let worst (direction: Direction) = match direction with Direction.Minimize -> infinity | Direction.Maximize -> -infinity

    /// The trials recorded at `rung`, best first (ties: the earlier trial first).
    let ranking (rung: int) (s: SearchState) =
        let key (trial, value) = (match s.Spec.Direction with Direction.Minimize -> value | Direction.Maximize -> -value), trial
        recordedAt rung s |> List.sortBy key

    /// The bracket of `trial` (`Rungs.bracket`: 0 for every scheduler but Hyperband).
    let bracketOf (s: SearchState) (trial: int) = Rungs.bracket s.Spec.Scheduler trial

    /// The trials of `bracket` recorded at `rung`, best first: what the bracket ranks and promotes by (every trial
    /// recorded there for a scheduler without brackets).
    let bracketRanking (bracket: int) (rung: int) (s: SearchState) = ranking rung s |> List.filter (fun (trial, _) -> bracketOf s trial = bracket)

    /// The trials of `bracket` promoted from `rung`.
    let promotedIn (bracket: int) (rung: int) (s: SearchState) = promotedFrom rung s |> Set.filter (fun trial -> bracketOf s trial = bracket)

    /// How many of the n trials recorded at a rung may be promoted from it: ASHA ⌈n/η⌉ (Ray's) or ⌊n/η⌋ (Li et al.'s),
    /// as the spec's `Quota` says; ⌊n/η⌋ but at least one once the rung is complete (synchronous); none for random search.
    let quota (s: SearchState) (n: int) =
        match s.Spec.Scheduler with
        | Scheduler.Asha h
        | Scheduler.Hyperband(h, _) when s.Spec.Quota = PromotionQuota.Floor -> n / h.ReductionFactor
        | Scheduler.Asha h
        | Scheduler.Hyperband(h, _) -> (n + h.ReductionFactor - 1) / h.ReductionFactor
        | Scheduler.SuccessiveHalving h -> if n = 0 then 0 else max 1 (n / h.ReductionFactor)
        | Scheduler.RandomSearch _ -> 0

    /// A fresh search that may start `trials` trials.
    let init (spec: SchedulerSpec) (trials: int) =
        { Spec = spec
          Milestones = Rungs.milestones spec.Scheduler
          Trials = trials
          Started = 0
          Phases = Map.empty
          Recorded = Map.empty
          Promoted = Map.empty
          Entered = Map.empty }

    /// The search allowed to start `trials` trials in all (a resume with a raised `--trials`); never lowers the count.
    let allowTrials (trials: int) (s: SearchState) = if trials > s.Trials then { s with Trials = trials } else s

    /// Whether every trial sent towards `rung` has reported there (synchronous halving waits for it); rung 0 also needs
    /// every trial of the search started.
    let isRungComplete (rung: int) (s: SearchState) =
        let entered = enteredAt rung s
        let reported = recordedAt rung s |> List.map fst |> Set.ofList
        (rung > 0 || s.Started = s.Trials) && Set.isSubset entered reported

    /// The trial of `bracket` to promote from `rung` now, if any: among the top `quota` of the bracket's ranking at the
    /// rung, the best that waits there, while the bracket has promoted fewer than its quota from the rung.
    let private promotable (bracket: int) (rung: int) (s: SearchState) =
        let ranked = bracketRanking bracket rung s
        let allowed =
            match s.Spec.Scheduler with
            | Scheduler.SuccessiveHalving _ when not (isRungComplete rung s) -> 0
            | _ -> quota s ranked.Length
        let promoted = promotedIn bracket rung s
        if promoted.Count >= allowed then None
        else
            ranked
            |> List.truncate allowed
            |> List.tryFind (fun (trial, _) -> s.Phases |> Map.tryFind trial = Some(TrialPhase.Paused rung) && not (promoted.Contains trial))
            |> Option.map fst

    /// The next job for a free worker: the best promotable trial of the highest rung (Li et al. 2020, Algorithm 2; with
    /// brackets, the lowest bracket first among those at that rung), else a new trial, else none (the driver waits for
    /// running jobs, or the search is over). A new trial starts towards its bracket's first milestone.
    let next (s: SearchState) : SearchState * Decision option =
        let rungs = s.Milestones.Length - 1 // milestone indices 0 .. rungs − 1 are rungs; the last is the maximum
        let brackets = Rungs.brackets s.Spec.Scheduler
        let promotion =
            [ for rung in rungs - 1 .. -1 .. 0 do for bracket in 0 .. min rung (brackets - 1) -> rung, bracket ]
            |> List.tryPick (fun (rung, bracket) -> promotable bracket rung s |> Option.map (fun trial -> rung, trial))
        match promotion with
        | Some(rung, trial) ->
            let toStep = s.Milestones[rung + 1]
            { s with
                Phases = s.Phases |> Map.add trial (TrialPhase.Running toStep)
                Promoted = s.Promoted |> add rung trial
                Entered = s.Entered |> add (rung + 1) trial },
            Some(Decision.Promote(trial, rung, toStep))
        | None when s.Started < s.Trials ->
            let trial = s.Started
            let first = bracketOf s trial
            { s with
                Started = trial + 1
                Phases = s.Phases |> Map.add trial (TrialPhase.Running s.Milestones[first])
                Entered = s.Entered |> add first trial },
            Some(Decision.Start(trial, s.Milestones[first]))
        | None -> s, None

    /// Records how a running trial's job ended and decides what becomes of it.
    /// Raises `System.InvalidOperationException` for a trial that is not running, or a step it was not sent to.
    let report (trial: int) (outcome: Outcome) (s: SearchState) : SearchState * Decision =
        let toStep =
            match s.Phases |> Map.tryFind trial with
            | Some(TrialPhase.Running toStep) -> toStep
            | other -> invalidOp (sprintf "trial %d is not running (%A): nothing to report" trial other)
        let rung = s.Milestones |> List.findIndex ((=) toStep)
        let last = rung = s.Milestones.Length - 1
        let record value = if last then s.Recorded else s.Recorded |> Map.add rung (recordedAt rung s @ [ trial, value ])
        match outcome with
        | Outcome.Reached(step, _) when step <> toStep -> invalidOp (sprintf "trial %d reported step %d, it was sent to %d" trial step toStep)
        | Outcome.Reached(_, value) when not (System.Double.IsFinite value) ->
            { s with Phases = s.Phases |> Map.add trial TrialPhase.Diverged; Recorded = record (worst s.Spec.Direction) }, Decision.Diverge trial
        | Outcome.Reached _ when last -> { s with Phases = s.Phases |> Map.add trial TrialPhase.Completed }, Decision.Complete trial
        | Outcome.Reached(_, value) ->
            { s with Phases = s.Phases |> Map.add trial (TrialPhase.Paused rung); Recorded = record value }, Decision.Pause(trial, rung)
        | Outcome.DivergedOnTheWay ->
            { s with Phases = s.Phases |> Map.add trial TrialPhase.Diverged; Recorded = record (worst s.Spec.Direction) }, Decision.Diverge trial
        | Outcome.FailedOnTheWay ->
            { s with Phases = s.Phases |> Map.add trial TrialPhase.Failed; Recorded = record (worst s.Spec.Direction) }, Decision.Fail trial

    /// Trials with a job to run (or to run again after a crash).
    let running (s: SearchState) =
        s.Phases |> Map.toList |> List.choose (fun (t, p) -> match p with TrialPhase.Running toStep -> Some(t, toStep) | _ -> None)

    /// Whether the search is over: nothing runs and nothing can start or be promoted.
    let isFinished (s: SearchState) = List.isEmpty (running s) && (snd (next s)).IsNone

    /// Ends a finished search: every waiting trial is stopped at its rung.
    let finish (s: SearchState) : SearchState * Decision list =
        let waiting = s.Phases |> Map.toList |> List.choose (fun (t, p) -> match p with TrialPhase.Paused rung -> Some(t, rung) | _ -> None)
        { s with Phases = (s.Phases, waiting) ||> List.fold (fun m (t, rung) -> m |> Map.add t (TrialPhase.Stopped rung)) },
        waiting |> List.map Decision.Stop

    /// The best trial so far and its value: the best value recorded at the highest milestone any trial reached
    /// (completed trials at the maximum count above every rung).
    let best (values: (int * int * float) list) (direction: Direction) =
        // values: (trial, step, value) of every report
        values
        |> List.filter (fun (_, _, v) -> System.Double.IsFinite v)
        |> List.sortBy (fun (trial, step, v) -> -step, (match direction with Direction.Minimize -> v | Direction.Maximize -> -v), trial)
        |> List.tryHead
