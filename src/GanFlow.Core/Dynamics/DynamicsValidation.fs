namespace GanFlow.Core.Dynamics

open GanFlow.Core.Specs

/// The names under which a `DynamicsSpec`'s fields are reported: spec paths in declared experiments, flags on the
/// command line (`ganflow dynamics`), so that one validator serves both.
type DynamicsFieldNames =
    { /// How `DynamicsSpec.TrueMeans` is named in messages.
      TrueMeans: string
      /// How `DynamicsSpec.InitialMeans` is named.
      InitialMeans: string
      /// How `DynamicsSpec.InitialIntervals` is named.
      InitialIntervals: string
      /// How `DynamicsSpec.GeneratorStep` is named.
      GeneratorStep: string
      /// How `DynamicsSpec.DiscriminatorStep` is named.
      DiscriminatorStep: string
      /// How `DynamicsSpec.Steps` is named.
      Steps: string }

    /// Spec paths under `prefix` (e.g. `panels[0].run.`).
    static member Spec(prefix: string) =
        { TrueMeans = prefix + "trueMeans"
          InitialMeans = prefix + "initialMeans"
          InitialIntervals = prefix + "initialIntervals"
          GeneratorStep = prefix + "generatorStep"
          DiscriminatorStep = prefix + "discriminatorStep"
          Steps = prefix + "steps" }

    /// The flags of `ganflow dynamics`.
    static member Flags =
        { TrueMeans = "--true"
          InitialMeans = "--mu"
          InitialIntervals = "--intervals"
          GeneratorStep = "--eta-g"
          DiscriminatorStep = "--eta-d"
          Steps = "--steps" }

