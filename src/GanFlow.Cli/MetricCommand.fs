/// `ganflow metric --x FILE --y FILE`: scores two samples from anywhere (any model, any tool).
module GanFlow.Cli.MetricCommand

open System.IO
open GanFlow.Core.Metrics

let private readSample (path: string) =
    if not (File.Exists path) then Error(sprintf "%s: no such file" path)
    else SampleText.parse path (File.ReadLines path)

let private show (value: float) = value.ToString("G10", System.Globalization.CultureInfo.InvariantCulture)

/// Prints `key = value` lines; returns the exit code.
let run (xPath: string) (yPath: string) (seed: int) =
    match readSample xPath, readSample yPath with
    | Error message, _
    | _, Error message ->
        eprintfn "error: %s" message
        2
    | Ok x, Ok y ->
        printfn "n_x = %d" x.Length
        printfn "n_y = %d" y.Length
        printfn "w1 = %s" (show (Wasserstein.w1 x y))
        printfn "energy = %s" (show (EnergyDistance.energyDistance x y))
        for name, sample in [ "x", x; "y", y ] do
            printfn "bandwidth_%s_500_per_band = %s" name (show (Kde.samplesPerBandBandwidth 500 sample))
            printfn "bandwidth_%s_held_out = %s" name (show (Kde.heldOutBandwidth 20 (System.Random seed) sample))
        0
