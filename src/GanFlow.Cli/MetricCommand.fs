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

/// The scores as (key, value) pairs, or the first error naming the file and line.
let evaluate (xPath: string) (yPath: string) (seed: int) : Result<(string * float) list, string> =
    match readSample xPath, readSample yPath with
    | Error message, _
    | _, Error message -> Error message
    | Ok x, Ok y ->
        Ok(
            [ "n_x", float x.Length
              "n_y", float y.Length
              "w1", Wasserstein.w1 x y
              "energy", EnergyDistance.energyDistance x y ]
            @ [ for name, sample in [ "x", x; "y", y ] do
                    yield sprintf "bandwidth_%s_500_per_band" name, Kde.samplesPerBandBandwidth 500 sample
                    yield sprintf "bandwidth_%s_held_out" name, Kde.heldOutBandwidth 20 (System.Random seed) sample ]
        )

/// Prints `key = value` lines; returns the exit code (2 on bad input).
let run (xPath: string) (yPath: string) (seed: int) =
    match evaluate xPath yPath seed with
    | Error message ->
        eprintfn "error: %s" message
        2
    | Ok scores ->
        for key, value in scores do
            printfn "%s = %s" key (value.ToString("G10", System.Globalization.CultureInfo.InvariantCulture))
        0
