/// `ganflow search NAME --out DIR [--store URL]`: records a search in its store (SQLite by default, or PostgreSQL) and
/// starts its local workers with a live display; `ganflow worker --store URL --search NAME`: one long-lived worker,
/// anywhere; `ganflow search-status`: the state as key = value lines.
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

/// The default lease of a job, in seconds: long enough not to expire under load (a 2 s lease expired 341 times on 25
/// trials with 16 workers on 2 cores, issue 18), short enough that a dead worker's job moves on within a minute.
let defaultLeaseSeconds = 60.0

/// The range of `--lease-seconds`: a worker renews its lease every third of it, which below a second it cannot keep
/// up with, and a day is already as long as a dead worker's job should wait for another worker.
let leaseSecondsRange = 1.0, 86_400.0

/// The longest `--idle-exit`: a week (leave the flag out to wait until the search is over).
let maxIdleExitSeconds = 604_800.0

/// How often a local worker that died is started again before `ganflow search` gives up on its slot.
let private restartsPerWorker = 5

/// How often, at most, `ganflow search` reads its whole search to update its display while its workers run.
let private watchReadInterval = TimeSpan.FromSeconds 2.0

/// `--quota ceiling|floor`.
let parseQuota (text: string) =
    match text with
    | "ceiling" -> Ok PromotionQuota.Ceiling
    | "floor" -> Ok PromotionQuota.Floor
    | other -> Error(sprintf "--quota %s: must be ceiling (⌈n/η⌉, Ray's) or floor (⌊n/η⌋, Li et al.'s)" other)

/// `--rung-value milestone|mean:K|median:K`.
let parseRungValue (text: string) =
    let count (k: string) (make: int -> RungValue) =
        match Int32.TryParse(k, Globalization.NumberStyles.None, Globalization.CultureInfo.InvariantCulture) with
        | true, n when n >= 1 -> Ok(make n)
        | _ -> Error(sprintf "--rung-value %s: K must be a whole number >= 1 (mean:K or median:K)" text)
    match text.Split(':') with
    | [| "milestone" |] -> Ok RungValue.AtMilestone
    | [| "mean"; k |] -> count k RungValue.MeanOfLast
    | [| "median"; k |] -> count k RungValue.MedianOfLast
    | _ -> Error(sprintf "--rung-value %s: must be milestone, mean:K or median:K" text)

/// A field in which a store's search and this one differ, said in the words of the flag that sets it (`--quota floor`,
/// `--rung-value mean:3`, `--metric recall`) where one does, else as the spec's JSON.
let describeDifference (d: SpecDifference) (stored: SearchRecord) (record: SearchRecord) =
    let quota = function
        | PromotionQuota.Ceiling -> "ceiling"
        | PromotionQuota.Floor -> "floor"
    let rungValue = function
        | RungValue.AtMilestone -> "milestone"
        | RungValue.MeanOfLast k -> sprintf "mean:%d" k
        | RungValue.MedianOfLast k -> sprintf "median:%d" k
    let byFlag (field: string) (flag: string) (text: SearchRecord -> string) =
        sprintf "its %s = %s, this one's %s (%s)" field (text stored) (text record) flag
    let under (prefix: string) = d.Field = prefix || d.Field.StartsWith(prefix + ".")
    if under "scheduler.quota" then byFlag "scheduler.quota" "--quota" (fun r -> quota r.Scheduler.Quota)
    elif under "scheduler.rungValue" then byFlag "scheduler.rungValue" "--rung-value" (fun r -> rungValue r.Scheduler.RungValue)
    elif under "scheduler.metric" then byFlag "scheduler.metric" "--metric" (fun r -> SearchMetric.name r.Scheduler.Metric)
    // The scheduler's own fields sit under the record's `scheduler.scheduler.<case>.`: said by their flags.
    elif d.Field.StartsWith "scheduler.scheduler." && d.Field.EndsWith ".minSteps" then sprintf "its grace period (minSteps) = %s, this one's %s (--grace)" d.Left d.Right
    elif d.Field.StartsWith "scheduler.scheduler." && d.Field.EndsWith ".maxSteps" then sprintf "its most steps (maxSteps) = %s, this one's %s (--max-steps)" d.Left d.Right
    else sprintf "its %s = %s, this one's %s" d.Field d.Left d.Right

