namespace GanFlow.Report

open System.IO
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Specs
open GanFlow.Core.Metrics
open GanFlow.Store

/// The HTML report of one run folder.
module RunReport =

    let private number (value: float) = value.ToString("0.00000", System.Globalization.CultureInfo.InvariantCulture)

    /// Where the final samples put their mass: per mixture mode (model share vs the mode's
    /// weight) and outside the data's effective support. 1-D datasets only.
    let private modeRows (data: RunData) =
        let dataset = data.Experiment.Dataset
        if Densities.dimension dataset <> 1 || data.Samples.Length = 0 then []
        else
            let percent (v: float) = sprintf "%.2f%%" (100.0 * v)
            let weights = ModeCoverage.modes dataset |> Array.map fst
            let shares = ModeCoverage.shares dataset data.Samples
            let bandwidth = Kde.bandwidthFor data.Experiment.Evaluation.Bandwidth (System.Random data.Experiment.Seed) data.Samples
            [ "final JS, KDE of the samples vs the exact density (nats; seed 002 sec. 3)", number (JensenShannon.ofSample data.Samples bandwidth dataset)
              "model mass outside the data's support", percent (ModeCoverage.massOutsideSupport dataset data.Samples)
              "model mass per mixture component (model / data)",
              Array.map2 (fun s w -> sprintf "%s / %s" (percent s) (percent w)) shares weights |> String.concat ", " ]

    let private summaryRows (data: RunData) =
        let s = data.Summary
        let flagged = RunData.flaggedEvaluations data
        let flow = RunData.isFlow data
        let scientific (v: float) = v.ToString("0.###e+0", System.Globalization.CultureInfo.InvariantCulture)
        // Only the metrics that exist for this model and dimension: no W1 beyond 1-D, no critic for a flow.
        let finite (label: string) (value: float) = if System.Double.IsFinite value then [ label, number value ] else []
        [ "status", sprintf "%A" s.Status
          "message", s.Message
          "steps completed", string s.StepsCompleted
          "wall time", sprintf "%.1f s" s.WallSeconds
          "device", s.Device
          (if flow then "parameters (flow)", string s.GeneratorParameters
           else "parameters (generator / critic)", sprintf "%d / %d" s.GeneratorParameters s.CriticParameters)
          "seed", string s.Seed ]
        @ (match s.Final with
           | Some f ->
               finite "final W1 vs fresh data (eq. 8)" f.W1
               @ finite "final W1 vs exact distribution" f.W1Exact
               @ (if flow then [] else finite "final critic W1 estimate (eq. 9)" f.CriticW1)
               @ finite "final energy distance" f.Energy
               @ (if flow then
                      [ "final NLL (exact, nats per sample)", number f.Nll
                        "final inverse error max‖g(g⁻¹(x)) − x‖ (1,000 data points)", scientific f.InverseError
                        "final latent inverse error max‖g⁻¹(g(z)) − z‖ (1,000 base draws)", scientific f.LatentInverseError ]
                      @ (if System.Double.IsFinite f.FunctionEvaluations then [ "ODE function evaluations per training forward pass (last step)", sprintf "%.0f" f.FunctionEvaluations ] else [])
                  else [])
           | None -> [])
        @ (if flow then []
           else [ "evaluations where the critic estimate is negative or < ½ W1", sprintf "%d of %d" flagged.Length data.Metrics.RowCount ])
        @ modeRows data

    /// Writes `report.html` into the run folder (atomically) and returns its path.
    let write (directory: string) =
        let data = RunData.load directory
        let dimension = Densities.dimension data.Experiment.Dataset
        let flow = RunData.isFlow data
        let charts =
            [ if dimension = 1 then Charts.density data
              elif dimension = 2 && data.Density.Length > 0 then Charts.densityHeatmap data
              else Charts.scatter2d data
              if dimension = 2 && data.Latent.Length > 0 then Charts.latent data
              if flow && data.Trajectories.Paths.Length > 0 then Charts.trajectories data
              if flow then Charts.nll data
              if flow && RunData.column "nfe" data |> Array.exists System.Double.IsFinite then Charts.functionEvaluations data
              if dimension = 1 then Charts.wasserstein data
              Charts.losses data ]
        let sections =
            [ sprintf "<p>%s</p>" (HtmlPage.text data.Experiment.Description)
              HtmlPage.table (summaryRows data)
              sprintf "<details><summary>resolved spec</summary><pre>%s</pre></details>" (HtmlPage.text (SpecJson.serialize data.Experiment)) ]
        let html = HtmlPage.render (sprintf "GanFlow run: %s" data.Experiment.Name) sections charts
        let path = Path.Combine(directory, RunFiles.Report)
        GanFlow.Store.AtomicFile.WriteAllText(path, html)
        path
