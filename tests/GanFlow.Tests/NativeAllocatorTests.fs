/// The C allocator's setting (issue 20) moves where libtorch's bytes live, never a number: reduced runs give the same
/// metrics.csv (apart from the wall clock) with the setting (the default) and with GANFLOW_MALLOC=default.
module GanFlow.Tests.NativeAllocatorTests

open Expecto
open GanFlow.Runtime.Devices

/// Runs `ganflow ARGS` with the setting on (the variable removed) or off (GANFLOW_MALLOC=default).
let private runGanflow (tuned: bool) (args: string list) =
    CliProcess.runWith [ NativeAllocator.SwitchVariable, (if tuned then None else Some "default") ] None args

[<Tests>]
let tests =
    testSequenced <| testList "native allocator" [
        test "the setting is applied in this process on Linux (glibc) and reports itself" {
            let outcome = NativeAllocator.Apply()
            if System.OperatingSystem.IsLinux() then
                Expect.contains [ "tuned"; "default" ] outcome "glibc's mallopt accepted both thresholds (or the setting was turned off)"
            else Expect.equal outcome "unavailable" "no glibc outside Linux"
            Expect.equal (NativeAllocator.Apply()) outcome "applied once: a second call reports the first outcome"
        }
        test "a GANFLOW_MALLOC value other than tuned or default is refused (exit 2, the variable and the value named)" {
            CliProcess.expectVariableRefused NativeAllocator.SwitchVariable "off"
        }
        test "BenchPeer --peer-malloc tuned gives the PyTorch peer exactly this tool's thresholds" {
            let script = System.IO.File.ReadAllText(System.IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "build.fsx"))
            Expect.stringContains script (sprintf "Some \"tuned\" -> Some \"%s\"" NativeAllocator.GlibcTunables)
                "build.fsx's GLIBC_TUNABLES for the peer is NativeAllocator.GlibcTunables"
        }
        for name, args in
            [ "the demo (WGAN-GP, batch 256)", [ "run"; "wgan-gp-unimodal"; "--steps"; "200" ]
              "RealNVP on moons (float64)", [ "run"; "realnvp-moons"; "--steps"; "40" ] ] do
            testCase (sprintf "%s gives the same metrics.csv with the allocator setting as without it" name) (fun () ->
                let run tuned =
                    let out = TestFolders.fresh "allocator"
                    let code, output = runGanflow tuned (args.Head :: args.Tail.Head :: [ "--out"; out; "--no-report" ] @ args.Tail.Tail)
                    Expect.equal code 0 (sprintf "the run completes:\n%s" output)
                    GcStressTests.metricsWithoutWallClock out
                let tuned = run true
                let plain = run false
                Expect.isGreaterThan tuned.Length 1 "the run recorded evaluations"
                Expect.sequenceEqual tuned plain "every metric of every evaluation, to the last digit")
    ]
