/// `ganflow run STUDY --out DIR`: every cell of a study, `Parallelism` at a time, each in its
/// own run folder `DIR/<experiment>/`, then the study's table and report.
module GanFlow.Cli.StudyCommand

open System
open System.Threading.Tasks
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Report

/// Applies the overrides to every cell (pure).
let withOverrides seed steps (study: Study) =
    { study with Cells = study.Cells |> List.map (fun c -> { c with Experiment = RunCommand.withOverrides seed steps c.Experiment }) }

/// Returns the exit code: 0 when every cell completed, 3 when any diverged, 2 on bad input.
let run (study: Study) (outDirectory: string) (device: string) (resume: bool) =
    match StudyValidation.errors study with
    | _ :: _ as errors ->
        eprintfn "error: invalid study %s:" study.Name
        errors |> List.iter (fun e -> eprintfn "  %O" e)
        2
    | [] ->
        // Parallel trials each get one intra-op thread (small models are overhead-bound).
        TorchSetup.Initialize 1
        let selected = DeviceSelection.FromString device
        let started = Diagnostics.Stopwatch.StartNew()
        eprintfn "running study %s: %d cells, %d at a time -> %s" study.Name study.Cells.Length study.Parallelism outDirectory
        let runCell (cell: StudyCell) =
            let folder = StudyReport.cellFolder outDirectory cell
            let total = cell.Experiment.Budget.Steps
            let onEvaluation =
                Action<EvaluationRecord>(fun r ->
                    if r.Step = total then
                        eprintfn "%-36s step %6d/%d  W1 %.5f  critic W1 %.5f" cell.Experiment.Name r.Step total r.W1 r.CriticW1)
            let summary = ExperimentRunner.Run(cell.Experiment, RunContext(selected, folder, onEvaluation, resume))
            RunReport.write folder |> ignore
            eprintfn "%-36s %A in %.0f s" cell.Experiment.Name summary.Status summary.WallSeconds
            summary
        let summaries =
            Parallel.ForEach(study.Cells, ParallelOptions(MaxDegreeOfParallelism = study.Parallelism), fun cell -> runCell cell |> ignore)
            |> ignore
            study.Cells |> List.map (fun c -> RunData.load (StudyReport.cellFolder outDirectory c)) |> List.map (fun d -> d.Summary)
        let table = StudyReport.write outDirectory study
        printfn "%s" table
        printfn "wall_seconds = %.1f" started.Elapsed.TotalSeconds
        printfn "report = %s" (IO.Path.Combine(outDirectory, RunFolder.reportFile))
        if summaries |> List.forall (fun s -> s.Status = RunStatus.Completed) then 0 else 3
