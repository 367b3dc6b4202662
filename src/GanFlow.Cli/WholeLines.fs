/// Lines on the standard error stream written whole. F#'s own `eprintfn` writes a line in pieces (each literal and each
/// formatted value, then the newline), so lines printed at the same moment from other threads (a study's cells, a search
/// worker's renewals beside its jobs) cut into one another; this `eprintfn` formats the line first and writes it with one
/// call to `Console.Error`, which .NET synchronises. Opened automatically in every file compiled after this one.
[<AutoOpen>]
module GanFlow.Cli.WholeLines

open System

/// `eprintfn`, but the formatted line is written with one call.
let eprintfn format = Printf.ksprintf (fun (line: string) -> Console.Error.WriteLine line) format
