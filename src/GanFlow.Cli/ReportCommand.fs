/// `ganflow report DIR`: rebuild the report of a run folder, of a search folder, or the table and report of a study folder.
module GanFlow.Cli.ReportCommand

open System.IO
open GanFlow.Report
open GanFlow.Store

/// Whether `folder` is a search folder whose store.json names a PostgreSQL store (the one kind a password is read for).
let private isPostgresSearch (folder: string) =
    SearchFolder.IsSearch folder
    && (match SearchFolder.ReadPointer folder with
        | null -> false
        | pointer ->
            try
                SearchStoreLocation.Parse(pointer.Store, folder) :? SearchStoreLocation.Postgres
            with :? RunFolderException -> false)

/// Rebuilds the report; holds a run or study folder's lock meanwhile, so that it reads a consistent snapshot (a folder
/// being written is refused, naming the writer). A search folder's report is read from its store (each read a committed
/// snapshot), so it is rebuilt while workers run too. Returns the exit code: 0, or 2 when the folder is not a run,
/// study or search folder, is in use, or holds a malformed file (the message names it and the line).
let runWith (folder: string) (passwordFile: string option) =
    if not (Directory.Exists folder) then
        eprintfn "error: %s: %s" folder (if File.Exists folder then "a file, not a run, study or search folder" else "no such folder")
        2
    elif passwordFile.IsSome && not (isPostgresSearch folder) then
        eprintfn "error: --store-password-file %s: %s is not a search folder whose store is PostgreSQL (its store.json), so no password is read" passwordFile.Value folder
        2
    elif SearchFolder.IsSearch folder then
        printfn "report = %s" (SearchReport.writeData (SearchData.loadWith folder passwordFile))
        0
    else
        // Only a marked folder is ours to lock; an unmarked one (written before markers existed) is read as it is.
        use _lock = if isNull (FolderMarker.Read folder) then null else FolderLock.Acquire folder
        match StudyReport.tryReadSpec folder with
        | None when (DynamicsFolder.tryReadSpec folder).IsSome ->
            GanFlow.Cli.DynamicsCommand.writeFile folder DynamicsFolder.reportFile (DynamicsReport.render folder)
            printfn "report = %s" (Path.Combine(folder, DynamicsFolder.reportFile))
        | Some study ->
            printfn "%s" (StudyReport.write folder study)
            printfn "report = %s" (Path.Combine(folder, RunFiles.Report))
        | None ->
            let report, notes = RunReport.writeWithNotes folder
            printfn "report = %s" report
            for note in notes do
                eprintfn "note: %s" note
        0

/// `ganflow report DIR` (see `runWith`), a server store's password from PGPASSWORD or ~/.pgpass.
let run (folder: string) = runWith folder None
