/// Real `ganflow` processes: killed with SIGKILL mid-run and resumed to an uninterrupted run's files; a study stopped by
/// SIGTERM leaves no process behind; a rerun study keeps its completed cells.
module GanFlow.Tests.ProcessTests

open System
open System.Diagnostics
open System.IO
open Expecto
open GanFlow.Core.Specs
open GanFlow.Core.Experiments
open GanFlow.Store
open GanFlow.Tests.TestRuns

/// The ganflow assembly built beside the tests.
let private ganflowDll = Path.Combine(AppContext.BaseDirectory, "ganflow.dll")

/// Starts `dotnet ganflow.dll ARGS` with its output discarded (read, so that it never blocks on a full pipe).
let startGanflow (args: string list) =
    let start = ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    start.ArgumentList.Add ganflowDll
    for a in args do start.ArgumentList.Add a
    let p = nonNull (Process.Start start)
    p.OutputDataReceived.Add ignore
    p.ErrorDataReceived.Add ignore
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    p

/// Runs `ganflow ARGS` to the end; returns the exit code.
let runGanflow (args: string list) =
    use p = startGanflow args
    p.WaitForExit()
    p.ExitCode

/// Polls `condition` every 20 ms while `p` runs. The wait ends when the condition holds and fails when `p` exits first:
/// the process's own progress bounds it, not a clock, so a slow machine only makes it longer.
let waitWhileRunning (p: Process) (what: string) (condition: unit -> bool) =
    while not (condition ()) do
        if p.HasExited && not (condition ()) then failtestf "the process exited (code %d) before %s" p.ExitCode what
        Threading.Thread.Sleep 20

