/// Bad input as a new user gives it (issue 16's list): each refused with exit 2 and a message that names the flag or
/// field, the value and what is allowed, before any compute, never a stack trace; a diverging computation ends with
/// exit 3 and says so.
module GanFlow.Tests.BadInputTests

open System
open System.IO
open Expecto
open GanFlow.Store

/// The output has no .NET exception type name and no stack trace.
let private plain (output: string) =
    for marker in [ "Exception"; "   at "; "(Parameter '" ] do
        Expect.isFalse (output.Contains marker) (sprintf "no '%s' in the output:\n%s" marker output)

/// Runs `ganflow ARGS`, expects `code`, and returns the output (checked to be plain words).
let private expectExit (code: int) (args: string list) =
    let exit, output = CliProcess.run args
    Expect.equal exit code (sprintf "exit code of ganflow %s:\n%s" (String.concat " " args) output)
    plain output
    output

[<Tests>]
let tests =
    testList "bad input" [
        test "5: a dynamics step so large that the trajectory diverges ends with exit 3 and its outcome" {
            for rule in [ [ "--dynamics"; "optimal" ]; [ "--eta-d"; "0.1"; "--intervals"; "-1,0,0.5,1" ] ] do
                let output = expectExit 3 ([ "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--eta-g"; "1e308" ] @ rule)
                Expect.stringContains output "outcome = oscillation" "the outcome is printed"
                Expect.stringContains output "diverged_at_step = 1" "the step where it diverged"
                Expect.stringContains output "diverged" "said in words"
                // The run stopped before its tail window: nothing to read there, said as NaN (not -Infinity or 0).
                Expect.stringContains output "tail_max_set_distance = NaN\n" "no tail distance"
                Expect.stringContains output "tail_peak_to_peak = NaN,NaN\n" "no tail ranges"
            // Means that leave ±1e3 but stay finite: every distance that of disjoint supports, and diverged (exit 3).
            let output = expectExit 3 [ "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--intervals"; "-1,0,0.5,2"; "--eta-d"; "0.1"; "--eta-g"; "1e6"; "--steps"; "200" ]
            let value key =
                output.Split('\n') |> Array.pick (fun line -> if line.StartsWith(key + " = ") then Some(line.Substring(key.Length + 3).Trim()) else None)
            let number key = Double.Parse(value key, Globalization.CultureInfo.InvariantCulture)
            Expect.floatClose Accuracy.veryHigh (number "tv") 1.0 "TV of disjoint supports"
            Expect.floatClose Accuracy.veryHigh (number "optimal_loss") 2.0 "1 + TV"
            Expect.isLessThanOrEqual (number "loss") (number "optimal_loss") "the loss at most its maximum"
            Expect.floatClose Accuracy.high (number "js") (log 2.0) "JS of disjoint supports"
            Expect.floatClose Accuracy.high (number "gan_loss_at_optimal_v") (number "two_js_minus_log4") "the identity"
            Expect.stringContains output "outcome = oscillation" "the outcome"
            Expect.stringContains output "diverged_at_step = " "when it left ±1e3"
            Expect.stringContains output "left ±1000 at step" "said in words"
        }

        test "a dynamics run of more steps than the machine's memory holds is refused before any compute, naming --steps" {
            // The runtime's memory capped at 4 GiB (the GC's hard limit, which the estimate reads), so that the refusal
            // does not depend on the host's memory.
            let args = [ "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--dynamics"; "optimal"; "--steps"; "2147483647" ]
            let exit, output = CliProcess.runWith [ "DOTNET_GCHeapHardLimit", Some "0x100000000" ] None args
            Expect.equal exit 2 output
            Expect.stringContains output "--steps = 2147483647: the run needs an estimated" "the flag, the value and the estimate"
            Expect.stringContains output "the trajectory's states" "what needs it"
            Expect.isFalse (output.Contains "outcome") "nothing computed"
        }

        test "memory exhausted in a dynamics run is said with a dynamics run's advice, not a training run's" {
            let text = FailureText.Of(OutOfMemoryException(), "fewer --steps need less")
            Expect.equal text "out of memory: the run needs more memory than the machine has free (fewer --steps need less)" "the advice given"
            Expect.isFalse (text.Contains "batch") "no batch, width or sample count"
            Expect.stringContains (FailureText.Of(OutOfMemoryException())) "a smaller batch, width or sample count needs less" "a training run's advice by default"
        }

        test "6: a full disk is said in words, without .NET type names" {
            let full = IOException("No space left on device : '/runs/x/.metrics.csv.1234.tmp'", 28)
            let text = FailureText.Of full
            Expect.stringStarts text "no space left on the device" "the root failure in words"
            Expect.stringContains text "/runs/x/.metrics.csv.1234.tmp" "the file"
            Expect.isFalse (text.Contains "IOException") "no type name"
            Expect.equal (FailureText.Of(AggregateException(full))) text "the root of an aggregate"
            Expect.stringStarts (FailureText.Of(UnauthorizedAccessException "Access to the path '/x' is denied.")) "permission denied" "a refused permission"
            let torch = System.Runtime.InteropServices.ExternalException "DefaultCPUAllocator: not enough memory: you tried to allocate 8000000000000 bytes.\nException raised from allocate_cpu at …"
            Expect.equal (FailureText.Of torch) "out of memory: DefaultCPUAllocator: not enough memory: you tried to allocate 8000000000000 bytes. (a smaller batch, width or sample count needs less)"
                "libtorch's allocation failure (a run that passed the estimate and still ran out ends Failed with this reason)"
        }

        test "9: ganflow data mnist --from a bad tarball creates nothing" {
            let root = TestFolders.fresh "mnist-refused"
            Directory.CreateDirectory root |> ignore
            let tarball = Path.Combine(root, "bad.tgz")
            File.WriteAllText(tarball, "not a tarball")
            let out = Path.Combine(root, "m")
            let output = expectExit 2 [ "data"; "mnist"; "--out"; out; "--from"; tarball ]
            Expect.stringContains output "bad.tgz" "the tarball is named"
            Expect.isFalse (Directory.Exists out) "no folder was created"
            let output = expectExit 2 [ "data"; "mnist"; "--out"; out; "--from"; root ]
            Expect.stringContains output "is a folder, not a file" "a folder where a file is expected"
            Expect.isFalse (Directory.Exists out) "still no folder"
        }

        test "bench refuses an unknown group, another group's flag, a bad device or step count and an unusable --search-store, naming the flag and the value, before timing anything" {
            let output = expectExit 2 [ "bench"; "--only"; "gan" ]
            Expect.stringContains output "unknown group 'gan'" "the value is named"
            Expect.stringContains output "gans, flows, images" "the groups are listed"
            Expect.isFalse (output.Contains "generator_steps/s") "nothing was timed"
            let output = expectExit 2 [ "bench"; "--only"; "metrics"; "--steps"; "50" ]
            Expect.stringContains output "--steps does not apply to --only metrics" "another group's flag is refused, not ignored"
            let output = expectExit 2 [ "bench"; "--only"; "gans"; "--device"; "tpu" ]
            Expect.stringContains output "--device tpu" "the flag and the value are named"
            Expect.isFalse (output.Contains "generator_steps/s") "nothing was timed"
            let output = expectExit 2 [ "bench"; "--only"; "gans"; "--device"; "cuda:7" ]
            Expect.stringContains output "--device cuda:7" "a CUDA device that is not here is named"
            Expect.isFalse (output.Contains "generator_steps/s") "nothing was timed"
            let output = expectExit 2 [ "bench"; "--only"; "search"; "--device"; "cpu" ]
            Expect.stringContains output "--device does not apply to --only search" "the device flag is for the training groups only"
            // Step counts below 1, a --search-store that is not a reachable PostgreSQL store, a password file without one.
            for flag, group in [ "--steps", "gans"; "--flow-steps", "flows"; "--image-steps", "images" ] do
                let output = expectExit 2 [ "bench"; "--only"; group; flag; "0" ]
                Expect.stringContains output (sprintf "bench %s 0: must be a whole number from 1" flag) "the flag and the value named"
                Expect.isFalse (output.Contains "marginal rates") "no group heading printed first"
            let output = expectExit 2 [ "bench"; "--only"; "search"; "--search-store"; "sqlite:" + TestFolders.fresh "bench-store" + ".db" ]
            Expect.stringContains output "must be a PostgreSQL store" "SQLite is no --search-store"
            Expect.isFalse (output.Contains "trials/hour") "nothing was timed"
            // Port 1 on this machine: nothing listens there, so the connection is refused at once.
            let output = expectExit 2 [ "bench"; "--only"; "search"; "--search-store"; "postgresql://nobody@127.0.0.1:1/db" ]
            Expect.stringContains output "bench --search-store: cannot reach the search store postgresql://nobody@127.0.0.1:1/db" "the flag and the server named"
            Expect.isFalse (output.Contains "trials/hour") "nothing was timed"
            let output = expectExit 2 [ "bench"; "--only"; "search"; "--store-password-file"; "nofile" ]
            Expect.stringContains output "--store-password-file: applies to --search-store" "a password file with no store is refused, not ignored"
        }

        test "a flag that would do nothing is refused, not ignored: --delta on 2-D samples, a password file for a folder without a PostgreSQL store" {
            let samples = TestFolders.fresh "delta-2d" + ".txt"
            IO.File.WriteAllLines(samples, [| for i in 0 .. 19 -> sprintf "%d %d" i (i * i % 7) |])
            let output = expectExit 2 [ "metric"; "--x"; samples; "--y"; samples; "--delta"; "0.5" ]
            Expect.stringContains output "--delta = 0.5: the birthday estimate it sets is scored on 1-D samples only" "the flag, the value and why"
            let output = expectExit 2 [ "report"; nonNull (IO.Path.GetDirectoryName samples); "--store-password-file"; "nofile" ]
            Expect.stringContains output "--store-password-file nofile" "the flag and the value named"
            let output = expectExit 2 [ "report"; samples ]
            Expect.stringContains output "a file, not a run, study or search folder" "a file is not called missing"
            let output = expectExit 2 [ "search-status"; nonNull (IO.Path.GetDirectoryName samples); "--store"; "sqlite:x.db"; "--search"; "s" ]
            Expect.stringContains output "not both" "a folder and a store given together"
            // Two folders: the second was taken silently before.
            let output = expectExit 2 [ "search-status"; nonNull (IO.Path.GetDirectoryName samples); samples ]
            Expect.stringContains output (sprintf "unrecognized argument: '%s'" samples) "the second folder named"
            let missing = TestFolders.fresh "no-search"
            Expect.stringContains (expectExit 2 [ "search-status"; missing ]) (sprintf "%s: no such folder" missing) "a missing folder is called missing, as report calls it"
            Expect.stringContains (expectExit 2 [ "search-status"; samples ]) "a file, not a search folder" "a file"
        }

        test "an empty argument is refused naming the flag it was given to (an unset shell variable), before anything runs" {
            let out = TestFolders.fresh "empty-argument"
            let output = expectExit 2 [ "search"; "demo-search-unimodal"; "--out"; ""; "--workers"; "0" ]
            Expect.stringContains output "--out: the value is empty" "the flag named"
            let output = expectExit 2 [ "metric"; "--x"; " "; "--y"; out ]
            Expect.stringContains output "--x: the value is empty" "a blank value too"
            let output = expectExit 2 [ "report"; "" ]
            Expect.stringContains output "argument 2 is empty" "a positional argument by its place"
        }

        test "10: an unknown flag is named as unknown, for the subcommand it was given to" {
            let out = TestFolders.fresh "unknown-flag"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--foo" ]
            Expect.stringContains output "unknown option --foo for `ganflow run`" "named"
            Expect.isFalse (output.Contains "should precede") "not Argu's misleading message"
            Expect.isFalse (output.Contains "USAGE") "no wall of usage text"
            Expect.isFalse (Directory.Exists out) "nothing created"
            let output = expectExit 2 [ "data"; "mnist"; "--out"; out; "--bogus" ]
            Expect.stringContains output "unknown option --bogus for `ganflow data mnist`" "a nested subcommand"
            // GNU style `--flag=value`: the flag is known, so the message says how to write it.
            let output = expectExit 2 [ "metric"; "--x=model.csv"; "--y"; "data.csv" ]
            Expect.stringContains output "unknown option --x=model.csv for `ganflow metric`: give the value after a space, `--x model.csv`" "--x=FILE"
            // A flag given twice was read as its last value, silently (`--x model.csv --x data.csv` scored data.csv).
            let output = expectExit 2 [ "metric"; "--x"; "a.csv"; "--x"; "b.csv" ]
            Expect.stringContains output "argument '--x' has been specified more than once" "metric --x twice"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--steps"; "3"; "--steps"; "4" ]
            Expect.stringContains output "argument '--steps' has been specified more than once" "run --steps twice"
            Expect.isFalse (Directory.Exists out) "nothing created"
        }

        test "10: a number out of range says the allowed range" {
            let out = TestFolders.fresh "range"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--steps"; "1000000000000" ]
            Expect.stringContains output "--steps 1000000000000: must be a whole number from 1 to 2147483647" "run --steps"
            let output = expectExit 2 [ "dynamics"; "--true"; "-0.5,0.5"; "--mu"; "0.3,0.9"; "--dynamics"; "optimal"; "--steps"; "1000000000000" ]
            Expect.stringContains output "must be a whole number from 1 to 2147483647" "dynamics --steps"
            // metric's seed is refused below 0: its range says so (run's takes any int).
            let output = expectExit 2 [ "metric"; "--x"; "x.csv"; "--y"; "y.csv"; "--seed"; "99999999999" ]
            Expect.stringContains output "--seed 99999999999: must be a whole number from 0 to 2147483647" "metric --seed"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--seed"; "99999999999" ]
            Expect.stringContains output "--seed 99999999999: must be a whole number from -2147483648 to 2147483647" "run --seed"
            // 100,000 intra-op threads started 895 of them and stalled the machine before this was refused.
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--threads"; "100000" ]
            Expect.stringContains output (sprintf "--threads = 100000: must be from 1 to %d, the cores this process may use" System.Environment.ProcessorCount) "run --threads"
            Expect.isFalse (Directory.Exists out) "nothing created"
        }

        test "10: a folder where a file is expected, and an unknown device, are said plainly" {
            let folder = TestFolders.fresh "a-folder"
            Directory.CreateDirectory folder |> ignore
            let output = expectExit 2 [ "run"; "--spec"; folder; "--out"; TestFolders.fresh "unused" ]
            Expect.stringContains output "is a folder, not a file" "--spec FOLDER"
            let out = TestFolders.fresh "device"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--device"; "tpu" ]
            Expect.stringContains output "unknown device 'tpu': expected one of cpu, cuda, auto" "--device tpu"
        }

        test "10: a search, study or dynamics folder where a run folder is wanted is called what it is" {
            let marked kind =
                let folder = TestFolders.fresh (sprintf "marked-%A" kind)
                Directory.CreateDirectory folder |> ignore
                FolderMarker.For(kind).Write folder
                folder
            let search = marked FolderKind.Search
            Directory.CreateDirectory(Path.Combine(search, "trials")) |> ignore
            let output = expectExit 2 [ "report"; search ]
            Expect.stringContains output "a search folder (its run.json says so) whose store is gone: neither study.db nor store.json is there" "a search folder without its store"
            let dynamics = marked FolderKind.Dynamics
            let samples = TestFolders.fresh "model-samples" + ".csv"
            File.WriteAllLines(samples, [| for i in 0 .. 9 -> string (float i / 2.0) |])
            let output = expectExit 2 [ "metric"; "--x"; samples; "--y"; samples; "--model"; dynamics ]
            Expect.stringContains output "a seed 002 dynamics folder (its run.json says so) without its dynamics.json" "a dynamics folder without its spec"
            File.WriteAllText(Path.Combine(dynamics, "dynamics.json"), "{}")
            let output = expectExit 2 [ "metric"; "--x"; samples; "--y"; samples; "--model"; dynamics ]
            Expect.stringContains output "a seed 002 dynamics folder (no training run, no model" "metric --model on a dynamics folder"
            let study = marked FolderKind.Study
            let output = expectExit 2 [ "report"; study ]
            Expect.stringContains output "a study folder (its run.json says so) without its study.json: its table cannot be rebuilt" "report on a study folder without its spec: not told to run report again"
            File.WriteAllText(Path.Combine(study, "study.json"), "{}")
            let output = expectExit 2 [ "metric"; "--x"; samples; "--y"; samples; "--model"; study ]
            Expect.stringContains output "a study folder, not a run folder: its runs are its cell folders" "metric --model on a study folder"
            let unmarked = TestFolders.fresh "unmarked"
            Directory.CreateDirectory unmarked |> ignore
            let output = expectExit 2 [ "report"; unmarked ]
            Expect.stringContains output "missing spec.json (is this a run folder written by `ganflow run`?)" "a folder of no kind"
        }

        test "10: no 'running …' banner precedes a refusal" {
            let foreign = TestFolders.fresh "foreign"
            Directory.CreateDirectory foreign |> ignore
            File.WriteAllText(Path.Combine(foreign, "notes.txt"), "mine")
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; foreign ]
            Expect.isFalse (output.Contains "running ") (sprintf "no banner before the refusal:\n%s" output)
            Expect.equal (File.ReadAllText(Path.Combine(foreign, "notes.txt"))) "mine" "the user's file is untouched"
        }
    
        test "1: a spec too large for the machine is refused with the field, the value and the estimate; nothing is created" {
            let root = TestFolders.fresh "memory"
            Directory.CreateDirectory root |> ignore
            let spec = Path.Combine(root, "wide.json")
            let e = GanFlow.Experiments.WganGpUnimodalDemo.experiment
            let wide =
                match e.Model.Generator with
                | GanFlow.Core.Models.GeneratorSpec.Mlp m ->
                    { e with Model = { e.Model with Generator = GanFlow.Core.Models.GeneratorSpec.Mlp { m with Network = { m.Network with Width = 1_000_000_000 } } } }
                | _ -> failwith "the demo has an MLP generator"
            File.WriteAllText(spec, GanFlow.Core.Specs.SpecJson.serialize wide)
            let out = Path.Combine(root, "run")
            let output = expectExit 2 [ "run"; "--spec"; spec; "--out"; out ]
            Expect.stringContains output "model.generator.mlp.network.width = 1000000000" "the field and the value"
            Expect.stringContains output "wide.json line " "the width's line in the file"
            Expect.stringContains output "from width = 1000000000, depth = " "the sizes of the largest part"
            Expect.stringContains output "the run needs an estimated" "the estimate"
            Expect.stringContains output "more than this machine's" "the machine's memory"
            Expect.isFalse (Directory.Exists out) "no folder, no stale lock"
            // The estimate itself: the demo fits easily; 10⁹ wide needs exabytes.
            Expect.isLessThan (GanFlow.Core.Experiments.MemoryEstimate.bytes e) 1e9 "the demo needs well under 1 GB"
            Expect.isGreaterThan (GanFlow.Core.Experiments.MemoryEstimate.bytes wide) 1e18 "10⁹ units: ~4 bytes × 4 copies × 10¹⁸ weights"
        }

        test "2, 3: a spec file's unknown field, type error and range error name the JSON path and the real line" {
            let root = TestFolders.fresh "spec-file"
            Directory.CreateDirectory root |> ignore
            let text = GanFlow.Core.Specs.SpecJson.serialize GanFlow.Experiments.WganGpUnimodalDemo.experiment
            let lines = text.Split '\n'
            let lineOf (needle: string) = 1 + Array.findIndex (fun (l: string) -> l.Contains needle) lines
            let write name (edit: string -> string) =
                let path = Path.Combine(root, name)
                File.WriteAllText(path, edit text)
                path
            // A typo: learningrate beside the generator optimizer's learningRate (the last one in the file).
            let at = text.LastIndexOf "\"learningRate\""
            let typo = write "typo.json" (fun t -> t.Insert(at, "\"learningrate\": 0.1,\n          "))
            let output = expectExit 2 [ "run"; "--spec"; typo; "--out"; Path.Combine(root, "a") ]
            Expect.stringContains output (sprintf "typo.json line %d: model.optimizer.Adam.item.learningrate: no such field" (text.Substring(0, at).Split '\n').Length) "the typo's path and line"
            Expect.stringContains output "learningRate" "the fields that exist there"
            // The usual typo renames the field: learningRate is then missing, and the name given instead is named.
            let renamed = write "renamed.json" (fun t -> t.Remove(at, "\"learningRate\"".Length).Insert(at, "\"learningrate\""))
            let output = expectExit 2 [ "run"; "--spec"; renamed; "--out"; Path.Combine(root, "a") ]
            Expect.stringContains output
                (sprintf "renamed.json line %d: model.optimizer.Adam.item: missing field learningRate of Adam; it holds learningrate (line %d), which Adam does not have" ((text.Substring(0, at).Split '\n').Length) ((text.Substring(0, at).Split '\n').Length))
                "the missing field and the name given instead"
            Expect.stringContains output "which Adam does not have (field names are case-sensitive)" "a miscased name: said so"
            Expect.isFalse (output.Contains "GanFlow.Core") (sprintf "no internal type name: %s" output)
            let shortened = write "lr.json" (fun t -> t.Remove(at, "\"learningRate\"".Length).Insert(at, "\"lr\""))
            let output = expectExit 2 [ "run"; "--spec"; shortened; "--out"; Path.Combine(root, "a") ]
            Expect.stringContains output "missing field learningRate of Adam; it holds lr (line " "another name given"
            Expect.isFalse (output.Contains "case-sensitive") "not a matter of case"
            let steps = lineOf "\"steps\""
            let wrongType = write "type.json" (fun t -> t.Replace("\"steps\": 3000", "\"steps\": \"many\""))
            let output = expectExit 2 [ "run"; "--spec"; wrongType; "--out"; Path.Combine(root, "b") ]
            Expect.stringContains output (sprintf "type.json line %d: budget.steps: must be a number, not a string" steps) "a type error"
            let range = write "range.json" (fun t -> t.Replace("\"steps\": 3000", "\"steps\": 3000000000"))
            let output = expectExit 2 [ "run"; "--spec"; range; "--out"; Path.Combine(root, "c") ]
            Expect.stringContains output (sprintf "range.json line %d: budget.steps: must be a whole number (no fraction) no larger than 2147483647" steps) "out of range for the type"
            let fraction = write "fraction.json" (fun t -> t.Replace("\"steps\": 3000", "\"steps\": 50.5"))
            Expect.stringContains (expectExit 2 [ "run"; "--spec"; fraction; "--out"; Path.Combine(root, "c") ]) (sprintf "fraction.json line %d: budget.steps: must be a whole number" steps) "a fraction"
            // A field given twice: refused, both lines named (the reader kept one silently, or failed with a dictionary's words).
            let seed = lineOf "\"seed\""
            let twice = write "twice.json" (fun t -> let i = t.IndexOf "\"seed\"" in t.Insert(i, "\"seed\": 7,\n  "))
            Expect.stringContains (expectExit 2 [ "run"; "--spec"; twice; "--out"; Path.Combine(root, "c") ]) (sprintf "twice.json line %d: seed: given twice (first on line %d)" (seed + 1) seed) "both lines"
            let zero = write "zero.json" (fun t -> t.Replace("\"steps\": 3000", "\"steps\": 0"))
            let output = expectExit 2 [ "run"; "--spec"; zero; "--out"; Path.Combine(root, "d") ]
            Expect.stringContains output (sprintf "zero.json line %d: budget.steps = 0: must be >= 1" steps) "a validation error with its line"
            // An unknown union case: the library's "Unknow case for union type GanFlow.Core.Models.Activation: Swish" in words.
            let activation = lineOf "\"activation\": \"Relu\""
            let unknown = write "case.json" (fun t -> let i = t.IndexOf "\"activation\": \"Relu\"" in t.Substring(0, i) + "\"activation\": \"Swish\"" + t.Substring(i + "\"activation\": \"Relu\"".Length))
            let output = expectExit 2 [ "run"; "--spec"; unknown; "--out"; Path.Combine(root, "e") ]
            Expect.stringContains output (sprintf "case.json line %d: model.generator.Mlp.item.network.activation: Swish is not a case of Activation; the cases are Relu, LeakyRelu, Tanh, Elu" activation) "the case, the union and its cases"
            let empty = write "empty.json" (fun _ -> "")
            Expect.stringContains (expectExit 2 [ "run"; "--spec"; empty; "--out"; Path.Combine(root, "f") ]) "empty.json: empty, not an Experiment" "an empty file"
            let nothing = write "null.json" (fun _ -> "null")
            Expect.stringContains (expectExit 2 [ "run"; "--spec"; nothing; "--out"; Path.Combine(root, "f") ]) "null.json: holds null, not an Experiment" "a JSON null"
            // A field under a union case tag that spells a field's name too (data.Law.law.TwoMoons.noise is data.law.noise).
            let moons =
                match GanFlow.Experiments.Catalog.tryFind "realnvp-moons" with
                | Some(GanFlow.Core.Experiments.Declared.Single e) -> GanFlow.Core.Specs.SpecJson.serialize e
                | other -> failtestf "realnvp-moons is an experiment, not %A" other
            let noise = 1 + Array.findIndex (fun (l: string) -> l.Contains "\"noise\"") (moons.Split '\n')
            for value, reason in [ "\"NaN\"", "data.law.noise = NaN: must be finite and >= 0"; "1e300", "data.law.noise = 1E+300: must be at most 1e+15 in magnitude" ] do
                let path = Path.Combine(root, "noise.json")
                File.WriteAllText(path, System.Text.RegularExpressions.Regex.Replace(moons, "\"noise\": [^,\n]+", "\"noise\": " + value))
                Expect.stringContains (expectExit 2 [ "run"; "--spec"; path; "--out"; Path.Combine(root, "f") ]) (sprintf "noise.json line %d: %s" noise reason) value
            for folder in [ "a"; "b"; "c"; "d"; "e"; "f" ] do Expect.isFalse (Directory.Exists(Path.Combine(root, folder))) "nothing created"
        }

        test "4: a flag that does not apply to the experiment's kind is refused, naming the flag and the kind" {
            let out = TestFolders.fresh "flags"
            let output = expectExit 2 [ "run"; "seed000-table1"; "--out"; out; "--until"; "3" ]
            Expect.stringContains output "--until does not apply to seed000-table1: it is a study" "--until on a study"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--vae"; "x" ]
            Expect.stringContains output "--vae does not apply to wgan-gp-unimodal: its generator starts at random" "--vae"
            let output = expectExit 2 [ "run"; "seed002-fig1"; "--out"; out; "--data"; "x" ]
            Expect.stringContains output "--data does not apply to seed002-fig1" "--data on a dynamics experiment"
            let output = expectExit 2 [ "run"; "seed002-fig1"; "--out"; out; "--seed"; "3" ]
            Expect.stringContains output "--seed does not apply to seed002-fig1: its figure draws nothing at random" "--seed on a figure"
            let output = expectExit 2 [ "run"; "seed002-support"; "--out"; out; "--steps"; "10" ]
            Expect.stringContains output "--steps does not apply to seed002-support: its support check draws samples and takes no steps" "--steps on the support check"
            let output = expectExit 2 [ "run"; "seed002-fig1"; "--out"; out; "--steps"; "0" ]
            Expect.stringContains output "--steps = 0: must be >= 1" "the flag named"
            Expect.isFalse (output.Contains "panels") (sprintf "once, as the flag, not per panel:\n%s" output)
            for experiment in [ "seed002-phase-diagram"; "seed002-support" ] do
                let output = expectExit 2 [ "run"; experiment; "--out"; out; "--seed"; "-3" ]
                Expect.stringContains output "--seed = -3: must be >= 0 (System.Random takes a seed's magnitude" (sprintf "a negative seed on %s (it would repeat seed 3's draws)" experiment)
                let output = expectExit 2 [ "run"; experiment; "--out"; out; "--seed"; "2147483647" ]
                Expect.stringContains output "--seed = 2147483647: must be at most 2147483646 (seed + 1 seeds the second stream)" (sprintf "the largest seed on %s" experiment)
            let points = TestFolders.fresh "points" + ".csv"
            IO.File.WriteAllLines(points, [| for i in 0 .. 99 -> sprintf "%d,%d" i (i % 7) |])
            let output = expectExit 2 [ "run"; "mnist-nice-mle"; "--data"; points; "--out"; TestFolders.fresh "image-on-points" ]
            Expect.stringContains output "mnist-nice-mle reads images and takes only a folder of the four MNIST files" "a sample file given to an image experiment"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--data"; "x" ]
            Expect.stringContains output "--data x: no such file" "--data on an experiment names a sample file"
            let output = expectExit 2 [ "run"; "seed003-mnist-dcgan-reduced"; "--out"; out; "--classifier"; "x" ]
            Expect.stringContains output "--classifier does not apply to seed003-mnist-dcgan-reduced" "--classifier on a seed 003 run"
            let classifierFolder = TestFolders.fresh "classifier-folder"
            Directory.CreateDirectory classifierFolder |> ignore
            let output = expectExit 2 [ "run"; "seed001-mnist-mle-reduced"; "--out"; out; "--classifier"; classifierFolder ]
            Expect.stringContains output $"--classifier {classifierFolder}: is a folder, not a file" "a folder given as the classifier's file"
            let output = expectExit 2 [ "run"; "seed003-mnist-vae-reduced"; "--out"; out; "--vae"; "x" ]
            Expect.stringContains output "its generator starts at random, not from a VAE" "--vae on the VAE itself"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--resume"; "--fresh" ]
            Expect.stringContains output "not both" "--resume with --fresh"
            Expect.isFalse (Directory.Exists out) "nothing created"
        }

        test "8: run --resume with nothing to resume is refused and creates nothing" {
            let out = TestFolders.fresh "nothing-to-resume"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--resume" ]
            Expect.stringContains output "nothing to resume (no such folder)" "a missing folder"
            Expect.isFalse (Directory.Exists out) "nothing created"
            Directory.CreateDirectory out |> ignore
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--resume" ]
            Expect.stringContains output "nothing to resume (it holds no run)" "an empty folder"
            Expect.isEmpty (Directory.GetFileSystemEntries out) "still empty"
        }

        test "10: search --max-steps -1 blames maxSteps" {
            let out = TestFolders.fresh "max-steps"
            let output = expectExit 2 [ "search"; "demo-search-unimodal"; "--out"; out; "--max-steps"; "-1" ]
            Expect.stringContains output "scheduler.asha.maxSteps = -1: must be >= 1" "maxSteps named"
            Expect.isFalse (output.Contains "minSteps") "the grace period is not blamed"
        }

        test "11: a plain rerun never replaces a run: the same spec is a no-op, another is refused, --fresh replaces" {
            let out = TestFolders.fresh "rerun"
            let runWith args = expectExit 0 ([ "run"; "wgan-gp-unimodal"; "--out"; out; "--no-report"; "--steps" ] @ args)
            runWith [ "30" ] |> ignore
            let metrics = File.ReadAllText(Path.Combine(out, "metrics.csv"))
            let summary = File.ReadAllText(Path.Combine(out, "summary.json"))
            let output = runWith [ "30" ]
            Expect.stringContains output "already holds this run, completed after 30 steps: nothing to do" "the same spec: a no-op that says so"
            Expect.equal (File.ReadAllText(Path.Combine(out, "summary.json"))) summary "summary.json untouched"
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--steps"; "40"; "--seed"; "3" ]
            Expect.stringContains output "holds a run of another spec: its budget.steps = 30, the requested one 40" "the first differing field"
            Expect.stringContains output "--fresh" "the way out is named"
            Expect.equal (File.ReadAllText(Path.Combine(out, "metrics.csv"))) metrics "nothing was changed"
            let output = runWith [ "40"; "--fresh" ]
            Expect.stringContains output "replacing the earlier run" "--fresh replaces"
            Expect.stringContains (File.ReadAllText(Path.Combine(out, "summary.json"))) "\"stepsCompleted\": 40" "the new run"
            // Paused: the same spec unfinished is refused, pointing to --resume.
            expectExit 0 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--no-report"; "--steps"; "40"; "--until"; "20"; "--fresh" ] |> ignore
            let output = expectExit 2 [ "run"; "wgan-gp-unimodal"; "--out"; out; "--no-report"; "--steps"; "40" ]
            Expect.stringContains output "holds this run unfinished (paused after 20 steps)" "unfinished"
            Expect.stringContains output "--resume continues it" "the way on"
        }

        test "12: ganflow list shows every runnable cell under its study, one line per entry" {
            let _, plainList = CliProcess.run [ "list" ]
            let lines = plainList.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            let index (name: string) = Array.findIndex (fun (l: string) -> l.Trim() = name) lines
            Expect.isLessThan (index "seed001-flowgan-tables") (index "seed001-flowgan-ring-adv") "the cell after its study"
            Expect.stringStarts lines[index "seed001-flowgan-ring-adv"] "  " "indented under it"
            Expect.isGreaterThanOrEqual (index "seed001-flowgan-ring-hybrid") 0 "the hybrid cell is …-hybrid, as README names it"
            let exit, verbose = CliProcess.run [ "list"; "--verbose" ]
            Expect.equal exit 0 "list --verbose"
            for line in verbose.Split('\n', StringSplitOptions.RemoveEmptyEntries) do
                Expect.stringContains line "\t" (sprintf "every line is a whole entry (name, tab, description): %s" line)
            Expect.equal (verbose.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length) lines.Length "as many lines as entries"
            // Every listed name runs (is found by `ganflow run`).
            for name in lines do
                Expect.isSome (GanFlow.Experiments.Catalog.tryFind (name.Trim())) (sprintf "%s is runnable" name)
        }
    ]
