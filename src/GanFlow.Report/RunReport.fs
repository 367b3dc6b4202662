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

    /// Where the final samples put their mass: per mixture mode (the model's share against the truth's own share under
    /// the same rule, `ModeCoverage.truthShares`) and outside the data's effective support. 1-D datasets only.
    let private modeRows (data: RunData) =
        match data.Experiment.Law with
        | Some dataset when Densities.dimension dataset = 1 && data.Samples.Length > 0 ->
            let percent (v: float) = sprintf "%.2f%%" (100.0 * v)
            let truth = ModeCoverage.truthShares dataset
            let shares = ModeCoverage.shares dataset data.Samples
            let bandwidth = Kde.bandwidthFor data.Experiment.Evaluation.Bandwidth (Seeds.systemRandom data.Experiment.Seed) data.Samples
            [ "final JS, KDE of the samples vs the exact density (nats; seed 002 sec. 3)", number (JensenShannon.ofSample data.Samples bandwidth dataset)
              "model mass outside the data's support", percent (ModeCoverage.massOutsideSupport dataset data.Samples)
              "mass per mixture component, each point given to the component of largest weighted density there (model / truth)",
              Array.map2 (fun s t -> sprintf "%s / %s" (percent s) (percent t)) shares truth |> String.concat ", " ]
        | _ -> []

    /// What the run measured on held-out data at its end (`heldout.json`).
    let private heldOutRows (data: RunData) =
        match data.HeldOut with
        | None -> []
        | Some h ->
            let nll (v: float) = sprintf "%s nats" (number v)
            [ "held-out points", h.Points ]
            @ (h.ExactNll
               |> Option.map (fun v ->
                   (match h.ExactNllPoints with
                    | Some n -> sprintf "exact NLL of the final model on the first %s held-out points" (n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))
                    | None -> "exact NLL of the final model on the held-out points"),
                   nll v)
               |> Option.toList)
            @ (h.BestValidated
               |> Option.map (fun b ->
                   "best-validated checkpoint (seed 001 Table 1)",
                   sprintf "step %d: validation NLL %s, test NLL %s (%s bits/dim)" b.Step (number b.ValidationNll) (number b.TestNll) (number b.TestBitsPerDim))
               |> Option.toList)
            @ (h.Ais
               |> Option.map (fun a ->
                   "AIS NLL, Gaussian observation model (Wu et al. 2017)",
                   sprintf "%s ± %s on %d points (exact there: %s), σ = %g, acceptance %.2f%s, %.1f s" (number a.Nll) (number a.StandardError) a.Points
                       (h.ExactNllAisPoints |> Option.map number |> Option.defaultValue "—") a.ObservationStd a.AcceptanceRate
                       (a.BidirectionalGap |> Option.map (sprintf ", bidirectional gap %.3f nats") |> Option.defaultValue "") a.Seconds)
               |> Option.toList)
            @ (h.Parzen
               |> Option.map (fun p -> "Parzen (KDE) NLL", sprintf "%s ± %s, bandwidth %.4g, %d samples, %d points" (number p.Nll) (number p.StandardError) p.Bandwidth p.Samples p.Points)
               |> Option.toList)
            @ (h.Jacobian
               |> Option.map (fun j ->
                   "Jacobian singular values (64 prior draws; seed 001 Fig. 4)",
                   sprintf "%.3g … %.3g%s" j.Smallest j.Largest (j.MeanLogAbsDet |> Option.map (sprintf ", mean log|det| %.3f") |> Option.defaultValue ""))
               |> Option.toList)

    let private summaryRows (data: RunData) =
        let s = data.Summary
        let flagged = RunData.flaggedEvaluations data
        let density, critic = RunData.hasDensity data, RunData.hasCritic data
        let scientific (v: float) = v.ToString("0.###e+0", System.Globalization.CultureInfo.InvariantCulture)
        // Only the metrics that exist for this model and dimension: no W1 beyond 1-D, no critic for a flow.
        let finite (label: string) (value: float) = if System.Double.IsFinite value then [ label, number value ] else []
        let budget = data.Experiment.Budget.Steps
        [ "status",
          (if data.Unfinished then sprintf "unfinished at step %d of %d" s.StepsCompleted budget
           elif RunSummary.isUnfinishedExtension budget s then
               sprintf "%A at step %d; its extension to %d steps is unfinished (`ganflow run --spec DIR/spec.json --out DIR --resume` continues it)" s.Status s.StepsCompleted budget
           else sprintf "%A" s.Status)
          "message", s.Message
          "steps completed", string s.StepsCompleted
          "wall time", sprintf "%.1f s" s.WallSeconds
          "device", s.Device
          "model", GanFlow.Core.Models.Model.describe data.Experiment.Model
          (if data.Unfinished then "parameters", "— (in summary.json, which an unfinished run has not written)"
           elif critic then "parameters (generator / critic)", sprintf "%d / %d" s.GeneratorParameters s.CriticParameters
           else "parameters (generator)", string s.GeneratorParameters)
          "seed", string s.Seed ]
        @ (match s.Final with
           | Some f ->
               let some label (value: float option) = value |> Option.map (fun v -> label, number v) |> Option.toList
               // What each number was computed on, with the true count (EvaluationData).
               let finalOn = RunData.evaluatedOn data (RunData.finalSamples data)
               let splits = data.Summary.Splits
               some (sprintf "final W1 vs %s (eq. 8)" finalOn) f.Samples.W1
               @ some "final W1 vs exact distribution" f.Samples.W1Exact
               @ (f.Critic |> Option.map (fun c -> "final " + RunData.criticW1Label data, number c.CriticW1) |> Option.toList)
               @ [ sprintf "final energy distance (model samples against %s)" (RunData.energyOn data (RunData.finalSamples data)), number f.Samples.Energy ]
               @ (let recallOn = RunData.recallOn data (RunData.finalSamples data)
                  finite (sprintf "final precision (k = 3; Kynkäänniemi et al. 2019; on %s)" recallOn) f.Samples.PrecisionRecall.Precision
                  @ finite (sprintf "final recall (k = 3): share of %s the model's samples reach" recallOn) f.Samples.PrecisionRecall.Recall
                  @ finite (sprintf "final density (k = 5; Naeem et al. 2020; on %s)" recallOn) f.Samples.PrecisionRecall.Density
                  @ finite (sprintf "final coverage (k = 5; on %s)" recallOn) f.Samples.PrecisionRecall.Coverage)
               @ (match f.Density with
                  | Some d ->
                      [ sprintf "final NLL (exact, nats per sample, on %s)" finalOn, number d.Nll
                        "final NLL (bits per dimension)", number d.BitsPerDim ]
                      @ some "final KL(data ‖ model) (nats)" d.Kl
                      @ some (sprintf "final NLL on %s" (EvaluationData.ofSplitNll data.Experiment splits "training")) d.TrainNll
                      @ some (sprintf "final NLL on %s" (EvaluationData.ofSplitNll data.Experiment splits "validation")) d.ValidationNll
                      @ [ sprintf "final inverse error max‖g(g⁻¹(x)) − x‖ (%s)" (RunData.evaluatedOn data (min EvaluationData.InverseErrorPoints (RunData.finalSamples data))),
                          scientific d.InverseError
                          "final latent inverse error max‖g⁻¹(g(z)) − z‖ (1,000 base draws)", scientific d.LatentInverseError ]
                      @ (d.FunctionEvaluations |> Option.map (fun n -> "ODE function evaluations per training forward pass (last step)", sprintf "%.0f" n) |> Option.toList)
                  | None -> [])
               @ (match f.Modes with
                  | Some m ->
                      let posterior = RunData.modePosterior data
                      [ sprintf "final MODE score (%s)" posterior, number m.ModeScore
                        sprintf "final Inception score (%s)" posterior, number m.InceptionScore ]
                      // A digit classifier has no modes' standard deviations: no share of high-quality samples (NaN).
                      @ (if System.Double.IsFinite m.HighQuality then
                             [ "final share of high-quality samples (within 3 std of a mode)", sprintf "%.2f%%" (100.0 * m.HighQuality) ]
                         else [])
                      @ [ "final modes covered", string m.ModesCovered ]
                  | None -> [])
           | None -> [])
        @ (if not (RunData.hasWassersteinCritic data) || data.Experiment.Dimension <> 1 then []
           else [ "evaluations where the critic estimate is negative or < ½ W1", sprintf "%d of %d" flagged.Length data.Metrics.RowCount ])
        @ modeRows data
        @ heldOutRows data

    /// For image data: writes the first 64 final samples as an 8 × 8 grid (`samples.png`, each pixel clamped to
    /// [0, 1]) and returns the report's figure of it; None for point data.
    let private sampleGrid (directory: string) (data: RunData) =
        match data.Experiment.Data with
        | DataSource.Images images when data.Samples.Length >= images.Side * images.Side ->
            let d = images.Side * images.Side
            let pictures = data.Samples |> Array.chunkBySize d |> Array.truncate 64
            let width, height, pixels = GanFlow.Core.Images.ImageTiles.grid images.Side 8 2 2 pictures
            PngFile.Write(Path.Combine(directory, RunFiles.SampleGrid), width, height, pixels)
            Some(sprintf "<figure><img src=\"%s\" style=\"image-rendering: pixelated; max-width: 100%%\"><figcaption>the first %d final samples</figcaption></figure>"
                     RunFiles.SampleGrid pictures.Length)
        | _ -> None

    /// The pictures and numbers of an image model's final files (seed 003): the latent interpolation, a VAE's ELBO, the
    /// true posteriors beside the encoder's, the aggregate posterior's holes; only those the run wrote.
    let private imagePictures (directory: string) =
        let picture file caption =
            if File.Exists(Path.Combine(directory, file)) then
                [ sprintf "<figure><img src=\"%s\" style=\"image-rendering: pixelated; max-width: 100%%\"><figcaption>%s</figcaption></figure>" file (HtmlPage.text caption) ]
            else []
        let elbo =
            let path = Path.Combine(directory, RunFiles.Elbo)
            if File.Exists path then
                let node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText path) |> nonNull
                let points = (node["points"] |> nonNull).GetValue<int>()
                let value = (node["elbo"] |> nonNull).GetValue<float>()
                [ sprintf "<p>final one-draw ELBO on %d evaluation points: %.2f nats per point</p>" points value ]
            else []
        elbo
        @ picture RunFiles.Interpolation "g(z) from z = −e to e in equal steps (seed 003 Fig. 10)"
        @ picture RunFiles.PosteriorPicture "per evaluation image: the image, the true posterior p(z|x) on a grid, the encoder's Gaussian (rows z₁, columns z₂; windows in evidence.csv; seed 003 Fig. 7)"
        @ picture RunFiles.HolesPicture "images generated where the prior's mass exceeds the aggregate posterior's most, ordered by z₁ (seed 003 Fig. 8)"

    /// What the report of a whole-looking folder lacks, said on the page and by `ganflow report`: a completed run always
    /// wrote its final samples, so a missing samples.txt was deleted since, and the report has no figure or row of them.
    let private notes (directory: string) (data: RunData) =
        let samples = Path.Combine(directory, RunFiles.Samples)
        // summary.json's final evaluation is metrics.csv's row at its step, written with it: a missing or different row
        // is a file cut short (at a row's end, or inside a number) or changed since. Rows past it are a resume's (an
        // extension or a paused run continued, then stopped), and an unfinished extension re-evaluated that step.
        let cutShort =
            match data.Summary.Final with
            | Some f when not data.Unfinished && not (RunSummary.isUnfinishedExtension data.Experiment.Budget.Steps data.Summary)
                          && (data.Summary.Status = RunStatus.Completed || data.Summary.Status = RunStatus.Paused) ->
                let steps = RunData.column "step" data
                let metrics = Path.Combine(directory, RunFiles.Metrics)
                match steps |> Array.tryFindIndexBack (fun s -> s = float f.Step) with
                | None ->
                    let last = if steps.Length = 0 then "no row" else sprintf "its last row is at step %.0f" (Array.last steps)
                    [ sprintf "%s has no row at step %d, %s's final evaluation (%s): the file was cut short or changed; the charts show what it holds" metrics f.Step RunFiles.Summary last ]
                | Some row ->
                    let differs =
                        MetricColumns.all
                        |> List.exists (fun c ->
                            let expected = c.Get f |> Option.defaultValue nan
                            let found = RunData.column c.Name data |> Array.item row
                            c.Name <> "wall_seconds" && not (expected = found || (System.Double.IsNaN expected && System.Double.IsNaN found)))
                    if differs then
                        [ sprintf "%s's row at step %d is not %s's final evaluation: the file was cut short or changed; the charts show what it holds" metrics f.Step RunFiles.Summary ]
                    else []
            | _ -> []
        (if data.Unfinished then [ sprintf "%s: %s" directory data.Summary.Message ] else [])
        @ (if data.Summary.Status = RunStatus.Completed && not data.Unfinished && not (File.Exists samples) then
               [ sprintf "%s is missing (the run wrote it when it completed): the report has no figure or row of the final samples" samples ]
           else [])
        @ cutShort

    /// Writes `report.html` into the run folder (atomically); returns its path and what the page notes is missing.
    let writeWithNotes (directory: string) =
        let data = RunData.load directory
        let notes = notes directory data
        let dimension = data.Experiment.Dimension
        let density, critic = RunData.hasDensity data, RunData.hasCritic data
        let grid = sampleGrid directory data
        let charts =
            [ if dimension = 1 then Charts.density data
              elif dimension = 2 && data.Density.Length > 0 then Charts.densityHeatmap data
              elif grid.IsNone then Charts.scatter2d data
              if dimension = 2 && data.Latent.Length > 0 then Charts.latent data
              if density && data.Trajectories.Paths.Length > 0 then Charts.trajectories data
              if density then Charts.nll data
              if density && RunData.column "nfe" data |> Array.exists System.Double.IsFinite then Charts.functionEvaluations data
              if dimension = 1 then Charts.wasserstein data
              if dimension > 1 && RunData.column "energy" data |> Array.exists System.Double.IsFinite then Charts.energy data
              if density && RunData.column "validation_nll" data |> Array.exists System.Double.IsFinite then Charts.splitNll data
              if RunData.column "mode_score" data |> Array.exists System.Double.IsFinite then Charts.modeScores data
              if RunData.column "recall" data |> Array.exists System.Double.IsFinite then Charts.precisionRecall data
              if data.Jacobian.Length > 0 then
                  Charts.singularValueCdf "Jacobian singular values at prior draws (seed 001 Fig. 4)"
                      [ data.Experiment.Name, data.Jacobian, data.HeldOut |> Option.bind _.Jacobian |> Option.bind _.MeanLogAbsDet ]
              Charts.losses data ]
        let sections =
            [ sprintf "<p>%s</p>" (HtmlPage.text data.Experiment.Description)
              yield! notes |> List.map (fun note -> sprintf "<p><strong>Note:</strong> %s</p>" (HtmlPage.text note))
              HtmlPage.table (summaryRows data)
              yield! Option.toList grid
              yield! imagePictures directory
              sprintf "<details><summary>resolved spec</summary><pre>%s</pre></details>" (HtmlPage.text (SpecJson.serialize data.Experiment)) ]
        let html = HtmlPage.render (sprintf "GanFlow run: %s" data.Experiment.Name) sections charts
        let path = Path.Combine(directory, RunFiles.Report)
        GanFlow.Store.AtomicFile.WriteAllText(path, html)
        path, notes

    /// Writes `report.html` into the run folder (atomically) and returns its path.
    let write (directory: string) = fst (writeWithNotes directory)
