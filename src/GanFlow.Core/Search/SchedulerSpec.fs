namespace GanFlow.Core.Search

/// The number a search compares trials by, read from a trial's evaluation at a rung.
[<RequireQualifiedAccess>]
type SearchMetric =
    /// W1 between model and fresh data samples (seed 000 eq. 8), 1-D.
    | W1
    /// W1 to the exact data distribution, 1-D.
    | W1Exact
    /// Energy distance, any dimension.
    | Energy
    /// Exact NLL, flows only.
    | Nll

/// Whether smaller or larger metric values are better.
[<RequireQualifiedAccess>]
type Direction =
    | Minimize
    | Maximize

/// Successive halving's shape (Jamieson & Talwalkar 2016; asynchronous: Li et al. 2020, "ASHA"), in training steps.
type Halving =
    { /// The first rung r (Ray's grace period): every trial trains at least this many steps. Seed 000: 5,000.
      MinSteps: int
      /// The maximum resource R: a trial promoted past the last rung trains to here and completes. Seed 000: 50,000.
      MaxSteps: int
      /// The reduction factor η (>= 2): rungs at r·η^k below R, and the top 1/η of a rung is promoted. Default 4, Ray's
      /// default, as seed 000's reference left it.
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
    /// ranks in the top ⌈n/η⌉ of the n trials recorded at its rung (and the rung has promoted fewer than ⌈n/η⌉) is
    /// continued from its checkpoint to the next rung; otherwise a new trial starts.
    | Asha of Halving
    /// Synchronous successive halving: a rung promotes only once every trial that entered it has reported, the top
    /// ⌊n/η⌋ (at least one), so the promoted set does not depend on the order in which reports arrive.
    | SuccessiveHalving of Halving

/// A search's scheduler and what it optimises.
type SchedulerSpec =
    { /// How trials are scheduled. Default ASHA with seed 000's rungs.
      Scheduler: Scheduler
      /// The metric read at each rung. Default W1.
      Metric: SearchMetric
      /// Default minimise.
      Direction: Direction }

    /// ASHA on W1, minimised, with seed 000's r = 5,000, R = 50,000, η = 4.
    static member Default = { Scheduler = Scheduler.Asha Halving.Seed000; Metric = SearchMetric.W1; Direction = Direction.Minimize }

/// Rung arithmetic shared by the scheduler, the driver and the report.
module Rungs =
    /// The steps at which a trial is evaluated and may be paused: r·η^k for every k with r·η^k < R (Ray's milestones),
    /// then R itself, where a trial completes. Random search: only R.
    let milestones (scheduler: Scheduler) =
        match scheduler with
        | Scheduler.RandomSearch maxSteps -> [ maxSteps ]
        | Scheduler.Asha h
        | Scheduler.SuccessiveHalving h ->
            let rec rungs (step: int64) = if step < int64 h.MaxSteps then int step :: rungs (step * int64 h.ReductionFactor) else []
            rungs (int64 h.MinSteps) @ [ h.MaxSteps ]

    /// The maximum resource of a scheduler.
    let maxSteps (scheduler: Scheduler) = List.last (milestones scheduler)
