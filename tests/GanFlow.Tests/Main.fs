module GanFlow.Tests.Main

open Expecto

/// Runs every test in the assembly and ends with the line CI reads: `N passed, M failed`.
/// The counts come from a summary handler and are printed after Expecto returns, so they do
/// not interleave with Expecto's own output.
[<EntryPoint>]
let main argv =
    let mutable summary: Impl.TestRunSummary option = None
    let handler = SummaryHandler(fun s -> summary <- Some s)
    let exitCode =
        runTestsInAssemblyWithCLIArgs [ CLIArguments.Append_Summary_Handler handler; CLIArguments.No_Spinner; CLIArguments.Colours 0 ] argv
    System.Console.Out.Flush()
    // Expecto wraps Console.Out (it pads lines to clear its progress display), so the closing
    // line goes straight to the standard output stream, unpadded.
    use stdout = new System.IO.StreamWriter(System.Console.OpenStandardOutput())
    let printLine (line: string) = stdout.WriteLine line; stdout.Flush()
    match summary with
    | Some s ->
        let failed = s.failed.Length + s.errored.Length
        if failed = 0 then
            try TestFolders.remove () with e -> printLine (sprintf "could not remove %s: %s" TestFolders.root e.Message)
        else printLine (sprintf "the tests' files are kept in %s" TestFolders.root)
        printLine ""
        printLine (sprintf "%d passed, %d failed" s.passed.Length failed)
        if failed > 0 then 1 else exitCode
    | None ->
        printLine ""
        printLine "0 passed, 1 failed"
        if exitCode = 0 then 1 else exitCode
