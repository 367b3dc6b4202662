/// `ganflow search NAME --out DIR`: random search with ASHA over a declared space, trials as worker processes, the
/// SQLite store, a live display, the report; and `ganflow search-status DIR`.
module GanFlow.Cli.SearchCommand

open System
open System.IO
open System.Threading
open Spectre.Console
open GanFlow.Core.Specs
open GanFlow.Core.Search
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Processes
open GanFlow.Runtime.Search
open GanFlow.Report
open GanFlow.Store

/// Everything of a search folder that is the tool's (what `--fresh` removes).
let private searchFiles =
    [ SqliteSearchStore.FileName; SqliteSearchStore.FileName + "-wal"; SqliteSearchStore.FileName + "-shm"; SearchDriver.TrialsFolder; RunFiles.Report ]

/// Expected training steps of a whole search: every trial to the first rung, 1/η of them on to each next milestone.
let expectedSteps (record: SearchRecord) =
    let milestones = Rungs.milestones record.Scheduler.Scheduler
    let eta = match record.Scheduler.Scheduler with Scheduler.Asha h | Scheduler.SuccessiveHalving h -> float h.ReductionFactor | Scheduler.RandomSearch _ -> 1.0
    milestones
    |> List.mapi (fun k m -> float record.Trials / (eta ** float k) * float (m - (if k = 0 then 0 else milestones[k - 1])))
    |> List.sum

/// The progress display: a live table on a terminal, plain lines otherwise (CI logs).
let private display (record: SearchRecord) (started: Diagnostics.Stopwatch) =
    let interactive = not Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive
    let line (p: SearchProgress) =
        let count s = match p.Counts.TryGetValue s with | true, n -> n | _ -> 0
        let best = match p.Best with null -> "none yet" | b -> sprintf "trial %d %A %.5g at step %d (%s)" b.Trial record.Scheduler.Metric b.Metric b.Step p.BestAssignment
        sprintf "%s %d/%d started, %d running, %d promoted, %d paused, %d stopped, %d completed, %d diverged, %d failed; best %s"
            (started.Elapsed.ToString @"hh\:mm\:ss") p.Started p.Trials (count "running") (count "promoted") (count "paused") (count "stopped")
            (count "completed") (count "diverged") (count "failed") best
    if interactive then
        let table = Table().AddColumn("search").AddColumn(record.Name)
        let rows = [ "elapsed"; "trials"; "running / promoted"; "paused / stopped"; "completed"; "diverged / failed"; "best"; "estimated time left"; "last" ]
        for r in rows do table.AddRow(r, "") |> ignore
        let update (p: SearchProgress) (trained: int64) =
            let count s = match p.Counts.TryGetValue s with | true, n -> n | _ -> 0
            let elapsed = started.Elapsed
            let left =
                if trained <= 0L then "?" else TimeSpan.FromSeconds(elapsed.TotalSeconds * max 0.0 (expectedSteps record / float trained - 1.0)).ToString @"hh\:mm\:ss"
            let best = match p.Best with null -> "none yet" | b -> sprintf "trial %d: %A %.5g at step %d, %s" b.Trial record.Scheduler.Metric b.Metric b.Step p.BestAssignment
            let values =
                [ elapsed.ToString @"hh\:mm\:ss"; sprintf "%d of %d started" p.Started p.Trials; sprintf "%d / %d" (count "running") (count "promoted")
                  sprintf "%d / %d" (count "paused") (count "stopped"); string (count "completed"); sprintf "%d / %d" (count "diverged") (count "failed")
                  best; left; p.Line ]
            values |> List.iteri (fun i v -> table.UpdateCell(i, 1, Markup.Escape v) |> ignore)
        Some table, update
    else
        None, (fun p _ -> eprintfn "%s | %s" (line p) p.Line)

