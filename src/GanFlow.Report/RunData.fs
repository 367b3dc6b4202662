namespace GanFlow.Report

open System.Globalization
open System.IO
open Deedle
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Store

/// A run folder read back: the resolved spec, the summary, the metrics frame and the final samples.
type RunData =
    { Experiment: Experiment
      /// summary.json; for an unfinished run (stopped or killed before it wrote one), one made from its last evaluation
      /// (`Unfinished` says so).
      Summary: RunSummary
      /// The run has no summary.json: it was stopped or killed (a running one holds the folder's lock, which the report
      /// waits for), and `Summary` is made from its last evaluation in metrics.csv.
      Unfinished: bool
      /// One row per evaluation; one column per metric the run recorded (`MetricColumns`), named as in the header.
      Metrics: Frame<int, string>
      /// Final model samples (1-D values, or row-major coordinates for d > 1); empty if the run
      /// wrote none.
      Samples: float[]
      /// Flows: `density.csv`, one row per grid point (coordinates, then the density); empty otherwise.
      Density: float[][]
      /// Flows in 2-D: `latent.csv`, g⁻¹ of data points, one row per point; empty otherwise.
      Latent: float[][]
      /// Flows in 1-D and 2-D: `trajectories.csv`, data points through the flow's stages; empty otherwise.
      Trajectories: FlowTrajectories
      /// `heldout.json`: what the run measured on held-out data at its end, when it measured anything.
      HeldOut: HeldOut option
      /// `jacobian.csv`: the singular values of the generator's Jacobian per prior draw (largest first); empty otherwise.
      Jacobian: float[][] }