/// `--metric NAME`: a metrics.csv column, with the direction that is better for it (W1, its exact form, energy and NLL
/// keep their own cases, so a store records them as before).
let parseMetric (text: string) =
    let metric =
        match text with
        | "w1" -> SearchMetric.W1
        | "w1_exact" -> SearchMetric.W1Exact
        | "energy" -> SearchMetric.Energy
        | "nll" -> SearchMetric.Nll
        | column -> SearchMetric.Column column
    let columns = GanFlow.Core.Experiments.MetricColumns.all
    if GanFlow.Core.Experiments.MetricColumns.isMetric text then
        Ok(metric, (if List.contains text GanFlow.Core.Experiments.MetricColumns.largerIsBetter then Direction.Maximize else Direction.Minimize))
    else Error(sprintf "--metric %s: not a recorded metric; the metrics are %s" text (GanFlow.Core.Experiments.MetricColumns.metricNames columns))

/// The progress of a search read from its store.
let private progressOf (data: SearchData) =
    let counts = SearchData.counts data |> dict
    let best = data.Best |> Option.toObj
    let assignment =
        match data.Best with
        | Some b -> data.Trials |> List.tryFind (fun t -> t.Trial = b.Trial) |> Option.map _.Assignment |> Option.defaultValue ""
        | None -> ""
    let line =
        match List.tryLast data.Events with
        | Some e -> sprintf "#%d %s trial %d%s (%s)" e.Sequence e.Kind e.Trial (if e.Step.HasValue then sprintf " step %d" e.Step.Value else "") e.Worker
        | None -> "waiting for the first decision"
    SearchProgress(data.Record.Trials, data.Trials.Length, Collections.Generic.Dictionary(counts), best, assignment, line)

/// The progress display: a live table on a terminal, plain lines otherwise (CI logs).
let private display (record: SearchRecord) (started: Diagnostics.Stopwatch) =
    let interactive = not Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive
    let count (p: SearchProgress) s = match p.Counts.TryGetValue s with | true, n -> n | _ -> 0
    // As search-status counts them: `running` is every trial with a job under way, `promoted` those of them resumed.
    let running (p: SearchProgress) = count p "running" + count p "promoted"
    let line (p: SearchProgress) =
        let best = match p.Best with null -> "none yet" | b -> sprintf "trial %d %s %.5g at step %d (%s)" b.Trial (SearchMetric.name record.Scheduler.Metric) b.Metric b.Step p.BestAssignment
        sprintf "%s %d/%d started, %d running, %d promoted, %d paused, %d stopped, %d completed, %d diverged, %d failed; best %s"
            (started.Elapsed.ToString @"hh\:mm\:ss") p.Started p.Trials (running p) (count p "promoted") (count p "paused") (count p "stopped")
            (count p "completed") (count p "diverged") (count p "failed") best
    if interactive then
        let table = Table().AddColumn("search").AddColumn(record.Name)
        let rows = [ "elapsed"; "trials"; "running / promoted"; "paused / stopped"; "completed"; "diverged / failed"; "best"; "estimated time left"; "last" ]
        for r in rows do table.AddRow(r, "") |> ignore
        let expected = Rungs.expectedSteps record.Scheduler.Scheduler record.Trials
        let update (p: SearchProgress) (trained: int64) =
            let elapsed = started.Elapsed
            let left =
                if trained <= 0L then "?" else TimeSpan.FromSeconds(elapsed.TotalSeconds * max 0.0 (expected / float trained - 1.0)).ToString @"hh\:mm\:ss"
            let best = match p.Best with null -> "none yet" | b -> sprintf "trial %d: %s %.5g at step %d, %s" b.Trial (SearchMetric.name record.Scheduler.Metric) b.Metric b.Step p.BestAssignment
            let values =
                [ elapsed.ToString @"hh\:mm\:ss"; sprintf "%d of %d started" p.Started p.Trials; sprintf "%d / %d" (running p) (count p "promoted")
                  sprintf "%d / %d" (count p "paused") (count p "stopped"); string (count p "completed"); sprintf "%d / %d" (count p "diverged") (count p "failed")
                  best; left; p.Line ]
            values |> List.iteri (fun i v -> table.UpdateCell(i, 1, Markup.Escape v) |> ignore)
        Some table, update
    else
        None, (fun p _ -> eprintfn "%s | %s" (line p) p.Line)

