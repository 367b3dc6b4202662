namespace GanFlow.Core.Search

open GanFlow.Core.Specs
open GanFlow.Core.Experiments

/// A closed-form learning curve that stands in for training (no torch): the coordination of a search (leases,
/// workers killed and restarted, the store) exercised and timed on real worker processes at no training cost. A worker
/// "trains" such a trial by sleeping `SecondsPerStep` per step, evaluating the curve every `evaluation.every` steps and
/// checkpointing its step in the trial folder as a run does, so a killed job continues from its checkpoint.
[<NoEquality; NoComparison>]
type ClosedFormCurve =
    { /// The metric of a trial with this assignment after `step` training steps (pure).
      Value: Assignment -> int -> float
      /// Wall seconds each step takes (a sleep; 0: as fast as the bookkeeping allows).
      SecondsPerStep: float }

/// What trains a search's trials.
[<RequireQualifiedAccess; NoEquality; NoComparison>]
type TrialTrainer =
    /// The run pipeline trains the trial's experiment (what `ganflow run` does), in the worker's process.
    | Experiment
    /// A closed-form curve instead of training (tests and the bench of the search machinery only).
    | ClosedForm of ClosedFormCurve

/// How a search's trials are trained, as its store records it.
[<RequireQualifiedAccess>]
type TrainerKind =
    /// The run pipeline.
    | Experiment
    /// A closed-form curve taking this many wall seconds per step.
    | ClosedForm of secondsPerStep: float

/// A random search: a base experiment, a typed space, a pure function from an assignment to a concrete experiment,
/// and a scheduler. Declared in `experiments/` like experiments and studies, run with `ganflow search NAME`.
[<NoEquality; NoComparison>]
type Search =
    { /// Name used on the command line (`ganflow search NAME`); lower case, digits and dashes, and it contains `search`.
      Name: string
      /// One line shown by `ganflow list --verbose` and in the report.
      Description: string
      /// The experiment every trial starts from: dataset, evaluation, batch size, training seed (the same for every
      /// trial, so trials differ only by their assignment). Its step budget is replaced by the scheduler's maximum.
      Base: Experiment
      /// The parameters drawn for each trial.
      Space: SearchSpace
      /// Turns the base experiment and one trial's assignment into that trial's experiment (pure; validated before
      /// any trial starts).
      Resolve: Experiment -> Assignment -> Experiment
      /// Scheduler, metric and direction (seed 000: ASHA on W1 with its rungs, `Halving.Seed000`).
      Scheduler: SchedulerSpec
      /// Trials sampled in all (seed 000: 100).
      Trials: int
      /// Seed of the assignments: trial i draws from a generator seeded by (seed, i), whatever ran before it.
      Seed: int
      /// Worker processes run at once by default (`--workers` overrides). The declared searches give 2, the CI machine's
      /// cores.
      Workers: int
      /// What trains the trials: the run pipeline (`TrialTrainer.Experiment`) in every declared search but the
      /// closed-form one of the tests and the bench.
      Trainer: TrialTrainer }

/// What a search folder's store records of its search: everything but the resolve function (which the catalog
/// supplies by name), so that a resume can tell whether the folder holds the same search.
type SearchRecord =
    { /// The search's name (`Search.Name`), under which the store keeps it.
      Name: string
      /// Its one-line description (`Search.Description`).
      Description: string
      /// The experiment every trial starts from (`Search.Base`), in full.
      Base: Experiment
      /// The parameters drawn for each trial (`Search.Space`).
      Space: SearchSpace
      /// Scheduler, metric and direction, with the command line's overrides applied (`Search.Scheduler`).
      Scheduler: SchedulerSpec
      /// Trials sampled in all, as last raised by a resume's `--trials` (`Search.Trials`).
      Trials: int
      /// Seed of the assignments (`Search.Seed`).
      Seed: int
      /// What trains the trials (`Search.Trainer`, without its function).
      Trainer: TrainerKind }

