namespace GanFlow.Core.Search

/// The number a search compares trials by, read from a trial's evaluation at a rung.
[<RequireQualifiedAccess>]
type SearchMetric =
    /// W1 between model samples and the evaluation's data points (seed 000 eq. 8; column `w1`), 1-D.
    | W1
    /// W1 to the exact data distribution, 1-D.
    | W1Exact
    /// Energy distance, any dimension.
    | Energy
    /// Exact NLL, flows only.
    | Nll
    /// A column a trial's evaluations record, by its `metrics.csv` name: `recall` (seed 000's thesis: search for
    /// recall), `precision`, `coverage`, `kl`, `validation_nll`, `mode_score`, `modes_covered`, …; the experiment must
    /// record it (`MetricColumns.has`). Refused: the columns no search should rank by (`MetricColumns.whyNotRankable`:
    /// `density`, `critic_w1`, the losses, `nfe`, the inverse errors, `train_nll`). `step` and `wall_seconds` are not
    /// metrics.
    | Column of name: string

/// Names of a search metric.
module SearchMetric =
    /// Its name in `ganflow search-status`'s `best_NAME` key and in the report: `w1`, `w1exact`, `energy`, `nll` (the
    /// keys these metrics always had), or the column's name.
    let name (metric: SearchMetric) =
        match metric with
        | SearchMetric.Column column -> column
        | other -> (sprintf "%A" other).ToLowerInvariant()

/// Whether smaller or larger metric values are better.
[<RequireQualifiedAccess>]
type Direction =
    /// Smaller is better (distances, likelihoods' negatives).
    | Minimize
    /// Larger is better (precision, recall, coverage, scores).
    | Maximize

/// Successive halving's shape (Jamieson & Talwalkar 2016; asynchronous: Li et al. 2020, "ASHA"), in training steps.
type Halving =
    { /// The first rung r (Ray's grace period): every trial trains at least this many steps. Seed 000: 5,000.
      MinSteps: int
      /// The maximum resource R: a trial promoted past the last rung trains to here and completes. Seed 000: 50,000.
      MaxSteps: int
      /// The reduction factor η (>= 2): rungs at r·η^k below R, and the top 1/η of a rung is promoted. Seed 000: 4,
      /// Ray's default, as seed 000's reference left it.
      ReductionFactor: int }

    /// r = 5,000, R = 50,000, η = 4 (seed 000 sec. 4.1).
    static member Seed000 = { MinSteps = 5_000; MaxSteps = 50_000; ReductionFactor = 4 }

/// How trials are scheduled.
[<RequireQualifiedAccess>]
type Scheduler =
    /// Plain random search: every trial trains to `maxSteps`, no early stopping.
    | RandomSearch of maxSteps: int
    /// Asynchronous successive halving with pause and promote (Li et al. 2020, Algorithm 2): a trial that reaches a
    /// rung is checkpointed and waits there; whenever a worker is free, the best waiting trial of the highest rung that
    /// ranks in the top quota (⌈n/η⌉ or ⌊n/η⌋, `SchedulerSpec.Quota`) of the n trials recorded at its rung (and the rung
    /// has promoted fewer than that) is continued from its checkpoint to the next rung; otherwise a new trial starts.
    | Asha of Halving
    /// Synchronous successive halving: a rung promotes only once every trial that entered it has reported, the top
    /// ⌊n/η⌋ (at least one), so the promoted set does not depend on the order in which reports arrive.
    | SuccessiveHalving of Halving
    /// Asynchronous Hyperband (Li et al. 2020: ASHA brackets with different early-stopping rates s; Ray Tune's
    /// `AsyncHyperBandScheduler` with `brackets` > 1): bracket b is ASHA on the rungs from milestone b on (its first rung
    /// r·η^b), ranking and promoting only its own trials. Trial t belongs to bracket b = t mod `brackets` (round robin,
    /// this project's choice, so that a trial's bracket depends on nothing but its id; Ray draws a trial's bracket at
    /// random, weighted by a softmax over the brackets' rung counts). Bracket 0 is plain ASHA; the later brackets hedge
    /// against successive halving stopping slow starters (a low learning rate) at an early rung, at a cost: every b-th
    /// trial trains η^b times longer before its first cut, and with `brackets` equal to the number of milestones the
    /// last bracket (1/brackets of all trials) trains straight to R, random search (seed 000's scale: a third of the
    /// trials to 50,000 steps). `brackets` from 1 (plain ASHA) to the number of milestones; the quota and the rung value
    /// are the spec's, as for ASHA. No default: a search is ASHA unless it declares Hyperband or runs with `--brackets`.
    | Hyperband of halving: Halving * brackets: int

/// How many of the n trials recorded at a rung ASHA may promote from it (synchronous halving always takes ⌊n/η⌋, at
/// least one, once the rung is complete).
[<RequireQualifiedAccess>]
type PromotionQuota =
    /// ⌈n/η⌉, Ray Tune's `AsyncHyperBandScheduler` (what seed 000's reference ran): the first trial to reach a rung is
    /// promoted at once (1 of 1), whatever it scored.
    | Ceiling
    /// ⌊n/η⌋, Li et al. 2020, Algorithm 2 (`top_k(rung k, |rung k|/η)`): a rung promotes nothing until η trials have
    /// reported there, so an early arrival is compared with at least η − 1 others first.
    | Floor

