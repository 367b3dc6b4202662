namespace GanFlow.Core.Search

open GanFlow.Core.Specs
open GanFlow.Core.Experiments

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
      /// Scheduler, metric and direction. Default ASHA on W1 with seed 000's rungs.
      Scheduler: SchedulerSpec
      /// Trials sampled in all (seed 000: 100).
      Trials: int
      /// Seed of the assignments: trial i draws from a generator seeded by (seed, i), whatever ran before it.
      Seed: int
      /// Worker processes run at once by default (`--workers` overrides). Default 2, the CI machine's cores.
      Workers: int }

/// What a search folder's store records of its search: everything but the resolve function (which the catalog
/// supplies by name), so that a resume can tell whether the folder holds the same search.
type SearchRecord =
    { Name: string
      Description: string
      Base: Experiment
      Space: SearchSpace
      Scheduler: SchedulerSpec
      Trials: int
      Seed: int }

/// Trials of a search.
module Search =

    /// The random stream of the assignments (distinct from every training stream).
    let private assignmentStream = 101

    /// The record the store keeps.
    let record (s: Search) : SearchRecord =
        { Name = s.Name; Description = s.Description; Base = s.Base; Space = s.Space; Scheduler = s.Scheduler; Trials = s.Trials; Seed = s.Seed }

    /// Trial `trial`'s assignment: drawn from a generator seeded by (search seed, trial) alone.
    let assignment (s: Search) (trial: int) = SearchSpace.sample (Seeds.random s.Seed trial assignmentStream) s.Space

    /// Trial `trial`'s experiment: the resolved assignment, named `SEARCH-trial-NNNN`, with the scheduler's maximum as its
    /// step budget (a trial trains in stages to each milestone, paused and resumed in between).
    let trialExperiment (s: Search) (trial: int) =
        let resolved = s.Resolve s.Base (assignment s trial)
        { resolved with
            Name = sprintf "%s-trial-%04d" s.Name trial
            Budget = { resolved.Budget with Steps = Rungs.maxSteps s.Scheduler.Scheduler } }

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
            | Scheduler.RandomSearch m -> Scheduler.RandomSearch(defaultArg maxSteps m)
        { s with
            Trials = defaultArg trials s.Trials
            Seed = defaultArg seed s.Seed
            Scheduler = { s.Scheduler with Scheduler = scheduler } }
