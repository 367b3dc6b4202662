/// MKL's code path (GANFLOW_MKL_DISPATCH, issue 20): `features` gives MKL's kernels for the processor's instruction sets,
/// which compute the same products in another order. A run says which path it took, and its numbers agree with the
/// default's to the rounding that order moves; a value that is neither path is refused before anything runs.
module GanFlow.Tests.MklDispatchTests

open System
open System.IO
open Expecto
open GanFlow.Runtime.Devices

/// The metrics.csv columns (but the wall clock) of a run, by name, per evaluation row.
let private metrics (folder: string) =
    let lines = File.ReadAllLines(Path.Combine(folder, GanFlow.Store.RunFiles.Metrics)) |> Array.filter (fun l -> l <> "")
    let header = lines[0].Split ','
    lines[1..] |> Array.map (fun l -> Array.zip header (l.Split ',' |> Array.map (fun v -> Double.Parse(v, Globalization.CultureInfo.InvariantCulture)))
                                      |> Array.filter (fun (name, _) -> name <> "wall_seconds"))

[<Tests>]
let tests =
    testSequenced <| testList "MKL dispatch" [
        test "the default path is MKL's own choice, applied once per process" {
            let outcome = MklDispatch.Apply()
            let wanted = Environment.GetEnvironmentVariable MklDispatch.SwitchVariable
            if String.IsNullOrEmpty wanted || wanted = "vendor" then Expect.equal outcome "vendor" "nothing is changed unless asked"
            Expect.equal (MklDispatch.Apply()) outcome "a second call reports the first outcome"
        }
        test "a GANFLOW_MKL_DISPATCH value other than vendor or features is refused (exit 2, the variable and the value named)" {
            CliProcess.expectVariableRefused MklDispatch.SwitchVariable "intel"
        }
        for name, args, tolerance in
            [ "the demo (WGAN-GP, float32, batch 256)", [ "run"; "wgan-gp-unimodal"; "--steps"; "200" ], 1e-3
              "RealNVP on moons (float64)", [ "run"; "realnvp-moons"; "--steps"; "40" ], 1e-9 ] do
            testCase (sprintf "%s with GANFLOW_MKL_DISPATCH=features says so and agrees with the default path to rounding" name) (fun () ->
                let run (path: string) =
                    let out = TestFolders.fresh "mkl"
                    let code, output =
                        CliProcess.runWith [ MklDispatch.SwitchVariable, Some path ] None (args.Head :: args.Tail.Head :: [ "--out"; out; "--no-report" ] @ args.Tail.Tail)
                    Expect.equal code 0 (sprintf "the run completes:\n%s" output)
                    output, metrics out
                let featuresOutput, features = run "features"
                let vendorOutput, vendor = run "vendor"
                Expect.stringContains featuresOutput "(GANFLOW_MKL_DISPATCH=features: features)" "the run names the path it took (x86-64 Linux)"
                Expect.isFalse (vendorOutput.Contains "GANFLOW_MKL_DISPATCH") "the default path is not announced"
                Expect.isNonEmpty vendor "the run recorded evaluations"
                Expect.equal (features |> Array.map (Array.map fst)) (vendor |> Array.map (Array.map fst)) "the same columns and rows"
                for f, v in Array.zip (Array.concat features) (Array.concat vendor) do
                    let name, a = f
                    let _, b = v
                    // Values at the rounding level (an inverse error of 1e-15) are compared absolutely.
                    Expect.isLessThanOrEqual (abs (a - b)) (tolerance * max 1.0 (abs b)) (sprintf "%s: %g with features, %g with vendor" name a b))
    ]
