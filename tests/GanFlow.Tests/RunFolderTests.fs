/// The run-folder contract: a folder is the tool's only when marked, one writer at a time, fresh starts delete only the
/// tool's files, resumes continue, extend or refuse (never delete), corrupt files are caught and named.
module GanFlow.Tests.RunFolderTests

open System
open System.IO
open Expecto
open TorchSharp
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Store
open GanFlow.Tests.TestRuns

/// A clock the test moves by hand (wall_seconds become exact numbers).
type ManualClock() =
    inherit TimeProvider()
    let mutable ticks = 0L
    member _.Advance(seconds: float) = ticks <- ticks + int64 (seconds * float TimeSpan.TicksPerSecond)
    override _.GetTimestamp() = ticks
    override _.TimestampFrequency = TimeSpan.TicksPerSecond

/// A run with a notice sink and optionally a manual clock advanced by 10 s after every evaluation.
let private runWith (experiment: Experiment) (folder: string) (resume: bool) (clock: ManualClock option) =
    let notices = ResizeArray<string>()
    TorchSetup.Initialize 1
    let onEvaluation = clock |> Option.map (fun c -> Action<EvaluationRecord>(fun _ -> c.Advance 10.0)) |> Option.toObj
    let time = clock |> Option.map (fun c -> c :> TimeProvider) |> Option.toObj
    let summary = ExperimentRunner.Run(experiment, RunContext(torch.CPU, folder, onEvaluation, resume, Action<string> notices.Add, time))
    summary, List.ofSeq notices

/// A run with `--fresh`: whatever run the folder holds is replaced.
let private runFresh (experiment: Experiment) (folder: string) =
    let notices = ResizeArray<string>()
    TorchSetup.Initialize 1
    let summary = ExperimentRunner.Run(experiment, RunContext(torch.CPU, folder, OnNotice = Action<string> notices.Add, Fresh = true))
    summary, List.ofSeq notices

let private small steps = gaussianExperiment smallWganGp steps 10

/// Every file under a folder, relative path → bytes (the lock files aside).
let private files (folder: string) =
    Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
    |> Array.map (fun p -> Path.GetRelativePath(folder, p), File.ReadAllBytes p)
    |> Array.filter (fun (name, _) -> not (name.StartsWith RunFiles.Lock))
    |> Map.ofArray

let private rowsOf folder = RunStore(folder).ReadMetrics() |> Seq.map withoutWallTime |> List.ofSeq