/// Runs (or resumes) a search in `outDirectory`; returns the exit code: 0 when it finished, 2 on bad input (nothing
/// started), 130/143 when stopped by a signal (`--resume` continues).
let run (search: Search) (outDirectory: string) (workers: int option) (resume: bool) (fresh: bool) (device: string) =
    let workers = defaultArg workers search.Workers
    let errors =
        SearchValidation.errors search
        @ (if workers < 1 then Check.fail "--workers" workers "must be >= 1" else [])
        @ (if resume && fresh then Check.fail "--fresh" true "cannot be combined with --resume" else [])
    if not errors.IsEmpty then
        eprintfn "error: invalid search %s:" search.Name
        errors |> List.iter (eprintfn "  %O")
        2
    else
        DeviceSelection.FromString device |> ignore
        use folder = OwnedFolder.Open(outDirectory, FolderKind.Search)
        if fresh then
            eprintfn "--fresh: replacing the search in %s" outDirectory
            folder.RemoveOwnFiles searchFiles
        let record = Search.record search
        use store = SqliteSearchStore.Open outDirectory
        let refusal =
            match store.ReadHeader() with
            | null ->
                store.WriteHeader(search.Name, SpecJson.serialize record)
                None
            | header ->
                let stored = RunStore.ParseJson<SearchRecord>(header.RecordJson, Path.Combine(outDirectory, SqliteSearchStore.FileName))
                match SpecDiff.first [ "trials"; "description" ] stored record with
                | Some d ->
                    Some(sprintf "%s holds another search: its %s = %s, this one's %s; nothing was changed (--fresh replaces it, or choose another --out)" outDirectory d.Field d.Left d.Right)
                | None when not resume ->
                    Some(sprintf "%s already holds this search (%d trials recorded): --resume continues it, --fresh starts it over" outDirectory (store.ReadTrials().Count))
                | None when record.Trials < store.ReadTrials().Count ->
                    Some(sprintf "--trials %d: the search has already started %d trials" record.Trials (store.ReadTrials().Count))
                | None ->
                    if stored.Trials <> record.Trials then store.WriteHeader(search.Name, SpecJson.serialize record)
                    None
        match refusal with
        | Some message ->
            eprintfn "error: %s" message
            2
        | None ->
            let started = Diagnostics.Stopwatch.StartNew()
            use cancel = new CancellationTokenSource()
            let signal = ref 0
            let registrations = Signals.stopOn cancel signal
            let command = GanflowCommand.Of(Reflection.Assembly.GetExecutingAssembly().Location)
            let table, update = display record started
            let trained () = store.ReadTrials() |> Seq.sumBy (fun t -> int64 t.Steps)
            let milestones = Rungs.milestones record.Scheduler.Scheduler |> List.map string |> String.concat ", "
            eprintfn "search %s: %d trials, %d worker process(es) on %s, milestones %s -> %s" search.Name search.Trials workers device milestones outDirectory
            let runDriver (onProgress: SearchProgress -> unit) =
                let driver = SearchDriver(search, store, ProcessTrialRunner(command, device), outDirectory, workers, Action<SearchProgress> onProgress)
                driver.Run cancel.Token
            let finished =
                match table with
                | Some t ->
                    let mutable result = false
                    AnsiConsole.Live(t).Start(fun context -> result <- runDriver (fun p -> update p (trained ()); context.Refresh()))
                    result
                | None -> runDriver (fun p -> update p (trained ()))
            registrations |> List.iter (fun r -> r.Dispose())
            let report = SearchReport.write outDirectory
            for key, value in SearchData.statusLines (SearchData.load outDirectory) do
                printfn "%s = %s" key value
            printfn "wall_seconds = %.1f" started.Elapsed.TotalSeconds
            printfn "report = %s" report
            if signal.Value <> 0 then
                eprintfn "search stopped by a signal: `ganflow search %s --out %s --resume` continues it" search.Name outDirectory
                signal.Value
            elif finished then 0
            else 1

/// `ganflow search-status DIR`: the state as `key = value` lines; exit 0 whether or not the search is finished, 2 when
/// the folder holds no search.
let status (directory: string) =
    for key, value in SearchData.statusLines (SearchData.load directory) do
        printfn "%s = %s" key value
    0
