namespace GanFlow.Report

open Plotly.NET
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics

/// The report's charts, as pure functions from run data to Plotly.NET charts.
module Charts =

    let private gridPoints = 1000

    /// Several traces as one chart. No traces at all (every run behind the chart diverged or failed) give an empty chart
    /// that says so, never an error: Plotly.NET's `Chart.combine` rejects an empty sequence.
    let combine (charts: GenericChart seq) =
        let charts = List.ofSeq charts
        if List.isEmpty charts then
            Chart.Line(x = ([||]: float[]), y = ([||]: float[]), Name = "no data")
            |> Chart.withAnnotations
                [ LayoutObjects.Annotation.init (
                      X = 0.5, Y = 0.5, XRef = "paper", YRef = "paper", ShowArrow = false,
                      Text = "no data: the runs behind this chart diverged, failed or recorded nothing") ]
        else Chart.combine charts

    /// The plotting grid of a 1-D dataset: its range ±10%.
    let private gridOf (dataset: Distribution) =
        let low, high = Densities.range dataset
        let pad = 0.1 * (high - low)
        Array.init gridPoints (fun i -> low - pad + (high - low + 2.0 * pad) * float i / float (gridPoints - 1))

    /// The KDE of a run's final samples on `grid`, with the bandwidth rule of its evaluation spec.
    let private modelKde (data: RunData) (grid: float[]) =
        let bandwidth = Kde.bandwidthFor data.Experiment.Evaluation.Bandwidth (GanFlow.Core.Specs.Seeds.systemRandom data.Experiment.Seed) data.Samples
        Kde.density data.Samples bandwidth grid, bandwidth

    /// The plotting grid of a run's 1-D density chart: the law's range, widened to take in the model's samples from
    /// their 0.5th to their 99.5th percentile (a model whose mass lies outside the data's range must show it, not look
    /// flat), ±10%; and how many samples still fall outside it. Without a law (a sample file), the samples' range alone.
    let densityGrid (data: RunData) =
        let low, high =
            match data.Experiment.Law with
            | Some law -> Densities.range law
            | None when data.Samples.Length > 0 -> Array.min data.Samples, Array.max data.Samples
            | None -> -1.0, 1.0
        let low, high =
            if data.Samples.Length < 2 then low, high
            else
                let sorted = Array.sort data.Samples
                let at (q: float) = sorted[int (q * float (sorted.Length - 1))]
                min low (at 0.005), max high (at 0.995)
        let pad = 0.1 * (high - low)
        let grid = Array.init gridPoints (fun i -> low - pad + (high - low + 2.0 * pad) * float i / float (gridPoints - 1))
        let outside = data.Samples |> Array.filter (fun v -> v < grid[0] || v > grid[grid.Length - 1]) |> Array.length
        grid, outside

    /// True density against the KDE of the model's samples (seed 000 Fig. 1 style), 1-D data; for a
    /// flow also its exact density from `density.csv`. The x range covers the data and the model's samples.
    let density (data: RunData) =
        let grid, outside = densityGrid data
        let traces =
            [ match data.Experiment.Law with
              | Some law -> yield Chart.Line(x = grid, y = Array.map (Densities.pdf law) grid, Name = "true density")
              | None -> ()
              if data.Samples.Length > 1 then
                  let estimate, bandwidth = modelKde data grid
                  yield Chart.Line(x = grid, y = estimate, Name = sprintf "model KDE (%d samples, bandwidth %.3g)" data.Samples.Length bandwidth)
              if data.Density.Length > 1 then
                  yield Chart.Line(x = (data.Density |> Array.map (fun r -> r[0])), y = (data.Density |> Array.map (fun r -> r[1])), Name = "flow density (exact)") ]
        let title =
            if outside = 0 then "Density: truth vs model (KDE)"
            else sprintf "Density: truth vs model (KDE); %d of %d model samples lie outside the plotted range" outside data.Samples.Length
        combine traces
        |> Chart.withTitle title
        |> Chart.withXAxisStyle "x"
        |> Chart.withYAxisStyle "density"

    /// Seed 000 Figure 1: one 1-D dataset's true density with every model's learned density (the KDE of its final
    /// samples) overlaid, one trace per named run; runs without samples are left out.
    let densityOverlay (title: string) (dataset: Distribution) (runs: (string * RunData) list) =
        let grid = gridOf dataset
        combine
            [ yield Chart.Line(x = grid, y = (grid |> Array.map (Densities.pdf dataset)), Name = "true density")
              for name, data in runs do
                  if data.Samples.Length > 1 then
                      let estimate, _ = modelKde data grid
                      yield Chart.Line(x = grid, y = estimate, Name = sprintf "%s (KDE)" name) ]
        |> Chart.withTitle title
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
        let critic = if RunData.hasWassersteinCritic data then late (RunData.column "critic_w1" data) else [||]
        let values = Array.append (late (RunData.column "w1" data)) critic
        if values.Length = 0 then (0.0, 1.0)
        else
            let low, high = min 0.0 (Array.min values), Array.max values
            let pad = 0.15 * (high - low + 1e-9)
            (low - pad, high + pad)
    /// A 2-D flow's exact density on its grid (heatmap; x varies fastest in `density.csv`) with the first
    /// 1,000 model samples overlaid (seed 003 Fig. 5-6, second panel).
    let densityHeatmap (data: RunData) =
        let xs = data.Density |> Array.map (fun r -> r[0]) |> Array.distinct
        let ys = data.Density |> Array.map (fun r -> r[1]) |> Array.distinct
        let z = data.Density |> Array.map (fun r -> r[2]) |> Array.chunkBySize xs.Length
        let samples = data.Samples |> Array.chunkBySize 2 |> Array.truncate 1000
        // The axes stay on the grid (the data's bounding box ±10%): a few far-off samples must not shrink the
        // density into a corner; how many fall outside is said in the title.
        let inside (p: float[]) = p[0] >= Array.min xs && p[0] <= Array.max xs && p[1] >= Array.min ys && p[1] <= Array.max ys
        let outside = samples |> Array.filter (inside >> not) |> Array.length
        combine
            [ Chart.Heatmap(zData = z, X = xs, Y = ys, Name = "flow density (exact)", ShowScale = true)
              Chart.Point(x = (samples |> Array.map (fun p -> p[0])), y = (samples |> Array.map (fun p -> p[1])), Name = "model samples (first 1,000)", Opacity = 0.4, MarkerColor = Color.fromString "white") ]
        |> Chart.withTitle (sprintf "Flow density (exact) with model samples (%d of %d samples outside the plotted grid)" outside samples.Length)
        |> Chart.withXAxisStyle ("x₁", MinMax = (Array.min xs, Array.max xs))
        |> Chart.withYAxisStyle ("x₂", MinMax = (Array.min ys, Array.max ys))

    /// Data points mapped to the latent space, g⁻¹(x), which should look standard normal (seed 003 Fig. 5-6, fourth panel).
    let latent (data: RunData) =
        Chart.Point(x = (data.Latent |> Array.map (fun r -> r[0])), y = (data.Latent |> Array.map (fun r -> r[1])), Name = "g⁻¹(data)")
        |> Chart.withTitle (sprintf "Latent space: g⁻¹ of %d data points" data.Latent.Length)
        |> Chart.withXAxisStyle "z₁"
        |> Chart.withYAxisStyle "z₂"

    /// A few data points followed through the flow (`trajectories.csv`). 2-D: each point's path x → z as a thin line
    /// with a dot at every stage, the data points (start) and their latent images (end) marked. 1-D: each point's
    /// value against the stage, the stage labels on the x axis. A standardized flow is drawn from its standardized points.
    let trajectories (data: RunData) =
        // A standardized flow's path starts in data units and continues in standardized ones; drawn from the
        // standardized points on, so that the flow's own stages are not flattened by the data's scale.
        let standardized = data.Trajectories.Labels.Length > 2 && data.Trajectories.Labels[1].StartsWith "standardized"
        let t =
            if standardized then
                { Labels = Array.tail data.Trajectories.Labels; Paths = data.Trajectories.Paths |> Array.map Array.tail }
            else data.Trajectories
        let first, last = t.Labels[0], t.Labels[t.Labels.Length - 1]
        let pathColour = Color.fromString "rgba(90, 90, 90, 0.35)"
        // One trace per point, all in one legend entry.
        let path i line =
            line
            |> Chart.withLineStyle (Color = pathColour, Width = 1.0)
            |> Chart.withMarkerStyle (Color = pathColour, Size = 4)
            |> Chart.withTraceInfo (Name = "paths", ShowLegend = (i = 0), LegendGroup = "paths")
        let title =
            sprintf "Trajectories of %d data points through the flow (%s → %s, %d stages)%s" t.Paths.Length first last t.Labels.Length
                (if standardized then ", from the standardized data (x − m)/s" else "")
        if FlowTrajectories.dimension t = 2 then
            let ends (stage: float[][] -> float[]) = t.Paths |> Array.map stage
            let starts, finals = ends Array.head, ends Array.last
            combine
                [ yield! t.Paths |> Array.mapi (fun i p -> path i (Chart.Line(x = (p |> Array.map (fun c -> c[0])), y = (p |> Array.map (fun c -> c[1])), ShowMarkers = true)))
                  Chart.Point(x = (starts |> Array.map (fun c -> c[0])), y = (starts |> Array.map (fun c -> c[1])), Name = sprintf "start: data x (%s)" first, MarkerColor = Color.fromString "#1f77b4")
                  Chart.Point(x = (finals |> Array.map (fun c -> c[0])), y = (finals |> Array.map (fun c -> c[1])), Name = sprintf "end: latent g⁻¹(x) (%s)" last, MarkerColor = Color.fromString "#d62728") ]
            |> Chart.withTitle title
            |> Chart.withXAxisStyle "x₁ / z₁"
            |> Chart.withYAxisStyle "x₂ / z₂"
        else
            combine (t.Paths |> Array.mapi (fun i p -> path i (Chart.Line(x = t.Labels, y = (p |> Array.map (fun c -> c[0])), ShowMarkers = true))))
            |> Chart.withTitle title
            |> Chart.withXAxisStyle("stage", CategoryOrder = StyleParam.CategoryOrder.Array, CategoryArray = t.Labels)
            |> Chart.withYAxisStyle "value (x at the first stage, z at the last)"

    /// The exact negative log-likelihood (nats per sample) on each evaluation's data (`RunData.evaluationsOn`: fresh
    /// draws of the law, draws from a finite sample's training split, or a file's or images' validation split).
    let nll (data: RunData) =
        Chart.Line(x = RunData.column "step" data, y = RunData.column "nll" data, Name = "NLL (nats/sample)", ShowMarkers = true)
        |> Chart.withTitle (sprintf "NLL over training (exact, on %s)" (RunData.evaluationsOn data))
        |> Chart.withXAxisStyle "step"
        |> Chart.withYAxisStyle "nats per sample"

    /// Function evaluations of the ODE solve in the training step before each evaluation (continuous flows):
    /// constant for RK4, rising with an adaptive solver as the learned dynamics stiffen.
    let functionEvaluations (data: RunData) =
        Chart.Line(x = RunData.column "step" data, y = RunData.column "nfe" data, Name = "function evaluations", ShowMarkers = true)
        |> Chart.withTitle "ODE function evaluations per training forward pass"
        |> Chart.withXAxisStyle "step"
        |> Chart.withYAxisStyle "evaluations"

    /// W1 (eq. 8), W1 against the exact distribution, and the critic's estimate (eq. 9) over
    /// training, with evaluations where the critic badly underestimates W1 marked.
    let wasserstein (data: RunData) =
        let steps = RunData.column "step" data
        let line name column = Chart.Line(x = steps, y = RunData.column column data, Name = name, ShowMarkers = true)
        let flagged = RunData.flaggedEvaluations data
        combine
            [ line (sprintf "W1 vs %s (eq. 8)" (RunData.evaluatedOn data data.Experiment.Evaluation.Samples)) "w1"
              line "W1 vs exact distribution" "w1_exact"
              // Under the original GAN losses critic_w1 is a gap of logits, not a W1: the summary rows name it.
              if RunData.hasWassersteinCritic data then
                  line (RunData.criticW1Label data) "critic_w1"
                  Chart.Point(
                      x = (flagged |> Array.map (fun (s, _, _) -> s)),
                      y = (flagged |> Array.map (fun (_, _, c) -> c)),
                      Name = "critic estimate < ½ W1 or negative"
                  ) ]
        |> Chart.withTitle "Wasserstein-1 over training (y zoomed on the second half; double-click to see all)"
        |> Chart.withXAxisStyle "generator step"
        |> Chart.withYAxisStyle("W1", MinMax = secondHalfRange data)

    /// The energy distance between model and data samples over training, in any dimension (seed 003 Fig. 11's measure
    /// on images).
    let energy (data: RunData) =
        let steps = RunData.column "step" data
        combine [ Chart.Line(x = steps, y = RunData.column "energy" data, Name = "energy distance", ShowMarkers = true) ]
        |> Chart.withTitle (sprintf "Energy distance over training (model samples against %s)" (RunData.energiesOn data))
        |> Chart.withXAxisStyle "generator step"
        |> Chart.withYAxisStyle "energy distance"

    /// Generator and critic losses over training (without a critic: the training loss only), with axis titles and a legend.
    let losses (data: RunData) =
        let steps = RunData.column "step" data
        combine
            (if RunData.hasCritic data then
                 [ Chart.Line(x = steps, y = RunData.column "generator_loss" data, Name = "generator loss", ShowLegend = true)
                   Chart.Line(x = steps, y = RunData.column "critic_loss" data, Name = RunData.criticLossLabel data, ShowLegend = true) ]
             else
                 [ Chart.Line(x = steps, y = RunData.column "generator_loss" data, Name = "training loss (last step before the evaluation)", ShowLegend = true) ])
        |> Chart.withTitle "Losses"
        |> Chart.withXAxisStyle "generator step"
        |> Chart.withYAxisStyle "loss"

    /// Seed 001 Fig. 2: the exact NLL of the training and validation splits (and of the evaluations' data) over
    /// training, on a run with a finite training set, each series named with what it averages over. Where the `nll`
    /// column holds the validation split's numbers (a sample file's or images' evaluations score the same points), one
    /// series shows both.
    let splitNll (data: RunData) =
        let steps = RunData.column "step" data
        let splits = data.Summary.Splits
        let nll, validation = RunData.column "nll" data, RunData.column "validation_nll" data
        let same = Array.forall2 (fun (a: float) b -> a = b || (System.Double.IsNaN a && System.Double.IsNaN b)) nll validation
        let validationName = EvaluationData.ofSplitNll data.Experiment splits "validation"
        combine
            [ Chart.Line(x = steps, y = RunData.column "train_nll" data, Name = EvaluationData.ofSplitNll data.Experiment splits "training", ShowMarkers = true)
              if same then
                  Chart.Line(x = steps, y = validation, Name = validationName + " (also the nll column: the same numbers)", ShowMarkers = true)
              else
                  Chart.Line(x = steps, y = validation, Name = validationName, ShowMarkers = true)
                  Chart.Line(x = steps, y = nll, Name = sprintf "nll: %s" (RunData.evaluationsOn data), ShowMarkers = true) ]
        |> Chart.withTitle "NLL over training (exact; seed 001 Fig. 2)"
        |> Chart.withXAxisStyle "generator step"
        |> Chart.withYAxisStyle "nats per point"

    /// Seed 001 App. B: the MODE and Inception scores over training, from the mixture's exact component posterior (or a
    /// digit classifier's on images).
    let modeScores (data: RunData) =
        let steps = RunData.column "step" data
        combine
            [ Chart.Line(x = steps, y = RunData.column "mode_score" data, Name = "MODE score", ShowMarkers = true)
              Chart.Line(x = steps, y = RunData.column "inception_score" data, Name = "Inception score", ShowMarkers = true)
              Chart.Line(x = steps, y = RunData.column "modes_covered" data, Name = "modes covered", ShowMarkers = true) ]
        |> Chart.withTitle (sprintf "Sample quality over training (%s; seed 001 Fig. 5)" (RunData.modePosterior data))
        |> Chart.withXAxisStyle "generator step"
        |> Chart.withYAxisStyle "score / modes"

    /// Precision, recall, density and coverage over training (seed 000's thesis: recall beside precision).
    let precisionRecall (data: RunData) =
        let steps = RunData.column "step" data
        combine
            [ for column, name in [ "precision", "precision (k = 3)"; "recall", "recall (k = 3)"; "density", "density (k = 5)"; "coverage", "coverage (k = 5)" ] ->
                  Chart.Line(x = steps, y = RunData.column column data, Name = name, ShowMarkers = true) ]
        |> Chart.withTitle (sprintf "Precision and recall over training (k-NN balls: model samples against %s)"
                                (RunData.recallsOn data))
        |> Chart.withXAxisStyle "generator step"
        |> Chart.withYAxisStyle "share (density: mean balls per sample / k)"

    /// Every named model's final (recall, precision) as one point on the precision–recall plane, one trace per group
    /// (seed 000's thesis as a picture: a model that covers the data sits right, one whose samples are realistic sits up).
    let precisionRecallPlane (title: string) (points: (string * string * float * float) list) =
        combine
            [ for group, members in points |> List.groupBy (fun (g, _, _, _) -> g) do
                  let members = members |> List.filter (fun (_, _, r, p) -> System.Double.IsFinite r && System.Double.IsFinite p)
                  if not members.IsEmpty then
                      yield
                          Chart.Point(
                              x = (members |> List.map (fun (_, _, r, _) -> r)),
                              y = (members |> List.map (fun (_, _, _, p) -> p)),
                              Name = group,
                              MultiText = (members |> List.map (fun (_, label, _, _) -> label)),
                              TextPosition = StyleParam.TextPosition.TopCenter
                          ) ]
        |> Chart.withTitle title
        |> Chart.withXAxisStyle("recall (k = 3): share of data samples the model reaches", MinMax = (0.0, 1.05))
        |> Chart.withYAxisStyle("precision (k = 3): share of model samples inside the data", MinMax = (0.0, 1.05))

    /// Seed 001 Fig. 4: the CDF of the Jacobian's singular values (every draw's, pooled) on a log axis, one trace per
    /// named run, the mean log|det| in the legend where it exists.
    let singularValueCdf (title: string) (runs: (string * float[][] * float option) list) =
        combine
            [ for name, values, logDet in runs do
                  let sorted = values |> Array.concat |> Array.sort
                  if sorted.Length > 0 then
                      let cdf = sorted |> Array.mapi (fun i _ -> float (i + 1) / float sorted.Length)
                      let label =
                          match logDet with
                          | Some d -> sprintf "%s (mean log|det| %.3f)" name d
                          | None -> name
                      yield Chart.Line(x = sorted, y = cdf, Name = label) ]
        |> Chart.withTitle title
        |> Chart.withXAxisStyle ("singular value of ∂G/∂z", AxisType = StyleParam.AxisType.Log)
        |> Chart.withYAxisStyle "fraction of singular values ≤ s"
