namespace GanFlow.Core.Search

open GanFlow.Core.Specs
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Experiments

/// Boundary checks of searches: every error before any trial starts, each naming the field and the value.
module SearchValidation =

    let private domain (at: string) (d: Domain) =
        match d with
        | Domain.Choice [] -> Check.fail (at + ".values") "[]" "must hold at least one value"
        | Domain.Choice _ -> []
        | Domain.Uniform(low, high) ->
            Check.finite (at + ".low") low @ Check.finite (at + ".high") high
            @ (if low <= high then [] else Check.fail (at + ".low") low (sprintf "must not exceed high (%g)" high))
        | Domain.LogUniform(low, high) ->
            Check.positive (at + ".low") low @ Check.positive (at + ".high") high
            @ (if low <= high then [] else Check.fail (at + ".low") low (sprintf "must not exceed high (%g)" high))
        | Domain.IntRange(low, high) ->
            if low <= high then [] else Check.fail (at + ".low") low (sprintf "exceeds high (%d): the range holds no integer" high)

    /// Every error of a space: names unique and non-empty, domains well formed, conditions on an earlier parameter.
    let spaceErrors (space: SearchSpace) =
        let names = space |> List.map _.Name
        (space
         |> List.mapi (fun i p ->
             let at = sprintf "space[%d]" i
             (if System.String.IsNullOrWhiteSpace p.Name then Check.fail (at + ".name") p.Name "must not be empty" else [])
             @ (if (names |> List.filter ((=) p.Name)).Length > 1 then Check.fail (at + ".name") p.Name "is used by more than one parameter" else [])
             @ domain (sprintf "space[%s].domain" p.Name) p.Domain
             @ (match p.When with
                | None -> []
                | Some c ->
                    let earlier = names |> List.take i
                    (if List.contains c.Parameter earlier then []
                     elif List.contains c.Parameter names then Check.fail (sprintf "space[%s].when.parameter" p.Name) c.Parameter "is not an earlier parameter (conditions refer backwards)"
                     else Check.fail (sprintf "space[%s].when.parameter" p.Name) c.Parameter "is not a parameter of the space")
                    @ (if List.isEmpty c.OneOf then Check.fail (sprintf "space[%s].when.oneOf" p.Name) "[]" "must hold at least one value" else [])))
         |> List.concat)

    let private halving (at: string) (h: Halving) =
        Check.atLeast (at + ".reductionFactor") 2 h.ReductionFactor
        @ Check.atLeast (at + ".minSteps") 1 h.MinSteps
        @ Check.atLeast (at + ".maxSteps") 1 h.MaxSteps
        // Blame the grace period only when maxSteps itself is a valid budget (`--max-steps -1` is maxSteps' fault).
        @ (if h.MaxSteps < 1 || h.MinSteps <= h.MaxSteps then []
           else Check.fail (at + ".minSteps") h.MinSteps (sprintf "the grace period must not exceed maxSteps (%d)" h.MaxSteps))

    /// Every error of a search metric for this dataset and model (checked on the base experiment and on every trial's).
    let metricErrors (spec: SchedulerSpec) (experiment: Experiment) =
        match spec.Metric, experiment.Model with
        | SearchMetric.W1Exact, _ when experiment.Law.IsNone ->
            Check.fail "scheduler.metric" "W1Exact" "needs a known law, and the experiment's data are a sample file or images; rank by W1 (against the validation split) instead"
        | (SearchMetric.W1 | SearchMetric.W1Exact), _ when experiment.Dimension <> 1 ->
            Check.fail "scheduler.metric" (sprintf "%A" spec.Metric) "needs 1-D data (W1 by eq. 8 is 1-D); use Energy"
        | SearchMetric.Nll, model when not (Model.hasDensity model) -> Check.fail "scheduler.metric" "Nll" "needs a model with a density (a flow)"
        | SearchMetric.Column name, _ when not (MetricColumns.isMetric name) ->
            Check.fail "scheduler.metric.column" name (sprintf "is not a recorded metric; the metrics are %s" (MetricColumns.metricNames MetricColumns.all))
        | SearchMetric.Column("w1" | "w1_exact" | "energy" | "nll" as name), _ ->
            Check.fail "scheduler.metric.column" name "is one of the metric's own cases: use SearchMetric.W1, W1Exact, Energy or Nll (`--metric` maps the name to it)"
        | SearchMetric.Column name, _ when (MetricColumns.whyNotRankable name).IsSome ->
            Check.fail "scheduler.metric.column" name (Option.get (MetricColumns.whyNotRankable name))
        | SearchMetric.Column name, _ when not (MetricColumns.has experiment name) ->
            Check.fail "scheduler.metric.column" name
                (sprintf "is not recorded by the experiment %s (its model and data record %s)" experiment.Name (MetricColumns.metricNames (MetricColumns.ofExperiment experiment)))
        | SearchMetric.Column("precision" | "recall" | "coverage" as name), _ when experiment.Evaluation.Samples < RecallScores.PointsNeeded ->
            Check.fail "scheduler.metric.column" name
                (sprintf "needs evaluation.samples >= %d (k-NN balls with k = 5), but the experiment %s evaluates %d" RecallScores.PointsNeeded experiment.Name experiment.Evaluation.Samples)
        | SearchMetric.Column name, _ when spec.Direction = Direction.Minimize && List.contains name MetricColumns.largerIsBetter ->
            Check.fail "scheduler.direction" "Minimize" (sprintf "would search for the worst %s: larger is better; use Maximize" name)
        | SearchMetric.Column name, _ when spec.Direction = Direction.Maximize && List.contains name MetricColumns.smallerIsBetter ->
            Check.fail "scheduler.direction" "Maximize" (sprintf "would search for the worst %s: smaller is better; use Minimize" name)
        | _ -> []

    /// Every error of a scheduler spec, and of its metric for this dataset and model.
    let schedulerErrors (spec: SchedulerSpec) (experiment: Experiment) =
        (match spec.Scheduler with
         | Scheduler.RandomSearch m -> Check.atLeast "scheduler.maxSteps" 1 m
         | Scheduler.Asha h -> halving "scheduler.asha" h
         | Scheduler.SuccessiveHalving h -> halving "scheduler.successiveHalving" h
         | Scheduler.Hyperband(h, brackets) ->
             match halving "scheduler.hyperband" h with
             | [] ->
                 let milestones = (Rungs.milestones spec.Scheduler).Length
                 if brackets < 1 || brackets > milestones then
                     Check.fail "scheduler.hyperband.brackets" (string brackets)
                         (sprintf "must lie between 1 and the number of milestones, %d (%s): bracket b starts at milestone b" milestones
                             (Rungs.milestones spec.Scheduler |> List.map string |> String.concat ", "))
                 else []
             | errors -> errors)
        @ (match spec.RungValue with
           | RungValue.MeanOfLast k -> Check.atLeast "scheduler.rungValue.meanOfLast" 1 k
           | RungValue.MedianOfLast k -> Check.atLeast "scheduler.rungValue.medianOfLast" 1 k
           | RungValue.AtMilestone -> [])
        @ metricErrors spec experiment

    /// The most trials a search may sample (seed 000's search: 100).
    [<Literal>]
    let MaxTrials = 100_000

    /// Every error of a search, with each trial's resolved experiment validated too (naming the trial, its assignment
    /// and the experiment's error).
    let errors (s: Search) : SpecError list =
        let own =
            (if System.String.IsNullOrWhiteSpace s.Name || not (s.Name |> Seq.forall (fun c -> System.Char.IsAsciiLetterLower c || System.Char.IsAsciiDigit c || c = '-')) then
                 Check.fail "name" s.Name "may hold only lower-case letters, digits and dashes"
             elif not (s.Name.Contains "search") then Check.fail "name" s.Name "must contain 'search' (names say what they are)"
             else [])
            @ Check.atLeast "trials" 1 s.Trials
            @ (if s.Trials <= MaxTrials then []
               else
                   Check.fail "trials" s.Trials
                       (sprintf "must be <= %d: every trial's experiment is resolved and checked before the search starts (about 2.5 s per 10,000 trials), so 100,000,000 held a core for hours before anything was printed" MaxTrials))
            @ Check.atLeast "workers" 1 s.Workers
            @ (match s.Trainer with
               | TrialTrainer.ClosedForm c ->
                   Check.nonNegative "trainer.closedForm.secondsPerStep" c.SecondsPerStep
                   @ (match s.Scheduler.Metric with
                      | SearchMetric.Column name ->
                          Check.fail "scheduler.metric.column" name "the closed-form objective records its curve only as w1, w1_exact and energy; rank by one of those"
                      | _ -> [])
               | TrialTrainer.Experiment -> [])
            @ (ExperimentValidation.errors s.Base |> List.map (fun e -> { e with Field = "base." + e.Field }))
            @ (match s.Base.Data with
               | GanFlow.Core.Datasets.DataSource.Images { Data = { Split = GanFlow.Core.Images.MnistSplit.Seed003 } } ->
                   Check.fail "base.data.images.data.split" "Seed003"
                       "holds out no validation images, so its runs score against the test images: a search would rank trials by the test split; use Seed001"
               | _ -> [])
            @ spaceErrors s.Space
            @ schedulerErrors s.Scheduler s.Base
        if not (List.isEmpty own) then own
        else
            [ for trial in 0 .. s.Trials - 1 do
                  let assignment = Search.assignment s trial
                  let resolved =
                      try
                          Ok(Search.trialExperiment s trial)
                      with e -> Error e.Message
                  match resolved with
                  | Error message -> yield { Field = sprintf "trials[%d]" trial; Value = SearchSpace.describe assignment; Reason = sprintf "cannot be resolved: %s" message }
                  | Ok experiment ->
                      for e in ExperimentValidation.errors experiment do
                          yield { Field = sprintf "trials[%d]" trial; Value = SearchSpace.describe assignment; Reason = sprintf "gives an invalid experiment: %O" e }
                      for e in metricErrors s.Scheduler experiment do
                          yield { Field = sprintf "trials[%d]" trial; Value = SearchSpace.describe assignment; Reason = sprintf "cannot be ranked: %O" e } ]
            |> List.truncate 10