/// The number a trial is ranked by at a rung, read from its evaluations up to the milestone. A WGAN's W1 moves 2-3×
/// between neighbouring evaluations, so one evaluation ranks trials poorly; a mean or a median of the last few is
/// steadier (the "rung value robust to noise" of issue 18).
[<RequireQualifiedAccess>]
type RungValue =
    /// The evaluation at the milestone alone (Ray's and Li et al.'s rule).
    | AtMilestone
    /// The mean of the last `last` evaluations at or before the milestone (all of them when the trial has fewer).
    | MeanOfLast of last: int
    /// The median of the last `last` evaluations at or before the milestone (all of them when the trial has fewer;
    /// the mean of the middle two for an even count).
    | MedianOfLast of last: int

/// A search's scheduler and what it optimises.
type SchedulerSpec =
    { /// How trials are scheduled. Default ASHA with seed 000's rungs.
      Scheduler: Scheduler
      /// The metric read at each rung. Default W1.
      Metric: SearchMetric
      /// Default minimise.
      Direction: Direction
      /// ASHA's promotion quota per rung. Default ⌈n/η⌉ (Ray's, seed 000's reference).
      Quota: PromotionQuota
      /// The value a trial is ranked by at a rung. Default the evaluation at the milestone alone.
      RungValue: RungValue }

    /// ASHA on W1, minimised, with seed 000's r = 5,000, R = 50,000, η = 4, Ray's ⌈n/η⌉ quota and the evaluation at
    /// the milestone as the rung value (what the reference ran).
    static member Default =
        { Scheduler = Scheduler.Asha Halving.Seed000
          Metric = SearchMetric.W1
          Direction = Direction.Minimize
          Quota = PromotionQuota.Ceiling
          RungValue = RungValue.AtMilestone }

/// Rung arithmetic shared by the scheduler, the driver and the report.
module Rungs =
    /// The steps at which a trial is evaluated and may be paused: r·η^k for every k with r·η^k < R (Ray's milestones),
    /// then R itself, where a trial completes. Random search: only R.
    let milestones (scheduler: Scheduler) =
        match scheduler with
        | Scheduler.RandomSearch maxSteps -> [ maxSteps ]
        | Scheduler.Asha h
        | Scheduler.SuccessiveHalving h
        | Scheduler.Hyperband(h, _) ->
            let rec rungs (step: int64) = if step < int64 h.MaxSteps then int step :: rungs (step * int64 h.ReductionFactor) else []
            rungs (int64 h.MinSteps) @ [ h.MaxSteps ]

    /// The maximum resource of a scheduler.
    let maxSteps (scheduler: Scheduler) = List.last (milestones scheduler)

    /// The brackets of a scheduler: Hyperband's count, 1 for every other scheduler.
    let brackets (scheduler: Scheduler) = match scheduler with Scheduler.Hyperband(_, b) -> b | _ -> 1

    /// The bracket of trial `trial` (t mod the brackets; 0 for every scheduler but Hyperband). Its first milestone is
    /// milestone `bracket`.
    let bracket (scheduler: Scheduler) (trial: int) = trial % brackets scheduler

    /// The generator steps a whole search of `trials` trials is expected to train, for progress and ETA displays: each
    /// trial to its bracket's first milestone, then 1/η of a bracket's trials on to each next milestone (fractional: the
    /// promotion quota rounds, so a finished search may differ by part of a rung). Random search: every trial to R.
    let expectedSteps (scheduler: Scheduler) (trials: int) =
        let milestones = milestones scheduler
        let eta =
            match scheduler with
            | Scheduler.Asha h | Scheduler.SuccessiveHalving h | Scheduler.Hyperband(h, _) -> float h.ReductionFactor
            | Scheduler.RandomSearch _ -> 1.0
        [ 0 .. trials - 1 ]
        |> List.countBy (bracket scheduler)
        |> List.sumBy (fun (b, inBracket) ->
            [ b .. milestones.Length - 1 ]
            |> List.sumBy (fun k -> float inBracket / (eta ** float (k - b)) * float (milestones[k] - (if k = b then 0 else milestones[k - 1]))))

    /// A trial's value at the milestone `milestone` under `rule`, from its evaluations `(step, value)` (any order; those
    /// after the milestone are ignored). NaN when it has no evaluation at or before the milestone; non-finite when one of
    /// the evaluations it uses is (the trial diverged there). The value lies between the smallest and the largest of the
    /// evaluations it uses.
    let value (rule: RungValue) (evaluations: (int * float) list) (milestone: int) =
        let upTo = evaluations |> List.filter (fun (step, _) -> step <= milestone) |> List.sortBy fst |> List.map snd
        let lastOf k = upTo |> List.skip (max 0 (upTo.Length - k))
        match rule, upTo with
        | _, [] -> nan
        | RungValue.AtMilestone, _ -> List.last upTo
        | RungValue.MeanOfLast k, _ -> List.average (lastOf k)
        | RungValue.MedianOfLast k, _ ->
            let used = lastOf k
            if used |> List.exists (System.Double.IsFinite >> not) then used |> List.find (System.Double.IsFinite >> not)
            else
                let sorted = List.sort used |> Array.ofList
                let n = sorted.Length
                if n % 2 = 1 then sorted[n / 2] else (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
