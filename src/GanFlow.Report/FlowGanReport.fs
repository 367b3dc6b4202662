namespace GanFlow.Report

open Plotly.NET
open GanFlow.Core.Experiments

/// Seed 001's Tables 1 and 3, Figs. 2, 3 and 4 and the claims, for a Flow-GAN study (`StudyTable.FlowGan`).
module FlowGanReport =

    let private invariant = System.Globalization.CultureInfo.InvariantCulture
    let private number (v: float) = if System.Double.IsFinite v then v.ToString("0.000", invariant) else "—"
    let private optional (v: float option) = v |> Option.map number |> Option.defaultValue "—"

    /// Everything the tables need, per column: the cells in row order and the baseline (None: an image column whose
    /// baseline the study runner has not computed).
    type Columns = (string * FlowGanCell list * BaselineColumn option) list

    /// Reads the cells of every column and each column's baseline: computed here on a finite sample of a law, read from
    /// `imageBaseline column` on images (the study runner computes it with the digit classifier; None until it has).
    let columns (study: Study) (tables: FlowGanTables) (runs: (StudyCell * RunData) list) (imageBaseline: string -> GanFlow.Core.Baselines.BaselineCurve option) : Columns =
        study.Columns
        |> List.choose (fun column ->
            let cells =
                study.Rows
                |> List.choose (fun row ->
                    runs |> List.tryFind (fun (c, _) -> c.Row = row && c.Column = column) |> Option.map (fun (c, d) -> FlowGanTables.cell row column d))
            let adv = cells |> List.tryFind (fun c -> c.Row = tables.AdversarialRow)
            match study.Cells |> List.tryFind (fun c -> c.Column = column) with
            | Some first when first.Experiment.Data.IsSample ->
                Some(column, cells, Some(FlowGanTables.baseline column (FlowGanTables.curveOf tables.Baseline first.Experiment) adv))
            | Some first when first.Experiment.Data.IsImages ->
                Some(column, cells, imageBaseline column |> Option.map (fun curve -> FlowGanTables.baseline column curve adv))
            | _ -> None)

    let private markdownTable (header: string list) (rows: string list list) =
        let line (cells: string list) = "| " + String.concat " | " cells + " |"
        String.concat "\n" ([ line header; "|" + String.replicate header.Length "---|" ] @ List.map line rows) + "\n"

    /// Table 1 of one column: best MODE score, best-validated test NLL (nats, bits/dim), and the baseline at its σ.
    let table1 (cells: FlowGanCell list) (baseline: BaselineColumn option) =
        markdownTable [ "objective"; "best MODE score (step)"; "test NLL, best validated (nats)"; "bits/dim"; "final test NLL (nats)" ]
            ([ for c in cells ->
                   [ c.Row
                     (c.BestMode |> Option.map (fun (m, s) -> sprintf "%s (%d)" (number m) s) |> Option.defaultValue "—")
                     (c.BestValidated |> Option.map (fun b -> sprintf "%s (step %d)" (number b.TestNll) b.Step) |> Option.defaultValue "—")
                     (c.BestValidated |> Option.map (fun b -> number b.TestBitsPerDim) |> Option.defaultValue "—")
                     optional c.ExactNll ] ]
             @ [ for baseline in Option.toList baseline ->
                   [ sprintf "memorizing mixture (σ = %.4g)" baseline.Best.Sigma
                     (baseline.Best.Modes |> Option.map (fun m -> number m.ModeScore) |> Option.defaultValue "—")
                     number baseline.Best.TestNll
                     "—"
                     number baseline.Best.TestNll ] ])

    /// Table 3 of one column: exact NLL of the final models against AIS (on its points) and KDE (on the test points).
    let table3 (cells: FlowGanCell list) (baseline: BaselineColumn option) =
        markdownTable [ "objective"; "exact NLL (test points)"; "KDE"; "exact NLL (AIS points)"; "AIS"; "AIS bidirectional gap" ]
            ([ for c in cells ->
                   [ c.Row
                     optional c.ExactNll
                     (c.Parzen |> Option.map (fun p -> sprintf "%s (h %.3g)" (number p.Nll) p.Bandwidth) |> Option.defaultValue "—")
                     optional c.ExactNllAisPoints
                     (c.Ais |> Option.map (fun a -> sprintf "%s ± %s" (number a.Nll) (number a.StandardError)) |> Option.defaultValue "—")
                     (c.Ais |> Option.bind _.BidirectionalGap |> optional) ] ]
             @ [ for baseline in Option.toList baseline ->
                   [ sprintf "memorizing mixture (σ = %.4g)" baseline.Best.Sigma
                     number baseline.Best.TestNll
                     sprintf "%s (h %.3g)" (number baseline.Parzen.Nll) baseline.Parzen.Bandwidth
                     "—"; "—"; "—" ] ])

    /// The paper's rows beside ours.
    let private paper (header: string list) (rows: PaperRow list) =
        markdownTable ("objective (paper, MNIST)" :: header) [ for r in rows -> r.Objective :: (r.Values |> List.map (fun v -> v.ToString("0.00", invariant))) ]

    /// The claims measured on every column.
    let claims (tables: FlowGanTables) (columns: Columns) =
        columns |> List.collect (fun (column, cells, baseline) -> FlowGanTables.claims column cells baseline tables.AdversarialRow)

    /// `table.md`: per column Tables 1 and 3, the paper's tables, the claims.
    let markdown (tables: FlowGanTables) (columns: Columns) =
        let perColumn =
            columns
            |> List.map (fun (column, cells, baseline) ->
                sprintf "## %s\n\nTable 1 (sample quality and held-out NLL):\n\n%s\nTable 3 (exact NLL against the estimators, final models):\n\n%s"
                    column (table1 cells baseline) (table3 cells baseline))
        let claimRows =
            claims tables columns |> List.map (fun c -> [ c.Claim; c.Column; (if c.Holds then "yes" else "no"); c.Evidence ])
        String.concat "\n"
            (perColumn
             @ [ "## The paper's values (MNIST, nats)\n\nTable 1:\n\n" + paper [ "MODE score"; "test NLL" ] tables.PaperTable1
                 + "\nTable 3:\n\n" + paper [ "Flow-GAN NLL"; "AIS"; "KDE" ] tables.PaperTable3
                 "## Claims\n\n" + markdownTable [ "claim"; "data"; "holds"; "evidence" ] claimRows ])

    /// `table.csv`: one line per column and row.
    let csv (columns: Columns) =
        let header = "column,row,best_mode_score,best_mode_step,test_nll_best_validated,test_bits_per_dim,final_test_nll,kde_nll,exact_nll_ais_points,ais_nll,ais_error,mean_log_det"
        let f (v: float option) = v |> Option.map (fun x -> x.ToString("R", invariant)) |> Option.defaultValue ""
        let lines =
            [ for column, cells, baseline in columns do
                  for c in cells ->
                      String.concat ","
                          [ column; c.Row; f (c.BestMode |> Option.map fst); (c.BestMode |> Option.map (snd >> string) |> Option.defaultValue "")
                            f (c.BestValidated |> Option.map _.TestNll); f (c.BestValidated |> Option.map _.TestBitsPerDim); f c.ExactNll
                            f (c.Parzen |> Option.map _.Nll); f c.ExactNllAisPoints; f (c.Ais |> Option.map _.Nll); f (c.Ais |> Option.map _.StandardError); f c.MeanLogDet ]
                  for baseline in Option.toList baseline ->
                      String.concat ","
                          [ column; sprintf "memorizing mixture (sigma %g)" baseline.Best.Sigma; f (baseline.Best.Modes |> Option.map _.ModeScore); ""
                            f (Some baseline.Best.TestNll); ""; f (Some baseline.Best.TestNll); f (Some baseline.Parzen.Nll); ""; ""; ""; "" ] ]
        String.concat "\n" (header :: lines) + "\n"

    /// Fig. 2: the training and validation NLL over training of every objective of a column.
    let private figure2 (column: string) (cells: FlowGanCell list) =
        Charts.combine
            [ for c in cells do
                  let steps = RunData.column "step" c.Data
                  yield Chart.Line(x = steps, y = RunData.column "train_nll" c.Data, Name = sprintf "%s, training" c.Row, ShowMarkers = true)
                  yield Chart.Line(x = steps, y = RunData.column "validation_nll" c.Data, Name = sprintf "%s, validation" c.Row, ShowMarkers = true) ]
        |> Chart.withTitle (sprintf "%s: NLL over training, training and validation splits (seed 001 Fig. 2)" column)
        |> Chart.withXAxisStyle "generator step"
        |> Chart.withYAxisStyle "nats per point"

    /// Fig. 3: the baseline's validation NLL and MODE score against σ, ADV's best MODE score and its validation NLL as
    /// dashed lines, the green region marked.
    let private figure3 (column: string) (cells: FlowGanCell list) (baseline: BaselineColumn) (advRow: string) =
        let sigmas = baseline.Curve |> List.map _.Sigma
        let adv = cells |> List.tryFind (fun c -> c.Row = advRow)
        let flat (name: string) (value: float option) (colour: string) =
            match value with
            | Some v -> [ Chart.Line(x = [ List.min sigmas; List.max sigmas ], y = [ v; v ], Name = name, LineDash = StyleParam.DrawingStyle.Dash, LineColor = Color.fromString colour) ]
            | None -> []
        let green =
            baseline.Green
            |> List.map (fun s -> Chart.Point(x = [ s ], y = [ 0.0 ], Name = "green region: the baseline beats ADV on both", MarkerColor = Color.fromString "green", ShowLegend = false))
        Charts.combine
            ([ Chart.Line(x = sigmas, y = (baseline.Curve |> List.map _.ValidationNll), Name = "baseline validation NLL", ShowMarkers = true, LineColor = Color.fromString "#1f77b4")
               Chart.Line(x = sigmas, y = (baseline.Curve |> List.map (fun p -> p.Modes |> Option.map _.ModeScore |> Option.defaultValue nan)), Name = "baseline MODE score", ShowMarkers = true, LineColor = Color.fromString "#d62728") ]
             @ flat "ADV's validation NLL at its best MODE" (adv |> Option.bind _.ValidationNllAtBestMode) "#17becf"
             @ flat "ADV's best MODE score" (adv |> Option.bind _.BestMode |> Option.map fst) "#800000"
             @ green)
        |> Chart.withTitle (sprintf "%s: memorizing mixture against σ (seed 001 Fig. 3; green points: σ where it beats ADV on both)" column)
        |> Chart.withXAxisStyle ("bandwidth σ", AxisType = StyleParam.AxisType.Log)
        |> Chart.withYAxisStyle "nats per point / MODE score"

    /// Fig. 4: the singular-value CDFs of every objective of a column.
    let private figure4 (column: string) (cells: FlowGanCell list) =
        Charts.singularValueCdf (sprintf "%s: Jacobian singular values at 64 prior draws (seed 001 Fig. 4)" column)
            [ for c in cells -> c.Row, c.Data.Jacobian, c.MeanLogDet ]

    /// The charts of the report, column by column.
    let charts (tables: FlowGanTables) (columns: Columns) =
        [ for column, cells, baseline in columns do
              yield figure2 column cells
              for baseline in Option.toList baseline -> figure3 column cells baseline tables.AdversarialRow
              yield figure4 column cells ]
