namespace GanFlow.Report

open Plotly.NET
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics

/// The report's charts, as pure functions from run data to Plotly.NET charts.
module Charts =

    let private gridPoints = 1000

    /// True density against the KDE of the model's samples (seed 000 Fig. 1 style), 1-D data.
    let density (data: RunData) =
        let low, high = Densities.range data.Experiment.Dataset
        let pad = 0.1 * (high - low)
        let grid = Array.init gridPoints (fun i -> low - pad + (high - low + 2.0 * pad) * float i / float (gridPoints - 1))
        let truth = grid |> Array.map (Densities.pdf data.Experiment.Dataset)
        let traces =
            [ yield Chart.Line(x = grid, y = truth, Name = "true density")
              if data.Samples.Length > 1 then
                  let bandwidth = Kde.bandwidthFor data.Experiment.Evaluation.Bandwidth (System.Random data.Experiment.Seed) data.Samples
                  let estimate = Kde.density data.Samples bandwidth grid
                  yield Chart.Line(x = grid, y = estimate, Name = sprintf "model KDE (%d samples, bandwidth %.3g)" data.Samples.Length bandwidth) ]
        Chart.combine traces
        |> Chart.withTitle "Density: truth vs model (KDE)"
        |> Chart.withXAxisStyle "x"
        |> Chart.withYAxisStyle "density"

    /// Model samples over the data density's support, 2-D data.
    let scatter2d (data: RunData) =
        let xs = data.Samples |> Array.chunkBySize 2 |> Array.truncate 5000
        Chart.Point(x = (xs |> Array.map (fun p -> p[0])), y = (xs |> Array.map (fun p -> p[1])), Name = "model samples")
        |> Chart.withTitle "Model samples (first 5,000)"

    /// A y range showing the second half of training, where the critic's estimate and the true
    /// W1 are small and early values (often 100× larger) would flatten them.
    let private secondHalfRange (data: RunData) =
        let late (values: float[]) = values |> Array.skip (values.Length / 2) |> Array.filter System.Double.IsFinite
        let values = Array.append (late (RunData.column "w1" data)) (late (RunData.column "critic_w1" data))
        if values.Length = 0 then (0.0, 1.0)
        else
            let low, high = min 0.0 (Array.min values), Array.max values
            let pad = 0.15 * (high - low + 1e-9)
            (low - pad, high + pad)

    /// W1 (eq. 8), W1 against the exact distribution, and the critic's estimate (eq. 9) over
    /// training, with evaluations where the critic badly underestimates W1 marked.
    let wasserstein (data: RunData) =
        let steps = RunData.column "step" data
        let line name column = Chart.Line(x = steps, y = RunData.column column data, Name = name, ShowMarkers = true)
        let flagged = RunData.flaggedEvaluations data
        Chart.combine
            [ line "W1 vs fresh data (eq. 8)" "w1"
              line "W1 vs exact distribution" "w1_exact"
              line "critic's W1 estimate (eq. 9)" "critic_w1"
              Chart.Point(
                  x = (flagged |> Array.map (fun (s, _, _) -> s)),
                  y = (flagged |> Array.map (fun (_, _, c) -> c)),
                  Name = "critic estimate < ½ W1 or negative"
              ) ]
        |> Chart.withTitle "Wasserstein-1 over training (y zoomed on the second half; double-click to see all)"
        |> Chart.withXAxisStyle "generator step"
        |> Chart.withYAxisStyle("W1", MinMax = secondHalfRange data)

    /// Generator and critic losses over training.
    let losses (data: RunData) =
        let steps = RunData.column "step" data
        Chart.combine
            [ Chart.Line(x = steps, y = RunData.column "generator_loss" data, Name = "generator loss")
              Chart.Line(x = steps, y = RunData.column "critic_loss" data, Name = "critic loss") ]
        |> Chart.withTitle "Losses"
        |> Chart.withXAxisStyle "generator step"
