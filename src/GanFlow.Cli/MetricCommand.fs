/// `ganflow metric --x MODEL_SAMPLES --y DATA_SAMPLES …`: scores samples from anywhere (any model, any tool, any
/// dimension) against data samples, a declared truth, the training set and the model's density (docs/metrics.md).
module GanFlow.Cli.MetricCommand

open System.Globalization
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics
open GanFlow.Core.Specs
open GanFlow.Store

/// What `ganflow metric` was asked, its options parsed.
type MetricOptions =
    { /// The model's samples (--x).
      X: string
      /// The data's samples (--y); None with a truth: as many truth draws as X has.
      Y: string option
      /// A declared distribution (--truth), by its name in `NamedDatasets.all`.
      Truth: string option
      /// The model's training samples (--train).
      Train: string option
      /// The seed of every random choice (--seed, default 1).
      Seed: int
      /// Directions of sliced W1 (--projections, default 1,000).
      Projections: int
      /// MMD²'s bandwidth (--bandwidth; None: the median heuristic).
      Bandwidth: float option
      /// A flow run folder (--model).
      Model: string option
      /// 1-D: the birthday estimate's near-duplicate distance (--delta; None: 1e-4 × the pooled interquartile range).
      Delta: float option }

    /// X against Y with every default.
    static member Of (x: string) (y: string) (seed: int) =
        { X = x; Y = Some y; Truth = None; Train = None; Seed = seed; Projections = SlicedWasserstein.DefaultProjections
          Bandwidth = None; Model = None; Delta = None }

/// Model and truth draws that --model and --truth score with (KL divergences; each HDR level uses `TruthScores.LevelDraws`).
[<Literal>]
let LikelihoodDraws = 10_000

/// The default near-duplicate distance of the birthday estimate: 1e-4 × the interquartile range of the pooled samples
/// (the same δ for both files, so their support estimates compare).
let defaultDelta (x: float[]) (y: float[]) =
    let pooled = Array.append x y |> Array.sort
    let at (p: float) = pooled[min (pooled.Length - 1) (int (p * float (pooled.Length - 1)))]
    let iqr = at 0.75 - at 0.25
    if iqr > 0.0 then 1e-4 * iqr else 1e-12

/// JS in nats between the KDEs of two samples (500-per-band bandwidth each) on a common 4,001-point grid.
let private jsOfKdes (x: float[]) (y: float[]) =
    let bx, by = Kde.samplesPerBandBandwidth 500 x, Kde.samplesPerBandBandwidth 500 y
    let low = min (Array.min x - 8.0 * bx) (Array.min y - 8.0 * by)
    let high = max (Array.max x + 8.0 * bx) (Array.max y + 8.0 * by)
    let grid = Array.init 4_001 (fun i -> low + (high - low) * float i / 4_000.0)
    JensenShannon.ofGrid (grid[1] - grid[0]) (Kde.density x bx grid) (Kde.density y by grid)

/// The 1-D scores beyond the two-sample ones: KDE bandwidths, JS of the KDEs, birthday-paradox support. A constant
/// sample has no KDE: its 500-per-band bandwidth is the rule's 0, its held-out one and the JS of the KDEs are NaN, and
/// every other score is computed.
let private oneDimensionalExtras (seed: int) (delta: float option) (x: float[]) (y: float[]) =
    let delta = delta |> Option.defaultWith (fun () -> defaultDelta x y)
    let birthday (sample: float[]) =
        let e = BirthdaySupport.estimate (System.Random seed) delta 200 sample
        (e.BatchSize |> Option.map float |> Option.defaultValue nan), e.Support
    let batchX, supportX = birthday x
    let batchY, supportY = birthday y
    [ for name, sample in [ "x", x; "y", y ] do
          yield sprintf "bandwidth_%s_500_per_band" name, Kde.samplesPerBandBandwidth 500 sample
          yield sprintf "bandwidth_%s_held_out" name, (if Kde.isConstant sample then nan else Kde.heldOutBandwidth 20 (System.Random seed) sample) ]
    @ [ "js_kde", (if Kde.isConstant x || Kde.isConstant y then nan else jsOfKdes x y)
        "birthday_delta", delta
        "birthday_batch_x", batchX
        "support_x", supportX
        "birthday_batch_y", batchY
        "support_y", supportY ]

/// The magnitudes the scores can take: the nearest-neighbour scores, MMD² and the energy distance work on squared
/// distances, which overflow beyond about 1e154 and underflow to zero below about 1e-154, so two samples 1e300 apart
/// or 50 standard deviations of 1e-170 apart would score as identical. A margin of 1e54 on both sides leaves room for
/// sums over any dimension a file can hold.
let private scaleRange = 1e-100, 1e100

