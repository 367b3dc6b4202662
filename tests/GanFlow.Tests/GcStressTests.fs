/// Honest numbers under memory pressure: reduced runs of every family give the same metrics.csv (apart from the wall
/// clock) whether or not garbage collections run constantly beside them. The stressed run uses the GC-stress startup
/// hook (tests/GanFlow.GcStress: a thread forcing a collection about every millisecond, so finalisers run while the
/// training thread is in native code) and the smallest gen-0 budget the runtime accepts.
module GanFlow.Tests.GcStressTests

open System
open System.IO
open Expecto
open GanFlow.Store

/// The GC-stress hook, copied beside the tests by their project reference.
let hook = Path.Combine(AppContext.BaseDirectory, "GanFlow.GcStress.dll")

/// The environment of a stressed process: the hook, a 64 KB gen-0 budget (0x8000 is below the runtime's minimum and
/// silently ignored) and the runtime's segments GC (libclrgc.so: the default regions GC of .NET 10 can crash under
/// this stress, dotnet/runtime#129681). The same list is build.fsx's gcStressEnvironment (CI's stressed lane).
let stressEnvironment = [ "DOTNET_STARTUP_HOOKS", hook; "DOTNET_GCgen0size", "0x10000"; "DOTNET_GCName", "libclrgc.so" ]

/// Runs `ganflow ARGS` to the end with or without the stress (the variables are removed from a plain run's environment,
/// so the comparison holds inside CI's stressed lane too); returns the exit code and the output.
let runGanflow (stressed: bool) (args: string list) =
    CliProcess.runWith [ for name, value in stressEnvironment -> name, (if stressed then Some value else None) ] None args

/// metrics.csv of a run folder without its `wall_seconds` column, line by line.
let metricsWithoutWallClock (folder: string) =
    let lines = File.ReadAllLines(Path.Combine(folder, RunFiles.Metrics)) |> Array.filter (fun l -> l <> "")
    let header = lines[0].Split ','
    let keep = header |> Array.mapi (fun i name -> i, name) |> Array.filter (fun (_, name) -> name <> "wall_seconds") |> Array.map fst
    lines |> Array.map (fun l -> let fields = l.Split ',' in keep |> Array.map (fun i -> fields[i]) |> String.concat ",")

/// Small MNIST-shaped folders (28 × 28 strokes) for the image runs.
let private digits = lazy (MnistTestSupport.mnistFolder "" (ImageTestData.strokes 1 28 192) (ImageTestData.strokes 2 28 96))

/// The reduced runs compared: name, and the arguments after `--out DIR`.
let private runs () =
    [ "the demo (WGAN-GP on seed 000's unimodal set)", [ "run"; "wgan-gp-unimodal"; "--steps"; "200" ]
      "RealNVP on moons", [ "run"; "realnvp-moons"; "--steps"; "60" ]
      "seed 003's VAE on MNIST", [ "run"; "seed003-mnist-vae-reduced"; "--steps"; "12"; "--data"; digits.Value ]
      "seed 001's NICE by MLE on MNIST", [ "run"; "seed001-mnist-mle-reduced"; "--steps"; "20"; "--data"; digits.Value ]
      "seed 001's NICE by ADV on MNIST", [ "run"; "seed001-mnist-adv-reduced"; "--steps"; "10"; "--data"; digits.Value ]
      "a Flow-GAN on the ring (ADV)", [ "run"; "seed001-flowgan-ring-adv"; "--steps"; "30" ]
      "a VAE on the ring of 8", [ "run"; "vae-ring"; "--steps"; "300" ]
      "RealNVP by MLE on MNIST images (one run path)", [ "run"; "mnist-realnvp-mle"; "--steps"; "10"; "--data"; digits.Value ] ]

[<Tests>]
let tests =
    testSequenced <| testList "GC stress" [
        for name, args in runs () do
            testCase (sprintf "%s gives the same metrics.csv with constant garbage collections as without" name) (fun () ->
                let run stressed =
                    let out = TestFolders.fresh "gc-stress"
                    let code, output = runGanflow stressed (args.Head :: args.Tail.Head :: [ "--out"; out; "--no-report" ] @ args.Tail.Tail)
                    Expect.equal code 0 (sprintf "the %s run completes:\n%s" (if stressed then "stressed" else "plain") output)
                    metricsWithoutWallClock out
                let plain = run false
                let stressed = run true
                Expect.isGreaterThan plain.Length 1 "the run recorded evaluations"
                Expect.sequenceEqual stressed plain "every metric of every evaluation, to the last digit")
    ]
