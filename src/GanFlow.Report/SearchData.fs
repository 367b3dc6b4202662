namespace GanFlow.Report

open System.IO
open GanFlow.Core.Search
open GanFlow.Store

/// A search folder read back from its store: the search's record, every trial, every evaluation, the event log.
type SearchData =
    { Directory: string
      Record: SearchRecord
      Trials: TrialRow list
      Reports: TrialReport list
      Events: SearchEvent list
      Best: BestTrial option }

module SearchData =

    /// Statuses a trial can have in the store, in display order.
    let statuses = [ "running"; "promoted"; "paused"; "stopped"; "completed"; "diverged"; "failed" ]

    /// Reads a search folder's store (read-only: safe while the search runs).
    /// Raises `RunFolderException` when the folder holds no readable store.
    let load (directory: string) =
        use store = SqliteSearchStore.Open(directory, readOnly = true)
        let header =
            match store.ReadHeader() with
            | null -> raise (RunFolderException(sprintf "%s: its %s records no search yet" directory SqliteSearchStore.FileName))
            | h -> h
        { Directory = directory
          Record = RunStore.ParseJson<SearchRecord>(header.RecordJson, Path.Combine(directory, SqliteSearchStore.FileName) + " (search record)")
          Trials = List.ofSeq (store.ReadTrials())
          Reports = List.ofSeq (store.ReadReports())
          Events = List.ofSeq (store.ReadEvents())
          Best = Option.ofObj (store.ReadBest()) }

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
        let metricName = (sprintf "%A" data.Record.Scheduler.Metric).ToLowerInvariant()
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
          sprintf "best_%s" metricName, (match data.Best with Some b -> b.Metric.ToString("R", System.Globalization.CultureInfo.InvariantCulture) | None -> "nan")
          "best_step", (match data.Best with Some b -> string b.Step | None -> "0")
          "best_assignment", (match data.Best with Some b -> (data.Trials |> List.find (fun t -> t.Trial = b.Trial)).Assignment | None -> "")
          "generator_steps", string (trainedSteps data)
          "decisions", string (data.Events |> List.filter (fun e -> List.contains e.Kind [ "start"; "promote"; "pause"; "complete"; "stop"; "diverge"; "fail" ]) |> List.length) ]
        |> List.distinctBy fst