/// Writes the search's report; a failure to write it is said, never the search's failure (the store holds everything,
/// and `ganflow report DIR` writes it again). Returns its path, or the reason it is missing.
let private writeReport (data: SearchData) =
    try
        SearchReport.writeData data
    with e when not (e :? OutOfMemoryException) ->
        let reason = GanFlow.Store.FailureText.Of e
        eprintfn "warning: the report could not be written (%s); `ganflow report %s` writes it again" reason data.Directory
        sprintf "(not written: %s)" reason

/// Whether `directory` is missing or holds nothing (a `--resume` there has nothing to resume).
let private isMissingOrEmpty (directory: string) =
    not (Directory.Exists directory) || Seq.isEmpty (Directory.EnumerateFileSystemEntries directory)

/// The local workers of `ganflow search`: K `ganflow worker` processes, each restarted when it dies before the search is
/// over (as a cluster manager would), all asked to stop (SIGTERM) on a signal.
type private LocalWorkers(command: GanflowCommand, arguments: string list, logs: string, count: int) =
    let slots = Array.init count (fun k -> k, ref (None: WorkerProcess option), ref 0)
    let start (k: int) =
        WorkerProcess.Start(command, arguments, null, Path.Combine(logs, sprintf "worker-%d.log" k), threads = 1, cores = WorkerProcess.CoreShare count)

    /// Starts every worker.
    member _.Start() =
        for k, p, _ in slots do
            p.Value <- Some(start k)

    /// Restarts the workers that died (exit by a signal or a failure) while `over` is false; returns whether any still
    /// runs, and the exit codes of those that ended for good.
    member _.Poll(over: unit -> bool, stopping: bool) =
        let mutable running = false
        for k, p, restarts in slots do
            match p.Value with
            | Some w when not w.HasExited -> running <- true
            | Some w ->
                let code = w.ExitCode
                if code <> 0 && code <> 2 && not stopping && restarts.Value < restartsPerWorker && not (over ()) then
                    eprintfn "worker %d ended with exit code %d; starting it again (%d of %d)" k code (restarts.Value + 1) restartsPerWorker
                    w.Dispose()
                    restarts.Value <- restarts.Value + 1
                    p.Value <- Some(start k)
                    running <- true
            | None -> ()
        running

    /// The exit codes of the workers that ended.
    member _.ExitCodes = slots |> Array.choose (fun (_, p, _) -> p.Value |> Option.filter _.HasExited |> Option.map _.ExitCode)

    /// Asks every worker to stop.
    member _.Terminate() =
        for _, p, _ in slots do
            p.Value |> Option.iter _.Terminate()

    interface IDisposable with
        member _.Dispose() =
            for _, p, _ in slots do
                p.Value |> Option.iter (fun w -> w.Kill(); w.Dispose())

/// Where the search of `outDirectory` is stored: `--store` if given, else the store its folder's store.json names, else
/// the folder's own study.db. Returns the location, the folder's full path, whether the store is the folder's study.db,
/// and whether the store may hold the search already (a folder's study.db only once the file exists).
let private searchLocation (outDirectory: string) (storeUrl: string option) =
    let pointed = if Directory.Exists outDirectory then SearchFolder.ReadPointer outDirectory |> Option.ofObj else None
    let location = SearchStoreLocation.Parse(storeUrl |> Option.orElse (pointed |> Option.map _.Store) |> Option.defaultValue "sqlite", outDirectory)
    let full = Path.GetFullPath outDirectory
    let inFolder = match location with :? SearchStoreLocation.Sqlite as s -> s.DatabaseFile = Path.GetFullPath(SqliteSearchStore.FileOf full) | _ -> false
    location, full, inFolder, (not inFolder || File.Exists(SqliteSearchStore.FileOf full))

