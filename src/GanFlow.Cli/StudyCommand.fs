/// `ganflow run STUDY --out DIR`: every cell of a study, `Parallelism` at a time, each in its
/// own run folder `DIR/<experiment>/`, then the study's table and report.
module GanFlow.Cli.StudyCommand

open System
open System.Threading.Tasks
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Report

/// Applies the overrides to every cell (pure); a `--steps` override is noted in the study's description too.
let withOverrides seed (steps: int option) (study: Study) =
    { study with
        Cells = study.Cells |> List.map (fun c -> { c with Experiment = RunCommand.withOverrides seed steps c.Experiment })
        Description =
            match steps with
            | Some n -> sprintf "%s [every cell's budget overridden on the command line: %d steps]" study.Description n
            | None -> study.Description }

/// Returns the exit code: 0 when every cell completed, 3 when any diverged, 2 on bad input.
let run (study: Study) (outDirectory: string) (device: string) (resume: bool) =
    match StudyValidation.errors study with
    | _ :: _ as errors ->
        eprintfn "error: invalid study %s:" study.Name
        errors |> List.iter (fun e -> eprintfn "  %O" e)
        2
    | [] ->
        DeviceSelection.FromString device |> ignore // reject a bad --device before starting anything
        StudyReport.writeSpec outDirectory study
        let started = Diagnostics.Stopwatch.StartNew()
        eprintfn "running study %s: %d cells, %d at a time (one process each) -> %s" study.Name study.Cells.Length study.Parallelism outDirectory
        // Each cell runs in its own `ganflow run CELL` process with one intra-op thread: a trial
        // that crashes cannot take the study down, and trials share no state at all.
        let ganflowDll = Reflection.Assembly.GetEntryAssembly().Location
        let runCell (cell: StudyCell) =
            let folder = StudyReport.cellFolder outDirectory cell
            IO.Directory.CreateDirectory folder |> ignore
            let e = cell.Experiment
            let arguments =
                [ ganflowDll; "run"; e.Name; "--out"; folder; "--device"; device; "--threads"; "1"
                  "--seed"; string e.Seed; "--steps"; string e.Budget.Steps ]
                @ (if resume then [ "--resume" ] else [])
            let start = Diagnostics.ProcessStartInfo(Environment.ProcessPath, arguments, RedirectStandardOutput = true, RedirectStandardError = true)
            use child = Diagnostics.Process.Start start
            let output = child.StandardOutput.ReadToEndAsync()
            let errors = child.StandardError.ReadToEndAsync()
            child.WaitForExit()
            IO.File.WriteAllText(IO.Path.Combine(folder, "run.log"), output.Result + errors.Result)
            let status =
                match RunData.tryLoad folder with
                | Some data -> sprintf "%A in %.0f s" data.Summary.Status data.Summary.WallSeconds
                | None -> sprintf "no result (exit code %d, see %s)" child.ExitCode (IO.Path.Combine(folder, "run.log"))
            eprintfn "%-36s %s" e.Name status
        Parallel.ForEach(study.Cells, ParallelOptions(MaxDegreeOfParallelism = study.Parallelism), runCell) |> ignore
        let summaries = study.Cells |> List.map (fun c -> RunData.tryLoad (StudyReport.cellFolder outDirectory c) |> Option.map (fun d -> d.Summary))
        let table = StudyReport.write outDirectory study
        printfn "%s" table
        printfn "wall_seconds = %.1f" started.Elapsed.TotalSeconds
        printfn "report = %s" (IO.Path.Combine(outDirectory, RunFolder.reportFile))
        if summaries |> List.forall (function Some s -> s.Status = RunStatus.Completed | None -> false) then 0 else 3
