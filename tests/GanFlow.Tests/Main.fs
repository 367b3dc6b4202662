module GanFlow.Tests.Main

open Expecto

/// `--exclude-list NAME` (repeatable): the test lists to leave out, e.g. the GC-stress comparison, which runs its own
/// stressed and plain processes, in CI's stressed lane. The other arguments go to Expecto.
let private exclusions (argv: string[]) =
    let rec split excluded rest (args: string list) =
        match args with
        | "--exclude-list" :: name :: tail -> split (name :: excluded) rest tail
        | a :: tail -> split excluded (a :: rest) tail
        | [] -> List.rev excluded, List.rev rest |> Array.ofList
    split [] [] (List.ofArray argv)

/// Every synchronous test case run inside a TorchSharp dispose scope. The scope holds every tensor the test makes until
/// the test ends, so that a temporary whose last managed use was loading its handle cannot be finalised by a garbage
/// collection on another thread while native code still reads it (the race the GC-stress lane provokes; the runtime's
/// own computations run in scopes of their own).
let rec private inDisposeScopes (test: Test) =
    match test with
    | TestCase(Sync body, focus) ->
        TestCase(Sync(fun () ->
            use _ = TorchSharp.torch.NewDisposeScope()
            body ()), focus)
    | TestCase(SyncWithCancel body, focus) ->
        TestCase(SyncWithCancel(fun cancel ->
            use _ = TorchSharp.torch.NewDisposeScope()
            body cancel), focus)
    | TestCase _ -> test
    | TestList(tests, focus) -> TestList(List.map inDisposeScopes tests, focus)
    | TestLabel(label, inner, focus) -> TestLabel(label, inDisposeScopes inner, focus)
    | Test.Sequenced(method, inner) -> Test.Sequenced(method, inDisposeScopes inner)

/// `test` without the lists labelled with one of `names` (the tree's shape kept, so that Expecto's filters still work).
let rec private without (names: string list) (test: Test) =
    match test with
    | TestLabel(label, _, _) when List.contains label names -> TestList([], Normal)
    | TestLabel(label, inner, focus) -> TestLabel(label, without names inner, focus)
    | TestList(tests, focus) -> TestList(List.map (without names) tests, focus)
    | Test.Sequenced(method, inner) -> Test.Sequenced(method, without names inner)
    | TestCase _ -> test

/// The tests that took longest, slowest first (CI's log says where a lane's time went), and every test's duration as
/// `seconds<TAB>name` lines, slowest first, appended to the file `GANFLOW_TEST_TIMES` names when it is set, after a
/// `# N tests` line (both lanes of `-t Test` add theirs: the plain lane's first).
let private printSlowest (printLine: string -> unit) (s: Impl.TestRunSummary) =
    let timed =
        s.passed @ s.ignored @ s.failed @ s.errored
        |> List.map (fun (test, result) -> result.duration.TotalSeconds, String.concat "/" test.name)
        |> List.sortByDescending fst
    match System.Environment.GetEnvironmentVariable "GANFLOW_TEST_TIMES" with
    | null | "" -> ()
    | path ->
        try
            System.IO.File.AppendAllLines(path,
                sprintf "# %d tests (%s)" timed.Length (match System.Environment.GetEnvironmentVariable "DOTNET_GCgen0size" with
                                                         | null | "" -> "plain"
                                                         | _ -> "under GC stress")
                :: [ for seconds, name in timed -> sprintf "%.1f\t%s" seconds (name.Replace('\t', ' ').Replace('\n', ' ')) ])
        with e -> printLine (sprintf "could not write GANFLOW_TEST_TIMES=%s: %s" path e.Message)
    if not timed.IsEmpty then
        printLine ""
        printLine (sprintf "slowest tests (of %d, %.0f s in all):" timed.Length (List.sumBy fst timed))
        for seconds, name in List.truncate 12 timed do printLine (sprintf "%8.1f s  %s" seconds name)

/// Runs every test in the assembly and ends with the line CI reads: `N passed, M failed`.
/// The counts come from a summary handler and are printed after Expecto returns, so they do
/// not interleave with Expecto's own output.
[<EntryPoint>]
let main argv =
    // The C allocator's setting, as the CLI applies it at its start (GANFLOW_MALLOC=default turns it off).
    GanFlow.Runtime.Devices.NativeAllocator.Apply() |> ignore
    // libtorch's own CPU convolutions, not oneDNN's, as every run applies them (tests also build conv modules directly).
    GanFlow.Runtime.Devices.CpuKernels.Apply() |> ignore
    // Modules built directly by a test take their default initial weights from TorchSharp's global generator: seed it,
    // so that no test depends on an unseeded draw.
    TorchSharp.torch.random.manual_seed 20261202L |> ignore
    let excluded, argv = exclusions argv
    let mutable summary: Impl.TestRunSummary option = None
    let handler = SummaryHandler(fun s -> summary <- Some s)
    let tests =
        Impl.testFromAssembly (System.Reflection.Assembly.GetExecutingAssembly())
        |> Option.defaultValue (testList "none" [])
        |> without excluded
        |> inDisposeScopes
    let exitCode =
        runTestsWithCLIArgs [ CLIArguments.Append_Summary_Handler handler; CLIArguments.No_Spinner; CLIArguments.Colours 0 ] argv tests
    System.Console.Out.Flush()
    // Expecto wraps Console.Out (it pads lines to clear its progress display), so the closing
    // line goes straight to the standard output stream, unpadded.
    use stdout = new System.IO.StreamWriter(System.Console.OpenStandardOutput())
    let printLine (line: string) = stdout.WriteLine line; stdout.Flush()
    match summary with
    | Some s ->
        let failed = s.failed.Length + s.errored.Length
        printSlowest printLine s
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
