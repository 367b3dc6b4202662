namespace GanFlow.Report

open System.IO
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Specs

/// The HTML report of one run folder.
module RunReport =

    let private number (value: float) = value.ToString("0.00000", System.Globalization.CultureInfo.InvariantCulture)

    let private summaryRows (data: RunData) =
        let s = data.Summary
        let flagged = RunData.flaggedEvaluations data
        [ "status", sprintf "%A" s.Status
          "message", s.Message
          "steps completed", string s.StepsCompleted
          "wall time", sprintf "%.1f s" s.WallSeconds
          "device", s.Device
          "parameters (generator / critic)", sprintf "%d / %d" s.GeneratorParameters s.CriticParameters
          "seed", string s.Seed ]
        @ (match s.Final with
           | Some f ->
               [ "final W1 vs fresh data (eq. 8)", number f.W1
                 "final W1 vs exact distribution", number f.W1Exact
                 "final critic W1 estimate (eq. 9)", number f.CriticW1
                 "final energy distance", number f.Energy ]
           | None -> [])
        @ [ "evaluations where the critic estimate is negative or < ½ W1", sprintf "%d of %d" flagged.Length data.Metrics.RowCount ]

    /// Writes `report.html` into the run folder (atomically) and returns its path.
    let write (directory: string) =
        let data = RunData.load directory
        let dimension = Densities.dimension data.Experiment.Dataset
        let charts =
            [ (if dimension = 1 then Charts.density data else Charts.scatter2d data)
              Charts.wasserstein data
              Charts.losses data ]
        let sections =
            [ sprintf "<p>%s</p>" (HtmlPage.text data.Experiment.Description)
              HtmlPage.table (summaryRows data)
              sprintf "<details><summary>resolved spec</summary><pre>%s</pre></details>" (HtmlPage.text (SpecJson.serialize data.Experiment)) ]
        let html = HtmlPage.render (sprintf "GanFlow run: %s" data.Experiment.Name) sections charts
        let path = Path.Combine(directory, RunFolder.reportFile)
        let temporary = path + ".tmp"
        File.WriteAllText(temporary, html)
        File.Move(temporary, path, true)
        path
