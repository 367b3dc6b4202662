/// Seed 002's dynamics lab on the command line: `ganflow dynamics …` (one run, `key = value` lines) and
/// `ganflow run seed002-…` (a declared figure, phase diagram or support-size check, written to a folder with its
/// report).
module GanFlow.Cli.DynamicsCommand

open System
open System.Globalization
open System.IO
open GanFlow.Core.Specs
open GanFlow.Core.Dynamics
open GanFlow.Report

let private show (v: float) = v.ToString("R", CultureInfo.InvariantCulture)
let private showAll (values: float[]) = values |> Array.map show |> String.concat ","

/// Parses a comma-separated list of numbers given to `flag`, or the error naming the flag, the value and the
/// offending item.
let parseList (flag: string) (text: string) : Result<float list, SpecError> =
    let items = text.Split ','
    let parsed = items |> Array.map (fun item -> item.Trim(), Double.TryParse(item.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture))
    match parsed |> Array.tryFind (fun (_, (ok, _)) -> not ok) with
    | Some(item, _) -> Error { Field = flag; Value = text; Reason = sprintf "\"%s\" is not a number (numbers are comma-separated, e.g. -0.5,0.5)" item }
    | None -> Ok(parsed |> Array.map (fun (_, (_, v)) -> v) |> List.ofArray)

let private parseNumber (flag: string) (text: string) =
    match Double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture) with
    | true, v -> Ok v
    | false, _ -> Error { Field = flag; Value = text; Reason = "is not a number" }

let private parseSteps (text: string) =
    match Int32.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture) with
    | true, v -> Ok v
    | false, _ -> Error { Field = "--steps"; Value = text; Reason = sprintf "must be a whole number from 1 to %d" Int32.MaxValue }

let private parseRule (text: string) =
    match text.Trim() with
    | "first-order" -> Ok DynamicsRule.FirstOrder
    | "optimal" -> Ok DynamicsRule.Optimal
    | "discriminator-only" -> Ok DynamicsRule.DiscriminatorOnly
    | _ -> Error { Field = "--dynamics"; Value = text; Reason = "must be first-order, optimal or discriminator-only" }

/// The command line's values (each flag's text, None when absent) read into a spec, or every error, each naming its
/// flag and value. Nothing is computed here.
let specOf (trueText: string) (muText: string) (intervalsText: string option) (etaG: string option) (etaD: string option)
           (steps: string option) (rule: string option) : Result<DynamicsSpec, SpecError list> =
    let errors = Collections.Generic.List<SpecError>()
    let take (result: Result<'T, SpecError>) (fallback: 'T) =
        match result with
        | Ok value -> value
        | Error e ->
            errors.Add e
            fallback
    let ruleResult = rule |> Option.map parseRule |> Option.defaultValue (Ok DynamicsRule.FirstOrder)
    let parsedRule = take ruleResult DynamicsRule.FirstOrder
    // Only a valid non-optimal rule needs the discriminator's flags.
    let needsDiscriminator = match ruleResult with Ok r -> r <> DynamicsRule.Optimal | Error _ -> false
    let missing flag =
        if needsDiscriminator then
            errors.Add { Field = flag; Value = "(missing)"; Reason = sprintf "is needed by --dynamics %s" (DynamicsFolder.ruleText parsedRule) }
    let trueMeans = take (parseList "--true" trueText) []
    let means = take (parseList "--mu" muText) []
    let intervals =
        match intervalsText with
        | Some text -> take (parseList "--intervals" text) []
        | None ->
            missing "--intervals"
            []
    let generatorStep =
        match etaG with
        | Some text -> take (parseNumber "--eta-g" text) nan
        | None -> DynamicsSpec.Default.GeneratorStep
    let discriminatorStep =
        match etaD with
        | Some text -> take (parseNumber "--eta-d" text) nan
        | None ->
            missing "--eta-d"
            DynamicsSpec.Default.DiscriminatorStep
    let stepCount = steps |> Option.map (fun text -> take (parseSteps text) 0) |> Option.defaultValue DynamicsSpec.Default.Steps
    if errors.Count > 0 then Error(List.ofSeq errors)
    else
        let spec =
            { TrueMeans = trueMeans
              InitialMeans = means
              InitialIntervals = intervals
              GeneratorStep = generatorStep
              DiscriminatorStep = discriminatorStep
              Steps = stepCount
              Rule = parsedRule }
        match DynamicsValidation.errors DynamicsFieldNames.Flags spec with
        | [] -> Ok spec
        | validationErrors -> Error validationErrors