let private writeSpec (value: 'T) =
    let path = TestFolders.fresh "spec" + ".json"
    Directory.CreateDirectory(Path.GetDirectoryName path |> nonNull) |> ignore
    File.WriteAllText(path, SpecJson.serialize value)
    path

/// A file's content for comparing two runs: wall-clock fields (and the lock files and the report, which show them) aside.
let private comparable (relative: string) (bytes: byte[]) =
    let text () = Text.Encoding.UTF8.GetString bytes
    let dropJson (names: string list) =
        let rec drop (node: Text.Json.Nodes.JsonNode | null) =
            match node with
            | :? Text.Json.Nodes.JsonObject as o ->
                for n in names do o.Remove n |> ignore
                for kv in List.ofSeq o do drop kv.Value
            | _ -> ()
        let node = Text.Json.Nodes.JsonNode.Parse(text ())
        drop node
        (nonNull node).ToJsonString()
    match Path.GetFileName relative with
    | name when name = RunFiles.Metrics ->
        (text ()).Split('\n') |> Array.filter (fun l -> l <> "") |> Array.map (fun l -> l.Split(',') |> Array.removeAt 7 |> String.concat ",") |> String.concat "\n" |> Text.Encoding.UTF8.GetBytes
    | name when name = RunFiles.Summary -> dropJson [ "wallSeconds" ] |> Text.Encoding.UTF8.GetBytes
    | name when name = CheckpointFolders.ManifestFile -> dropJson [ "wallSeconds" ] |> Text.Encoding.UTF8.GetBytes
    | _ -> bytes

let private folderFiles (folder: string) =
    Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
    |> Array.map (fun p -> Path.GetRelativePath(folder, p))
    |> Array.filter (fun name -> not (name.StartsWith RunFiles.Lock) && name <> RunFiles.Report)
    |> Array.sort

/// Processes whose command line mentions `text`.
let processesMentioning (text: string) =
    Directory.GetDirectories "/proc"
    |> Array.filter (fun d -> Path.GetFileName d |> nonNull |> Seq.forall Char.IsDigit)
    |> Array.choose (fun d ->
        try
            let cmdline = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\000', ' ')
            if cmdline.Contains text then Some(sprintf "%s: %s" (Path.GetFileName d) cmdline) else None
        with _ -> None)

/// A study of two small GAN cells (declared here, run through `--spec`).
let private testStudy (name: string) (steps: int) =
    let cell column = 
        { Row = "baseline"
          Column = column
          Experiment = { gaussianExperiment smallWganGp steps 50 with Name = sprintf "%s-%s" name column; Seed = (if column = "a" then 1 else 2) } }
    { Name = name; Description = "process test study"; Rows = [ "baseline" ]; Columns = [ "a"; "b" ]
      Cells = [ cell "a"; cell "b" ]; Reference = []; Searches = []; Parallelism = 2; Table = None }

[<Tests>]
let tests =
    testList "processes" [
        test "each of K children side by side gets ⌊cores / K⌋ of this process's cores, at least 1" {
            let cores = Environment.ProcessorCount
            let share = GanFlow.Runtime.Processes.WorkerProcess.CoreShare
            Expect.equal (share 1) cores "one child: every core"
            Expect.equal (share 0) cores "no count: as one child"
            Expect.equal (share (cores + 1)) 1 "more children than cores: one each"
            for k in 1 .. 2 * cores + 3 do
                Expect.isGreaterThanOrEqual (share k) 1 "at least one"
                Expect.isLessThanOrEqual (share k * k) (max cores k) "never more than the cores, unless each has one"
                Expect.isGreaterThan ((share k + 1) * k) cores "no core left idle that a share could take"
                Expect.isLessThanOrEqual (share (k + 1)) (share k) "more children, no larger share"
        }

        test "a child that ended by itself before the stop was seen keeps its exit code and is not recorded as stopped" {
            let folder = scratchFolder "ended-child"
            Directory.CreateDirectory folder |> ignore
            let log = Path.Combine(folder, "child.log")
            use child = GanFlow.Runtime.Processes.WorkerProcess.Start(GanFlow.Runtime.Processes.GanflowCommand("sh", [ "-c" ]), [ "exit 3" ], null, log)
            child.ExitCode |> ignore // waits for the child to end (no clock)
            Expect.isTrue child.HasExited "the child ended"
            use stopped = new Threading.CancellationTokenSource()
            stopped.Cancel()
            Expect.equal (child.WaitForExit stopped.Token) 3 "its own exit code, though the stop came before the wait"
            Expect.isFalse ((File.ReadAllText log).Contains "stopped") "its log does not say the parent stopped it"
            // Ended by a signal (Ctrl-C reaches the child too, exit 130): stopped, as a running one is.
            use interrupted = GanFlow.Runtime.Processes.WorkerProcess.Start(GanFlow.Runtime.Processes.GanflowCommand("sh", [ "-c" ]), [ "exit 130" ], null, log)
            interrupted.ExitCode |> ignore // waits for it to end
            let stoppedBy (f: unit -> int) = Expect.throwsC (f >> ignore) (fun e -> Expect.isTrue (e :? OperationCanceledException) (sprintf "cancelled, not %s" (e.GetType().Name)))
            stoppedBy (fun () -> interrupted.WaitForExit stopped.Token)
            use running = GanFlow.Runtime.Processes.WorkerProcess.Start(GanFlow.Runtime.Processes.GanflowCommand("sh", [ "-c" ]), [ "sleep 60" ], null, log)
            stoppedBy (fun () -> running.WaitForExit stopped.Token)
            Expect.isTrue running.HasExited "and ended"
            Expect.stringContains (File.ReadAllText log) "stopped: the parent ended this process" "its log says so"
        }

        test "a run killed with SIGKILL after its first intermediate checkpoint and resumed ends with the files of an uninterrupted run" {
            let experiment = gaussianExperiment smallWganGp 1_500 100
            let spec = writeSpec experiment
            let killed, direct = scratchFolder "sigkill", scratchFolder "sigkill-direct"
            use p = startGanflow [ "run"; "--spec"; spec; "--out"; killed; "--threads"; "1" ]
            waitWhileRunning p "the first checkpoint" (fun () -> File.Exists(Path.Combine(killed, RunFiles.Checkpoint, CheckpointFolders.ManifestFile)))
            let stillRunning = not p.HasExited
            p.Kill()
            p.WaitForExit()
            Expect.isTrue stillRunning "killed mid-run, not after it ended"
            Expect.isFalse (File.Exists(Path.Combine(killed, RunFiles.Summary))) "the run did not finish"
            Expect.equal (runGanflow [ "run"; "--spec"; spec; "--out"; killed; "--threads"; "1"; "--resume" ]) 0 "the resumed run completes"
            Expect.equal (runGanflow [ "run"; "--spec"; spec; "--out"; direct; "--threads"; "1" ]) 0 "the uninterrupted run completes"
            let names = folderFiles direct
            Expect.sequenceEqual (folderFiles killed) names "the same files"
            Expect.contains names (Path.Combine(RunFiles.PreviousCheckpoint, "generator.module.bin")) "the previous checkpoint is kept"
            for name in names do
                let a, b = File.ReadAllBytes(Path.Combine(killed, name)), File.ReadAllBytes(Path.Combine(direct, name))
                Expect.isTrue (comparable name a = comparable name b) (sprintf "%s is the same (wall time aside)" name)
        }

        test "a run stopped by SIGINT after a checkpoint exits 130 and prints the command that continues it, which completes the run" {
            let spec = writeSpec (gaussianExperiment smallWganGp 1_500 100)
            let folder = Path.GetFullPath(scratchFolder "sigint")
            let start = ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
            for a in [ ganflowDll; "run"; "--spec"; spec; "--out"; folder; "--threads"; "1" ] do start.ArgumentList.Add a
            use p = nonNull (Process.Start start)
            let errors = Text.StringBuilder()
            p.OutputDataReceived.Add ignore
            p.ErrorDataReceived.Add(fun e -> match e.Data with null -> () | line -> lock errors (fun () -> errors.AppendLine line |> ignore))
            p.BeginOutputReadLine()
            p.BeginErrorReadLine()
            waitWhileRunning p "the first checkpoint" (fun () -> File.Exists(Path.Combine(folder, RunFiles.Checkpoint, CheckpointFolders.ManifestFile)))
            use kill = Process.Start("kill", [ "-INT"; string p.Id ])
            kill.WaitForExit()
            p.WaitForExit()
            Expect.equal p.ExitCode 130 "128 + SIGINT"
            Expect.isFalse (File.Exists(Path.Combine(folder, RunFiles.Summary))) "stopped before the end"
            let continuing = Path.Combine(folder, RunFiles.Spec)
            Expect.stringContains (lock errors (fun () -> string errors)) (sprintf "`ganflow run --spec %s --out %s --resume` continues it" continuing folder) "says how to continue"
            Expect.equal (runGanflow [ "run"; "--spec"; continuing; "--out"; folder; "--resume"; "--threads"; "1" ]) 0 "the printed command completes the run"
            Expect.isTrue (File.Exists(Path.Combine(folder, RunFiles.Summary))) "completed"
        }

        test "SIGTERM to a study stops its running cells and leaves no process behind" {
            let study = testStudy "sigterm-study" 20_000
            let spec = writeSpec study
            let folder = scratchFolder "sigterm-study"
            use p = startGanflow [ "run"; "--spec"; spec; "--out"; folder; "--threads"; "1" ]
            let errors = Collections.Concurrent.ConcurrentQueue<string>()
            p.ErrorDataReceived.Add(fun e -> match e.Data with null -> () | line -> errors.Enqueue line)
            let started cell = 
                let log = Path.Combine(folder, cell, RunFiles.Log)
                File.Exists log && (File.ReadAllText log).Contains "running"
            waitWhileRunning p "both cells to start" (fun () -> started "sigterm-study-a" && started "sigterm-study-b")
            Expect.isNonEmpty (processesMentioning folder |> Array.filter (fun l -> l.Contains "--spec -")) "the cells run as processes"
            use kill = Process.Start("kill", [ "-TERM"; string p.Id ])
            kill.WaitForExit()
            p.WaitForExit()
            Expect.equal p.ExitCode 143 "the study exits with 128 + SIGTERM"
            p.WaitForExit() // the rest of its output
            Expect.exists errors (fun l -> l.Contains(sprintf "rerun `ganflow run --spec %s --out %s --threads 1`" spec folder)) "the hint repeats the study's command line, flags included"
            Expect.isEmpty (processesMentioning folder) "no cell process is left"
            for cell in [ "sigterm-study-a"; "sigterm-study-b" ] do
                Expect.stringContains (File.ReadAllText(Path.Combine(folder, cell, RunFiles.Log))) "stopped" (sprintf "%s's log says it was stopped" cell)
                Expect.isFalse (File.Exists(Path.Combine(folder, cell, RunFiles.Summary))) "the stopped cell did not finish"
        }

        test "a study given as many --threads as the machine has cores runs its cells with them (each cell sees at least that many cores)" {
            // Cells see their share of the cores (DOTNET_PROCESSOR_COUNT); with 2 cells on 2 cores that share is 1, and a
            // cell's own `run` refused --threads 2 until each cell was given at least its --threads.
            let study = testStudy "threads-study" 100
            let folder = scratchFolder "threads-study"
            Expect.equal (GanFlow.Cli.StudyCommand.run study folder "cpu" Environment.ProcessorCount false false None "ganflow run STUDY") 0 "the study completes"
            for cell in study.Cells do
                Expect.isTrue (File.Exists(Path.Combine(GanFlow.Report.StudyReport.cellFolder folder cell, RunFiles.Summary))) (cell.Experiment.Name + " completed")
        }

        test "a rerun study keeps the cells that completed with the same spec, refuses to replace a cell's work of another spec, and runs a cell whose folder was removed" {
            let study = testStudy "rerun-study" 100
            let folder = scratchFolder "rerun-study"
            Expect.equal (GanFlow.Cli.StudyCommand.run study folder "cpu" 1 false false None "ganflow run STUDY") 0 "first run"
            let cellA, cellB = Path.Combine(folder, "rerun-study-a"), Path.Combine(folder, "rerun-study-b")
            let metricsA = File.ReadAllBytes(Path.Combine(cellA, RunFiles.Metrics))
            let samplesA = File.ReadAllBytes(Path.Combine(cellA, RunFiles.Samples))
            let logA = File.ReadAllText(Path.Combine(cellA, RunFiles.Log))
            let metricsB = File.ReadAllBytes(Path.Combine(cellB, RunFiles.Metrics))
            // Cell b changes its seed (a mistyped --seed does this to every cell): refused, nothing run or removed.
            let changed = { study with Cells = study.Cells |> List.map (fun c -> if c.Column = "b" then { c with Experiment = { c.Experiment with Seed = 9 } } else c) }
            Expect.equal (GanFlow.Cli.StudyCommand.run changed folder "cpu" 1 false false None "ganflow run STUDY") 2 "a rerun never replaces a cell's work"
            Expect.equal (File.ReadAllBytes(Path.Combine(cellB, RunFiles.Metrics))) metricsB "cell b's run is as it was"
            Expect.equal (nonNull (RunStore(cellB).ReadSpec())).Seed 2 "cell b's spec is as it was"
            // The user removes the cell to replace (and cell a's report.html, as a study stopped between a cell's
            // summary.json and its report leaves it): only b runs again, and a's report is written.
            Directory.Delete(cellB, true)
            File.Delete(Path.Combine(cellA, RunFiles.Report))
            Expect.equal (GanFlow.Cli.StudyCommand.run changed folder "cpu" 1 false false None "ganflow run STUDY") 0 "rerun"
            Expect.equal (File.ReadAllBytes(Path.Combine(cellA, RunFiles.Metrics))) metricsA "cell a kept as it was"
            Expect.equal (File.ReadAllText(Path.Combine(cellA, RunFiles.Log))) logA "cell a was not started again"
            Expect.isTrue (File.Exists(Path.Combine(cellA, RunFiles.Report))) "cell a's missing report.html written"
            Expect.equal (nonNull (RunStore(cellB).ReadSpec())).Seed 9 "cell b ran again with its new spec"
            Expect.equal (GanFlow.Cli.StudyCommand.run { changed with Cells = study.Cells } folder "cpu" 1 true false None "ganflow run STUDY") 2 "--resume refuses to replace a cell of another spec"
            Expect.equal (GanFlow.Cli.StudyCommand.run changed folder "cpu" 1 false true None "ganflow run STUDY") 0 "--fresh"
            Expect.stringContains (File.ReadAllText(Path.Combine(cellA, RunFiles.Log))) "replacing the earlier run" "--fresh ran the kept cell again from step 0"
            Expect.equal (File.ReadAllBytes(Path.Combine(cellA, RunFiles.Samples))) samplesA "to the same samples"
        }

        test "a study never shows another budget's run as its cell's: a longer run is refused (with or without --resume), replaced by --fresh; an unfinished extension is no result" {
            let study = testStudy "budget-study" 100
            let folder = scratchFolder "budget-study"
            let longer = { study with Cells = study.Cells |> List.map (fun c -> { c with Experiment = { c.Experiment with Budget = { c.Experiment.Budget with Steps = 150 } } }) }
            Expect.equal (GanFlow.Cli.StudyCommand.run longer folder "cpu" 1 false false None "ganflow run STUDY") 0 "the 150-step study"
            let cellA = Path.Combine(folder, "budget-study-a")
            let cellRun () = GanFlow.Report.StudyReport.cellRun cellA study.Cells.Head
            Expect.isError (cellRun ()) "a 150-step run is not the 100-step cell's result"
            Expect.equal (GanFlow.Cli.StudyCommand.run study folder "cpu" 1 true false None "ganflow run STUDY") 2 "--resume never shortens (replaces) a cell"
            Expect.equal (nonNull (RunStore(cellA).ReadSummary())).StepsCompleted 150 "nothing was changed by the refusal"
            Expect.equal (GanFlow.Cli.StudyCommand.run study folder "cpu" 1 false false None "ganflow run STUDY") 2 "a rerun never shortens (replaces) a cell's work"
            Expect.equal (nonNull (RunStore(cellA).ReadSummary())).StepsCompleted 150 "nothing was changed by that refusal either"
            Expect.equal (GanFlow.Cli.StudyCommand.run study folder "cpu" 1 false true None "ganflow run STUDY") 0 "the 100-step study with --fresh replaces the longer cells"
            match cellRun () with
            | Ok data ->
                Expect.equal data.Summary.StepsCompleted 100 "the cell's own budget"
                let table = File.ReadAllText(Path.Combine(folder, RunFiles.StudyTable))
                let w1 = data.Summary.Final |> Option.map (fun f -> f.W1.ToString("0.0000", Globalization.CultureInfo.InvariantCulture)) |> Option.defaultValue "?"
                Expect.stringContains table w1 "the table shows the 100-step run's W1"
            | Error reason -> failtestf "the replaced cell is the study's: %s" reason
            // An extension killed after it rewrote spec.json (budget 150) leaves the 100-step summary behind.
            let extended = { (nonNull (RunStore(cellA).ReadSpec())) with Budget = { study.Cells.Head.Experiment.Budget with Steps = 150 } }
            RunStore(cellA).WriteSpec extended
            match GanFlow.Report.StudyReport.cellRun cellA longer.Cells.Head with
            | Error reason -> Expect.stringContains reason "extension to 150 is unfinished" "no result, and why"
            | Ok _ -> failtest "an unfinished extension is not a completed 150-step run"
        }
    ]
