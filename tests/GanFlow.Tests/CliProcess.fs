/// `ganflow` as a user runs it: a separate process, its exit code and everything it printed.
module GanFlow.Tests.CliProcess

open System
open System.Diagnostics
open System.IO

/// Runs `ganflow ARGS` to the end with `environment` changes (Some value sets a variable, None removes it) and
/// `input` on its standard input; returns the exit code and the output (standard output and error, interleaved).
let runWith (environment: (string * string option) list) (input: string option) (args: string list) =
    let start = ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false)
    start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ganflow.dll"))
    for a in args do start.ArgumentList.Add a
    for name, value in environment do
        match value with
        | Some v -> start.Environment[name] <- v
        | None -> start.Environment.Remove name |> ignore
    use p = nonNull (Process.Start start)
    let output = Text.StringBuilder()
    let add (line: string | null) = if not (isNull line) then lock output (fun () -> output.AppendLine line |> ignore)
    p.OutputDataReceived.Add(fun e -> add e.Data)
    p.ErrorDataReceived.Add(fun e -> add e.Data)
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    input |> Option.iter p.StandardInput.Write
    p.StandardInput.Close()
    p.WaitForExit()
    p.ExitCode, lock output (fun () -> output.ToString())

/// Runs `ganflow ARGS` to the end; returns the exit code and the output.
let run (args: string list) = runWith [] None args