/// The `key = value` pairs printed for a finished run (full double precision, invariant culture).
let report (tolerances: OutcomeTolerances) (trajectory: Trajectory) =
    let spec = trajectory.Spec
    let trueMeans = Array.ofList spec.TrueMeans
    let final = trajectory.Means.Length - 1 // the last finite state of a diverged run
    let means, endpoints = trajectory.Means[final], trajectory.Endpoints[final]
    let d = Trajectory.distances trueMeans means
    let stats = trajectory.Statistics
    [ "dynamics", DynamicsFolder.ruleText spec.Rule
      "true", showAll trueMeans
      "eta_g", show spec.GeneratorStep
      "eta_d", (if spec.Rule = DynamicsRule.Optimal then "unused" else show spec.DiscriminatorStep)
      "steps", string spec.Steps
      "mu", showAll means
      "intervals", showAll endpoints
      "loss", show trajectory.Loss[final]
      "optimal_loss", show (d.Tv + 1.0)
      "tv", show d.Tv
      "js", show d.Js
      "w1", show d.W1
      "gan_loss_at_optimal_v", show d.GanLossAtOptimum
      "two_js_minus_log4", show (2.0 * d.Js - log 4.0)
      "set_distance", show (Outcome.setDistance trueMeans means)
      "tail_max_set_distance", show stats.MaxSetDistance
      "tail_peak_to_peak", showAll stats.MeanRanges
      "tail_steps", string (spec.Steps - Outcome.tailStart tolerances spec.Steps)
      "converged_tolerance", show (Outcome.convergedTolerance tolerances spec.GeneratorStep)
      "outcome", trajectory.Outcome.Text
      match stats.DivergedAt with
      | Some t -> "diverged_at_step", string t
      | None -> () ]

/// What `ganflow dynamics` and a dynamics figure advise when memory runs out (`FailureText.Of`).
let private memoryRemedy = "fewer --steps need less"

/// Runs `compute` (a dynamics command's work), turning exhausted memory into its message and exit 1: the generic
/// message's advice (a smaller batch, width or sample count) is a training run's and does not apply here.
let private orOutOfMemory (compute: unit -> int) =
    try compute ()
    with :? OutOfMemoryException as e ->
        eprintfn "error: %s" (GanFlow.Store.FailureText.Of(e, memoryRemedy))
        1

/// `ganflow dynamics …`: validates, runs, prints; returns the exit code (2 on bad input or a trajectory that would not
/// fit the machine's memory, before any computation; 3 when the trajectory diverged).
let runOnce (trueText: string) (muText: string) intervals etaG etaD steps rule =
    let checkedSpec =
        specOf trueText muText intervals etaG etaD steps rule
        |> Result.bind (fun spec ->
            match GanFlow.Core.Experiments.MemoryEstimate.dynamicsErrors (GanFlow.Runtime.ExperimentRunner.MachineMemoryBytes()) DynamicsFieldNames.Flags spec with
            | [] -> Ok spec
            | errors -> Error errors)
    match checkedSpec with
    | Error errors ->
        for e in errors do
            eprintfn "error: %O" e
        2
    | Ok spec ->
        // Issue 11's command line keeps --intervals and --eta-d when only the rule changes to optimal: accepted, said.
        if spec.Rule = DynamicsRule.Optimal && (Option.isSome intervals || Option.isSome etaD) then
            eprintfn "note: --dynamics optimal uses no --intervals or --eta-d (its discriminator is the exact optimum at every step): the values given are ignored"
        let tolerances = OutcomeTolerances.Default
        orOutOfMemory (fun () ->
            let trajectory = Trajectory.run tolerances spec
            for key, value in report tolerances trajectory do
                printfn "%s = %s" key value
            match trajectory.DivergedAt, trajectory.Statistics.DivergedAt with
            | Some stop, Some t when t < stop ->
                eprintfn "the trajectory diverged: a generator mean left ±%s at step %d and was not finite (or beyond ±1e12) at step %d, where the run stopped (the values above are those of step %d)"
                    (show tolerances.Divergence) t stop (stop - 1)
                3
            | Some t, _ ->
                eprintfn "the trajectory diverged: a generator mean is not finite (or beyond ±1e12) at step %d (the values above are those of step %d)" t (t - 1)
                3
            | None, Some t ->
                eprintfn "the trajectory diverged: a generator mean left ±%s at step %d (the values above are those of step %d, the last)"
                    (show tolerances.Divergence) t spec.Steps
                3
            | None, None -> 0)

