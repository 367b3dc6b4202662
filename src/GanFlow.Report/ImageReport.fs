namespace GanFlow.Report

open System
open System.Globalization
open System.IO
open Plotly.NET
open GanFlow.Core.Images
open GanFlow.Core.Specs
open GanFlow.Store

/// The report of a seed 003 image run folder: its summary, the energy statistic and ELBO over training, the sample grid
/// and interpolation (PNG files of the folder), and for a VAE the latent means coloured by label, the grid posterior
/// beside the encoder's Gaussian and the grid log p(x) beside the ELBO.
module ImageReport =

    let private show (v: float) = v.ToString("0.###", CultureInfo.InvariantCulture)

    let private rows (path: string) =
        File.ReadAllLines path |> Array.skip 1 |> Array.filter (fun l -> l <> "") |> Array.map (fun l -> l.Split ',')

    let private number (s: string) = Double.Parse(s, CultureInfo.InvariantCulture)

    /// The image spec of `folder`, when it is an image run folder.
    let tryReadSpec (folder: string) =
        match FolderMarker.Read folder with
        | null -> None
        | marker when marker.Kind = FolderKind.Images -> Some(RunStore.ReadJson<ImageExperiment>(Path.Combine(folder, RunFiles.Spec)))
        | _ -> None

    let private picture (folder: string) (file: string) (caption: string) =
        if File.Exists(Path.Combine(folder, file)) then
            sprintf "<figure><img src=\"%s\" style=\"image-rendering: pixelated; max-width: 100%%\"><figcaption>%s</figcaption></figure>" file (HtmlPage.text caption)
        else ""

    /// The page's HTML.
    let render (folder: string) =
        let spec = RunStore.ReadJson<ImageExperiment>(Path.Combine(folder, RunFiles.Spec))
        let summaryPath = Path.Combine(folder, RunFiles.Summary)
        let summary = if File.Exists summaryPath then Some(RunStore.ReadJson<ImageRunSummary>(summaryPath)) else None
        let records =
            match ImageMetricsCsv.parse (File.ReadAllText(Path.Combine(folder, RunFiles.Metrics))) with
            | Ok r -> r
            | Error e -> raise (RunFolderException(sprintf "%s: %s" (Path.Combine(folder, RunFiles.Metrics)) e))
        let steps = records |> List.map (fun r -> r.Step)
        let energy =
            Chart.Line(x = steps, y = (records |> List.map (fun r -> r.Energy)), Name = "energy statistic")
            |> Chart.withTitle "seed 003's energy statistic, test images vs generator samples (64 vs 64, lower is better)"
            |> Chart.withXAxisStyle "step"
            |> Chart.withYAxisStyle "statistic"
        let elbo =
            if records |> List.exists (fun r -> Double.IsFinite r.TestElbo) then
                [ Charts.combine
                      [ Chart.Line(x = steps, y = (records |> List.map (fun r -> r.TestElbo)), Name = "test ELBO")
                        Chart.Line(x = steps, y = (records |> List.map (fun r -> r.TrainElbo)), Name = "train ELBO (minibatches)") ]
                  |> Chart.withTitle "ELBO per image (nats, Bernoulli likelihood)"
                  |> Chart.withXAxisStyle "step"
                  |> Chart.withYAxisStyle "nats" ]
            else []
        let latentPath = Path.Combine(folder, RunFiles.LatentMeans)
        let latent =
            if File.Exists latentPath then
                let points = rows latentPath
                [ points
                  |> Array.groupBy (fun r -> r[2])
                  |> Array.sortBy fst
                  |> Array.map (fun (label, group) ->
                      Chart.Point(x = (group |> Array.map (fun r -> number r[0])), y = (group |> Array.map (fun r -> number r[1])), Name = sprintf "digit %s" label))
                  |> Charts.combine
                  |> Chart.withTitle "encoder means μ_ψ(x) of the test images by label (Fig. 8)"
                  |> Chart.withXAxisStyle "z₁"
                  |> Chart.withYAxisStyle "z₂" ]
            else []
        let aggregatePath = Path.Combine(folder, RunFiles.AggregatePosterior)
        let aggregate =
            if File.Exists aggregatePath then
                let cells = rows aggregatePath
                let axis column = cells |> Array.map (fun r -> number r[column]) |> Array.distinct |> Array.sort
                let z1s, z2s = axis 0, axis 1
                let share = cells |> Array.map (fun r -> (number r[0], number r[1]), number r[3]) |> dict
                // Rows of the heatmap are z₂ (the y axis), columns z₁.
                let values = [ for b in z2s -> [ for a in z1s -> share[(a, b)] ] ]
                let holesPath = Path.Combine(folder, RunFiles.Holes)
                let holes =
                    if File.Exists holesPath then
                        let points = rows holesPath
                        [ Chart.Point(x = (points |> Array.map (fun r -> number r[0])), y = (points |> Array.map (fun r -> number r[1])), Name = "holes: prior ≫ samples", MarkerColor = Color.fromString "red") ]
                    else []
                [ Charts.combine ([ Chart.Heatmap(zData = values, X = z1s, Y = z2s, Name = "share of the draws", ColorScale = StyleParam.Colorscale.Greys, ReverseScale = true, ShowScale = true) ] @ holes)
                  |> Chart.withTitle "aggregate posterior: ten draws z ~ e_ψ(z|x) per test image, binned (Fig. 8)"
                  |> Chart.withXAxisStyle "z₁"
                  |> Chart.withYAxisStyle "z₂" ]
            else []
        let structurePath = Path.Combine(folder, RunFiles.LatentStructure)
        let structure =
            if File.Exists structurePath then
                use document = System.Text.Json.JsonDocument.Parse(File.ReadAllText structurePath)
                let value (name: string) = document.RootElement.GetProperty(name).GetDouble()
                [ "aggregate posterior vs prior", sprintf "total variation %s on %.0f² cells of [−%s, %s]² (%.0f draws per test image)" (show (value "totalVariationToPrior")) (value "histogramBins") (show (value "histogramWindowHalfWidth")) (show (value "histogramWindowHalfWidth")) (value "drawsPerImage")
                  "encoder means cluster by label", sprintf "%.0f-nearest-neighbour accuracy %s (largest class %s of %.0f test images)" (value "neighbours") (show (value "nearestNeighbourAccuracy")) (show (value "largestClassShare")) (value "testImages") ]
            else []
        let evidencePath = Path.Combine(folder, RunFiles.Evidence)
        let evidence =
            if File.Exists evidencePath then
                HtmlPage.table
                    (rows evidencePath
                     |> Array.map (fun r ->
                         let fine, coarse, elbo = number r[2], number r[3], number r[4]
                         let verdict =
                             if abs (fine - coarse) > 0.1 then "the grid does not resolve this posterior (fine and coarse grids disagree)"
                             elif elbo <= fine then "ELBO ≤ log p(x): the bound holds"
                             else "ELBO > log p(x): bound violated"
                         sprintf "test image %s (label %s)" r[0] r[1],
                         sprintf "log p(x) on a %s² grid %s (coarse grid %s); ELBO %s (mean of %s ε): %s" r[6] (show fine) (show coarse) (show elbo) r[5] verdict)
                     |> List.ofArray)
            else ""
        let facts =
            [ "experiment", spec.Name
              "description", spec.Description
              "model", spec.Model.Family
              "steps", (summary |> Option.map (fun s -> string s.StepsCompleted) |> Option.defaultValue "unfinished")
              "status", (summary |> Option.map (fun s -> sprintf "%A %s" s.Status s.Message) |> Option.defaultValue "running or interrupted")
              "generator weights", (summary |> Option.map (fun s -> string s.GeneratorParameters) |> Option.defaultValue "")
              "second network's weights", (summary |> Option.map (fun s -> string s.SecondNetworkParameters) |> Option.defaultValue "")
              "energy at init / final", (summary |> Option.bind (fun s -> s.Final |> Option.map (fun f -> sprintf "%s / %s" (show s.InitialEnergy) (show f.Energy))) |> Option.defaultValue "")
              "wall seconds", (summary |> Option.map (fun s -> show s.WallSeconds) |> Option.defaultValue "") ]
            @ structure
        let sections =
            [ HtmlPage.table facts
              picture folder RunFiles.SampleGrid "samples g(z), z ~ N(0, I) (Fig. 9)"
              picture folder RunFiles.Interpolation "g(z) from z = −e to e in equal steps (Fig. 10)"
              picture folder RunFiles.PosteriorPicture "per test image: the image, the true posterior p(z|x) on the grid, the encoder's Gaussian, on a window around the posterior (rows z₁, columns z₂; each window's centre and half-width in evidence.csv; Fig. 7)"
              evidence
              picture folder RunFiles.HolesPicture "g(z) at 64 of the 2,000 cells where the prior exceeds the aggregate posterior most, ordered by z₁ (Fig. 8, right)" ]
        HtmlPage.render (sprintf "%s (seed 003, MNIST)" spec.Name) sections ([ energy ] @ elbo @ latent @ aggregate)

    /// Writes report.html into the folder (atomically) and returns its path.
    let write (folder: string) =
        let path = Path.Combine(folder, RunFiles.Report)
        AtomicFile.WriteAllText(path, render folder)
        path