/// The largest magnitude among a sample's values.
let private largestMagnitude (p: Points) = p.Values |> Array.fold (fun m v -> max m (abs v)) 0.0

/// Refuses a sample holding a value beyond `scaleRange`'s top, naming the file, the point and the value.
let private requireScale (path: string) (p: Points) =
    let _, high = scaleRange
    let largest = largestMagnitude p
    if largest > high then
        let k = p.Values |> Array.findIndex (fun v -> abs v = largest)
        Error(sprintf "%s: point %d holds %g, beyond the magnitude %g the scores' squared distances can take; rescale the samples (precision, recall, density and coverage do not change with a common scale; W1, the energy distance and sliced W1 scale with it)"
                  path (k / p.Dimension + 1) p.Values[k] high)
    else Ok()

/// Refuses samples whose every value, over all the files scored together, is non-zero only below `scaleRange`'s bottom:
/// their squared distances underflow to zero. One sample alone that small is fine beside another of ordinary scale (a
/// generator collapsed near 0 is scored).
let private requireNotAllTiny (samples: (string * Points) list) =
    let low, _ = scaleRange
    let largest = samples |> List.map (snd >> largestMagnitude) |> List.max
    if largest > 0.0 && largest < low then
        Error(sprintf "%s: every value is below %g in magnitude (the largest %g), where the scores' squared distances underflow to zero; rescale the samples"
                  (samples |> List.map fst |> String.concat " and ") low largest)
    else Ok()

/// A sample file's points and where its dimension comes from, or the error naming the file.
let private read (path: string) =
    try
        let struct (points, where) = SampleFile.ReadLocated path
        requireScale path points |> Result.map (fun () -> points, where)
    with :? SampleFileException as e -> Error e.Message

/// Checks a sample's size for its role: at least `needed` points (the nearest-neighbour scores' k + 1).
let private requireSize (path: string) (role: string) (needed: int) (p: Points) =
    if p.Count < needed then
        Error(sprintf "%s: holds %d point%s; %s need at least %d (k nearest neighbours besides the point itself)"
                  path p.Count (if p.Count = 1 then "" else "s") role needed)
    else Ok p

/// `b` (file `bPath`, dimension from `bWhere`) must have `a`'s dimension.
let private sameDimension (aPath: string, aWhere: string, a: Points) (bPath: string, bWhere: string, b: Points) =
    if a.Dimension = b.Dimension then Ok()
    else
        Error(sprintf "%s %s: %d value%s per sample, but %s %s has %d (both files need the same dimension)"
                  bPath bWhere b.Dimension (if b.Dimension = 1 then "" else "s") aPath aWhere a.Dimension)

