namespace GanFlow.Report

open System.IO
open Deedle
open Plotly.NET
open GanFlow.Core.Experiments
open GanFlow.Store

/// The table and HTML report of a study: final W1 per cell, beside the paper's values, and a
/// density plot per cell (seed 000 Table 2 and Figure 1 layouts).
module StudyReport =

    let private number (value: float) =
        if System.Double.IsNaN value then "—" else value.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)

    /// Run folder of a cell inside the study folder.
    let cellFolder (studyDirectory: string) (cell: StudyCell) = Path.Combine(studyDirectory, cell.Experiment.Name)

    /// Final W1 (eq. 8) of every cell as a rows × columns frame (NaN where the cell diverged).
    let w1Frame (study: Study) (runs: (StudyCell * RunData) list) (searched: ((string * string) * float) list) : Frame<string, string> =
        (runs
         |> List.map (fun (cell, data) ->
             let w1 = data.Summary.Final |> Option.map (fun f -> f.W1) |> Option.defaultValue nan
             cell.Row, cell.Column, w1))
        @ (searched |> List.map (fun ((row, column), w1) -> row, column, w1))
        |> Frame.ofValues
        |> Frame.realignRows study.Rows

    /// The search folder of a search cell inside the study folder.
    let searchFolder (studyDirectory: string) (cell: StudySearchCell) = Path.Combine(studyDirectory, cell.Search)

    /// The run of `cell` read from `folder`, or why it is not there: no summary (the run did not finish), an unreadable
    /// folder, or a run that is not the cell's (another spec or budget, an unfinished extension: `StudyCellRun.mismatch`),
    /// whose numbers the table must not show as the cell's.
    let cellRun (folder: string) (cell: StudyCell) : Result<RunData, string> =
        try
            match RunData.tryLoad folder with
            | None -> Result.Error "no summary.json: the run did not finish (see its run.log)"
            | Some data ->
                match StudyCellRun.mismatch cell.Experiment data.Experiment data.Summary with
                | Some reason -> Result.Error(sprintf "not this study's run: %s" reason)
                | None -> Result.Ok data
        with :? RunFolderException as e -> Result.Error(sprintf "unreadable: %s" e.Message)

    /// A search cell's value: the final W1 of the search's best completed trial (at the maximum resource), or a reason.
    let searchValue (studyDirectory: string) (cell: StudySearchCell) =
        try
            let data = SearchData.load (searchFolder studyDirectory cell)
            let maxSteps = GanFlow.Core.Search.Rungs.maxSteps data.Record.Scheduler.Scheduler
            match data.Best with
            | _ when not (SearchData.isFinished data) ->
                // The best so far is not the search's result: a later trial may beat it.
                let completed = data.Trials |> List.filter (fun t -> t.Status = "completed") |> List.length
                Result.Error(sprintf "search %s: unfinished (%d of %d trials completed); rerun the study to finish it" cell.Search completed data.Record.Trials)
            | Some best when best.Step = maxSteps ->
                let trial = data.Trials |> List.find (fun t -> t.Trial = best.Trial)
                Result.Ok(best.Metric, sprintf "search %s: best of %d trials is trial %d (%s)" cell.Search data.Trials.Length best.Trial trial.Assignment)
            | _ -> Result.Error(sprintf "search %s: no trial has completed yet" cell.Search)
        with :? RunFolderException as e -> Result.Error(sprintf "search %s: %s" cell.Search e.Message)

    /// A Markdown table in the paper's layout: "ours (paper)" per cell.
    let markdown (study: Study) (frame: Frame<string, string>) =
        let reference row column = study.Reference |> List.tryFind (fun (key, _) -> key = (row, column)) |> Option.map snd
        let cell row column =
            let ours = frame.TryGetColumn<float>(column, Lookup.Exact) |> OptionalValue.asOption |> Option.bind (fun s -> s.TryGet row |> OptionalValue.asOption)
            let ours = ours |> Option.map number |> Option.defaultValue "—"
            match reference row column with
            | Some paper -> sprintf "%s (%s)" ours (number paper)
            | None -> ours
        let header = "| | " + String.concat " | " study.Columns + " |"
        let rule = "|---|" + String.replicate study.Columns.Length "---|"
        let rows = study.Rows |> List.map (fun row -> sprintf "| %s | %s |" row (study.Columns |> List.map (cell row) |> String.concat " | "))
        String.concat "\n" ([ header; rule ] @ rows) + "\n"

    let private atomicWrite (path: string) (text: string) = AtomicFile.WriteAllText(path, text)

    /// Every finished cell's final (row, column, sample scores), in the study's order.
    let private finalScores (runs: (StudyCell * RunData) list) =
        runs |> List.choose (fun (cell, data) -> data.Summary.Final |> Option.map (fun f -> cell.Row, cell.Column, f.Samples.PrecisionRecall))

    /// `precision-recall.csv`: one row per finished cell (variant, column, precision, recall, density, coverage), written
    /// by Deedle as `table.csv` is (labels quoted where they need it).
    let precisionRecallCsv (runs: (StudyCell * RunData) list) =
        let scores = finalScores runs |> List.indexed
        let column name (get: string * string * GanFlow.Core.Metrics.PrecisionRecall -> 'T) =
            name, (scores |> List.map (fun (i, cell) -> i, box (get cell)) |> Series.ofObservations)
        let frame: Frame<int, string> =
            Frame.ofColumns
                [ column "variant" (fun (row, _, _) -> row)
                  column "column" (fun (_, c, _) -> c)
                  column "precision" (fun (_, _, s) -> s.Precision)
                  column "recall" (fun (_, _, s) -> s.Recall)
                  column "density" (fun (_, _, s) -> s.Density)
                  column "coverage" (fun (_, _, s) -> s.Coverage) ]
        use csv = new StringWriter(System.Globalization.CultureInfo.InvariantCulture)
        frame.SaveCsv(csv, includeRowKeys = false, culture = System.Globalization.CultureInfo.InvariantCulture)
        string csv

    /// A Markdown table of every cell's final "precision / recall" in the study's rows × columns layout ("—" where a
    /// cell has no run or no value).
    let precisionRecallMarkdown (study: Study) (runs: (StudyCell * RunData) list) =
        let scores = finalScores runs
        let cell row column =
            match scores |> List.tryFind (fun (r, c, _) -> r = row && c = column) with
            | Some(_, _, s) when System.Double.IsFinite s.Precision && System.Double.IsFinite s.Recall ->
                sprintf "%s / %s" (s.Precision.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)) (s.Recall.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture))
            | _ -> "—"
        let header = "| precision / recall | " + String.concat " | " study.Columns + " |"
        let rule = "|---|" + String.replicate study.Columns.Length "---|"
        let rows = study.Rows |> List.map (fun row -> sprintf "| %s | %s |" row (study.Columns |> List.map (cell row) |> String.concat " | "))
        String.concat "\n" ([ header; rule ] @ rows) + "\n"

    /// Every finished cell on the precision–recall plane, one trace per study column (data set).
    let precisionRecallPlane (study: Study) (runs: (StudyCell * RunData) list) =
        Charts.precisionRecallPlane (sprintf "%s: every model's final precision against recall (seed 000: measure recall, not only precision)" study.Name)
            (finalScores runs |> List.map (fun (row, column, s) -> column, row, s.Recall, s.Precision))

    /// A Flow-GAN study's `table.md` (Tables 1 and 3 per column, the paper's, the claims), `table.csv` and `report.html`
    /// (the tables, Figs. 2-4 per column, every cell's status); returns the Markdown.
    let private writeFlowGan (studyDirectory: string) (study: Study) (tables: FlowGanTables) (runs: (StudyCell * RunData) list) (statusRows: (string * string) list) =
        let imageBaseline column =
            let file = Path.Combine(studyDirectory, RunFiles.StudyBaseline column)
            // A file of an earlier version, or one that cannot be read, is as good as none: the table leaves it out.
            if File.Exists file then
                try Some((GanFlow.Core.Specs.SpecJson.deserialize<GanFlow.Core.Baselines.ImageBaseline> (File.ReadAllText file)).Curve) with _ -> None
            else None
        let columns = FlowGanReport.columns study tables runs imageBaseline
        let table = FlowGanReport.markdown tables columns
        let recall = precisionRecallMarkdown study runs
        atomicWrite (Path.Combine(studyDirectory, RunFiles.StudyTable)) (table + "\n" + recall)
        atomicWrite (Path.Combine(studyDirectory, RunFiles.StudyTableCsv)) (FlowGanReport.csv columns)
        atomicWrite (Path.Combine(studyDirectory, RunFiles.StudyPrecisionRecall)) (precisionRecallCsv runs)
        let html =
            HtmlPage.render
                (sprintf "GanFlow study: %s" study.Name)
                [ sprintf "<p>%s</p>" (HtmlPage.text study.Description)
                  HtmlPage.markdown table
                  "<h2>Final precision and recall (k = 3)</h2>" + HtmlPage.markdown recall
                  "<h2>Runs</h2>" + HtmlPage.table statusRows ]
                (FlowGanReport.charts tables columns @ [ precisionRecallPlane study runs ])
        atomicWrite (Path.Combine(studyDirectory, RunFiles.Report)) html
        table

    /// Reads every cell's run folder and writes `table.csv`, `table.md` and `report.html` into the study folder, leaving
    /// out the cells of `failed` (cell name → why: its process failed in this invocation, so what its folder holds is
    /// not this invocation's result); returns the Markdown table.
    let writeWithout (failed: Map<string, string>) (studyDirectory: string) (study: Study) =
        let loaded =
            study.Cells
            |> List.map (fun cell ->
                cell,
                match failed.TryFind cell.Experiment.Name with
                | Some reason -> Result.Error reason
                | None -> cellRun (cellFolder studyDirectory cell) cell)
        let runs = loaded |> List.choose (fun (cell, data) -> match data with Result.Ok d -> Some(cell, d) | Result.Error _ -> None)
        let missing = loaded |> List.choose (fun (cell, data) -> match data with Result.Error reason -> Some(cell, reason) | Result.Ok _ -> None)
        let searched = study.Searches |> List.map (fun c -> c, searchValue studyDirectory c)
        let statusRows =
            (runs |> List.map (fun (cell, data) -> cell.Experiment.Name, sprintf "%A, %.0f s. %s" data.Summary.Status data.Summary.WallSeconds (data.Summary.Message.Split('\n')[0])))
            @ (missing |> List.map (fun (cell, reason) -> cell.Experiment.Name, reason))
            @ (searched |> List.map (fun (c, v) -> sprintf "%s / %s" c.Row c.Column, (match v with Result.Ok(_, text) -> text | Result.Error reason -> reason)))
        match study.Table with
        | Some(StudyTable.FlowGan tables) -> writeFlowGan studyDirectory study tables runs statusRows
        | Some StudyTable.FinalW1
        | None ->
        let frame = w1Frame study runs (searched |> List.choose (fun (c, v) -> match v with Result.Ok(w1, _) -> Some((c.Row, c.Column), w1) | _ -> None))
        use csv = new StringWriter(System.Globalization.CultureInfo.InvariantCulture)
        frame.SaveCsv(csv, includeRowKeys = true, keyNames = [ "variant" ])
        atomicWrite (Path.Combine(studyDirectory, RunFiles.StudyTableCsv)) (string csv)
        let table = markdown study frame
        let recall = precisionRecallMarkdown study runs
        atomicWrite (Path.Combine(studyDirectory, RunFiles.StudyTable)) (table + "\n" + recall)
        atomicWrite (Path.Combine(studyDirectory, RunFiles.StudyPrecisionRecall)) (precisionRecallCsv runs)
        let flaggedRows =
            runs
            |> List.filter (fun (_, data) -> RunData.hasWassersteinCritic data)
            |> List.map (fun (cell, data) ->
                sprintf "%s / %s" cell.Row cell.Column,
                sprintf "%d of %d evaluations" (RunData.flaggedEvaluations data).Length data.Metrics.RowCount)
        let tableHtml =
            let header = "<tr><th></th>" + (study.Columns |> List.map (sprintf "<th>%s</th>") |> String.concat "") + "</tr>"
            let line (l: string) = l.Trim('|').Split('|') |> Array.map (fun c -> c.Trim())
            let body =
                table.Split('\n')
                |> Array.skip 2
                |> Array.filter (fun l -> l <> "")
                |> Array.map (fun l -> "<tr>" + (line l |> Array.map (HtmlPage.text >> sprintf "<td>%s</td>") |> String.concat "") + "</tr>")
                |> String.concat ""
            sprintf "<h2>Final W1 (eq. 8): ours (paper)</h2><table>%s%s</table>" header body
        let overlays =
            study.Columns
            |> List.choose (fun column ->
                let inColumn = runs |> List.filter (fun (cell, data) -> cell.Column = column && data.Samples.Length > 1)
                match inColumn with
                | (_, first) :: _ when first.Experiment.Dimension = 1 && first.Experiment.Law.IsSome ->
                    Some(Charts.densityOverlay (sprintf "%s: true density and every model's (Figure 1)" column) first.Experiment.Law.Value
                             (inColumn |> List.map (fun (cell, data) -> cell.Row, data)))
                | _ -> None)
        let charts =
            [ precisionRecallPlane study runs ]
            @ overlays
            @ (runs
               |> List.filter (fun (_, data) -> data.Samples.Length > 1 && data.Experiment.Dimension = 1)
               |> List.map (fun (cell, data) -> Charts.density data |> Chart.withTitle (sprintf "%s — %s" cell.Column cell.Row)))
        let html =
            HtmlPage.render
                (sprintf "GanFlow study: %s" study.Name)
                [ sprintf "<p>%s</p>" (HtmlPage.text study.Description)
                  tableHtml
                  "<h2>Final precision and recall (k = 3)</h2>" + HtmlPage.markdown recall
                  "<h2>Critic estimate (eq. 9) negative or below half the true W1</h2>" + HtmlPage.table flaggedRows
                  "<h2>Runs</h2>" + HtmlPage.table statusRows ]
                charts
        atomicWrite (Path.Combine(studyDirectory, RunFiles.Report)) html
        table

    /// Writes the resolved study spec into the study folder (atomically), for `rewrite`.
    let writeSpec (studyDirectory: string) (study: Study) =
        Directory.CreateDirectory studyDirectory |> ignore
        atomicWrite (Path.Combine(studyDirectory, RunFiles.Study)) (GanFlow.Core.Specs.SpecJson.serialize study)

    /// The study spec a study folder holds, or None when it has no `study.json`.
    let tryReadSpec (studyDirectory: string) =
        let path = Path.Combine(studyDirectory, RunFiles.Study)
        if File.Exists path then Some(RunStore.ReadJson<Study> path) else None

    /// Reads every cell's run folder and writes `table.csv`, `table.md` and `report.html` into the study folder (`ganflow
    /// report` on a study folder); returns the Markdown table.
    let write (studyDirectory: string) (study: Study) = writeWithout Map.empty studyDirectory study