/// Reading a run folder. Every file is parsed strictly: a truncated, garbled or empty file is a `RunFolderException`
/// naming the file and the line, never a crash further on.
module RunData =

    let private fail (path: string) (line: int) (reason: string) : 'T =
        raise (RunFolderException(sprintf "%s line %d: %s" path line reason))

    /// The final samples: every non-blank line holds `dimension` comma-separated numbers (read by the one sample
    /// reader, `SampleFile`); empty when the run wrote none.
    let readSamples (path: string) (dimension: int) =
        if not (File.Exists path) then [||]
        else
            try (SampleFile.Read(path, dimension)).Values
            with :? SampleFileException as e -> raise (RunFolderException e.Message)

    /// A CSV of numbers whose header is `header` (e.g. `x,density`); every row has as many fields. Empty when absent.
    let readTable (path: string) (header: string) =
        if not (File.Exists path) then [||]
        else
            let records = CsvRecords.Parse(RunStore.ReadText path, path)
            let names = header.Split ','
            match List.ofSeq records with
            | first :: rows when first.Fields = names ->
                rows
                |> List.map (fun r ->
                    if r.Fields.Length <> names.Length then fail path r.Line (sprintf "%d fields, expected %d" r.Fields.Length names.Length)
                    Array.map2 (fun field column -> CsvRecords.Number(field, path, r.Line, column)) r.Fields names)
                |> Array.ofList
            | _ -> fail path 1 (sprintf "expected the header '%s'" header)

    /// The evaluations of metrics.csv as a frame with one column per metric some evaluation has.
    let private metricsFrame (records: EvaluationRecord seq) : Frame<int, string> =
        let records = Array.ofSeq records
        MetricColumns.all
        |> List.filter (fun c -> c.Name = "step" || records |> Array.exists (fun r -> (c.Get r).IsSome))
        |> List.map (fun c -> c.Name, Series.ofValues (records |> Array.map (fun r -> c.Get r |> Option.defaultValue nan)))
        |> Frame.ofColumns

    let private require (directory: string) (file: string) =
        let path = Path.Combine(directory, file)
        if not (File.Exists path) then
            raise (RunFolderException(NotARunFolder.Message(directory, file)))
        path

    /// Loads a run folder; a missing or malformed file is a `RunFolderException` naming it (and the line).
    let load (directory: string) =
        if not (Directory.Exists directory) then raise (RunFolderException(sprintf "%s: no such folder" directory))
        let experiment = RunStore.ReadJson<Experiment>(require directory RunFiles.Spec)
        let summaryPath = Path.Combine(directory, RunFiles.Summary)
        let unfinished = not (File.Exists summaryPath)
        // A finished run must have its metrics.csv; an unfinished one may have none yet.
        let metricsPath = if unfinished then Path.Combine(directory, RunFiles.Metrics) else require directory RunFiles.Metrics
        let records = if File.Exists metricsPath then MetricsCsv.Parse(RunStore.ReadText metricsPath, metricsPath) else []
        let summary =
            if not unfinished then RunStore.ReadJson<RunSummary>(summaryPath)
            else
                match Seq.tryLast records with
                | None ->
                    raise (RunFolderException(
                        sprintf "%s: holds an unfinished run with no evaluation yet (no %s, and %s has no row): there is nothing to report; `ganflow run --spec %s --out %s --resume` continues it"
                            directory RunFiles.Summary RunFiles.Metrics (Path.Combine(directory, RunFiles.Spec)) directory))
                | Some last ->
                    { Experiment = experiment.Name
                      Seed = experiment.Seed
                      Status = RunStatus.Paused
                      Message =
                        sprintf "unfinished: no %s (the run was stopped or killed); the rows marked final are its last evaluation, at step %d of %d; `ganflow run --spec %s --out %s --resume` continues it"
                            RunFiles.Summary last.Step experiment.Budget.Steps (Path.Combine(directory, RunFiles.Spec)) directory
                      StepsCompleted = last.Step
                      WallSeconds = last.WallSeconds
                      Device = "—"
                      GeneratorParameters = 0
                      CriticParameters = 0
                      Final = Some last
                      Splits = None }
        let dimension = experiment.Dimension
        let at file = Path.Combine(directory, file)
        let densityHeader = (if dimension = 1 then "x" elif dimension = 2 then "x,y" else String.concat "," [ for k in 1..dimension -> sprintf "x%d" k ]) + ",density"
        { Experiment = experiment
          Summary = summary
          Unfinished = unfinished
          Metrics = metricsFrame records
          Samples = readSamples (at RunFiles.Samples) dimension
          Density = readTable (at RunFiles.Density) densityHeader
          Latent = readTable (at RunFiles.Latent) (String.concat "," [ for k in 1..dimension -> sprintf "z%d" k ])
          Trajectories = FlowTrajectories.read (at RunFiles.Trajectories)
          HeldOut = if File.Exists(at RunFiles.HeldOut) then Some(RunStore.ReadJson<HeldOut>(at RunFiles.HeldOut)) else None
          Jacobian =
            readTable (at RunFiles.Jacobian) "draw,index,singular_value"
            |> Array.groupBy (fun r -> int r[0])
            |> Array.sortBy fst
            |> Array.map (fun (_, rows) -> rows |> Array.sortBy (fun r -> r[1]) |> Array.map (fun r -> r[2])) }

    /// Whether the run's generator has an exact density (a flow): NLL, inverse errors, density files.
    let hasDensity (data: RunData) = GanFlow.Core.Models.Model.hasDensity data.Experiment.Model

    /// Whether the run's objective has a critic: its W1 estimate, its loss, the underestimation flags.
    let hasCritic (data: RunData) = GanFlow.Core.Models.Model.hasCritic data.Experiment.Model

    /// The run folder's data, or None when it holds no summary (the run never finished writing).
    let tryLoad (directory: string) =
        if File.Exists(Path.Combine(directory, RunFiles.Summary)) then Some(load directory) else None

    /// A metrics column as an array (NaN where absent).
    let column (name: string) (data: RunData) =
        if data.Metrics.ColumnKeys |> Seq.contains name then
            // Deedle reads NaN as a missing value; keep the row (as NaN) so every column has one entry per evaluation.
            data.Metrics.GetColumn<float>(name).GetAllValues()
            |> Seq.map (fun v -> if v.HasValue then v.Value else nan)
            |> Array.ofSeq
        else Array.create data.Metrics.RowCount nan

    /// Whether the critic is a Wasserstein critic, whose `critic_w1` (E c(x) − E c(G(z))) estimates W1 (seed 000 eq. 9);
    /// under the original GAN losses the same difference is of logits, a discriminator gap, not a distance.
    let hasWassersteinCritic (data: RunData) =
        GanFlow.Core.Models.Model.adversarial data.Experiment.Model |> Option.exists (fun a -> a.Loss = GanFlow.Core.Models.GanObjective.Wasserstein)

    /// What `critic_w1` is for this run's objective.
    let criticW1Label (data: RunData) =
        if hasWassersteinCritic data then "critic's W1 estimate (eq. 9)" else "discriminator gap E D(x) − E D(G(z)) (logits; not a W1 estimate under this loss)"

    /// What `critic_loss` is for this run's objective: with the gradient penalty when the critic has one.
    let criticLossLabel (data: RunData) =
        match GanFlow.Core.Models.Model.adversarial data.Experiment.Model with
        | Some a when a.Lipschitz |> List.exists (function GanFlow.Core.Models.LipschitzConstraint.GradientPenalty _ -> true | _ -> false) -> "critic loss (with its gradient penalty)"
        | Some a when a.Loss = GanFlow.Core.Models.GanObjective.Wasserstein -> "critic loss"
        | _ -> "discriminator loss"

    /// The evaluation samples of the run's final evaluation: `evaluation.finalSamples`, or `evaluation.samples` where
    /// the final row is an intermediate evaluation (a paused or unfinished run).
    let finalSamples (data: RunData) =
        if data.Unfinished || data.Summary.Status = RunStatus.Paused then data.Experiment.Evaluation.Samples
        else data.Experiment.Evaluation.FinalSamples

    /// What an evaluation of `samples` model samples scored against, with the count (`EvaluationData.describe`).
    let evaluatedOn (data: RunData) (samples: int) = EvaluationData.describe data.Experiment data.Summary.Splits samples

    /// What precision, recall, density and coverage of an evaluation of `samples` model samples were computed on, with
    /// the count (`EvaluationData.ofRecall`).
    let recallOn (data: RunData) (samples: int) = EvaluationData.ofRecall data.Experiment data.Summary.Splits samples

    /// What the energy distance of an evaluation of `samples` model samples was computed on: every point in 1-D, the
    /// first `EnergyDistance.NdPoints` of each side in d > 1 (its O(n²) form).
    let energyOn (data: RunData) (samples: int) =
        evaluatedOn data (if data.Experiment.Dimension = 1 then samples else min samples GanFlow.Core.Metrics.EnergyDistance.NdPoints)

    /// `on` for the intermediate evaluations and, where it differs, for the final one: `1,000 fresh draws of the law; the
    /// final evaluation 100,000`.
    let private duringAndFinal (on: RunData -> int -> string) (data: RunData) =
        let during = on data data.Experiment.Evaluation.Samples
        let final = on data (finalSamples data)
        if during = final then during else sprintf "%s; the final evaluation %s" during final

    /// What the intermediate evaluations scored against and, where it differs, the final one: `1,000 fresh draws of the
    /// law; the final evaluation 100,000`.
    let evaluationsOn (data: RunData) = duringAndFinal evaluatedOn data

    /// What the intermediate evaluations' precision and recall were computed on and, where it differs, the final one's.
    let recallsOn (data: RunData) = duringAndFinal recallOn data

    /// What the intermediate evaluations' energy distance was computed on and, where it differs, the final one's.
    let energiesOn (data: RunData) = duringAndFinal energyOn data

    /// Where the mode scores' class posteriors come from: the mixture's exact component posterior, or a digit classifier.
    let modePosterior (data: RunData) =
        match data.Experiment.Data with
        | DataSource.Images _ -> "digit classifier posteriors"
        | _ -> "exact component posterior"

    /// Evaluations whose critic estimate is negative or below half the true W1 (a Wasserstein critic's only).
    let flaggedEvaluations (data: RunData) =
        if not (hasWassersteinCritic data) then [||]
        else
            Array.zip3 (column "step" data) (column "w1" data) (column "critic_w1" data)
            |> Array.filter (fun (_, w1, critic) -> GanFlow.Core.Metrics.CriticDiagnosis.isFlagged w1 critic)
