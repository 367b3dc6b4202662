/// `ganflow report DIR`: rebuild the report of a run folder, or the table and report of a study folder.
module GanFlow.Cli.ReportCommand

open System.IO
open GanFlow.Report
open GanFlow.Store

/// Rebuilds the report; holds the folder's lock meanwhile, so that it reads a consistent snapshot (a folder being
/// written is refused, naming the writer). Returns the exit code: 0, or 2 when the folder is not a run or study
/// folder, is in use, or holds a malformed file (the message names it and the line).
let run (folder: string) =
    if not (Directory.Exists folder) then
        eprintfn "error: %s: no such folder" folder
        2
    else
        // Only a marked folder is ours to lock; an unmarked one (written before markers existed) is read as it is.
        use _lock = if isNull (FolderMarker.Read folder) then null else FolderLock.Acquire folder
        match FlowGanMnistTables.tryRead folder with
        | Some(GanFlow.Core.Images.FlowGanMnistDeclared.Tables study) ->
            printfn "table = %s" (FlowGanMnistTables.rebuildStudy folder study)
            printfn "report = %s" (Path.Combine(folder, RunFiles.Report))
        | Some(GanFlow.Core.Images.FlowGanMnistDeclared.Run experiment) -> printfn "report = %s" (FlowGanMnistTables.writeRunReport folder experiment)
        | None ->
            match StudyReport.tryReadSpec folder with
            | None when (ImageReport.tryReadSpec folder).IsSome -> printfn "report = %s" (ImageReport.write folder)
            | None when (DynamicsFolder.tryReadSpec folder).IsSome ->
                GanFlow.Cli.DynamicsCommand.writeFile folder DynamicsFolder.reportFile (DynamicsReport.render folder)
                printfn "report = %s" (Path.Combine(folder, DynamicsFolder.reportFile))
            | Some study ->
                printfn "%s" (StudyReport.write folder study)
                printfn "report = %s" (Path.Combine(folder, RunFiles.Report))
            | None -> printfn "report = %s" (RunReport.write folder)
        0
