namespace GanFlow.Report

open System
open System.Globalization
open System.IO
open GanFlow.Core.Specs
open GanFlow.Core.Dynamics

/// One figure panel's summary row (`panels.csv`).
type PanelSummary =
    { /// 1-based panel index; the panel's trajectory is `trajectory-INDEX.csv`.
      Index: int
      /// The panel's label from the spec.
      Label: string
      /// The rule's command-line name (`optimal`, `first-order`, `discriminator-only`).
      Rule: string
      /// Updates of the panel's run.
      Steps: int
      /// The outcome's name, or `initial-state` for a panel that shows the initial state.
      Outcome: string
      /// L at the final state (at the initial state for a panel showing it, whose outcome is `initial-state`).
      FinalLoss: float
      /// max_{l,r} L − 1 = TV(p_μ*, p_μ̂) at the final state.
      FinalTv: float
      /// JS(p_μ*, p_μ̂) in nats at the final state.
      FinalJs: float
      /// W1(p_μ*, p_μ̂) at the final state.
      FinalW1: float
      /// The tail window's largest distance of μ̂ from μ* (the final cycle's radius when converged).
      CycleRadius: float
      /// Peak-to-peak range of each (sorted) coordinate of μ̂ over the tail window, joined by `;`.
      CycleRanges: float[]
      /// max over the trajectory of |minimax loss at V* − (2·JS − log 4)|, both by quadrature.
      IdentityGap: float }

/// One recorded state of a trajectory file.
type TrajectoryRow =
    { /// The state's index t (0 = initial).
      Step: int
      /// μ̂⁽ᵗ⁾.
      Means: float[]
      /// (l1, r1, l2, r2)⁽ᵗ⁾.
      Endpoints: float[]
      /// L at the state.
      Loss: float
      /// TV(p_μ*, p_μ̂) = max L − 1.
      Tv: float
      /// JS(p_μ*, p_μ̂) in nats.
      Js: float
      /// W1(p_μ*, p_μ̂).
      W1: float }