/// Boundary checks for seed 002's specs: every error names the field (or flag) and the value; nothing is computed
/// for a spec with errors.
module DynamicsValidation =

    /// A list of numbers as the command line writes it: comma-separated, round-trip invariant form.
    let showList (values: float list) =
        values |> List.map (fun v -> v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)) |> String.concat ","

    /// The largest magnitude of a mean or an interval endpoint given, in the components' standard deviations:
    /// `OutcomeTolerances.Divergence`'s default, beyond which a generator mean has diverged (a run starting there would
    /// be diverged at step 0). The distances themselves (TV, JS, W1) stay exact for means far beyond it, which a run
    /// can reach (`Trajectory.distances`).
    [<Literal>]
    let MaxMagnitude = 1000.0

    let private allFinite field (values: float list) =
        if not (List.forall System.Double.IsFinite values) then Check.fail field (showList values) "every value must be a finite number"
        elif values |> List.exists (fun v -> abs v > MaxMagnitude) then
            Check.fail field (showList values) (sprintf "every value must lie in [-%g, %g] (standard deviations of the components)" MaxMagnitude MaxMagnitude)
        else []

    /// Every error of one run's spec, fields named by `names`.
    let errors (names: DynamicsFieldNames) (spec: DynamicsSpec) =
        let k = spec.TrueMeans.Length
        let trueMeans =
            if k = 1 || k = 2 then allFinite names.TrueMeans spec.TrueMeans
            else Check.fail names.TrueMeans (showList spec.TrueMeans) "must hold 1 or 2 means (the mixture's components K)"
        let means =
            if spec.InitialMeans.Length <> k then
                Check.fail names.InitialMeans (showList spec.InitialMeans) (sprintf "must hold %d means, as many as %s" k names.TrueMeans)
            else allFinite names.InitialMeans spec.InitialMeans
        let needsIntervals = spec.Rule <> DynamicsRule.Optimal
        let intervals =
            match spec.InitialIntervals with
            | [] when not needsIntervals -> []
            | values when values.Length <> 2 * k ->
                Check.fail names.InitialIntervals (showList values)
                    (sprintf "must hold %d endpoints l1,r1%s (two per interval, one interval per component)" (2 * k) (if k = 2 then ",l2,r2" else ""))
            | values when not (allFinite names.InitialIntervals values).IsEmpty -> allFinite names.InitialIntervals values
            | values when values |> List.pairwise |> List.exists (fun (a, b) -> a > b) ->
                Check.fail names.InitialIntervals (showList values) (if k = 2 then "must be ordered l1 <= r1 <= l2 <= r2" else "must be ordered l1 <= r1")
            | _ -> []
        trueMeans
        @ (if trueMeans.IsEmpty then means @ intervals else [])
        @ Check.positive names.GeneratorStep spec.GeneratorStep
        @ Check.positive names.DiscriminatorStep spec.DiscriminatorStep
        @ Check.atLeast names.Steps 1 spec.Steps

    /// Every error of a set of outcome tolerances.
    let toleranceErrors (prefix: string) (t: OutcomeTolerances) =
        (if t.TailShare > 0.0 && t.TailShare <= 1.0 then [] else Check.fail (prefix + "tailShare") t.TailShare "must lie in (0, 1]")
        @ Check.positive (prefix + "converged") t.Converged
        @ Check.nonNegative (prefix + "cycleSteps") t.CycleSteps
        @ Check.nonNegative (prefix + "maxCycle") t.MaxCycle
        @ Check.nonNegative (prefix + "modeCollapse") t.ModeCollapse
        @ Check.nonNegative (prefix + "stall") t.Stall
        @ Check.nonNegative (prefix + "degenerateWidth") t.DegenerateWidth
        @ Check.nonNegative (prefix + "emptyMass") t.EmptyMass
        @ Check.positive (prefix + "divergence") t.Divergence

    let private positiveList field (values: float list) =
        if values.IsEmpty then Check.fail field "[]" "needs at least one value"
        elif List.forall (fun v -> System.Double.IsFinite v && v > 0.0) values then []
        else Check.fail field (showList values) "every value must be finite and > 0"

    /// A seed of the phase diagram or support check: a `System.Random` seed (`Check.randomSeed`), below 2³¹ − 1 since
    /// the second stream is seeded with seed + 1.
    let private seedErrors field (seed: int) =
        match Check.randomSeed field seed with
        | [] when seed = System.Int32.MaxValue -> Check.fail field seed (sprintf "must be at most %d (seed + 1 seeds the second stream)" (System.Int32.MaxValue - 1))
        | errors -> errors

    /// Every error of a phase-diagram spec.
    let phaseDiagramErrors (prefix: string) (p: PhaseDiagramSpec) =
        positiveList (prefix + "separations") p.Separations
        @ positiveList (prefix + "stepRatios") p.StepRatios
        @ Check.positive (prefix + "generatorStep") p.GeneratorStep
        @ Check.atLeast (prefix + "initialConditions") 1 p.InitialConditions
        @ Check.atLeast (prefix + "steps") 1 p.Steps
        @ Check.positive (prefix + "margin") p.Margin
        @ seedErrors (prefix + "seed") p.Seed

    /// Every error of a support-size spec.
    let supportErrors (prefix: string) (s: SupportSizesSpec) =
        Check.atLeast (prefix + "samples") 2 s.Samples
        @ Check.atLeast (prefix + "batches") 1 s.Batches
        @ Check.positive (prefix + "delta") s.Delta
        @ (if List.forall (fun m -> m >= 1) s.TrainingSizes then [] else Check.fail (prefix + "trainingSizes") (sprintf "%A" s.TrainingSizes) "every size must be >= 1")
        @ Check.positive (prefix + "memorizingBandwidth") s.MemorizingBandwidth
        @ seedErrors (prefix + "seed") s.Seed

    /// Every error of a declared seed 002 experiment.
    let experimentErrors (e: DynamicsExperiment) =
        let name =
            if e.Name.StartsWith "seed002-" && e.Name |> Seq.forall (fun c -> System.Char.IsAsciiLetterLower c || System.Char.IsAsciiDigit c || c = '-') then []
            else Check.fail "name" e.Name "must start with seed002- and hold only lower-case letters, digits and dashes"
        let kind =
            match e.Kind with
            | DynamicsExperimentKind.Figure [] -> Check.fail "kind.panels" "[]" "a figure needs at least one panel"
            | DynamicsExperimentKind.Figure panels ->
                panels
                |> List.indexed
                |> List.collect (fun (i, p) ->
                    (if System.String.IsNullOrWhiteSpace p.Label then Check.fail (sprintf "kind.panels[%d].label" i) p.Label "must not be blank" else [])
                    @ errors (DynamicsFieldNames.Spec(sprintf "kind.panels[%d].run." i)) p.Run)
            | DynamicsExperimentKind.PhaseDiagram p -> phaseDiagramErrors "kind." p
            | DynamicsExperimentKind.SupportSizes s -> supportErrors "kind." s
        name @ kind @ toleranceErrors "tolerances." e.Tolerances
