namespace GanFlow.Report

open System.IO
open Deedle
open GanFlow.Core.Specs
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics

/// A run folder read back: the resolved spec, the summary, the metrics frame and the final samples.
type RunData =
    { Experiment: Experiment
      Summary: RunSummary
      /// One row per evaluation; columns as in `RunFolder.metricsFile`.
      Metrics: Frame<int, string>
      /// Final model samples (1-D values, or row-major coordinates for d > 1); empty if the run
      /// wrote none.
      Samples: float[]
      /// Flows: `density.csv`, one row per grid point (coordinates, then the density); empty otherwise.
      Density: float[][]
      /// Flows in 2-D: `latent.csv`, g⁻¹ of data points, one row per point; empty otherwise.
      Latent: float[][]
      /// Flows in 1-D and 2-D: `trajectories.csv`, data points through the flow's stages; empty otherwise.
      Trajectories: FlowTrajectories }

module RunData =

    let private require (directory: string) (file: string) =
        let path = Path.Combine(directory, file)
        if not (File.Exists path) then
            raise (FileNotFoundException(sprintf "%s: missing %s (is this a run folder written by `ganflow run`?)" directory file, path))
        path

    /// Reads the samples file: one value per line, or comma-separated coordinates per line.
    let private readSamples (path: string) =
        if not (File.Exists path) then [||]
        else
            File.ReadLines path
            |> Seq.filter (fun l -> l.Trim() <> "")
            |> Seq.collect (fun l -> l.Split ',')
            |> Seq.map (fun v -> System.Double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))
            |> Array.ofSeq

    /// Reads a CSV of numbers with a header line; empty when the file is absent.
    let private readTable (path: string) =
        if not (File.Exists path) then [||]
        else
            File.ReadLines path
            |> Seq.skip 1
            |> Seq.filter (fun l -> l.Trim() <> "")
            |> Seq.map (fun l -> l.Split ',' |> Array.map (fun v -> System.Double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)))
            |> Array.ofSeq

    /// Loads a run folder; fails with a message naming the folder and the missing file.
    let load (directory: string) =
        let experiment = SpecJson.deserialize<Experiment> (File.ReadAllText(require directory RunFolder.specFile))
        let summary = SpecJson.deserialize<RunSummary> (File.ReadAllText(require directory RunFolder.summaryFile))
        // A run that failed before its first evaluation has no metrics.csv: an empty frame.
        let metricsPath = Path.Combine(directory, RunFolder.metricsFile)
        let metrics =
            if not (File.Exists metricsPath) then Frame.ofRows ([]: (int * Series<string, float>) list)
            else
                Frame.ReadCsv(metricsPath, hasHeaders = true, inferTypes = false).Columns
                |> Series.map (fun _ column ->
                    column.As<string>() |> Series.mapValues (fun v -> System.Double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)))
                |> Frame.ofColumns
        { Experiment = experiment
          Summary = summary
          Metrics = metrics
          Samples = readSamples (Path.Combine(directory, RunFolder.samplesFile))
          Density = readTable (Path.Combine(directory, RunFolder.densityFile))
          Latent = readTable (Path.Combine(directory, RunFolder.latentFile))
          Trajectories = FlowTrajectories.read (Path.Combine(directory, RunFolder.trajectoriesFile)) }

    /// Whether the run trained a normalizing flow.
    let isFlow (data: RunData) =
        match data.Experiment.Model with
        | GanFlow.Core.Models.Model.Flow _ -> true
        | GanFlow.Core.Models.Model.Gan _ -> false

    /// The run folder's data, or None when it holds no summary (the run never finished writing).
    let tryLoad (directory: string) =
        if File.Exists(Path.Combine(directory, RunFolder.summaryFile)) then Some(load directory) else None

    /// A metrics column as an array (NaN where absent).
    let column (name: string) (data: RunData) =
        if data.Metrics.ColumnKeys |> Seq.contains name then
            // Deedle reads NaN as a missing value; keep the row (as NaN) so every column has one entry per evaluation.
            data.Metrics.GetColumn<float>(name).GetAllValues()
            |> Seq.map (fun v -> if v.HasValue then v.Value else nan)
            |> Array.ofSeq
        else Array.create data.Metrics.RowCount nan

    /// Evaluations whose critic estimate is negative or below half the true W1.
    let flaggedEvaluations (data: RunData) =
        Array.zip3 (column "step" data) (column "w1" data) (column "critic_w1" data)
        |> Array.filter (fun (_, w1, critic) -> CriticDiagnosis.isFlagged w1 critic)