/// The files of a dynamics folder (`ganflow run seed002-…`), their text forms and their parsers. Numbers are
/// written in round-trip form ("R", invariant culture), ±∞ as `Infinity`/`-Infinity`.
module DynamicsFolder =

    /// The resolved experiment (JSON, a `DynamicsExperiment`); marks the folder as a dynamics folder.
    let specFile = GanFlow.Store.RunFiles.DynamicsSpec
    /// Figures: one row per panel (`PanelSummary`).
    let panelsFile = "panels.csv"
    /// Figures: panel i's trajectory, `step,mu1,mu2,l1,r1,l2,r2,loss,tv,js,w1` (one mean and one interval for K = 1).
    let trajectoryFile (index: int) = sprintf "trajectory-%d.csv" index
    /// Phase diagrams: one row per cell.
    let phaseFile = "phase.csv"
    /// Support sizes: one row per model.
    let supportFile = "support.csv"
    /// Support sizes: the sample drawn from a true distribution, one value per line (for `ganflow metric`).
    let samplesFile (model: string) = sprintf "samples-%s.txt" model
    /// The HTML report.
    let reportFile = "report.html"

    /// Every file a run of `experiment` writes, the report last: what a later run into the same folder may remove
    /// (and nothing else, so that a file of the user's named like one of another kind's is kept).
    let filesOf (experiment: DynamicsExperiment) =
        [ specFile ]
        @ (match experiment.Kind with
           | DynamicsExperimentKind.Figure panels -> [ for i in 1 .. panels.Length -> trajectoryFile i ] @ [ panelsFile ]
           | DynamicsExperimentKind.PhaseDiagram _ -> [ phaseFile ]
           | DynamicsExperimentKind.SupportSizes _ -> [ for name, _, _ in SupportSizes.truths -> samplesFile name ] @ [ supportFile ])
        @ [ reportFile ]

    /// A number in round-trip invariant form.
    let number (v: float) = v.ToString("R", CultureInfo.InvariantCulture)

    let private parse (text: string) = Double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)

    /// The trajectory file's header for K components.
    let trajectoryHeader (components: int) =
        let means = [ for i in 1..components -> sprintf "mu%d" i ]
        let ends = [ for k in 1..components do yield sprintf "l%d" k; yield sprintf "r%d" k ]
        String.concat "," ([ "step" ] @ means @ ends @ [ "loss"; "tv"; "js"; "w1" ])

    /// The text of a trajectory file; `distances t` gives state t's (tv, js, w1).
    let trajectoryText (trajectory: Trajectory) (distances: int -> float * float * float) =
        let b = Text.StringBuilder()
        b.AppendLine(trajectoryHeader trajectory.Spec.TrueMeans.Length) |> ignore
        for t in 0 .. trajectory.Means.Length - 1 do
            let tv, js, w1 = distances t
            let fields =
                [ string t ] @ (trajectory.Means[t] |> Array.map number |> List.ofArray) @ (trajectory.Endpoints[t] |> Array.map number |> List.ofArray)
                @ [ number trajectory.Loss[t]; number tv; number js; number w1 ]
            b.AppendLine(String.concat "," fields) |> ignore
        b.ToString()

    /// The records of a CSV file's text, its header first, each after it mapped by `row`: a file without a header, or a
    /// row too short or with a field that is not a number, is a `RunFolderException` naming `source` and the line.
    let private rowsOf (source: string) (text: string) (row: string[] -> string[] -> 'T) =
        let records = GanFlow.Store.CsvRecords.Parse(text, source) |> Array.ofSeq
        if records.Length = 0 then raise (GanFlow.Store.RunFolderException(sprintf "%s: empty (no header)" source))
        let header = records[0].Fields
        records[1..]
        |> Array.map (fun record ->
            try row header record.Fields with
            | :? FormatException
            | :? OverflowException
            | :? IndexOutOfRangeException as e ->
                raise (GanFlow.Store.RunFolderException(sprintf "%s line %d: not a row of this file (%s)" source record.Line e.Message)))

    /// Parses a trajectory file's text (K from the header).
    let parseTrajectory (text: string) =
        rowsOf "a trajectory-N.csv" text (fun header f ->
            let k = header |> Array.filter (fun h -> h.StartsWith "mu") |> Array.length
            { Step = int f[0]
              Means = Array.init k (fun i -> parse f[1 + i])
              Endpoints = Array.init (2 * k) (fun j -> parse f[1 + k + j])
              Loss = parse f[1 + 3 * k]
              Tv = parse f[2 + 3 * k]
              Js = parse f[3 + 3 * k]
              W1 = parse f[4 + 3 * k] })

    let private panelsHeader = "panel,label,rule,steps,outcome,final_loss,final_tv,final_js,final_w1,cycle_radius,cycle_ranges,identity_gap"

    /// Labels go in double quotes with inner quotes doubled, so that commas in them survive.
    let private quote (s: string) = "\"" + s.Replace("\"", "\"\"") + "\""

    /// The text of `panels.csv`.
    let panelsText (rows: PanelSummary list) =
        let line (p: PanelSummary) =
            String.concat "," [ string p.Index; quote p.Label; p.Rule; string p.Steps; p.Outcome; number p.FinalLoss; number p.FinalTv
                                number p.FinalJs; number p.FinalW1; number p.CycleRadius; (p.CycleRanges |> Array.map number |> String.concat ";")
                                number p.IdentityGap ]
        String.concat "\n" (panelsHeader :: List.map line rows) + "\n"

    /// Parses `panels.csv`.
    let parsePanels (text: string) =
        rowsOf panelsFile text (fun _ f ->
            { Index = int f[0]; Label = f[1]; Rule = f[2]; Steps = int f[3]; Outcome = f[4]; FinalLoss = parse f[5]; FinalTv = parse f[6]
              FinalJs = parse f[7]; FinalW1 = parse f[8]; CycleRadius = parse f[9]
              CycleRanges = (if f[10] = "" then [||] else f[10].Split ';' |> Array.map parse); IdentityGap = parse f[11] })
        |> List.ofArray

    /// The name of a rule on the command line and in files.
    let ruleText (rule: DynamicsRule) =
        match rule with
        | DynamicsRule.Optimal -> "optimal"
        | DynamicsRule.FirstOrder -> "first-order"
        | DynamicsRule.DiscriminatorOnly -> "discriminator-only"

    let private phaseHeader =
        "game,rule,separation,step_ratio,initial_conditions,converged,mode_collapse,discriminator_collapse,vanishing_gradient,oscillation,stalled,share_converged,max_converged_radius"

    /// The text of `phase.csv`.
    let phaseText (cells: PhaseCell list) =
        let line (c: PhaseCell) =
            String.concat "," [ c.Game.Text; ruleText c.Rule; number c.Separation; number c.StepRatio; string c.Counts.Total
                                string c.Counts.Converged; string c.Counts.ModeCollapse; string c.Counts.DiscriminatorCollapse
                                string c.Counts.VanishingGradient; string c.Counts.Oscillation; string c.Stalled
                                number c.ShareConverged; number c.MaxConvergedRadius ]
        String.concat "\n" (phaseHeader :: List.map line cells) + "\n"

    /// Parses `phase.csv` back into cells.
    let parsePhase (text: string) =
        rowsOf phaseFile text (fun _ f ->
            { Game = (if f[0] = PhaseGame.SingleGaussian.Text then PhaseGame.SingleGaussian else PhaseGame.TwoGaussians)
              Rule = (match f[1] with "optimal" -> DynamicsRule.Optimal | "discriminator-only" -> DynamicsRule.DiscriminatorOnly | _ -> DynamicsRule.FirstOrder)
              Separation = parse f[2]
              StepRatio = parse f[3]
              Counts = { Converged = int f[5]; ModeCollapse = int f[6]; DiscriminatorCollapse = int f[7]; VanishingGradient = int f[8]; Oscillation = int f[9] }
              Stalled = int f[10]
              MaxConvergedRadius = parse f[12] })
        |> List.ofArray

    let private supportHeader = "model,description,known_support,delta,batches,batch_size,collision_share,support,lower_bound"

    /// The text of `support.csv`.
    let supportText (rows: SupportRow list) =
        let line (r: SupportRow) =
            let e = r.Estimate
            String.concat "," [ r.Model; quote r.Description; number r.KnownSupport; number e.Delta; string e.Batches
                                (e.BatchSize |> Option.map string |> Option.defaultValue ""); number e.CollisionShare; number e.Support; number e.LowerBound ]
        String.concat "\n" (supportHeader :: List.map line rows) + "\n"

    /// Parses `support.csv`.
    let parseSupport (text: string) =
        rowsOf supportFile text (fun _ f ->
            { Model = f[0]; Description = f[1]; KnownSupport = parse f[2]
              Estimate =
                { Delta = parse f[3]; Batches = int f[4]; BatchSize = (if f[5] = "" then None else Some(int f[5])); CollisionShare = parse f[6]
                  Support = parse f[7]; LowerBound = parse f[8] } })
        |> List.ofArray

    /// The experiment of a dynamics folder, if it is one (its `dynamics.json` exists).
    let tryReadSpec (directory: string) =
        let path = Path.Combine(directory, specFile)
        if File.Exists path then Some(SpecJson.deserialize<DynamicsExperiment> (File.ReadAllText path)) else None