/// The search as its store holds it: `declared` (the catalog's, which gives its space and how it trains) with the
/// scheduler and seed of the stored record and the stored number of trials. What a worker runs and what `--resume`
/// continues.
let private asStored (declared: Search) (record: SearchRecord) (header: SearchHeader) =
    { declared with Scheduler = record.Scheduler; Trials = header.Trials; Seed = record.Seed }

/// The search `--resume` continues: `declared` with the trials, seed and scheduler its store holds; None when the store
/// does not hold it yet (the checks of `run` then say that there is nothing to resume). A store that cannot be reached
/// or read is refused here (exit 2, naming it), not taken for an empty one.
let private storedSearch (declared: Search) (outDirectory: string) (storeUrl: string option) (passwordFile: string option) =
    let location, _, _, existing = searchLocation outDirectory storeUrl
    if not existing then None
    else
        use store = location.Open(declared.Name, SearchStoreAccess.ReadOnly, Option.toObj passwordFile)
        match store.ReadHeader() with
        | null -> None
        | header ->
            let record = RunStore.ParseJson<SearchRecord>(header.RecordJson, sprintf "%s (search %s)" store.Location header.Name)
            Some(asStored declared record header)

/// What `ganflow search` finds in its store before it writes anything: a search to start or continue, a refusal (exit 2),
/// or this very search finished (left as it is, exit 0).
[<NoComparison; NoEquality>]
type private StoreState =
    | Proceed
    | Refused of message: string
    | AlreadyFinished of data: SearchData

/// The most local worker processes one `ganflow search` starts: each is a process of its own with libtorch loaded, and
/// a mistyped count (100,000) would otherwise fork until the machine stops answering.
let maxLocalWorkers = 256

