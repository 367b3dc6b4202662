/// `ganflow metric --x FILE --y FILE`: scores two samples from anywhere (any model, any tool).
module GanFlow.Cli.MetricCommand

open System.IO
open GanFlow.Core.Metrics

let private readSample (path: string) =
    if not (File.Exists path) then Error(sprintf "%s: no such file" path)
    else SampleText.parse path (File.ReadLines path)

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