let private refused (f: unit -> 'a) =
    let error = Expect.throwsC (fun () -> f () |> ignore) id
    Expect.isTrue (error :? RunFolderException) (sprintf "a RunFolderException, not %s: %s" (error.GetType().Name) error.Message)
    error.Message

[<Tests>]
let tests =
    testList "run folders" [
        test "--out into a non-empty folder that is not a run folder is refused, naming the first foreign file, and nothing is written" {
            let folder = scratchFolder "foreign"
            Directory.CreateDirectory(Path.Combine(folder, "checkpoints_backup")) |> ignore
            File.WriteAllText(Path.Combine(folder, "samples.txt"), "mine")
            File.WriteAllText(Path.Combine(folder, "density.csv"), "mine too")
            let message = refused (fun () -> run (small 10) folder false)
            Expect.stringContains message "checkpoints_backup" "the first foreign entry (ordinal order) is named"
            Expect.stringContains message "nothing was written" "says nothing was written"
            Expect.equal (Directory.GetFileSystemEntries folder |> Array.map (Path.GetFileName >> nonNull) |> Array.sort)
                [| "checkpoints_backup"; "density.csv"; "samples.txt" |] "the folder is as it was"
            Expect.equal (File.ReadAllText(Path.Combine(folder, "samples.txt"))) "mine" "the user's file is untouched"
        }

        test "an empty --out, a file as --out and an uncreatable --out are refused with the reason" {
            Expect.stringContains (refused (fun () -> run (small 10) "" false)) "--out is empty" "empty"
            let file = TestFolders.emptyFile "not-a-folder"
            Expect.stringContains (refused (fun () -> run (small 10) file false)) "is a file" "a file"
            Expect.stringContains (refused (fun () -> run (small 10) "/proc/ganflow-test/x" false)) "cannot create the folder" "the OS refuses"
        }

        test "a --fresh start over a run folder replaces only the tool's files, says so, and keeps the user's own files" {
            let folder = scratchFolder "replace"
            run (small 20) folder false |> ignore
            File.WriteAllText(Path.Combine(folder, "notes.txt"), "my notes")
            Directory.CreateDirectory(Path.Combine(folder, "checkpoint_of_other_run")) |> ignore
            Expect.stringContains (refused (fun () -> run { small 10 with Seed = 2 } folder false)) "holds a run of another spec: its budget.steps = 20"
                "without --fresh another spec is refused"
            let summary, notices = runFresh { small 10 with Seed = 2 } folder
            Expect.equal summary.Status RunStatus.Completed summary.Message
            Expect.exists notices (fun n -> n.Contains "replacing the earlier run") "the replacement is announced"
            Expect.equal (File.ReadAllText(Path.Combine(folder, "notes.txt"))) "my notes" "a foreign file inside a run folder is left alone"
            Expect.isTrue (Directory.Exists(Path.Combine(folder, "checkpoint_of_other_run"))) "so is a foreign folder whose name starts with checkpoint"
            Expect.equal (RunStore(folder).ReadMetrics() |> Seq.map _.Step |> List.ofSeq) [ 10 ] "only the new run's rows"
        }

        test "a folder left by a writer killed before its marker (the lock, a temporary of run.json or .lock.json) is still the tool's" {
            for leftover in [ sprintf ".run.json.%s.tmp" (Guid.NewGuid().ToString "N"); sprintf "..lock.json.%s.tmp" (Guid.NewGuid().ToString "N") ] do
                let folder = scratchFolder "killed-before-marker"
                Directory.CreateDirectory folder |> ignore
                File.WriteAllText(Path.Combine(folder, ".lock"), "")
                File.WriteAllText(Path.Combine(folder, leftover), "half")
                Expect.isEmpty (OwnedFolder.ForeignEntries folder |> List.ofSeq) (sprintf "%s is the tool's" leftover)
                use opened = OwnedFolder.Open(folder, FolderKind.Run)
                Expect.isFalse (File.Exists(Path.Combine(folder, leftover))) "the stale temporary is removed once the folder is opened"
            let foreign = scratchFolder "foreign-tmp"
            Directory.CreateDirectory foreign |> ignore
            File.WriteAllText(Path.Combine(foreign, sprintf ".notes.txt.%s.tmp" (Guid.NewGuid().ToString "N")), "mine")
            Expect.isNonEmpty (OwnedFolder.ForeignEntries foreign |> List.ofSeq) "another name's temporary is not"
        }

        test "a fresh start removes inside the tool's folders only what the tool wrote there, and keeps the folders that hold the user's files" {
            let folder = scratchFolder "own-trees"
            use opened = OwnedFolder.Open(folder, FolderKind.Search)
            let write (relative: string) =
                let path = Path.Combine(folder, relative)
                Directory.CreateDirectory(nonNull (Path.GetDirectoryName path)) |> ignore
                File.WriteAllText(path, "x")
            // A checkpoint whose manifest lists its one data file, TensorBoard's events, worker logs, a search's trials:
            // each beside a file of the user's, and a second trial folder holding only what the tool wrote.
            write "checkpoint/generator.module.bin"
            File.WriteAllText(Path.Combine(folder, "checkpoint", "manifest.json"),
                """{"format": 1, "step": 1, "wallSeconds": 0, "values": {}, "files": {"generator.module.bin": "00"}}""")
            write "checkpoint.previous/critic.module.bin"
            for relative in [ "checkpoint/mine.bin"; "tensorboard/events.out.tfevents.1.host"; "tensorboard/my.txt"; "workers/worker-1.log"; "workers/mine.log"
                              "trials/0000/metrics.csv"; "trials/0000/run.log"; "trials/0000/notes.txt"; "trials/0001/metrics.csv"; "trials/0001/spec.json"
                              "trials/0001/.lock"; "trials/mine/x"; "trials/notes.txt" ] do
                write relative
            write "trials/best/metrics.csv" // a marked copy of a trial under a name of the user's
            for trial in [ "0000"; "0001"; "best" ] do FolderMarker.For(FolderKind.Run).Write(Path.Combine(folder, "trials", trial))
            let names = [ RunFiles.Checkpoint; RunFiles.PreviousCheckpoint; RunFiles.TensorBoard; SearchFolder.WorkerLogs; SearchFolder.Trials ]
            // A file of the user's inside a checkpoint folder (which checkpoints replace whole by renames): refused, nothing removed.
            let before = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Length
            let refusal = Expect.throwsC (fun () -> opened.RemoveOwnFiles names) (fun e -> (e :?> RunFolderException).Message)
            Expect.stringContains refusal "checkpoint/mine.bin: a file ganflow did not write" "the file named"
            Expect.equal (Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Length) before "nothing removed"
            File.Move(Path.Combine(folder, "checkpoint", "mine.bin"), Path.Combine(folder, "mine.bin"))
            opened.RemoveOwnFiles names
            let left =
                Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
                |> Array.map (fun p -> Path.GetRelativePath(folder, p).Replace('\\', '/'))
                |> Array.filter (fun p -> p <> RunFiles.Marker && p <> RunFiles.Lock && p <> RunFiles.LockOwner)
                |> Array.sort
            Expect.equal left
                [| "mine.bin"; "tensorboard/my.txt"; "trials/0000/notes.txt"; "trials/0000/run.json"; "trials/best/metrics.csv"; "trials/best/run.json"
                   "trials/mine/x"; "trials/notes.txt"; "workers/mine.log" |]
                "the user's files, and the marker of the trial folder that holds one; everything the tool wrote is gone"
            Expect.isFalse (Directory.Exists(Path.Combine(folder, "checkpoint.previous"))) "a folder left empty is removed"
            Expect.isFalse (Directory.Exists(Path.Combine(folder, "trials", "0001"))) "a trial folder of the tool's only is removed whole"
        }

        test "a second writer of a folder is refused, naming the process that holds it" {
            let folder = scratchFolder "locked"
            Directory.CreateDirectory folder |> ignore
            use held = OwnedFolder.Open(folder, FolderKind.Run)
            let message = refused (fun () -> run (small 10) folder false)
            Expect.stringContains message "is in use" "in use"
            Expect.stringContains message (sprintf "process %d" Environment.ProcessId) "names the holder"
            Expect.isFalse (File.Exists(Path.Combine(folder, RunFiles.Spec))) "the second writer wrote nothing"
            let error = Expect.throwsC (fun () -> run (small 10) folder false |> ignore) id
            Expect.isTrue (error :? FolderInUseException) (sprintf "told apart from a final refusal by its type, not %s" (error.GetType().Name))
        }

        test "the TensorBoard event files hold every metric of metrics.csv at every evaluation, under its column name" {
            let folder = scratchFolder "tensorboard"
            TorchSetup.Initialize 1
            ExperimentRunner.Run(small 30, RunContext(torch.CPU, folder, TensorBoard = true)) |> ignore
            // TFRecord framing: a little-endian uint64 length, its CRC, the Event, the Event's CRC.
            let scalars =
                [ for file in Directory.GetFiles(Path.Combine(folder, RunFiles.TensorBoard)) do
                      let bytes = File.ReadAllBytes file
                      let mutable at = 0
                      while at < bytes.Length do
                          let length = int (BitConverter.ToUInt64(bytes, at))
                          let event = Tensorboard.Event.Parser.ParseFrom(bytes, at + 12, length)
                          at <- at + 12 + length + 4
                          if not (isNull event.Summary) then
                              for v in event.Summary.Value -> (v.Tag, int event.Step), v.SimpleValue ]
                |> Map.ofList
            let records = RunStore(folder).ReadMetrics()
            let expected =
                [ for r in records do
                      for c in MetricColumns.ofExperiment (small 30) do
                          match c.Get r with
                          | Some v when c.Name <> "step" && c.Name <> "wall_seconds" && Double.IsFinite v -> (c.Name, r.Step), float32 v
                          | _ -> () ]
            Expect.isGreaterThan expected.Length 0 "metrics to compare"
            Expect.containsAll (expected |> List.map (fst >> fst) |> List.distinct) [ "w1"; "energy"; "precision"; "recall"; "density"; "coverage" ] "recall beside precision"
            for key, value in expected do
                Expect.equal (Map.tryFind key scalars) (Some value) (sprintf "%A" key)
            Expect.equal scalars.Count expected.Length "no other scalars"
        }

        test "a --classifier that differs from the run folder's classifier.bin is named; the same bytes, or no folder classifier, are not" {
            let folder = scratchFolder "classifier-mismatch"
            Directory.CreateDirectory folder |> ignore
            let given, same = Path.Combine(folder, "given.bin"), Path.Combine(folder, "same.bin")
            File.WriteAllBytes(given, [| 1uy; 2uy |])
            File.WriteAllBytes(same, [| 3uy |])
            Expect.isNull (GanFlow.Runtime.Images.RunClassifier.Mismatch(folder, given)) "the folder holds no classifier"
            File.WriteAllBytes(Path.Combine(folder, RunFiles.Classifier), [| 3uy |])
            Expect.equal (GanFlow.Runtime.Images.RunClassifier.Mismatch(folder, given)) (sprintf "--classifier %s differs from the classifier.bin this run started with" given) "named"
            Expect.isNull (GanFlow.Runtime.Images.RunClassifier.Mismatch(folder, same)) "the same bytes"
            Expect.isNull (GanFlow.Runtime.Images.RunClassifier.Mismatch(folder, null)) "none given"
        }

        test "a search job given a trial folder in use waits and is given back; one given another spec's run fails, naming why" {
            let busy, foreign = scratchFolder "job-busy", scratchFolder "job-foreign"
            Directory.CreateDirectory busy |> ignore
            let runner = GanFlow.Runtime.Search.ExperimentTrialRunner("cpu", 300)
            let job folder e = GanFlow.Runtime.Search.TrialJob(0, 10, e, folder)
            do
                use _held = OwnedFolder.Open(busy, FolderKind.Run)
                Expect.throwsT<GanFlow.Runtime.Search.TrialFolderBusyException>
                    (fun () -> runner.Run(job busy (small 10), Threading.CancellationToken.None) |> ignore) "given back, to be taken again"
            Expect.isFalse (File.Exists(Path.Combine(busy, RunFiles.Spec))) "the job wrote no run beside the holder's"
            runIn foreign (small 10) false None |> ignore
            let before = files foreign |> Map.remove RunFiles.Log
            let result = runner.Run(job foreign { small 10 with Name = "another-spec" }, Threading.CancellationToken.None)
            Expect.isTrue result.Status.IsFailed (sprintf "failed, not given back: %A" result.Status)
            Expect.stringContains result.Message "cannot resume" "the reason"
            Expect.equal (files foreign |> Map.remove RunFiles.Log) before "the other run is untouched (run.log has the refusal appended)"
        }

        test "--resume with a larger step budget extends the run to the numbers of an uninterrupted run" {
            let extended, direct = scratchFolder "extend", scratchFolder "extend-direct"
            run (small 30) extended false |> ignore
            let overridden = GanFlow.Cli.RunCommand.withOverrides None (Some 60) (small 30)
            let summary, notices = runWith overridden extended true None
            Expect.equal summary.StepsCompleted 60 "extended to 60 steps"
            Expect.exists notices (fun n -> n.Contains "extending") "says it extends"
            run (small 60) direct false |> ignore
            Expect.sequenceEqual (rowsOf extended) (rowsOf direct) "metrics equal an uninterrupted 60-step run"
            Expect.equal (File.ReadAllBytes(Path.Combine(extended, RunFiles.Samples))) (File.ReadAllBytes(Path.Combine(direct, RunFiles.Samples))) "samples byte for byte"
        }

        test "--until off the evaluation schedule, then --resume: every row but the pause's, and the samples, are an uninterrupted run's" {
            let paused, direct = scratchFolder "until", scratchFolder "until-direct"
            TorchSetup.Initialize 1
            let first = ExperimentRunner.Run(small 40, RunContext(torch.CPU, paused, StopAtStep = Nullable 25))
            Expect.equal first.Status RunStatus.Paused first.Message
            Expect.contains (RunStore(paused).ReadMetrics() |> Seq.map (fun r -> r.Step) |> List.ofSeq) 25 "the pause evaluated its step"
            let summary, notices = runWith (small 40) paused true None
            Expect.equal summary.Status RunStatus.Completed summary.Message
            Expect.exists notices (fun n -> n.Contains "from its checkpoint at step 25 of 40") "says where it resumes"
            run (small 40) direct false |> ignore
            Expect.sequenceEqual (RunStore(paused).ReadMetrics() |> Seq.filter (fun r -> r.Step <> 25) |> Seq.map withoutWallTime |> List.ofSeq) (rowsOf direct) "metrics equal an uninterrupted 40-step run's but for the pause's row at 25"
            Expect.equal (File.ReadAllBytes(Path.Combine(paused, RunFiles.Samples))) (File.ReadAllBytes(Path.Combine(direct, RunFiles.Samples))) "samples byte for byte"
        }

        test "a resume says what it does: a lowered or raised budget, the end-of-run evaluation of a run killed after its last checkpoint, an extension" {
            let say = GanFlow.Runtime.Checkpoints.ResumePolicy.ResumeNotice
            Expect.equal (say ("D", 1100, 2000, 1500)) "resuming D from its checkpoint at step 1100 of 1500 (its budget lowered from 2000)" "lowered"
            Expect.equal (say ("D", 1100, 2000, 2500)) "resuming D from its checkpoint at step 1100 of 2500 (its budget raised from 2000)" "raised"
            Expect.equal (say ("D", 1100, 2000, 2000)) "resuming D from its checkpoint at step 1100 of 2000" "the same budget"
            Expect.equal (say ("D", 200, 200, 200)) "resuming D from its checkpoint at step 200 of 200: its end-of-run evaluation" "not 'extending from 200 to 200'"
            Expect.equal (say ("D", 200, 200, 300)) "extending D from step 200 to 300" "an extension"
        }

        test "a rerun of an unfinished run without a checkpoint points to --fresh, not to a checkpoint it does not have" {
            // A run that failed before its first checkpoint was refused with "--resume continues it from its newest
            // checkpoint", and there was none.
            let folder = scratchFolder "unfinished-no-checkpoint"
            TorchSetup.Initialize 1
            let paused = ExperimentRunner.Run(small 20, RunContext(torch.CPU, folder, StopAtStep = Nullable 10))
            Expect.equal paused.Status RunStatus.Paused paused.Message
            let withCheckpoint = refused (fun () -> run (small 20) folder false)
            Expect.stringContains withCheckpoint "--resume continues it from its newest checkpoint" "with a checkpoint: --resume"
            for checkpoint in [ "checkpoint"; "checkpoint.previous" ] do
                let path = Path.Combine(folder, checkpoint)
                if Directory.Exists path then Directory.Delete(path, true)
            let before = files folder
            let message = refused (fun () -> run (small 20) folder false)
            Expect.stringContains message "holds this run unfinished (paused after 10 steps) with no checkpoint" "said"
            Expect.stringContains message "--fresh starts it over" "the way on"
            Expect.isFalse (message.Contains "newest checkpoint") "no checkpoint promised"
            Expect.equal (files folder) before "nothing was changed"
            // What it says of --resume holds: it starts from step 0.
            let summary, notices = runWith (small 20) folder true None
            Expect.equal summary.StepsCompleted 20 "completed"
            Expect.exists notices (fun n -> n.Contains "starting from step 0") "from step 0"
        }

        test "--resume with a different spec is refused naming the first differing field and both values, and nothing is changed" {
            let folder = scratchFolder "mismatch"
            run (small 20) folder false |> ignore
            let before = files folder
            let changed = { small 20 with Model = GanFlow.Core.Models.Model.Gan { smallWganGp with CriticSteps = 2 } }
            let message = refused (fun () -> run changed folder true)
            Expect.stringContains message "model.objective.adversarial.criticSteps = 5" "the field and the folder's value"
            Expect.stringContains message "requested one 2" "the requested value"
            Expect.equal (files folder) before "every file as it was"
        }

        test "--resume on a completed run is a no-op that says so: no evaluation, files and wall time unchanged" {
            let folder = scratchFolder "noop"
            let first = run (small 20) folder false
            let before = files folder
            let again, notices = runWith (small 20) folder true None
            Expect.equal (GanFlow.Core.Specs.SpecJson.serialize again) (GanFlow.Core.Specs.SpecJson.serialize first) "the same summary"
            Expect.exists notices (fun n -> n.Contains "nothing to do") "says there is nothing to do"
            Expect.equal (files folder) before "no file changed"
        }

        test "the wall clock continues across a resume from the checkpoint's time" {
            let folder = scratchFolder "wall"
            let first, _ = runWith (gaussianExperiment smallWganGp 40 20) folder false (Some(ManualClock()))
            Expect.equal first.WallSeconds 20.0 "two evaluations of 10 s each"
            let resumed, _ = runWith (gaussianExperiment smallWganGp 80 20) folder true (Some(ManualClock()))
            let walls = RunStore(folder).ReadMetrics() |> Seq.map (fun r -> r.Step, r.WallSeconds) |> List.ofSeq
            Expect.equal walls [ 20, 0.0; 40, 20.0; 60, 30.0; 80, 40.0 ] "the resumed rows start at the checkpoint's 20 s"
            Expect.equal resumed.WallSeconds 50.0 "the resumed run's wall time includes the first part's"
        }

        test "a corrupt newest checkpoint falls back to the previous one with a warning naming the file, to the same numbers" {
            let folder, direct = scratchFolder "corrupt-newest", scratchFolder "corrupt-direct"
            let experiment = { small 40 with Evaluation = { (small 40).Evaluation with Checkpoints = CheckpointCadence.EverySteps 10 } }
            run experiment folder false |> ignore
            // Make it look unfinished and damage the newest checkpoint (step 40): resume must use step 30.
            File.Delete(Path.Combine(folder, RunFiles.Summary))
            let damaged = Path.Combine(folder, RunFiles.Checkpoint, "critic.module.bin")
            let bytes = File.ReadAllBytes damaged
            bytes[bytes.Length / 2] <- bytes[bytes.Length / 2] ^^^ 0xFFuy
            File.WriteAllBytes(damaged, bytes)
            let summary, notices = runWith experiment folder true None
            Expect.equal summary.Status RunStatus.Completed summary.Message
            Expect.exists notices (fun n -> n.Contains damaged && n.Contains "corrupt" && n.Contains "step 30") "warns naming the file and the fallback"
            run experiment direct false |> ignore
            Expect.sequenceEqual (rowsOf folder) (rowsOf direct) "the same metrics as an uninterrupted run"
        }

        test "with no valid checkpoint a resume is refused naming the file, and a completed summary.json is left as it was" {
            let folder = scratchFolder "corrupt-all"
            run (small 20) folder false |> ignore
            let summaryBefore = File.ReadAllText(Path.Combine(folder, RunFiles.Summary))
            for name in [ RunFiles.Checkpoint; RunFiles.PreviousCheckpoint ] do
                let file = Path.Combine(folder, name, "generator.module.bin")
                File.WriteAllBytes(file, File.ReadAllBytes file |> Array.truncate 10) // truncated
            let message = refused (fun () -> run (GanFlow.Cli.RunCommand.withOverrides None (Some 40) (small 20)) folder true)
            Expect.stringContains message (Path.Combine(folder, RunFiles.Checkpoint, "generator.module.bin")) "names the newest file"
            Expect.stringContains message (Path.Combine(folder, RunFiles.PreviousCheckpoint, "generator.module.bin")) "and the previous one"
            Expect.equal (File.ReadAllText(Path.Combine(folder, RunFiles.Summary))) summaryBefore "summary.json untouched"
            // A garbage manifest is caught the same way.
            File.WriteAllText(Path.Combine(folder, RunFiles.Checkpoint, CheckpointFolders.ManifestFile), "{ not json")
            Expect.stringContains (refused (fun () -> run (GanFlow.Cli.RunCommand.withOverrides None (Some 40) (small 20)) folder true)) "manifest.json is corrupt" "manifest"
        }

        test "temporary files a kill left behind are removed at the next start, and only those" {
            let folder = scratchFolder "stale"
            run (small 10) folder false |> ignore
            let stale = [ sprintf ".spec.json.%s.tmp" (Guid.NewGuid().ToString "N"); sprintf ".samples.txt.%s.tmp" (Guid.NewGuid().ToString "N") ]
            for name in stale do File.WriteAllText(Path.Combine(folder, name), "half")
            Directory.CreateDirectory(Path.Combine(folder, sprintf ".checkpoint.%s.tmp" (Guid.NewGuid().ToString "N"))) |> ignore
            File.WriteAllText(Path.Combine(folder, ".my.hidden.tmp"), "not ours: no GUID")
            run (small 10) folder true |> ignore
            let left = Directory.GetFileSystemEntries folder |> Array.map (Path.GetFileName >> nonNull) |> Array.filter (fun n -> n.EndsWith ".tmp")
            Expect.equal left [| ".my.hidden.tmp" |] "the tool's temporary files are gone, the foreign one stays"
        }
    
        test "with TensorBoard on, every evaluation's metrics are TensorBoard scalars at their steps (read back from the event file)" {
            let folder = scratchFolder "tensorboard"
            TorchSetup.Initialize 1
            let summary = ExperimentRunner.Run(small 30, RunContext(torch.CPU, folder, TensorBoard = true))
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let file = Directory.GetFiles(Path.Combine(folder, RunFiles.TensorBoard)) |> Array.exactlyOne
            // TFRecord frames: length (uint64), its CRC, the Event protobuf, its CRC.
            let bytes = File.ReadAllBytes file
            let events = ResizeArray<Tensorboard.Event>()
            let mutable at = 0
            while at < bytes.Length do
                let length = int (BitConverter.ToUInt64(bytes, at))
                events.Add(Tensorboard.Event.Parser.ParseFrom(bytes, at + 12, length))
                at <- at + 12 + length + 4
            let scalars =
                [ for e in events do
                      if not (isNull e.Summary) then
                          for v in e.Summary.Value -> v.Tag, e.Step, float v.SimpleValue ]
            let rows = RunStore(folder).ReadMetrics()
            for r in rows do
                Expect.contains scalars ("w1", int64 r.Step, float (float32 r.W1)) (sprintf "w1 at step %d" r.Step)
                Expect.contains scalars ("critic_w1", int64 r.Step, float (float32 r.CriticW1)) (sprintf "critic_w1 at step %d" r.Step)
            Expect.isFalse (scalars |> List.exists (fun (tag, _, _) -> tag = "nll")) "no NaN metric is logged (a GAN has no NLL)"
        }
    ]
