namespace GanFlow.Report

open System
open System.IO
open Plotly.NET
open Plotly.NET.LayoutObjects
open GanFlow.Core.Specs
open GanFlow.Core.Dynamics

/// The HTML report of a dynamics folder (`ganflow run seed002-…`): seed 002's Fig. 1 (traces) and Fig. 2
/// (p_μ* − p_μ̂ with the discriminator shaded), the final cycle of the optimal dynamics, the phase diagram's
/// heatmaps, and support sizes. Built from the folder's files alone, so `ganflow report DIR` rebuilds it.
module DynamicsReport =

    let private invariant = Globalization.CultureInfo.InvariantCulture
    let private decimals (digits: int) (v: float) = if Double.IsNaN v then "—" else v.ToString("F" + string digits, invariant)
    let private general (v: float) = if Double.IsNaN v then "—" else v.ToString("G4", invariant)
    let private percent (v: float) = if Double.IsNaN v then "—" else (100.0 * v).ToString("F1", invariant) + "%"

    /// The y range of a panel's traces: μ* ± 4, widened to the initial state; infinite endpoints are drawn at its edges.
    let private traceRange (spec: DynamicsSpec) =
        let values = spec.TrueMeans @ spec.InitialMeans @ (spec.InitialIntervals |> List.filter Double.IsFinite)
        List.min values - 1.5, List.max values + 1.5

    let private clip (low: float, high: float) (v: float) = if Double.IsNaN v then v else max low (min high v)

    /// At most about 2,000 evenly spaced states (and always the last), so that long runs keep the page light; the
    /// trajectory files keep every state.
    let private thin (rows: TrajectoryRow[]) =
        let stride = max 1 (rows.Length / 2_000)
        rows |> Array.indexed |> Array.filter (fun (i, _) -> i % stride = 0 || i = rows.Length - 1) |> Array.map snd

    /// Seed 002 Fig. 1: μ̂ as solid lines, the interval endpoints as dotted lines, against the step.
    let traces (label: string) (outcome: string) (spec: DynamicsSpec) (rows: TrajectoryRow[]) =
        let rows = thin rows
        let range = traceRange spec
        // Log-scaled step axis (step + 1): the optimal dynamics arrives within ~100 steps, first-order runs take thousands.
        let steps = rows |> Array.map (fun r -> r.Step + 1)
        let k = spec.TrueMeans.Length
        let names = [| for i in 1..k do yield sprintf "l%d" i; yield sprintf "r%d" i |]
        Charts.combine
            [ for i in 0 .. k - 1 ->
                  Chart.Line(x = steps, y = (rows |> Array.map (fun r -> r.Means[i])), Name = sprintf "μ̂%d" (i + 1))
              for j in 0 .. 2 * k - 1 ->
                  Chart.Line(x = steps, y = (rows |> Array.map (fun r -> clip range r.Endpoints[j])), Name = names[j], LineDash = StyleParam.DrawingStyle.Dot)
              for i, m in List.indexed spec.TrueMeans ->
                  Chart.Line(x = [ 1; steps[steps.Length - 1] ], y = [ m; m ], Name = sprintf "μ*%d" (i + 1), LineColor = Color.fromString "lightgray", LineDash = StyleParam.DrawingStyle.Dash) ]
        |> Chart.withTitle (sprintf "%s<br>outcome: %s" label outcome)
        |> Chart.withXAxisStyle("step + 1 (log scale)", AxisType = StyleParam.AxisType.Log)
        |> Chart.withYAxisStyle("μ̂ (solid), interval endpoints (dotted; ±∞ at the edges)", MinMax = range)

    /// Seed 002 Fig. 2: p_μ* − p_μ̂ at one state, with the discriminator's intervals shaded.
    let difference (title: string) (trueMeans: float[]) (means: float[]) (endpoints: float[]) =
        let low = min (Array.min trueMeans) (Array.min means) - 4.0
        let high = max (Array.max trueMeans) (Array.max means) + 4.0
        let grid = Array.init 801 (fun i -> low + (high - low) * float i / 800.0)
        let f = grid |> Array.map (fun x -> TwoGaussianGame.density trueMeans x - TwoGaussianGame.density means x)
        let top, bottom = Array.max f, Array.min f
        let shapes =
            [ for k in 0 .. endpoints.Length / 2 - 1 do
                  let l, r = clip (low, high) endpoints[2 * k], clip (low, high) endpoints[2 * k + 1]
                  yield Shape.init(ShapeType = StyleParam.ShapeType.Rectangle, X0 = l, X1 = max r (l + 1e-3 * (high - low)), Y0 = bottom, Y1 = top,
                                   Opacity = 0.25, FillColor = Color.fromString "orange", Line = Line.init(Width = 0.0)) ]
        let intervals =
            [ for k in 0 .. endpoints.Length / 2 - 1 -> sprintf "[%s, %s]" (general endpoints[2 * k]) (general endpoints[2 * k + 1]) ] |> String.concat " ∪ "
        Chart.Line(x = grid, y = f, Name = "p_μ* − p_μ̂")
        |> Chart.withShapes shapes
        |> Chart.withTitle (sprintf "%s<br>μ̂ = (%s), D = %s" title (means |> Array.map general |> String.concat ", ") intervals)
        |> Chart.withXAxisStyle "x"
        |> Chart.withYAxisStyle "p_μ*(x) − p_μ̂(x) (discriminator shaded)"

    /// The generator's distance from the truth over a run: TV (= max L − 1), JS and W1.
    let distances (label: string) (rows: TrajectoryRow[]) =
        let rows = thin rows
        let steps = rows |> Array.map (fun r -> r.Step + 1)
        Charts.combine
            [ Chart.Line(x = steps, y = (rows |> Array.map (fun r -> r.Tv)), Name = "TV = max L − 1")
              Chart.Line(x = steps, y = (rows |> Array.map (fun r -> r.Js)), Name = "JS (nats)")
              Chart.Line(x = steps, y = (rows |> Array.map (fun r -> r.W1)), Name = "W1") ]
        |> Chart.withTitle (sprintf "%s<br>distance of p_μ̂ from p_μ*" label)
        |> Chart.withXAxisStyle("step + 1 (log scale)", AxisType = StyleParam.AxisType.Log)
        |> Chart.withYAxisStyle("distance", AxisType = StyleParam.AxisType.Log)

    /// The final cycle of a run around μ*: μ̂ − μ* (sorted coordinates) over the last `window` states.
    let cycle (label: string) (trueMeans: float[]) (rows: TrajectoryRow[]) (window: int) =
        let tail = rows |> Array.skip (max 0 (rows.Length - window))
        let truth = Array.sort trueMeans
        Charts.combine
            [ for i in 0 .. truth.Length - 1 ->
                  Chart.Line(x = (tail |> Array.map (fun r -> r.Step)), y = (tail |> Array.map (fun r -> (Array.sort r.Means)[i] - truth[i])), Name = sprintf "μ̂%d − μ*%d" (i + 1) (i + 1)) ]
        |> Chart.withTitle (sprintf "%s<br>the final cycle around μ* (last %d steps)" label tail.Length)
        |> Chart.withXAxisStyle "step"
        |> Chart.withYAxisStyle "μ̂ − μ* (sorted coordinates)"

    /// `file` of the folder parsed by `parse`; a missing or malformed file is a `RunFolderException` naming it (and the line).
    let private read (directory: string) (file: string) (parse: string -> 'T) =
        let path = Path.Combine(directory, file)
        if not (File.Exists path) then
            raise (GanFlow.Store.RunFolderException(sprintf "%s: missing %s (is this a dynamics folder written by `ganflow run seed002-…`?)" directory file))
        try parse (File.ReadAllText path) with
        | :? GanFlow.Store.RunFolderException as e -> raise (GanFlow.Store.RunFolderException(sprintf "%s: %s" path e.Message))

    let private tableOf (header: string list) (rows: string list list) =
        let cells tag (row: string list) = row |> List.map (fun c -> sprintf "<%s>%s</%s>" tag (HtmlPage.text c) tag) |> String.concat ""
        sprintf "<table><tr>%s</tr>%s</table>" (cells "th" header) (rows |> List.map (fun r -> "<tr>" + cells "td" r + "</tr>") |> String.concat "")

    let private figure (directory: string) (panels: DynamicsPanel list) =
        let summaries = read directory DynamicsFolder.panelsFile DynamicsFolder.parsePanels
        let table =
            tableOf [ "panel"; "rule"; "steps"; "outcome"; "L (final; initial for initial-state panels)"; "TV"; "JS (nats)"; "W1"; "tail max distance from μ* (cycle radius)"; "tail peak-to-peak of μ̂"; "max |loss(V*) − (2·JS − log 4)|" ]
                [ for s in summaries ->
                      [ s.Label; s.Rule; string s.Steps; s.Outcome; decimals 6 s.FinalLoss; general s.FinalTv; general s.FinalJs; general s.FinalW1
                        general s.CycleRadius; (s.CycleRanges |> Array.map general |> String.concat ", "); general s.IdentityGap ] ]
        if summaries.Length <> panels.Length then
            raise (GanFlow.Store.RunFolderException(
                sprintf "%s: holds %d panels, its %s declares %d" (Path.Combine(directory, DynamicsFolder.panelsFile)) summaries.Length DynamicsFolder.specFile panels.Length))
        let charts =
            [ for panel, summary in List.zip panels summaries do
                  let rows = read directory (DynamicsFolder.trajectoryFile summary.Index) DynamicsFolder.parseTrajectory
                  let trueMeans = Array.ofList panel.Run.TrueMeans
                  match panel.View with
                  | PanelView.Traces ->
                      yield traces panel.Label summary.Outcome panel.Run rows
                      if panel.Run.Rule = DynamicsRule.Optimal then yield cycle panel.Label trueMeans rows 100
                      yield distances panel.Label rows
                  | PanelView.DifferenceAtStart -> yield difference panel.Label trueMeans rows[0].Means rows[0].Endpoints
                  | PanelView.DifferenceAtEnd ->
                      let last = rows[rows.Length - 1]
                      yield difference (sprintf "%s (after %d steps, outcome: %s)" panel.Label last.Step summary.Outcome) trueMeans last.Means last.Endpoints ]
        [ table ], charts

    let private phaseDiagram (directory: string) (spec: PhaseDiagramSpec) =
        let cells = read directory DynamicsFolder.phaseFile DynamicsFolder.parsePhase
        let table =
            tableOf [ "game"; "rule"; "separation"; "η_d/η_g"; "converged"; "mode collapse"; "discriminator collapse"; "vanishing gradient"; "oscillation"; "stalled (any outcome)"; "share converged"; "max cycle radius (converged)" ]
                [ for c in cells ->
                      [ c.Game.Text; DynamicsFolder.ruleText c.Rule; general c.Separation; general c.StepRatio; string c.Counts.Converged; string c.Counts.ModeCollapse
                        string c.Counts.DiscriminatorCollapse; string c.Counts.VanishingGradient; string c.Counts.Oscillation; string c.Stalled
                        percent c.ShareConverged; general c.MaxConvergedRadius ] ]
        let two = cells |> List.filter (fun c -> c.Game = PhaseGame.TwoGaussians)
        let heatmap (title: string) (columns: string list) (value: PhaseCell -> float) (select: PhaseCell -> string option) =
            let separations = two |> List.map (fun c -> c.Separation) |> List.distinct
            let z = [ for s in separations -> [ for column in columns -> two |> List.tryFind (fun c -> c.Separation = s && select c = Some column) |> Option.map value |> Option.defaultValue 0.0 ] ]
            let ys = separations |> List.map (fun s -> "s = " + general s)
            let annotations =
                [ for s, y in List.zip separations ys do
                      for index, column in List.indexed columns do
                          match two |> List.tryFind (fun c -> c.Separation = s && select c = Some column) with
                          // On a category axis a numeric x is the category's index (a label like "0.25" would be read as a number).
                          | Some c ->
                              let ink = Color.fromString (if value c < 0.5 then "white" else "black")
                              yield Annotation.init(X = index, Y = y, Text = percent (value c), ShowArrow = false, Font = Font.init(Color = ink))
                          | None -> () ]
            Chart.Heatmap(zData = z, X = columns, Y = ys, ColorScale = StyleParam.Colorscale.Viridis, ShowScale = true)
            |> GenericChart.mapTrace (Trace2DStyle.Heatmap(ZMin = 0.0, ZMax = 1.0))
            |> Chart.withAnnotations annotations
            |> Chart.withTitle title
            // Category axis: ratio labels like "0.25" would otherwise be read as numbers and misplace the annotations.
            |> Chart.withXAxisStyle("η_d / η_g", AxisType = StyleParam.AxisType.Category, CategoryOrder = StyleParam.CategoryOrder.Array, CategoryArray = columns)
            |> Chart.withYAxisStyle "true-mean separation μ*2 − μ*1"
        let ratioColumn (c: PhaseCell) = if c.Rule = DynamicsRule.FirstOrder then Some(general c.StepRatio) else None
        let ratios = spec.StepRatios |> List.map general
        let charts =
            if cells.Length <= 1 then
                [ for c in cells ->
                      Chart.Column(values = [ for o in Outcome.All -> c.Counts.Of o ], Keys = [ for o in Outcome.All -> o.Text ])
                      |> Chart.withTitle (sprintf "outcomes of %d initial conditions (%s, separation %s, η_d/η_g %s, %d steps)" c.Counts.Total (DynamicsFolder.ruleText c.Rule) (general c.Separation) (general c.StepRatio) spec.Steps) ]
            else
                [ if two.Length > 0 then
                      yield heatmap (sprintf "first-order dynamics: share of %d initial conditions converging (%d steps, η_g = %s)" spec.InitialConditions spec.Steps (general spec.GeneratorStep)) ratios (fun c -> c.ShareConverged) ratioColumn
                      yield heatmap "first-order dynamics: share ending in mode collapse" ratios (fun c -> float c.Counts.ModeCollapse / float c.Counts.Total) ratioColumn
                      yield heatmap "optimal-discriminator dynamics: share converging (no η_d)" [ "optimal" ] (fun c -> c.ShareConverged) (fun c -> if c.Rule = DynamicsRule.Optimal then Some "optimal" else None)
                  let single = cells |> List.filter (fun c -> c.Game = PhaseGame.SingleGaussian)
                  if single.Length > 0 then
                      let firstOrder = single |> List.filter (fun c -> c.Rule = DynamicsRule.FirstOrder)
                      let optimal = single |> List.tryFind (fun c -> c.Rule = DynamicsRule.Optimal)
                      yield
                          Charts.combine
                              [ yield Chart.Line(x = (firstOrder |> List.map (fun c -> general c.StepRatio)), y = (firstOrder |> List.map (fun c -> c.ShareConverged)), Name = "first order", ShowMarkers = true)
                                match optimal with
                                | Some o -> yield Chart.Line(x = ratios, y = (ratios |> List.map (fun _ -> o.ShareConverged)), Name = "optimal discriminator (no η_d)")
                                | None -> () ]
                          |> Chart.withTitle "single Gaussian N(0, 1), one interval: share converging"
                          |> Chart.withXAxisStyle("η_d / η_g", AxisType = StyleParam.AxisType.Category, CategoryOrder = StyleParam.CategoryOrder.Array, CategoryArray = ratios)
                          |> Chart.withYAxisStyle("share converged", MinMax = (0.0, 1.05)) ]
        [ table ], charts

    let private support (directory: string) =
        let rows = read directory DynamicsFolder.supportFile DynamicsFolder.parseSupport
        let table =
            tableOf [ "model"; "description"; "known support"; "δ"; "smallest s with ≥ ½ collisions"; "share at s"; "estimate s²"; "estimate / known" ]
                [ for r in rows ->
                      [ r.Model; r.Description; general r.KnownSupport; general r.Estimate.Delta
                        (r.Estimate.BatchSize |> Option.map string |> Option.defaultValue (sprintf "none ≤ n (support > %s)" (general r.Estimate.LowerBound)))
                        decimals 3 r.Estimate.CollisionShare; general r.Estimate.Support; general (r.Estimate.Support / r.KnownSupport) ] ]
        let chart =
            Chart.Column(values = [ for r in rows -> log10 r.Estimate.Support ], Keys = [ for r in rows -> r.Model ])
            |> Chart.withTitle "birthday-paradox support estimate (log10 s²)"
            |> Chart.withYAxisStyle "log10 support"
        [ table ], [ chart ]

    /// The report's HTML for a dynamics folder.
    let render (directory: string) =
        let experiment =
            match DynamicsFolder.tryReadSpec directory with
            | Some e -> e
            | None -> raise (FileNotFoundException(sprintf "%s: missing %s (is this a dynamics folder written by `ganflow run seed002-…`?)" directory DynamicsFolder.specFile))
        let sections, charts =
            match experiment.Kind with
            | DynamicsExperimentKind.Figure panels -> figure directory panels
            | DynamicsExperimentKind.PhaseDiagram spec -> phaseDiagram directory spec
            | DynamicsExperimentKind.SupportSizes _ -> support directory
        let intro = sprintf "<p>%s</p>" (HtmlPage.text experiment.Description)
        let spec = sprintf "<details><summary>resolved spec</summary><pre>%s</pre></details>" (HtmlPage.text (SpecJson.serialize experiment))
        HtmlPage.render (sprintf "GanFlow dynamics: %s" experiment.Name) ((intro :: sections) @ [ spec ]) charts