/// Records (or resumes) a search in its store and runs its local workers; returns the exit code: 0 when it finished (or
/// `--workers 0` recorded it), 2 on bad input (nothing started), 130/143 when stopped by a signal (`--resume` continues),
/// 1 when the workers ended before the search did.
let run
    (declared: Search)
    (overrides: Search -> Search)
    (outDirectory: string)
    (storeUrl: string option)
    (passwordFile: string option)
    (workers: int option)
    (resume: bool)
    (fresh: bool)
    (device: string)
    (leaseSeconds: float option)
    =
    // --resume continues the search its store holds: its trials, seed and scheduler, changed only by the flags given.
    let search = overrides (if resume && not fresh then defaultArg (storedSearch declared outDirectory storeUrl passwordFile) declared else declared)
    // By default the search's own count, never more than its trials (the rest would wait idle).
    let workers = workers |> Option.defaultValue (min search.Workers (max search.Trials 1))
    let lease = defaultArg leaseSeconds defaultLeaseSeconds
    let errors =
        SearchValidation.errors search
        @ (if workers < 0 then Check.fail "--workers" workers "must be >= 0 (0 records the search and exits)"
           elif workers > maxLocalWorkers then
               Check.fail "--workers" workers (sprintf "must be <= %d local worker processes (start more with `ganflow worker` on other machines)" maxLocalWorkers)
           elif workers > search.Trials && search.Trials >= 1 then // fewer than 1 trial is the search's own error
               Check.fail "--workers" workers (sprintf "must be <= the search's %d trials (a worker runs one trial's job at a time: more would wait idle)" search.Trials)
           else [])
        @ (if resume && fresh then Check.fail "--fresh" true "cannot be combined with --resume" else [])
        @ (let low, high = leaseSecondsRange
           if lease >= low && lease <= high then []
           else Check.fail "--lease-seconds" lease (sprintf "must be from %g to %g seconds (a day)" low high))
        @ (match GanFlow.Runtime.Training.DataSplits.Problem search.Base with
           | null -> []
           | problem -> Check.fail "base.data" search.Base.Name problem)
    if not errors.IsEmpty then
        eprintfn "error: invalid search %s:" search.Name
        errors |> List.iter (eprintfn "  %O")
        2
    elif resume && isMissingOrEmpty outDirectory then
        eprintfn "error: --resume %s: nothing to resume (%s); nothing was created. Run without --resume to start the search"
            outDirectory (if Directory.Exists outDirectory then "the folder is empty" else "no such folder")
        2
    else
        // Without --store, a folder whose store.json names a server store resumes there; otherwise the folder's study.db.
        let location, full, inFolder, existing = searchLocation outDirectory storeUrl
        passwordFile |> Option.iter (SearchStoreLocation.ReadPasswordFile >> ignore)
        DeviceSelection.FromString device |> ignore
        let record = Search.record search
        // The store first: an unreachable server, wrong credentials or another search under this name are refused before
        // the folder is created or anything is written.
        let openStore () = location.Open(search.Name, SearchStoreAccess.Create, Option.toObj passwordFile)
        // A search folder holds one search: its trials/NNNN are that search's run folders, so a second search there would
        // meet the first one's trial folders (every job refused, given back and taken again, without end).
        let othersHere =
            if not (Directory.Exists full) then []
            elif inFolder then
                if File.Exists(SqliteSearchStore.FileOf full) then SqliteSearchStore.SearchNames(SqliteSearchStore.FileOf full) |> Seq.filter ((<>) search.Name) |> List.ofSeq
                else []
            else
                match SearchFolder.ReadPointer full with
                | null -> []
                | pointer when pointer.Search <> search.Name -> [ pointer.Search ]
                | _ -> []
        let state =
            if not othersHere.IsEmpty && not fresh then
                Refused(sprintf "%s holds the search %s (a folder holds one search: its trials/ are that search's); nothing was changed (give another --out, or --fresh to replace it)"
                    outDirectory (String.concat ", " othersHere))
            elif not othersHere.IsEmpty && not inFolder then
                // Its rows live on in the server store, whose workers would write into this folder: never replaced from here.
                Refused(sprintf "%s holds the search %s, whose store is %s (a folder holds one search: its trials/ are that search's); nothing was changed (give another --out)"
                    outDirectory (String.concat ", " othersHere) location.Url)
            elif fresh && not inFolder then
                // --fresh replaces the search from its own folder only: the store's search of this name may belong to another.
                use store = openStore ()
                match store.ReadHeader() with
                | null -> Proceed
                | header when header.OutDirectory <> full ->
                    Refused(sprintf "%s records the search %s with its folder at %s, not %s; nothing was changed (--fresh replaces a search from its own folder: give --out %s --fresh, or choose another store)"
                        store.Location search.Name header.OutDirectory full header.OutDirectory)
                | _ -> Proceed
            elif fresh then Proceed
            elif not existing then
                if resume then Refused(sprintf "--resume: nothing to resume: %s holds no %s" outDirectory SqliteSearchStore.FileName) else Proceed
            else
                use store = openStore ()
                match store.ReadHeader() with
                | null when resume -> Refused(sprintf "--resume: nothing to resume: %s holds no search named %s" store.Location search.Name)
                | null -> Proceed
                | header ->
                    let stored = RunStore.ParseJson<SearchRecord>(header.RecordJson, sprintf "%s (search %s)" store.Location header.Name)
                    let started = store.ReadTrials().Count
                    match SpecDiff.first [ "trials"; "description" ] stored record with
                    | Some d ->
                        Refused(sprintf "%s holds another search under the name %s: %s; nothing was changed (--fresh replaces it, or choose another store)"
                            store.Location search.Name (describeDifference d stored record))
                    | None when header.OutDirectory <> full ->
                        Refused(sprintf "%s records the search %s with its folder at %s, not %s; nothing was changed (give that --out)" store.Location search.Name header.OutDirectory full)
                    | None when not resume ->
                        // As `ganflow run` does with a finished run: the same search finished is left as it is.
                        let data = { SearchData.read store with Directory = outDirectory }
                        // Its trials are never lowered, so asking for as many or fewer finds it finished.
                        if SearchData.isFinished data && record.Trials <= header.Trials then AlreadyFinished data
                        elif SearchData.isFinished data then
                            Refused(sprintf "%s already holds this search, finished with %d trials, fewer than the %d asked for: `--resume --trials %d` adds the rest, --fresh starts it over" store.Location header.Trials record.Trials record.Trials)
                        else Refused(sprintf "%s already holds this search unfinished (%d of %d trials recorded): --resume continues it, --fresh starts it over" store.Location started header.Trials)
                    | None when record.Trials < started -> Refused(sprintf "--trials %d: the search has already started %d trials" record.Trials started)
                    | None -> Proceed
        let folder = match state with Proceed -> Some(OwnedFolder.Open(outDirectory, FolderKind.Search)) | _ -> None
        use _folder: IDisposable | null = match folder with Some f -> f | None -> null
        let store =
            match state with
            | Refused _ | AlreadyFinished _ -> None
            | Proceed ->
                if fresh then
                    match othersHere with
                    | [] -> eprintfn "--fresh: replacing the search %s in %s" search.Name outDirectory
                    | others -> eprintfn "--fresh: replacing the search %s in %s with %s" (String.concat ", " others) outDirectory search.Name
                    if not inFolder then (use store = openStore () in store.DeleteSearch())
                    folder.Value.RemoveOwnFiles SearchFolder.Files
                let store = openStore ()
                match store.ReadHeader() with
                | null ->
                    store.CreateSearch(SearchHeader(search.Name, SpecJson.serialize record, record.Trials, full, lease))
                    if not inFolder then SearchFolder.WritePointer(full, SearchStorePointer(location.Url, search.Name))
                | header -> store.UpdateSearch(SpecJson.serialize record, record.Trials, defaultArg leaseSeconds header.LeaseSeconds)
                Some store
        use _store: IDisposable | null = match store with Some s -> s | None -> null
        match state with
        | Refused message ->
            eprintfn "error: %s" message
            2
        | AlreadyFinished data ->
            eprintfn "%s already holds this search, finished: nothing to do (--fresh runs it again)" outDirectory
            for key, value in SearchData.statusLines data do
                printfn "%s = %s" key value
            let report = Path.Combine(outDirectory, RunFiles.Report)
            if File.Exists report then printfn "report = %s" report
            0
        | Proceed when workers = 0 ->
            let store = store.Value
            printfn "search = %s" search.Name
            printfn "store = %s" location.Url
            printfn "out = %s" full
            // The command as it works: the password file too, by its full path (never the password itself).
            let password = passwordFile |> Option.map (fun f -> " --store-password-file " + RunCommand.shellQuoted (Path.GetFullPath f)) |> Option.defaultValue ""
            printfn "worker = ganflow worker --store %s --search %s%s" (RunCommand.shellQuoted location.Url) (RunCommand.shellQuoted search.Name) password
            0
        | Proceed ->
            let store = store.Value
            let started = Diagnostics.Stopwatch.StartNew()
            use cancel = new CancellationTokenSource()
            let signal = ref 0
            let registrations = Signals.stopOn cancel signal
            let command = GanflowCommand.Of(Reflection.Assembly.GetExecutingAssembly().Location)
            let arguments =
                // This process writes the report when the search ends (a worker would write it first, and this one again).
                [ "worker"; "--store"; location.Url; "--search"; search.Name; "--device"; device; "--threads"; "1"; "--no-report" ]
                @ (match passwordFile with Some f -> [ "--store-password-file"; Path.GetFullPath f ] | None -> [])
            let logs = Path.Combine(full, SearchFolder.WorkerLogs)
            Directory.CreateDirectory logs |> ignore
            let table, update = display record started
            let milestones = Rungs.milestones record.Scheduler.Scheduler |> List.map string |> String.concat ", "
            eprintfn "search %s: %d trials, %d worker process(es) on %s, milestones %s, store %s -> %s" search.Name search.Trials workers device milestones location.Url outDirectory
            use local = new LocalWorkers(command, arguments, logs, workers)
            local.Start()
            let watch (refresh: unit -> unit) =
                // The watcher shares the machine with the workers: every half second it counts the log's events (one
                // COUNT), and reads the whole search (and updates the display) only when the log grew, at most every
                // `watchReadInterval`, or at once when a worker died and whether the search is over decides its restart.
                // Reading it at every new event cost 1.47 s of CPU over a 17 s search of two workers, most of it .NET's
                // tiered compilation of that code; 1.12-1.19 s this way (docs/distributed-search.md).
                let mutable shown = -1
                let sinceRead = Diagnostics.Stopwatch.StartNew()
                let mutable finished = false
                let mutable terminated = false
                let mutable go = true
                let readIfGrown (now: bool) =
                    let logged = store.CountEvents()
                    if logged <> shown && (now || shown < 0 || sinceRead.Elapsed >= watchReadInterval) then
                        shown <- logged
                        sinceRead.Restart()
                        let data = SearchData.read store
                        finished <- SearchData.isFinished data
                        update (progressOf data) (SearchData.trainedSteps data)
                        refresh ()
                while go do
                    if cancel.IsCancellationRequested && not terminated then
                        eprintfn "stopping: each worker gives its job back after the job's next checkpoint"
                        local.Terminate()
                        terminated <- true
                    readIfGrown false
                    go <- local.Poll((fun () -> readIfGrown true; finished), cancel.IsCancellationRequested)
                    if go then Thread.Sleep 500
            match table with
            | Some t -> AnsiConsole.Live(t).Start(fun context -> watch context.Refresh)
            | None -> watch ignore
            registrations |> List.iter (fun r -> r.Dispose())
            let data = { SearchData.read store with Directory = outDirectory }
            let report = writeReport data
            for key, value in SearchData.statusLines data do
                printfn "%s = %s" key value
            printfn "wall_seconds = %.1f" started.Elapsed.TotalSeconds
            printfn "report = %s" report
            if signal.Value <> 0 then
                eprintfn "search stopped by a signal: `ganflow search %s --out %s --resume` continues it" search.Name outDirectory
                signal.Value
            elif SearchData.isFinished data then 0
            else
                eprintfn "the workers ended before the search did (exit codes %s; see %s)" (local.ExitCodes |> Array.map string |> String.concat ", ") logs
                1

