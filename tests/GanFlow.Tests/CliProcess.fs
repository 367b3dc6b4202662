/// `ganflow` as a user runs it: a separate process, its exit code and everything it printed.
module GanFlow.Tests.CliProcess

open System
open System.Diagnostics
open System.IO

/// Runs `ganflow ARGS` to the end in `directory` (or this process's working directory) with `environment` changes (Some
/// value sets a variable, None removes it) and `input` on its standard input; returns the exit code and the output
/// (standard output and error, interleaved).
let private runIn (directory: string option) (environment: (string * string option) list) (input: string option) (args: string list) =
    let start = ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false)
    directory |> Option.iter (fun d -> start.WorkingDirectory <- d)
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

/// Runs `ganflow ARGS` to the end with `environment` changes and `input` on its standard input; returns the exit code
/// and the output.
let runWith (environment: (string * string option) list) (input: string option) (args: string list) = runIn None environment input args

/// Runs `ganflow ARGS` to the end; returns the exit code and the output.
let run (args: string list) = runWith [] None args

/// Runs `ganflow ARGS` to the end with `directory` as its working directory; returns the exit code and the output.
let runFrom (directory: string) (args: string list) = runIn (Some directory) [] None args

/// Expects `ganflow list` with the environment variable `variable` set to `value` (neither of its choices) to be
/// refused before anything runs: exit 2, the variable and the value named, no experiment listed.
let expectVariableRefused (variable: string) (value: string) =
    let code, output = runWith [ variable, Some value ] None [ "list" ]
    Expecto.Expect.equal code 2 output
    Expecto.Expect.stringContains output (sprintf "%s=%s" variable value) "the variable and the value"
    Expecto.Expect.isFalse (output.Contains "wgan-gp-unimodal") "nothing ran"
