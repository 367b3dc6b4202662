/// `ganflow metric --x FILE --y FILE`: scores two samples from anywhere (any model, any tool).
module GanFlow.Cli.MetricCommand

open System.IO
open GanFlow.Core.Metrics

/// The values of a sample file; errors name the file (and the line): missing, unreadable, malformed, or too small for the
/// held-out bandwidth (at least two values, not all equal).
let private readSample (path: string) =
    if not (File.Exists path) then Error(sprintf "%s: no such file" path)
    else
        let parsed =
            try
                SampleText.parse path (File.ReadLines path |> Seq.truncate 100_000_000 |> Array.ofSeq)
            with e when (e :? IOException || e :? System.UnauthorizedAccessException || e :? System.OutOfMemoryException) ->
                Error(sprintf "%s: cannot be read: %s" path e.Message)
        match parsed with
        | Ok values when values.Length < 2 ->
            Error(sprintf "%s: holds %d value; the metrics need at least two (the held-out bandwidth holds out a fifth)" path values.Length)
        | Ok values when Array.forall ((=) values[0]) values ->
            Error(sprintf "%s: all %d values equal %g; no KDE bandwidth fits a constant sample" path values.Length values[0])
        | other -> other

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

/// The scores as (key, value) pairs, or the first error naming the file and line; `delta` overrides the birthday
/// estimate's near-duplicate distance.
let evaluateWith (xPath: string) (yPath: string) (seed: int) (delta: float option) : Result<(string * float) list, string> =
    match readSample xPath, readSample yPath with
    | Error message, _
    | _, Error message -> Error message
    | Ok x, Ok y ->
        let delta = delta |> Option.defaultWith (fun () -> defaultDelta x y)
        let birthday (sample: float[]) =
            if sample.Length < 2 then nan, nan
            else
                let e = BirthdaySupport.estimate (System.Random seed) delta 200 sample
                (e.BatchSize |> Option.map float |> Option.defaultValue nan), e.Support
        let batchX, supportX = birthday x
        let batchY, supportY = birthday y
        Ok(
            [ "n_x", float x.Length
              "n_y", float y.Length
              "w1", Wasserstein.w1 x y
              "energy", EnergyDistance.energyDistance x y ]
            @ [ for name, sample in [ "x", x; "y", y ] do
                    yield sprintf "bandwidth_%s_500_per_band" name, Kde.samplesPerBandBandwidth 500 sample
                    yield sprintf "bandwidth_%s_held_out" name, Kde.heldOutBandwidth 20 (System.Random seed) sample ]
            @ [ "js_kde", jsOfKdes x y
                "birthday_delta", delta
                "birthday_batch_x", batchX
                "support_x", supportX
                "birthday_batch_y", batchY
                "support_y", supportY ]
        )

/// The scores with the default birthday δ (see `evaluateWith`).
let evaluate (xPath: string) (yPath: string) (seed: int) = evaluateWith xPath yPath seed None

/// Prints `key = value` lines; returns the exit code (2 on bad input). `delta` is the text of --delta, if given.
let run (xPath: string) (yPath: string) (seed: int) (delta: string option) =
    let parsedDelta =
        match delta with
        | None -> Ok None
        | Some text ->
            match System.Double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture) with
            | true, v when System.Double.IsFinite v && v > 0.0 -> Ok(Some v)
            | _ -> Error(sprintf "--delta = %s: must be a finite number > 0" text)
    match parsedDelta |> Result.bind (fun d -> evaluateWith xPath yPath seed d) with
    | Error message ->
        eprintfn "error: %s" message
        2
    | Ok scores ->
        for key, value in scores do
            printfn "%s = %s" key (value.ToString("G10", System.Globalization.CultureInfo.InvariantCulture))
        0
