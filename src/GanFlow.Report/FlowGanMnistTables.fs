namespace GanFlow.Report

open System
open System.Globalization
open System.IO
open Plotly.NET
open GanFlow.Core.Images
open GanFlow.Store

/// Seed 001's MNIST Table 1 (and Fig. 4's Jacobian numbers) from a tables study's run folders, beside the paper's, and
/// the study's report (Fig. 2: train and validation NLL over training; Fig. 4: singular-value CDFs).
module FlowGanMnistTables =

    /// Seed 001 Table 1 (MODE score, test NLL in nats) by objective: MLE 7.42 / −3334.56, ADV 9.24 / −1604.09,
    /// Hybrid (λ = 0.1) 9.37 / −3342.95.
    let paperTable1 =
        [ "mle", (7.42, -3334.56); "adv", (9.24, -1604.09); "hybrid", (9.37, -3342.95) ] |> Map.ofList

    /// Seed 001 Table 3 (NLL in nats: exact, AIS, KDE) by objective.
    let paperTable3 =
        [ "mle", (-3287.69, -2584.40, -167.10); "adv", (26350.30, -2916.10, -3.03); "hybrid", (-3121.53, -2703.03, -205.69) ] |> Map.ofList

    let private show (digits: int) (v: float option) =
        match v with
        | Some v -> v.ToString("F" + string digits, CultureInfo.InvariantCulture)
        | None -> "—"

    /// One line per run: objective, status, steps, best step, test NLL (nats), bits/dim, MODE, Inception, the paper's
    /// MODE and NLL, mean log|det|, median singular value, mean log₁₀ condition number.
    let rows (summaries: FlowGanMnistSummary list) =
        summaries
        |> List.map (fun s ->
            let paperMode, paperNll =
                match Map.tryFind s.Objective paperTable1 with
                | Some(m, n) -> Some m, Some n
                | None -> None, None
            let jac f = s.Jacobian |> Option.map f
            [ s.Objective; string s.Status; string s.StepsCompleted
              (match s.BestStep with Some b -> string b | None -> "—")
              show 2 s.TestNll; show 3 s.TestBitsPerDim; show 2 s.ModeScore; show 2 s.InceptionScore
              (match s.ClassesCovered with Some c -> string c | None -> "—"); show 3 (s.ClassShares |> Option.map List.max)
              show 2 paperMode; show 2 paperNll
              show 2 (jac (fun j -> j.MeanLogAbsDet)); show 4 (jac (fun j -> j.MedianSingularValue)); show 2 (jac (fun j -> j.MeanLog10ConditionNumber)) ])

    let private header =
        [ "objective"; "status"; "steps"; "best_step"; "test_nll_nats"; "test_bits_per_dim"; "mode_score"; "inception_score"
          "classes_covered"; "largest_class_share"; "paper_mode_score"; "paper_test_nll_nats"; "mean_log_abs_det"; "median_singular_value"; "mean_log10_condition" ]

    /// table.csv's text.
    let csv (summaries: FlowGanMnistSummary list) =
        (header :: rows summaries) |> List.map (String.concat ",") |> String.concat "\n" |> fun t -> t + "\n"

    let private table3Header =
        [ "objective"; "exact_nll_kde_points"; "kde_nll"; "kde_bandwidth"; "exact_nll_ais_points"; "ais_nll"; "ais_acceptance"
          "paper_exact"; "paper_ais"; "paper_kde" ]

    /// Table 3's rows: the exact NLL of the same test images beside the KDE and AIS estimates, and the paper's.
    let table3Rows (summaries: FlowGanMnistSummary list) =
        summaries
        |> List.map (fun s ->
            let p = Map.tryFind s.Objective paperTable3
            [ s.Objective; show 2 s.ExactNllParzenPoints; show 2 (s.Parzen |> Option.map _.Nll); show 4 (s.Parzen |> Option.map _.Bandwidth)
              show 2 s.ExactNllAisPoints; show 2 (s.Ais |> Option.map _.Nll); show 2 (s.Ais |> Option.map _.AcceptanceRate)
              show 2 (p |> Option.map (fun (e, _, _) -> e)); show 2 (p |> Option.map (fun (_, a, _) -> a)); show 2 (p |> Option.map (fun (_, _, k) -> k)) ])

    let private baselineHeader = [ "sigma"; "validation_nll"; "test_nll"; "mode_score"; "inception_score" ]

    /// The memorizing baseline's curve (Fig. 6), the σ of lowest validation NLL marked.
    let baselineRows (points: MnistBaselinePoint list) =
        let best = if List.isEmpty points then nan else (points |> List.minBy _.ValidationNll).Sigma
        points
        |> List.map (fun p ->
            [ show 4 (Some p.Sigma) + (if p.Sigma = best then " (chosen)" else ""); show 2 (Some p.ValidationNll); show 2 (Some p.TestNll)
              show 2 (Some p.ModeScore); show 2 (Some p.InceptionScore) ])

    /// A markdown table: its header, the separator line, the rows.
    let private markdownTable (header: string list) (rows: string list list) =
        let line cells = "| " + String.concat " | " cells + " |"
        line header :: line (header |> List.map (fun _ -> "---")) :: (rows |> List.map line)

    /// table.md's text, with the classifier's test accuracy.
    let markdown (title: string) (accuracy: float option) (summaries: FlowGanMnistSummary list) =
        [ yield "# " + title
          yield ""
          yield "Seed 001 Table 1 (MODE score, test NLL in nats per image on [0,1]-scaled digits) beside the paper's; the digit classes the samples cover (at least a fifth of their fair share) and the largest class's share; Fig. 4's Jacobian numbers (singular values of dG/dz at prior draws)."
          yield sprintf "Digit classifier test accuracy: %s." (show 4 accuracy)
          yield ""
          yield! markdownTable header (rows summaries)
          if summaries |> List.exists (fun s -> s.Parzen.IsSome || s.Ais.IsSome) then
              yield ""
              yield "Seed 001 Table 3: exact NLL of the best-validated flow vs the KDE (Parzen window on its samples) and AIS (p_sigma(x), Gaussian observation) estimates, nats per image, each on the same test images."
              yield ""
              yield! markdownTable table3Header (table3Rows summaries) ]
        |> String.concat "\n"
        |> fun t -> t + "\n"

    let private metrics (folder: string) =
        match FlowGanMnistMetricsCsv.parse (File.ReadAllText(Path.Combine(folder, RunFiles.Metrics))) with
        | Ok rows -> rows
        | Error m -> failwithf "%s: %s" (Path.Combine(folder, RunFiles.Metrics)) m

    let private singularValues (folder: string) =
        let path = Path.Combine(folder, RunFiles.Jacobian)
        if not (File.Exists path) then [||]
        else
            File.ReadAllLines path
            |> Array.skip 1
            |> Array.filter (fun l -> l <> "")
            |> Array.map (fun l -> let c = l.Split ',' in int c[0], Double.Parse(c[2], CultureInfo.InvariantCulture))
            |> Array.groupBy fst
            |> Array.map (snd >> Array.map snd)

    /// Fig. 2: train and validation NLL of every run (objective, run folder) over training.
    let nllChart (runs: (string * string) list) =
        Charts.combine
            [ for name, folder in runs do
                  let rows = metrics folder
                  let steps = rows |> List.map (fun r -> r.Step)
                  yield Chart.Line(x = steps, y = (rows |> List.map (fun r -> r.TrainNll)), Name = name + " train", ShowMarkers = true)
                  yield Chart.Line(x = steps, y = (rows |> List.map (fun r -> r.ValidationNll)), Name = name + " validation", ShowMarkers = true) ]
        |> Chart.withTitle "NLL over training (exact, nats per image; seed 001 Fig. 2)"
        |> Chart.withXAxisStyle "generator step"
        |> Chart.withYAxisStyle "nats per image"

    /// The baseline section of table.md (Fig. 6), after `markdown`'s text.
    let baselineMarkdown (points: MnistBaselinePoint list) =
        [ yield ""
          yield "Seed 001 Fig. 6: the memorizing baseline (equal-weight isotropic Gaussians on the dequantized training images), NLL in nats per image and the MODE score of its samples against sigma; sigma chosen on validation."
          yield ""
          yield! markdownTable baselineHeader (baselineRows points) ]
        |> String.concat "\n"
        |> fun t -> t + "\n"

    /// Fig. 6: the baseline's test NLL and MODE score against σ.
    let baselineCharts (points: MnistBaselinePoint list) =
        let sigmas = points |> List.map _.Sigma
        [ Chart.Line(x = sigmas, y = (points |> List.map _.TestNll), Name = "test NLL", ShowMarkers = true)
          |> Chart.withTitle "Memorizing baseline: test NLL against sigma (seed 001 Fig. 6)"
          |> Chart.withXAxisStyle ("sigma", AxisType = StyleParam.AxisType.Log)
          |> Chart.withYAxisStyle "nats per image"
          Chart.Line(x = sigmas, y = (points |> List.map _.ModeScore), Name = "MODE score", ShowMarkers = true)
          |> Chart.withTitle "Memorizing baseline: MODE score against sigma (seed 001 Fig. 6)"
          |> Chart.withXAxisStyle ("sigma", AxisType = StyleParam.AxisType.Log)
          |> Chart.withYAxisStyle "MODE score" ]

    /// Writes report.html into the study folder from its runs (objective, run folder) and table.md's text.
    let writeReport (studyFolder: string) (title: string) (table: string) (runs: (string * string * FlowGanMnistSummary) list) (baseline: MnistBaselinePoint list) =
        let pictures =
            runs
            |> List.map (fun (name, folder, _) ->
                sprintf "<figure><img src=\"%s\" style=\"image-rendering: pixelated\"><figcaption>%s: samples of the best-validated flow</figcaption></figure>"
                    (Path.GetRelativePath(studyFolder, Path.Combine(folder, RunFiles.SampleGrid)).Replace('\\', '/')) (HtmlPage.text name))
        let jacobian =
            Charts.singularValueCdf "Singular values of the generator's Jacobian at prior draws (seed 001 Fig. 4)"
                (runs |> List.map (fun (name, folder, s) -> name, singularValues folder, s.Jacobian |> Option.map (fun j -> j.MeanLogAbsDet)))
        let html =
            HtmlPage.render title (HtmlPage.markdown table :: pictures) ([ nllChart (runs |> List.map (fun (n, f, _) -> n, f)); jacobian ] @ (if List.isEmpty baseline then [] else baselineCharts baseline))
        let path = Path.Combine(studyFolder, RunFiles.Report)
        AtomicFile.WriteAllText(path, html)
        path

    /// The points of a study's `baseline.csv` (`sigma,validation_nll,test_nll,mode_score,inception_score`); a malformed
    /// line is a `RunFolderException` naming the file and the line.
    let readBaseline (path: string) : MnistBaselinePoint list =
        let lines = File.ReadAllLines path
        if lines.Length = 0 || lines[0] <> "sigma,validation_nll,test_nll,mode_score,inception_score" then
            raise (RunFolderException(sprintf "%s: line 1: expected the header sigma,validation_nll,test_nll,mode_score,inception_score" path))
        [ for i in 1 .. lines.Length - 1 do
              if lines[i] <> "" then
                  let fields = lines[i].Split ','
                  let number (text: string) =
                      match Double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture) with
                      | true, v -> v
                      | _ -> raise (RunFolderException(sprintf "%s: line %d: '%s' is not a number" path (i + 1) text))
                  if fields.Length <> 5 then raise (RunFolderException(sprintf "%s: line %d: expected 5 fields, found %d" path (i + 1) fields.Length))
                  yield
                      { Sigma = number fields[0]
                        ValidationNll = number fields[1]
                        TestNll = number fields[2]
                        ModeScore = number fields[3]
                        InceptionScore = number fields[4] } ]

    /// `ganflow report` on a seed 001 MNIST tables-study folder: table.md, table.csv and report.html rebuilt from
    /// study.json, each objective's summary.json (the runs that have one) and baseline.csv. Returns the table's path.
    let rebuildStudy (studyFolder: string) (study: FlowGanMnistStudy) =
        let runs =
            study.Cells
            |> List.choose (fun c ->
                let folder = Path.Combine(studyFolder, c.Objective.Short)
                let summary = Path.Combine(folder, RunFiles.Summary)
                if File.Exists summary then Some(c.Objective.Short, folder, RunStore.ReadJson<FlowGanMnistSummary> summary) else None)
        let summaries = runs |> List.map (fun (_, _, s) -> s)
        let baselinePath = Path.Combine(studyFolder, "baseline.csv")
        let baseline = if File.Exists baselinePath then readBaseline baselinePath else []
        let accuracy = summaries |> List.tryPick (fun x -> x.ClassifierAccuracy)
        let table = markdown study.Name accuracy summaries + (if List.isEmpty baseline then "" else baselineMarkdown baseline)
        let tablePath = Path.Combine(studyFolder, RunFiles.StudyTable)
        AtomicFile.WriteAllText(tablePath, table)
        AtomicFile.WriteAllText(Path.Combine(studyFolder, RunFiles.StudyTableCsv), csv summaries)
        writeReport studyFolder study.Name table runs baseline |> ignore
        tablePath

    /// `ganflow report` on one seed 001 MNIST run folder: its report.html (its Table 1 and 3 rows, Fig. 2, Fig. 4 and
    /// its samples) from spec.json and summary.json. Returns the report's path.
    let writeRunReport (runFolder: string) (experiment: FlowGanMnistExperiment) =
        let summaryPath = Path.Combine(runFolder, RunFiles.Summary)
        if not (File.Exists summaryPath) then
            raise (RunFolderException(sprintf "%s: missing: the run has not finished an evaluation yet (resume it with --resume)" summaryPath))
        let summary = RunStore.ReadJson<FlowGanMnistSummary> summaryPath
        let table = markdown experiment.Name summary.ClassifierAccuracy [ summary ]
        writeReport runFolder experiment.Name table [ experiment.Objective.Short, runFolder, summary ] []

    /// The seed 001 MNIST study or run a folder holds, told from the other kinds by the `objective` field of its
    /// spec (a study's cells carry it too); None for every other folder.
    let tryRead (folder: string) =
        let objectiveIn (path: string) (study: bool) =
            File.Exists path
            && (try
                    use document = System.Text.Json.JsonDocument.Parse(File.ReadAllText path)
                    let root = document.RootElement
                    let spec =
                        if study then
                            match root.TryGetProperty "cells" with
                            | true, cells when cells.ValueKind = System.Text.Json.JsonValueKind.Array && cells.GetArrayLength() > 0 -> Some(cells[0])
                            | _ -> None
                        else Some root
                    spec |> Option.exists (fun e -> e.ValueKind = System.Text.Json.JsonValueKind.Object && fst (e.TryGetProperty "objective") && fst (e.TryGetProperty "flow"))
                with :? System.Text.Json.JsonException -> false)
        let studyPath = Path.Combine(folder, RunFiles.Study)
        let specPath = Path.Combine(folder, RunFiles.Spec)
        if objectiveIn studyPath true then Some(FlowGanMnistDeclared.Tables(RunStore.ReadJson<FlowGanMnistStudy> studyPath))
        elif objectiveIn specPath false then Some(FlowGanMnistDeclared.Run(RunStore.ReadJson<FlowGanMnistExperiment> specPath))
        else None
