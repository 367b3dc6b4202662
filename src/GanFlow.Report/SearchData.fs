namespace GanFlow.Report

open System.IO
open GanFlow.Core.Search
open GanFlow.Store

/// A search read back from its store: the search's record, every trial, every evaluation, the event log, the job
/// attempts and the workers.
type SearchData =
    { /// The search folder (trial folders, the report).
      Directory: string
      /// Where the store is (never with a password).
      Store: string
      Record: SearchRecord
      Trials: TrialRow list
      Reports: TrialReport list
      Events: SearchEvent list
      Best: BestTrial option
      Attempts: AttemptRow list
      Workers: WorkerRow list }

module SearchData =

    /// Statuses a trial can have in the store, in display order.
    let statuses = [ "running"; "promoted"; "paused"; "stopped"; "completed"; "diverged"; "failed" ]

    /// Reads the search of `store` (safe while workers write: each read is a committed snapshot).
    /// Raises `RunFolderException` when the store holds no such search.
    let read (store: ISearchStore) =
        let header =
            match store.ReadHeader() with
            | null -> raise (RunFolderException(sprintf "%s holds no search named %s" store.Location store.SearchName))
            | h -> h
        { Directory = header.OutDirectory
          Store = store.Location
          Record = RunStore.ParseJson<SearchRecord>(header.RecordJson, sprintf "%s (record of search %s)" store.Location header.Name)
          Trials = List.ofSeq (store.ReadTrials())
          Reports = List.ofSeq (store.ReadReports())
          Events = List.ofSeq (store.ReadEvents())
          Best = Option.ofObj (store.ReadBest())
          Attempts = List.ofSeq (store.ReadAttempts())
          Workers = List.ofSeq (store.ReadWorkers()) }

    /// Reads the search of the search folder `directory` (its study.db, or the store its store.json points to, with the
    /// password from `passwordFile`, PGPASSWORD or ~/.pgpass), read-only. The folder is the one given, wherever the
    /// store says the search's folder is (a shared folder may be mounted at another path here).
    /// Raises `RunFolderException` when the folder holds no search or its store cannot be used.
    let loadWith (directory: string) (passwordFile: string option) =
        use store = SearchFolder.OpenStore(directory, SearchStoreAccess.ReadOnly, Option.toObj passwordFile)
        { read store with Directory = directory }

    /// Reads the search of the search folder `directory` (see `loadWith`).
    let load (directory: string) = loadWith directory None

    /// Trials per status.
    let counts (data: SearchData) =
        statuses |> List.map (fun s -> s, data.Trials |> List.filter (fun t -> t.Status = s) |> List.length)

    /// Training steps done by all trials together.
    let trainedSteps (data: SearchData) = data.Trials |> List.sumBy (fun t -> int64 t.Steps)

    /// Whether the search ran to its end (nothing running, every trial started and in a final state).
    let isFinished (data: SearchData) =
        data.Trials.Length = data.Record.Trials
        && data.Trials |> List.forall (fun t -> List.contains t.Status [ "stopped"; "completed"; "diverged"; "failed" ])

    /// The `key = value` lines of `ganflow search-status` (also printed at the end of `ganflow search`).
    let statusLines (data: SearchData) =
        let metricName = SearchMetric.name data.Record.Scheduler.Metric
        let count s = counts data |> List.find (fst >> (=) s) |> snd
        [ "search", data.Record.Name
          "trials", string data.Record.Trials
          "started", string data.Trials.Length
          "running", string (count "running" + count "promoted")
          "promoted", string (count "promoted")
          "paused", string (count "paused")
          "stopped", string (count "stopped")
          "completed", string (count "completed")
          "diverged", string (count "diverged")
          "failed", string (count "failed")
          "finished", (if isFinished data then "true" else "false")
          "best_trial", (match data.Best with Some b -> string b.Trial | None -> "none")
          sprintf "best_%s" metricName, (match data.Best with Some b -> b.Metric.ToString("R", System.Globalization.CultureInfo.InvariantCulture) | None -> "NaN")
          "best_step", (match data.Best with Some b -> string b.Step | None -> "0")
          "best_assignment", (match data.Best with Some b -> (data.Trials |> List.find (fun t -> t.Trial = b.Trial)).Assignment | None -> "")
          "generator_steps", string (trainedSteps data)
          "decisions", string (data.Events |> List.filter (fun e -> List.contains e.Kind [ "start"; "promote"; "pause"; "complete"; "stop"; "diverge"; "fail" ]) |> List.length)
          "workers", string (data.Workers |> List.filter _.Alive |> List.length)
          "leases_expired", string (data.Attempts |> List.filter (fun a -> a.Outcome = "expired") |> List.length)
          "attempts", string data.Attempts.Length ]
        |> List.distinctBy fst