/// A declared experiment with `ganflow run`'s overrides: --steps sets every panel's (or the diagram's) steps, --seed
/// the phase diagram's or support check's seed (figures draw nothing at random).
let withOverrides (seed: int option) (steps: int option) (experiment: DynamicsExperiment) =
    let kind =
        match experiment.Kind with
        | DynamicsExperimentKind.Figure panels ->
            DynamicsExperimentKind.Figure(panels |> List.map (fun p -> { p with Run = { p.Run with Steps = defaultArg steps p.Run.Steps } }))
        | DynamicsExperimentKind.PhaseDiagram p ->
            DynamicsExperimentKind.PhaseDiagram { p with Steps = defaultArg steps p.Steps; Seed = defaultArg seed p.Seed }
        | DynamicsExperimentKind.SupportSizes s -> DynamicsExperimentKind.SupportSizes { s with Seed = defaultArg seed s.Seed }
    let overridden = [ (steps |> Option.map (sprintf "%d steps")); (seed |> Option.map (sprintf "seed %d")) ] |> List.choose id
    if kind = experiment.Kind then experiment
    else { experiment with Kind = kind; Description = sprintf "%s (overridden: %s)" experiment.Description (String.concat ", " overridden) }

/// The validation errors of `experiment` after `withOverrides seed steps`: a value that --steps or --seed set is named
/// once as the flag (`--steps = 0: must be >= 1`), not once per panel under the spec's paths.
let overrideErrors (seed: int option) (steps: int option) (experiment: DynamicsExperiment) =
    let asFlag (flag: string) (suffix: string) (given: int option) (errors: SpecError list) =
        match given with
        | Some value ->
            let set, rest = errors |> List.partition (fun e -> e.Field.EndsWith suffix)
            (set |> List.distinctBy _.Reason |> List.map (fun e -> { e with Field = flag; Value = string value })) @ rest
        | None -> errors
    DynamicsValidation.experimentErrors experiment |> asFlag "--steps" ".steps" steps |> asFlag "--seed" ".seed" seed

/// Writes one file of a dynamics folder (atomically, flushed). `runExperiment` holds the folder (marker and lock) while
/// it writes.
let writeFile (folder: string) (name: string) (text: string) =
    GanFlow.Store.AtomicFile.WriteAllText(Path.Combine(folder, name), text)

/// The summary row and trajectory text of one figure panel.
let private panelFiles (tolerances: OutcomeTolerances) (index: int) (panel: DynamicsPanel) =
    let trajectory = Trajectory.run tolerances panel.Run
    let trueMeans = Array.ofList panel.Run.TrueMeans
    let distances = trajectory.Means |> Array.Parallel.map (Trajectory.distances trueMeans)
    // A panel that shows the initial state is summarised at state 0, without an outcome or a cycle.
    let atStart = panel.View = PanelView.DifferenceAtStart
    let shown = if atStart then 0 else distances.Length - 1
    let identityGap = distances |> Array.map (fun d -> abs (d.GanLossAtOptimum - (2.0 * d.Js - log 4.0))) |> Array.max
    let summary =
        { Index = index; Label = panel.Label; Rule = DynamicsFolder.ruleText panel.Run.Rule; Steps = panel.Run.Steps
          Outcome = (if atStart then "initial-state" else trajectory.Outcome.Text)
          FinalLoss = trajectory.Loss[shown]; FinalTv = distances[shown].Tv; FinalJs = distances[shown].Js; FinalW1 = distances[shown].W1
          CycleRadius = (if atStart then nan else trajectory.Statistics.MaxSetDistance)
          CycleRanges = (if atStart then [||] else trajectory.Statistics.MeanRanges)
          IdentityGap = identityGap }
    summary, DynamicsFolder.trajectoryText trajectory (fun t -> distances[t].Tv, distances[t].Js, distances[t].W1)