/// `ganflow worker --store URL --search NAME`: one long-lived worker. Returns the exit code: 0 when the search is over
/// or the idle limit passed, 2 on bad input (nothing run), 130/143 when stopped by a signal (its job given back).
let worker (storeUrl: string) (name: string) (passwordFile: string option) (device: string) (threads: int) (idleExit: float option) (noReport: bool) =
    let bad =
        Check.threads "--threads" Environment.ProcessorCount threads
        @ (match idleExit with
           | Some s when not (s >= 0.0 && s <= maxIdleExitSeconds) ->
               Check.fail "--idle-exit" s (sprintf "must be from 0 to %g seconds (a week); leave it out to wait until the search is over" maxIdleExitSeconds)
           | _ -> [])
    if not bad.IsEmpty then
        bad |> List.iter (eprintfn "error: %O")
        2
    else
        let location = SearchStoreLocation.Parse(storeUrl, null)
        let deviceRequest = DeviceSelection.FromString device
        use store = location.Open(name, SearchStoreAccess.ReadWrite, Option.toObj passwordFile)
        match store.ReadHeader() with
        | null ->
            eprintfn "error: %s holds no search named %s (record it with `ganflow search %s --store %s --out DIR --workers 0`)" store.Location name name location.Url
            2
        | header ->
            let record = RunStore.ParseJson<SearchRecord>(header.RecordJson, sprintf "%s (search %s)" store.Location name)
            match GanFlow.Experiments.Catalog.tryFind name with
            | Some(GanFlow.Core.Experiments.Declared.Search declared) ->
                let search = asStored declared record header
                match SpecDiff.first [ "trials"; "description" ] record (Search.record search) with
                | Some d ->
                    eprintfn "error: this ganflow declares the search %s differently from the one %s holds: its %s = %s, here %s" name store.Location d.Field d.Left d.Right
                    2
                | None ->
                    let out = header.OutDirectory
                    let writable =
                        try
                            let trials = Path.Combine(out, SearchDriver.TrialsFolder)
                            Directory.CreateDirectory trials |> ignore
                            let probe = Path.Combine(trials, sprintf ".probe-%s" (Guid.NewGuid().ToString "N"))
                            File.WriteAllText(probe, "")
                            File.Delete probe
                            None
                        with e when (e :? IOException || e :? UnauthorizedAccessException) -> Some(GanFlow.Store.FailureText.Of e)
                    match writable with
                    | Some reason ->
                        eprintfn "error: the search's folder %s (its --out) cannot be written here: %s" out reason
                        2
                    | None ->
                        use keeper = location.Open(name, SearchStoreAccess.ReadWrite, Option.toObj passwordFile)
                        let runner: ITrialRunner =
                            match search.Trainer with
                            | TrialTrainer.ClosedForm curve -> ClosedFormTrialRunner(search, curve)
                            | TrialTrainer.Experiment ->
                                TorchSetup.Initialize threads
                                ExperimentTrialRunner(device)
                        let id = SearchWorker.NewId()
                        let options =
                            WorkerOptions(
                                id,
                                IdleExit = Option.toNullable (idleExit |> Option.map TimeSpan.FromSeconds),
                                // A worker that lost its lease ends at once: it writes nothing more, and its job goes on elsewhere.
                                OnLeaseLost = Action<Lease>(fun lease ->
                                    eprintfn "%s: lease of trial %d lost: ending this process at once" id lease.Trial
                                    Diagnostics.Process.GetCurrentProcess().Kill()),
                                Log = Action<string>(eprintfn "%s"))
                        let w = SearchWorker(search, store, keeper, runner, out, options)
                        w.add_Recorded(Action<string>(fun line -> eprintfn "%s: %s" id line))
                        use cancel = new CancellationTokenSource()
                        let signal = ref 0
                        let registrations = Signals.stopOn cancel signal
                        eprintfn "worker %s: search %s in %s, folder %s, device %O, lease %.0f s, %d core(s)" id name store.Location out deviceRequest header.LeaseSeconds Environment.ProcessorCount
                        let ended =
                            try
                                w.Run cancel.Token
                            with e when w.LeftJobRunning ->
                                // A failure (the store unreachable while giving the job back) with the job still training.
                                eprintfn "error: worker %s: %s" id (GanFlow.Store.FailureText.Of e)
                                GanFlow.Runtime.Processes.ImmediateExit.With 1
                                reraise ()
                        registrations |> List.iter (fun r -> r.Dispose())
                        eprintfn "worker %s: %A after %d job(s)" id ended w.Jobs
                        if ended = WorkerEnd.Finished && not noReport then
                            // The worker that recorded the search's last event writes the report.
                            let events = store.ReadEvents()
                            if events.Count > 0 && events[events.Count - 1].Worker = id then
                                eprintfn "report = %s" (writeReport (SearchData.read store))
                        let code =
                            match ended with
                            | WorkerEnd.Stopped -> if signal.Value <> 0 then signal.Value else 143
                            | _ -> 0
                        // A job still training on its own thread would crash an ordinary exit (libtorch torn down under it).
                        if w.LeftJobRunning then GanFlow.Runtime.Processes.ImmediateExit.With code
                        code
            | _ ->
                eprintfn "error: %s holds a search named %s, which this ganflow does not declare (`ganflow list`)" store.Location name
                2

/// `ganflow search-status DIR` or `--store URL --search NAME`: the state as `key = value` lines; exit 0 whether or not
/// the search is finished, 2 when there is no such search.
let status (folder: string option) (storeUrl: string option) (name: string option) (passwordFile: string option) =
    let data =
        match folder, storeUrl, name with
        | Some directory, None, None -> Ok(SearchData.loadWith directory passwordFile)
        | None, Some url, Some name ->
            use store = SearchStoreLocation.Parse(url, null).Open(name, SearchStoreAccess.ReadOnly, Option.toObj passwordFile)
            match store.ReadHeader() with
            | null -> Error(sprintf "%s holds no search named %s" store.Location name)
            | _ -> Ok(SearchData.read store)
        | Some directory, _, _ -> Error(sprintf "give the search folder %s or --store URL and --search NAME, not both" directory)
        | None, Some _, None -> Error "--store needs --search NAME (the search's name in the store)"
        | None, None, Some _ -> Error "--search needs --store URL (where the search is recorded)"
        | None, None, None -> Error "give a search folder, or --store URL and --search NAME"
    match data with
    | Ok data ->
        for key, value in SearchData.statusLines data do
            printfn "%s = %s" key value
        0
    | Error message ->
        eprintfn "error: %s" message
        2