/// Sequencing of checks that each may fail: `let!` binds an Ok value, the first Error ends the block.
type private ResultBuilder() =
    member _.Bind(r: Result<'a, string>, f: 'a -> Result<'b, string>) = Result.bind f r
    member _.Return(v: 'a) : Result<'a, string> = Ok v
    member _.Zero() : Result<unit, string> = Ok()
    member _.Delay(f: unit -> Result<'a, string>) = f
    member _.Run(f: unit -> Result<'a, string>) = f ()
    member _.TryFinally(body: unit -> Result<'a, string>, compensation: unit -> unit) =
        try body () finally compensation ()

/// Every score as (key, value) pairs in print order, or the first error (naming the file and line, the option and
/// value, or the run folder). Everything is read and checked before anything is computed.
let evaluateOptions (options: MetricOptions) : Result<(string * float) list, string> =
    let result = ResultBuilder()
    result {
        // System.Random(seed) takes the seed's magnitude, so -s would repeat s's directions, permutations and draws.
        do! match GanFlow.Core.Specs.Check.randomSeed "--seed" options.Seed with
            | [] -> Ok()
            | error :: _ -> Error(string error)
        do! if options.Projections >= 1 && options.Projections <= SlicedWasserstein.MaxProjections then Ok()
            else Error(sprintf "--projections = %d: must be from 1 to %d (sliced W1's Monte Carlo error falls as 1/√projections)" options.Projections SlicedWasserstein.MaxProjections)
        let! truth =
            match options.Truth with
            | None -> Ok None
            | Some name ->
                match NamedDatasets.all |> List.tryFind (fst >> (=) name) with
                | Some(_, d) -> Ok(Some(name, d))
                | None -> Error(sprintf "--truth = %s: no such distribution; the declared ones are %s" name (NamedDatasets.all |> List.map fst |> String.concat ", "))
        let! xPath, xWhere, x = read options.X |> Result.map (fun (p, w) -> options.X, w, p)
        let! yPath, yWhere, y =
            match options.Y, truth with
            | Some path, _ -> read path |> Result.map (fun (p, w) -> path, w, p)
            | None, Some(name, d) when Densities.dimension d = x.Dimension ->
                Ok(sprintf "--truth %s" name, "draws", Points.create x.Dimension (Sampling.sample (Seeds.random options.Seed 0 41) d x.Count))
            | None, Some(name, d) -> Error(sprintf "--truth = %s is %d-D, but %s %s holds %d-D samples" name (Densities.dimension d) xPath xWhere x.Dimension)
            | None, None -> Error "give the data's samples with --y FILE, or a declared distribution with --truth NAME"
        do! sameDimension (xPath, xWhere, x) (yPath, yWhere, y)
        do! requireNotAllTiny [ xPath, x; yPath, y ]
        do!
            match options.Delta with
            | Some d when x.Dimension <> 1 ->
                Error(sprintf "--delta = %g: the birthday estimate it sets is scored on 1-D samples only, but %s %s holds %d-D samples" d xPath xWhere x.Dimension)
            | _ -> Ok()
        let neededX, neededY = Comparison.pointsNeeded
        let! _ = requireSize xPath "precision and recall (k = 3)" neededX x
        let! _ =
            match options.Y with
            | Some _ -> requireSize yPath "density and coverage (k = 5)" neededY y
            // The truth's draws are as many as X's points: X is what is too small.
            | None -> requireSize xPath (sprintf "density and coverage (k = 5, against as many draws of %s)" yPath) neededY x
        [ xPath, x; yPath, y ] |> List.distinctBy fst |> List.iter (fun (path, points) -> RepeatedPoints.note path points |> Option.iter (eprintfn "note: %s"))
        do!
            match truth with
            | Some(name, d) when Densities.dimension d <> x.Dimension ->
                Error(sprintf "--truth = %s is %d-D, but %s %s holds %d-D samples" name (Densities.dimension d) xPath xWhere x.Dimension)
            | _ -> Ok()
        let! train =
            match options.Train with
            | None -> Ok None
            | Some path ->
                read path
                |> Result.bind (fun (t, where) ->
                    sameDimension (xPath, xWhere, x) (path, where, t)
                    |> Result.bind (fun () -> requireSize path "the copying test and closer_than_train (k = 1)" 2 t)
                    |> Result.map Some)
        let! model =
            match options.Model with
            | None -> Ok None
            | Some folder ->
                try
                    let loaded = GanFlow.Runtime.Checkpoints.RunDensity.Load(folder, fun warning -> eprintfn "warning: %s" warning)
                    if loaded.Dimension <> x.Dimension then
                        loaded.Dispose()
                        Error(sprintf "--model %s is a %d-D model, but %s %s holds %d-D samples" folder loaded.Dimension xPath xWhere x.Dimension)
                    else Ok(Some loaded)
                with :? RunFolderException as e -> Error e.Message
        try
            let search = NeighbourSearches.exact
            let settings = { ComparisonSettings.Default with Seed = options.Seed; Projections = options.Projections; Bandwidth = options.Bandwidth }
            let c = Comparison.compare search settings x y
            let density =
                model
                |> Option.map (fun m ->
                    { LogDensity = fun p -> m.LogDensity p.Values
                      Sample = fun seed count -> Points.create m.Dimension (m.Sample(seed, count)) })
            return
                [ "n_x", float c.CountX
                  "n_y", float c.CountY
                  "dim", float c.Dimension ]
                @ (c.W1 |> Option.map (fun w -> "w1", w) |> Option.toList)
                @ [ "sliced_w1", c.Sliced.Distance
                    "sliced_w1_se", c.Sliced.StandardError
                    "energy", c.Energy
                    "mmd2", c.Mmd.Mmd2
                    "mmd2_bandwidth", c.Mmd.Bandwidth
                    "mmd2_p_value", c.Mmd.PValue
                    "c2st_accuracy", c.Classifier.Accuracy
                    "c2st_p_value", c.Classifier.PValue
                    "precision", c.PrecisionRecall.Precision
                    "recall", c.PrecisionRecall.Recall
                    "density", c.PrecisionRecall.Density
                    "coverage", c.PrecisionRecall.Coverage ]
                @ (if x.Dimension = 1 then oneDimensionalExtras options.Seed options.Delta x.Values y.Values else [])
                @ (match truth with
                   | None -> []
                   | Some(_, d) ->
                       let t = TruthScores.compute search options.Seed d density x
                       (t.W1 |> Option.map (fun w -> "truth_w1", w) |> Option.toList)
                       @ (t.ModeRecall |> Array.mapi (fun k r -> sprintf "mode_recall_%d" (k + 1), r) |> List.ofArray)
                       @ [ "mass_off_support", t.MassOffSupport ]
                       @ (t.HdrPrecision |> Option.map (fun v -> "hdr_precision", v) |> Option.toList)
                       @ (t.HdrRecall |> Option.map (fun v -> "hdr_recall", v) |> Option.toList))
                @ (match train with
                   | None -> []
                   | Some t ->
                       let copying = DataCopying.test search options.Seed (DataCopying.defaultCells y.Count) t y x
                       [ "copying_z", copying.Z ]
                       @ (copying.Cells |> Array.mapi (fun i cell -> sprintf "copying_z_cell_%d" (i + 1), cell.Z) |> List.ofArray)
                       @ [ "closer_than_train", copying.CloserThanTrain ])
                @ (match density with
                   | None -> []
                   | Some m ->
                       let l = Likelihood.scores m (truth |> Option.map snd) options.Seed LikelihoodDraws y
                       [ "nll", l.Nll; "nll_se", l.NllStandardError ]
                       @ (l.KlForward |> Option.map (fun v -> "kl_forward", v) |> Option.toList)
                       @ (l.KlReverse |> Option.map (fun v -> "kl_reverse", v) |> Option.toList))
        finally
            model |> Option.iter (fun m -> m.Dispose())
    }

/// The scores of `xPath` against `yPath` with every default but the seed and the birthday δ (see `evaluateOptions`).
let evaluateWith (xPath: string) (yPath: string) (seed: int) (delta: float option) =
    evaluateOptions { MetricOptions.Of xPath yPath seed with Delta = delta }

/// The scores of `xPath` against `yPath` with every default but the seed.
let evaluate (xPath: string) (yPath: string) (seed: int) = evaluateWith xPath yPath seed None

/// A value as printed: G10 in the invariant culture (NaN, Infinity, -Infinity for non-finite values).
let private show (value: float) = value.ToString("G10", CultureInfo.InvariantCulture)

/// The scores as one JSON object, keys in print order, non-finite values as null.
let toJson (scores: (string * float) list) =
    use stream = new System.IO.MemoryStream()
    (use writer = new System.Text.Json.Utf8JsonWriter(stream, System.Text.Json.JsonWriterOptions(Indented = true))
     writer.WriteStartObject()
     for key, value in scores do
         if System.Double.IsFinite value then writer.WriteNumber(key, value) else writer.WriteNull key
     writer.WriteEndObject())
    System.Text.Encoding.UTF8.GetString(stream.ToArray())

/// Parses a --delta text: a finite number > 0.
let private positive (flag: string) (text: string option) =
    match text with
    | None -> Ok None
    | Some t ->
        match System.Double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture) with
        | true, v when System.Double.IsFinite v && v > 0.0 -> Ok(Some v)
        | _ -> Error(sprintf "%s = %s: must be a finite number > 0" flag t)

/// Parses a --bandwidth text: a bandwidth MMD² can use (`Mmd.usableBandwidth`).
let private bandwidthOf (text: string option) =
    positive "--bandwidth" text
    |> Result.bind (fun h ->
        match h with
        | Some v when not (Mmd.usableBandwidth v) ->
            Error(sprintf "--bandwidth = %s: must be a finite number > 0 whose square is neither 0 nor infinite and has a finite reciprocal" (Option.get text))
        | _ -> Ok h)

/// Prints the scores as `key = value` lines (or one JSON object); returns the exit code (2 on bad input).
/// `bandwidth` and `delta` are the texts of --bandwidth and --delta, if given.
let run (options: MetricOptions) (bandwidth: string option) (delta: string option) (json: bool) =
    let parsed =
        bandwidthOf bandwidth
        |> Result.bind (fun h -> positive "--delta" delta |> Result.map (fun d -> { options with Bandwidth = h; Delta = d }))
    match parsed |> Result.bind evaluateOptions with
    | Error message ->
        eprintfn "error: %s" message
        2
    | Ok scores ->
        if json then printfn "%s" (toJson scores)
        else
            for key, value in scores do
                printfn "%s = %s" key (show value)
        0