/// `runExperiment`'s work.
let private computeExperiment (experiment: DynamicsExperiment) (folder: string) (fresh: bool) =
    Validate.orRaise (DynamicsValidation.experimentErrors experiment)
    // The folder contract of every ganflow folder: refused when foreign, locked while written, and a fresh start
    // removes only the files the earlier dynamics run wrote (those its own spec names: a file of the user's named like
    // another kind's, trajectory-9.csv beside a 7-panel figure or phase.csv beside support sizes, is kept).
    use owned = GanFlow.Store.OwnedFolder.Open(folder, GanFlow.Store.FolderKind.Dynamics)
    let earlier =
        try DynamicsFolder.tryReadSpec folder |> Option.map Ok with
        | :? Text.Json.JsonException
        | :? IOException as e -> Some(Error e.Message)
    let spec = SpecJson.serialize experiment
    match earlier with
    | Some(Ok e) when not fresh && SpecJson.serialize e = spec && File.Exists(Path.Combine(folder, DynamicsFolder.reportFile)) ->
        eprintfn "kept: %s already holds this dynamics run (the same spec); --fresh computes it again" folder
        printfn "report = %s" (Path.Combine(folder, DynamicsFolder.reportFile))
        0
    | _ ->
    match earlier with
    | Some(Ok e) ->
        eprintfn "replacing the earlier dynamics run in %s" folder
        owned.RemoveOwnFiles(DynamicsFolder.filesOf e)
    | Some(Error _) -> eprintfn "replacing the earlier dynamics run in %s (its %s is unreadable: only the files this run writes are replaced)" folder DynamicsFolder.specFile
    | None -> ()
    // This run's own files too, the report first among them: a kill before the new report is written must not leave the
    // earlier one beside the new spec (a rerun would keep it as this run's).
    owned.RemoveOwnFiles(List.rev (DynamicsFolder.filesOf experiment))
    let watch = Diagnostics.Stopwatch.StartNew()
    writeFile folder DynamicsFolder.specFile spec
    match experiment.Kind with
    | DynamicsExperimentKind.Figure panels ->
        let files = panels |> List.mapi (fun i p -> panelFiles experiment.Tolerances (i + 1) p)
        for summary, text in files do
            writeFile folder (DynamicsFolder.trajectoryFile summary.Index) text
            // "outcome" named: a label may say what the notes' panel shows ("(the notes: converges)").
            printfn "%s: outcome %s (tail max distance from mu* %s)" summary.Label summary.Outcome (show summary.CycleRadius)
        writeFile folder DynamicsFolder.panelsFile (DynamicsFolder.panelsText (List.map fst files))
    | DynamicsExperimentKind.PhaseDiagram spec ->
        let progress (c: PhaseCell) =
            // The optimal discriminator has no step of its own, so no step ratio (NaN in phase.csv).
            let ratio = if Double.IsNaN c.StepRatio then "" else sprintf " ratio %s" (show c.StepRatio)
            printfn "%s %s separation %s%s: converged %d of %d (%s)" c.Game.Text (DynamicsFolder.ruleText c.Rule) (show c.Separation) ratio
                c.Counts.Converged c.Counts.Total (c.ShareConverged.ToString("P1", CultureInfo.InvariantCulture))
        let cells = PhaseDiagram.run experiment.Tolerances spec progress
        writeFile folder DynamicsFolder.phaseFile (DynamicsFolder.phaseText cells)
    | DynamicsExperimentKind.SupportSizes spec ->
        let results = SupportSizes.run spec
        for row, sample in results do
            sample |> Option.iter (fun values -> writeFile folder (DynamicsFolder.samplesFile row.Model) (values |> Array.map (fun v -> show v + "\n") |> String.concat ""))
            // A continuous model has no finite support to know (NaN in support.csv).
            let known = if Double.IsNaN row.KnownSupport then "continuous" else sprintf "known %s" (show row.KnownSupport)
            printfn "%s: support estimate %s (%s)" row.Model (show row.Estimate.Support) known
        writeFile folder DynamicsFolder.supportFile (DynamicsFolder.supportText (List.map fst results))
    writeFile folder DynamicsFolder.reportFile (DynamicsReport.render folder)
    printfn "wall_seconds = %.1f" watch.Elapsed.TotalSeconds
    printfn "report = %s" (Path.Combine(folder, DynamicsFolder.reportFile))
    0

/// `ganflow run seed002-… --out DIR [--fresh]`: validates, computes, writes the folder and its report; returns the exit
/// code. A folder that already holds the same experiment, report included, is kept as it is (exit 0) unless `fresh`. A
/// figure that runs out of memory says so with a figure's advice (fewer --steps), exit 1.
let runExperiment (experiment: DynamicsExperiment) (folder: string) (fresh: bool) =
    match experiment.Kind with
    | DynamicsExperimentKind.Figure _ -> orOutOfMemory (fun () -> computeExperiment experiment folder fresh)
    | _ -> computeExperiment experiment folder fresh