/// Trials of a search.
module Search =

    /// The random stream of the assignments (distinct from every training stream).
    let private assignmentStream = 101

    /// The record the store keeps.
    let record (s: Search) : SearchRecord =
        { Name = s.Name
          Description = s.Description
          Base = s.Base
          Space = s.Space
          Scheduler = s.Scheduler
          Trials = s.Trials
          Seed = s.Seed
          Trainer =
            match s.Trainer with
            | TrialTrainer.Experiment -> TrainerKind.Experiment
            | TrialTrainer.ClosedForm c -> TrainerKind.ClosedForm c.SecondsPerStep }

    /// Trial `trial`'s assignment: drawn from a generator seeded by (search seed, trial) alone.
    let assignment (s: Search) (trial: int) = SearchSpace.sample (Seeds.random s.Seed trial assignmentStream) s.Space

    /// Trial `trial`'s experiment: the resolved assignment, named `SEARCH-trial-NNNN`, with the scheduler's maximum as its
    /// step budget (a trial trains in stages to each milestone, paused and resumed in between).
    let trialExperiment (s: Search) (trial: int) =
        let resolved = s.Resolve s.Base (assignment s trial)
        { resolved with
            Name = sprintf "%s-trial-%04d" s.Name trial
            Budget = { resolved.Budget with Steps = Rungs.maxSteps s.Scheduler.Scheduler; Epochs = None } }

    /// The search with the command line's scheduler options: ASHA's promotion quota (`--quota`), the rung value
    /// (`--rung-value`), the metric it optimises with its direction (`--metric`), and asynchronous Hyperband's brackets
    /// (`--brackets`: an ASHA search with more than one becomes `Scheduler.Hyperband`, with one plain ASHA; a Hyperband
    /// search given its own count is left as declared; a scheduler that is neither is left alone, and `bracketsRefusal`
    /// says why).
    let withSchedulerOptions (quota: PromotionQuota option) (rungValue: RungValue option) (metric: (SearchMetric * Direction) option) (brackets: int option) (s: Search) =
        let scheduler =
            match s.Scheduler.Scheduler, brackets with
            | Scheduler.Hyperband(_, declared) as same, Some b when b = declared -> same
            | (Scheduler.Asha h | Scheduler.Hyperband(h, _)), Some 1 -> Scheduler.Asha h
            | (Scheduler.Asha h | Scheduler.Hyperband(h, _)), Some b -> Scheduler.Hyperband(h, b)
            | other, _ -> other
        { s with
            Scheduler =
                { s.Scheduler with
                    Scheduler = scheduler
                    Quota = defaultArg quota s.Scheduler.Quota
                    RungValue = defaultArg rungValue s.Scheduler.RungValue
                    Metric = metric |> Option.map fst |> Option.defaultValue s.Scheduler.Metric
                    Direction = metric |> Option.map snd |> Option.defaultValue s.Scheduler.Direction } }

    /// The search with the command line's overrides: trials, seed, the first rung (`--grace`) and the maximum
    /// (`--max-steps`).
    let withOverrides (trials: int option) (seed: int option) (grace: int option) (maxSteps: int option) (s: Search) =
        let halving (h: Halving) =
            { h with
                MinSteps = defaultArg grace h.MinSteps
                MaxSteps = defaultArg maxSteps h.MaxSteps }
        let scheduler =
            match s.Scheduler.Scheduler with
            | Scheduler.Asha h -> Scheduler.Asha(halving h)
            | Scheduler.SuccessiveHalving h -> Scheduler.SuccessiveHalving(halving h)
            | Scheduler.Hyperband(h, brackets) -> Scheduler.Hyperband(halving h, brackets)
            | Scheduler.RandomSearch m -> Scheduler.RandomSearch(defaultArg maxSteps m)
        { s with
            Trials = defaultArg trials s.Trials
            Seed = defaultArg seed s.Seed
            Scheduler = { s.Scheduler with Scheduler = scheduler } }

    /// Why `--brackets` cannot apply to the search `s`, if it cannot: brackets divide ASHA's trials, and random search and
    /// synchronous successive halving have none.
    let bracketsRefusal (brackets: int option) (s: Search) =
        match brackets, s.Scheduler.Scheduler with
        | Some b, Scheduler.RandomSearch _ when b <> 1 -> Some(sprintf "--brackets %d: the search %s is random search, which has no rungs to divide into brackets" b s.Name)
        | Some b, Scheduler.SuccessiveHalving _ when b <> 1 ->
            Some(sprintf "--brackets %d: the search %s uses synchronous successive halving; brackets apply to ASHA searches" b s.Name)
        | _ -> None
