namespace GanFlow.Report

open System.IO
open Plotly.NET
open GanFlow.Core.Search
open GanFlow.Core.Specs
open GanFlow.Store

/// The HTML report of a search folder: the metric against training steps for every trial (coloured by outcome, the
/// rungs marked), the best trials with their assignments, the metric by each parameter's value (a slice plot per
/// parameter, as Optuna's dashboard has), and the best completed trial's density over the truth.
module SearchReport =

    let private colour (status: string) =
        match status with
        | "completed" -> "#2ca02c"
        | "stopped" -> "#7f7f7f"
        | "paused" -> "#1f77b4"
        | "running" | "promoted" -> "#ff7f0e"
        | "diverged" -> "#d62728"
        | _ -> "#9467bd"

    let private metricName (data: SearchData) =
        match data.Record.Scheduler.Metric with
        | SearchMetric.Column column -> column
        | other -> sprintf "%A" other

    /// A log axis for the distances and likelihoods, which span decades; a linear one for a recorded column (shares such
    /// as recall reach 0).
    let private metricAxis (data: SearchData) =
        match data.Record.Scheduler.Metric with
        | SearchMetric.Column _ -> StyleParam.AxisType.Linear
        | _ -> StyleParam.AxisType.Log

    let private metricOf (data: SearchData) (r: TrialReport) =
        match data.Record.Scheduler.Metric with
        | SearchMetric.W1 -> r.W1
        | SearchMetric.W1Exact -> r.W1Exact
        | SearchMetric.Energy -> r.Energy
        | SearchMetric.Nll -> r.Nll
        | SearchMetric.Column _ -> r.Metric

    /// The metric against training steps, one line per trial coloured by its status, the milestones as dotted lines.
    let curves (data: SearchData) =
        let milestones = Rungs.milestones data.Record.Scheduler.Scheduler
        let values = data.Reports |> List.map (metricOf data) |> List.filter System.Double.IsFinite
        let low, high = (if values.IsEmpty then 0.0, 1.0 else List.min values, List.max values)
        let shown = System.Collections.Generic.HashSet<string>()
        Charts.combine
            [ for t in data.Trials do
                  let points = data.Reports |> List.filter (fun r -> r.Trial = t.Trial)
                  let first = shown.Add t.Status
                  yield
                      Chart.Line(x = (points |> List.map (fun r -> float r.Step)), y = (points |> List.map (metricOf data)), ShowMarkers = true)
                      |> Chart.withLineStyle (Color = Color.fromString (colour t.Status), Width = 1.0)
                      |> Chart.withMarkerStyle (Color = Color.fromString (colour t.Status), Size = 4)
                      |> Chart.withTraceInfo (Name = t.Status, ShowLegend = first, LegendGroup = t.Status)
              for m in milestones ->
                  Chart.Line(x = [ float m; float m ], y = [ low; high ])
                  |> Chart.withLineStyle (Color = Color.fromString "black", Dash = StyleParam.DrawingStyle.Dot, Width = 1.0)
                  |> Chart.withTraceInfo (Name = "milestones", ShowLegend = (m = milestones.Head), LegendGroup = "milestones") ]
        |> Chart.withTitle (sprintf "%s against training steps, every trial (rungs at %s)" (metricName data) (milestones |> List.map string |> String.concat ", "))
        |> Chart.withXAxisStyle "training (generator) steps"
        |> Chart.withYAxisStyle (metricName data, AxisType = metricAxis data)

    /// The trials ranked: the highest milestone reached first, then the metric there.
    let ranked (data: SearchData) =
        let sign = match data.Record.Scheduler.Direction with Direction.Minimize -> 1.0 | Direction.Maximize -> -1.0
        data.Trials
        |> List.filter (fun t -> t.Metric.HasValue)
        |> List.sortBy (fun t -> -t.Rung, sign * t.Metric.Value, t.Trial)

    /// One slice plot per parameter: each trial's metric at the highest milestone it reached against its value (none for
    /// a parameter no ranked trial had active, e.g. a conditional one whose condition never held).
    let slices (data: SearchData) =
        let rankedTrials = ranked data
        data.Record.Space
        |> List.map (fun p ->
            p,
            rankedTrials
            |> List.choose (fun t ->
                SearchSpace.tryGet p.Name (SpecJson.deserialize<Assignment> t.AssignmentJson)
                |> Option.map (fun v -> string v, t.Metric.Value, t.Status)))
        |> List.filter (fun (_, points) -> not points.IsEmpty)
        |> List.map (fun (p, points) ->
            Charts.combine
                [ for status, group in points |> List.groupBy (fun (_, _, s) -> s) ->
                      Chart.Point(x = (group |> List.map (fun (x, _, _) -> x)), y = (group |> List.map (fun (_, y, _) -> y)), Name = status)
                      |> Chart.withMarkerStyle (Color = Color.fromString (colour status), Size = 7) ]
            |> Chart.withTitle (sprintf "%s by %s (each trial at the highest milestone it reached)" (metricName data) p.Name)
            |> Chart.withXAxisStyle (p.Name, AxisType = StyleParam.AxisType.Category)
            |> Chart.withYAxisStyle (metricName data, AxisType = metricAxis data)
            |> Chart.withSize (1000, 320))

    /// Writes the report of `data` as `report.html` into its search folder (atomically) and returns its path.
    let writeData (data: SearchData) =
        let directory = data.Directory
        let best =
            ranked data
            |> List.truncate 10
            |> List.map (fun t ->
                sprintf "trial %d (%s, %d steps)" t.Trial t.Status t.Steps,
                sprintf "%s %s — %s" (metricName data) (t.Metric.Value.ToString("G5", System.Globalization.CultureInfo.InvariantCulture)) t.Assignment)
        let bestCompleted = ranked data |> List.tryFind (fun t -> t.Status = "completed")
        let bestDensity =
            bestCompleted
            |> Option.bind (fun t ->
                let folder = Path.Combine(directory, t.Folder)
                try
                    RunData.tryLoad folder
                    |> Option.filter (fun d -> d.Samples.Length > 1 && d.Experiment.Dimension = 1)
                    |> Option.map (fun d -> Charts.density d |> Chart.withTitle (sprintf "The best completed trial (%d): density over the truth" t.Trial))
                with :? RunFolderException -> None)
        let decisions = data.Events |> List.countBy _.Kind |> List.map (fun (k, n) -> k, string n)
        let status = SearchData.statusLines data |> List.map (fun (k, v) -> k, v)
        let html =
            HtmlPage.render (sprintf "GanFlow search: %s" data.Record.Name)
                [ sprintf "<p>%s</p>" (HtmlPage.text data.Record.Description)
                  "<h2>Status</h2>" + HtmlPage.table status
                  "<h2>Best trials</h2>" + HtmlPage.table best
                  "<h2>Events</h2>" + HtmlPage.table decisions
                  sprintf "<details><summary>search record</summary><pre>%s</pre></details>" (HtmlPage.text (SpecJson.serialize data.Record)) ]
                ([ curves data ] @ (bestDensity |> Option.toList) @ slices data)
        let path = Path.Combine(directory, RunFiles.Report)
        AtomicFile.WriteAllText(path, html)
        path

    /// Writes `report.html` into the search folder `directory` (read from its store; atomically) and returns its path.
    let write (directory: string) = writeData (SearchData.load directory)
