/// Searches across worker processes sharing one store (issue 18): the chaos test (64 closed-form trials, 6 `ganflow
/// worker` processes killed with SIGKILL or frozen with SIGSTOP every few seconds and restarted) on PostgreSQL and on
/// SQLite; a real search on PostgreSQL with a worker killed; 1 worker on PostgreSQL and on SQLite giving the same store;
/// a lease lost in process; SIGTERM giving a lease back; credentials that never show; and the bad inputs refused.
module GanFlow.Tests.DistributedSearchTests

open System
open System.Diagnostics
open System.IO
open System.Threading
open Expecto
open GanFlow.Core.Experiments
open GanFlow.Core.Search
open GanFlow.Runtime.Search
open GanFlow.Store
open GanFlow.Report
open GanFlow.Tests.TestStores

/// The ganflow assembly built beside the tests.
let private ganflowDll = Path.Combine(AppContext.BaseDirectory, "ganflow.dll")

/// Starts `dotnet ganflow.dll ARGS` with extra environment variables, its output appended to `log`.
let private startLogged (env: (string * string) list) (log: string) (args: string list) =
    let start = ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    start.ArgumentList.Add ganflowDll
    for a in args do start.ArgumentList.Add a
    for k, v in env do start.Environment[k] <- v
    let p = nonNull (Process.Start start)
    let gate = obj ()
    let write (line: string | null) =
        match line with
        | null -> ()
        | l -> lock gate (fun () -> File.AppendAllText(log, l + "\n"))
    p.OutputDataReceived.Add(fun e -> write e.Data)
    p.ErrorDataReceived.Add(fun e -> write e.Data)
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    p

/// Runs `ganflow ARGS` to its end with extra environment variables, its output appended to `log`; the exit code.
let private runLogged (env: (string * string) list) (log: string) (args: string list) =
    use p = startLogged env log args
    p.WaitForExit()
    p.ExitCode

/// `--store-password-file FILE` when there is a file.
let private passwordArgs (file: string option) = match file with Some f -> [ "--store-password-file"; f ] | None -> []

/// Sends a signal with kill(1).
let private signal (name: string) (pid: int) =
    use k = Process.Start("kill", [ "-" + name; string pid ])
    k.WaitForExit()

/// Waits with `wait` until a job is held, then freezes (SIGSTOP) the worker holding the first of `held ()` and reads
/// the store again: if the same attempt is still open and `accept` takes it, returns it and the frozen worker's process
/// ID; otherwise (it ended before the freeze, or it is too far along) the worker is continued and the wait begins again.
/// A job read as held can otherwise end before a signal reaches its worker (under load a job read as held was once
/// reported before SIGKILL arrived).
let rec private freezeHolder (held: unit -> AttemptRow list) (accept: AttemptRow -> bool) (wait: unit -> unit) : AttemptRow * int =
    wait ()
    let chosen = List.head (held ())
    let pid = int (chosen.Worker.Split(':')[1])
    signal "STOP" pid
    let same (a: AttemptRow) = a.Worker = chosen.Worker && a.Trial = chosen.Trial && a.Attempt = chosen.Attempt && a.ToStep = chosen.ToStep
    if held () |> List.exists same && accept chosen then
        chosen, pid
    else
        signal "CONT" pid
        freezeHolder held accept wait

/// The closed-form search as the catalog declares it.
let private closedForm = GanFlow.Experiments.ClosedFormSearch.search


/// The search of `name` at `url`, read-only.
let private readSearch (url: string) (file: string option) (name: string) =
    use store = SearchStoreLocation.Parse(url, null).Open(name, SearchStoreAccess.ReadOnly, Option.toObj file)
    SearchData.read store

/// Records `search` with 2 trials and the rungs `grace` and `maxSteps` (a 300 s lease) in a fresh folder named `name`,
/// starts one worker (with `workerArgs`), freezes it while it holds a job past its first checkpoint with more than
/// `margin` steps to go before the job's end (whose last checkpoint is its end, where it would report rather than give
/// the lease back), sends SIGTERM, lets it go on and waits for its exit. Returns the folder, the store's URL, the log,
/// the ended worker and the job it held.
let private stopMidJob (search: Search) (grace: int) (maxSteps: int) (margin: int) (workerArgs: string list) (name: string) =
    let folder = TestFolders.fresh name
    let log = folder + ".log"
    Expect.equal
        (runLogged [] log [ "search"; search.Name; "--out"; folder; "--trials"; "2"; "--grace"; string grace; "--max-steps"; string maxSteps; "--workers"; "0"; "--lease-seconds"; "300" ])
        0 "recorded"
    let url = "sqlite:" + SqliteSearchStore.FileOf folder
    let held () = (readSearch url None search.Name).Attempts |> List.filter (fun a -> isNull a.Ended)
    let first = startLogged [] log ([ "worker"; "--store"; url; "--search"; search.Name ] @ workerArgs)
    let checkpointed () =
        match held () with
        | a :: _ -> File.Exists(Path.Combine(folder, SearchDriver.TrialFolder a.Trial, RunFiles.Checkpoint, CheckpointFolders.ManifestFile))
        | [] -> false
    let beforeItsLastCheckpoint (a: AttemptRow) =
        let struct (manifest, _) = CheckpointFolders.Check(Path.Combine(folder, SearchDriver.TrialFolder a.Trial, RunFiles.Checkpoint))
        match manifest with
        | null -> false
        | m -> m.Step < a.ToStep - margin
    let job, _ = freezeHolder held beforeItsLastCheckpoint (fun () -> ProcessTests.waitWhileRunning first "a job held past its first checkpoint" checkpointed)
    signal "TERM" first.Id // pending while frozen, delivered on SIGCONT
    signal "CONT" first.Id
    first.WaitForExit()
    folder, url, log, first, job

/// Seconds since 1970 of a store's ISO time.
let private seconds (iso: string) = DateTimeOffset.Parse(iso, Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() |> float |> (*) 0.001

/// Everything a finished search's store must show, whatever killed what on the way: every trial accounted for, each job
/// with exactly one outcome (no milestone recorded twice, none lost), no two attempts at one trial overlapping, every
/// ASHA invariant at every decision, and the log's replay equal to the stored trials and best.
let checkFinishedSearch (search: Search) (data: SearchData) =
    Expect.isTrue (SearchData.isFinished data) "the search finished"
    Expect.equal data.Trials.Length search.Trials "every trial started"
    Expect.all data.Trials (fun t -> List.contains t.Status [ "completed"; "stopped"; "diverged" ]) "every trial in a final state, none failed"
    let jobs = data.Events |> List.filter (fun e -> e.Kind = "start" || e.Kind = "promote") |> List.map (fun e -> e.Trial, e.Step.Value)
    let outcomes = data.Events |> List.filter (fun e -> List.contains e.Kind [ "reached"; "diverged"; "failed" ])
    Expect.equal (jobs |> List.distinct |> List.length) jobs.Length "no job issued twice"
    Expect.equal (outcomes |> List.map (fun e -> e.Trial, e.Rung.Value) |> List.distinct |> List.length) outcomes.Length "no milestone recorded twice"
    Expect.equal outcomes.Length jobs.Length "every job has its outcome: none lost"
    // No two attempts at one trial at once: by the database's clock each ended before the next began.
    for trial, attempts in data.Attempts |> List.groupBy _.Trial do
        for a, b in attempts |> List.sortBy (fun a -> seconds a.Started) |> List.pairwise do
            match a.Ended with
            | null -> failtestf "trial %d: attempt %d at step %d never ended, yet attempt %d at step %d began" trial a.Attempt a.ToStep b.Attempt b.ToStep
            | ended ->
                Expect.isLessThanOrEqual (seconds ended) (seconds b.Started + 0.001)
                    (sprintf "trial %d: attempt %d at step %d ended before attempt %d at step %d began" trial a.Attempt a.ToStep b.Attempt b.ToStep)
    // Every decision, replayed one event at a time, keeps ASHA's invariants; the replay gives the stored state.
    let ledger = SearchLedger(search, data.Store)
    ledger.AllowTrials search.Trials
    for e in data.Events do
        if e.Kind = "start" || e.Kind = "promote" then
            let decision =
                if e.Kind = "start" then Decision.Start(e.Trial, e.Step.Value) else Decision.Promote(e.Trial, e.Rung.Value, e.Step.Value)
            Expect.isEmpty (SchedulerTests.ashaViolations ledger.State decision) (sprintf "event #%d keeps ASHA's invariants" e.Sequence)
        ledger.Fold [ e ]
    for t in data.Trials do
        let status, rung =
            match ledger.State.Phases[t.Trial] with
            | TrialPhase.Completed -> "completed", ledger.State.Milestones.Length - 1
            | TrialPhase.Stopped r -> "stopped", r
            | TrialPhase.Diverged -> "diverged", t.Rung
            | other -> sprintf "%A" other, -1
        Expect.equal (t.Status, t.Rung, t.Steps) (status, rung, ledger.StepsOf t.Trial) (sprintf "trial %d: the stored row is the replay's" t.Trial)
        let expected = if status = "diverged" || status = "failed" then None else ledger.LastValueOf t.Trial |> Option.ofNullable
        Expect.equal (Option.ofNullable t.Metric) expected (sprintf "trial %d: the stored metric is the replay's" t.Trial)
    Expect.equal (Option.ofObj (ledger.Best())) data.Best "the stored best is the replay's"

/// The steps each process logged in a closed-form trial's run.log: no two processes' stretches of steps overlap in time
/// (the machine's monotonic clock, shared by all its processes).
let private checkNoOverlap (folder: string) =
    for trial in Directory.GetDirectories(Path.Combine(folder, SearchDriver.TrialsFolder)) do
        let steps =
            File.ReadAllLines(Path.Combine(trial, RunFiles.Log))
            |> Array.choose (fun line ->
                match line.Split(' ') with
                | [| "step"; _; "pid"; pid; "t"; t |] -> Some(int pid, int64 t)
                | _ -> None)
        let stretches =
            steps
            |> Array.fold (fun (acc: (int * int64 * int64) list) (pid, t) ->
                match acc with
                | (p, first, _) :: rest when p = pid -> (p, first, t) :: rest
                | _ -> (pid, t, t) :: acc) []
            |> List.rev
        for (p1, a1, b1), (p2, a2, _) in List.pairwise stretches do
            if p1 <> p2 then Expect.isLessThan b1 a2 (sprintf "%s: process %d's steps ended before process %d's began" trial p1 p2)

/// The chaos test on one backend: 64 closed-form trials, 6 worker processes; every 1.5-3.5 s a random worker is killed
/// with SIGKILL (and restarted) or frozen with SIGSTOP past its lease (then continued: it must end itself, its report
/// refused); at the end everything `checkFinishedSearch` asks holds, and no two processes trained one trial at once.
let private chaos (backend: Backend) =
    let url, file = backend.Fresh()
    let out = TestFolders.fresh "chaos"
    let log = out + ".log"
    let lease = 4.0
    let created =
        runLogged [] log ([ "search"; closedForm.Name; "--out"; out; "--store"; url; "--workers"; "0"; "--lease-seconds"; string lease ] @ passwordArgs file)
    Expect.equal created 0 "the search is recorded"
    let workerArgs = [ "worker"; "--store"; url; "--search"; closedForm.Name ] @ passwordArgs file
    let workers = Array.init 6 (fun k -> startLogged [] (sprintf "%s.worker-%d" log k) workerArgs)
    let frozen = Collections.Generic.HashSet<int>()
    let rng = Random 18
    let over () = (readSearch url file closedForm.Name) |> SearchData.isFinished
    let eventCount () = (readSearch url file closedForm.Name).Events.Length
    let connections () =
        match SearchStoreLocation.Parse(url, null) with
        | :? SearchStoreLocation.Postgres as p ->
            use c = superuser p.Database
            use command = new Npgsql.NpgsqlCommand("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name LIKE 'ganflow %' AND datname = current_database() GROUP BY application_name) c", c)
            Convert.ToInt64(command.ExecuteScalar())
        | _ -> 0L
    let mutable kills, freezes, mostConnections = 0, 0, 0L
    let restarts = Collections.Generic.List<Tasks.Task>()
    let selfEnded = Collections.Concurrent.ConcurrentBag<int>()
    let frozenInReport = Collections.Concurrent.ConcurrentBag<int>()
    let wentOn = Collections.Concurrent.ConcurrentBag<string>()
    let refills = ref 0
    let mutable round = 0
    let mutable lastEvents, stalledRounds = 0, 0
    while not (over ()) do
        // A hang guard on progress, not on the clock: a search whose log gains no event in 200 chaos rounds in a row has
        // hung (a round kills or freezes at most one worker; the search needs about 20 rounds in all).
        let events = eventCount ()
        stalledRounds <- (if events > lastEvents then 0 else stalledRounds + 1)
        lastEvents <- events
        if stalledRounds >= 200 then failtestf "the chaos search hung: no new event in its log for 200 rounds (%d events)" events
        Thread.Sleep(1_500 + rng.Next 2_000)
        mostConnections <- max mostConnections (connections ())
        round <- round + 1
        // A worker that ended by itself (on SQLite, one frozen inside a write transaction blocks the others' renewals
        // past their lease, and they end themselves as they must) is replaced, as a cluster manager would.
        lock frozen (fun () ->
            for k in 0 .. workers.Length - 1 do
                if not (frozen.Contains k) && workers[k].HasExited && not (over ()) then
                    refills.Value <- refills.Value + 1
                    workers[k] <- startLogged [] (sprintf "%s.worker-%d" log k) workerArgs)
        let holders =
            (readSearch url file closedForm.Name).Attempts |> List.filter (fun a -> isNull a.Ended) |> List.map (fun a -> int (a.Worker.Split(':')[1])) |> set
        let candidates =
            [ for k in 0 .. workers.Length - 1 do
                  if not (lock frozen (fun () -> frozen.Contains k)) && not workers[k].HasExited then k ]
        let freeze = round % 4 = 0
        let pool = if freeze then candidates |> List.filter (fun k -> holders.Contains workers[k].Id) else candidates
        if not pool.IsEmpty then
            let k = pool[rng.Next pool.Length]
            if not freeze then
                workers[k].Kill()
                workers[k].WaitForExit()
                kills <- kills + 1
                workers[k] <- startLogged [] (sprintf "%s.worker-%d" log k) workerArgs
            else
                // Frozen with a job past its lease: another worker takes the job (and waits for the trial folder's lock);
                // continued, the frozen one finds its lease lost and ends itself at once; its slot gets a fresh worker.
                // The holders were read before the signal: a worker whose job ended meanwhile holds no lease to lose
                // (frozen idle, it goes on when continued; a CI run's chaos once counted such a freeze). Only a worker
                // that still holds an open attempt once frozen (and a moment later, so that a commit it had sent to
                // PostgreSQL before the signal is seen) counts as frozen with a job.
                let victim = workers[k]
                signal "STOP" victim.Id
                Thread.Sleep 250
                let isHeld (a: AttemptRow) = int (a.Worker.Split(':')[1]) = victim.Id
                match (readSearch url file closedForm.Name).Attempts |> List.tryFind (fun a -> isNull a.Ended && isHeld a) with
                | None -> signal "CONT" victim.Id
                | Some held ->
                    freezes <- freezes + 1
                    lock frozen (fun () -> frozen.Add k |> ignore)
                    restarts.Add(
                        Tasks.Task.Run(fun () ->
                            let replace = ref true
                            try
                                Thread.Sleep(TimeSpan.FromSeconds(lease + 1.5))
                                signal "CONT" victim.Id
                                // A worker that finds its lease lost kills itself (SIGKILL: exit code 137). With two CI
                                // runs and other jobs on the 2 cores (load 5-12) one took more than 30 s to get there
                                // (its log said so, after the wait had given up), so the limit is generous.
                                if victim.WaitForExit 120_000 && victim.ExitCode = 137 then
                                    selfEnded.Add victim.ExitCode
                                else
                                    // Frozen inside the transaction of its report (or of giving its job back), after
                                    // that transaction's lease check: it commits when continued and the worker rightly
                                    // goes on, no lease lost, and may even see the search finish and end normally (exit
                                    // 0) within the wait above (a CI run's GC stress lane: a worker continued late in
                                    // the search ran 27 more jobs and ended with it). Any other frozen worker that goes
                                    // on or ends otherwise is a failure.
                                    let same (a: AttemptRow) = isHeld a && a.Trial = held.Trial && a.ToStep = held.ToStep && a.Attempt = held.Attempt
                                    let wentOnRightly = not victim.HasExited || victim.ExitCode = 0
                                    match (readSearch url file closedForm.Name).Attempts |> List.tryFind same with
                                    | Some a when (a.Outcome = "reported" || a.Outcome = "released") && not a.ReportRefused && wentOnRightly ->
                                        frozenInReport.Add held.Trial
                                        replace.Value <- false
                                    | a ->
                                        wentOn.Add(
                                            sprintf "worker %d (attempt %d of trial %d to step %d): %s after SIGCONT, attempt now %s" victim.Id held.Attempt
                                                held.Trial held.ToStep (if victim.HasExited then sprintf "exit code %d" victim.ExitCode else "still running")
                                                (match a with Some a -> sprintf "%A (refused %b)" a.Outcome a.ReportRefused | None -> "not found"))
                                        if not victim.HasExited then victim.Kill()
                            finally
                                lock frozen (fun () ->
                                    if replace.Value && not (over ()) then workers[k] <- startLogged [] (sprintf "%s.worker-%d" log k) workerArgs
                                    frozen.Remove k |> ignore)))
    Tasks.Task.WaitAll(restarts.ToArray())
    // A worker started just before the search ended must still start, connect and read that it is over: under the GC
    // stress lane with a second CI run beside it that took a fresh worker 31 s once, so the limit is generous.
    for w in workers do
        if not (w.WaitForExit 120_000) then
            w.Kill()
            failtest "a worker did not end within 2 min after the search was over"
    let data = readSearch url file closedForm.Name
    checkFinishedSearch closedForm data
    checkNoOverlap out
    Expect.isGreaterThan kills 3 "workers were killed"
    Expect.isGreaterThanOrEqual freezes 1 "workers were frozen with a job"
    Expect.isEmpty wentOn (sprintf "every frozen worker, continued, ended itself at once (its lease lost), unless it was frozen while committing its report: %s" (String.Join("; ", wentOn)))
    Expect.equal (selfEnded.Count + frozenInReport.Count) freezes "every freeze is accounted for"
    Expect.isGreaterThan data.Attempts.Length (data.Events |> List.filter (fun e -> e.Kind = "start" || e.Kind = "promote") |> List.length) "jobs were given again"
    Expect.isGreaterThanOrEqual (data.Attempts |> List.filter (fun a -> a.Outcome = "expired") |> List.length) 1 "leases expired"
    Expect.isLessThanOrEqual mostConnections 2L "no worker held more than 2 connections"
    eprintfn "chaos (%s): %d kills, %d freezes (%d inside their report), %d workers replaced after ending by themselves, %d attempts for %d jobs, %d leases expired, %d reports refused, %d rounds" backend.Name kills freezes frozenInReport.Count refills.Value data.Attempts.Length
        (data.Events |> List.filter (fun e -> e.Kind = "start" || e.Kind = "promote") |> List.length)
        (data.Attempts |> List.filter (fun a -> a.Outcome = "expired") |> List.length) (data.Attempts |> List.filter _.ReportRefused |> List.length) round

/// A closed-form trial runner for in-process workers whose first run of trial 0's job to its first rung takes
/// `milliseconds` (every other run, that job's next attempt included, 50 ms: a next attempt needs no renewal in time).
type private SlowRunner(search: Search, milliseconds: int) =
    let inner =
        match search.Trainer with
        | TrialTrainer.ClosedForm c -> ClosedFormTrialRunner(search, { c with SecondsPerStep = 0.0 })
        | _ -> failwith "closed form only"
    let mutable slowRuns = 0
    interface ITrialRunner with
        member _.Run(job, cancel) =
            let slow = job.Trial = 0 && job.ToStep = 10 && Interlocked.Increment &slowRuns = 1
            Thread.Sleep(if slow then milliseconds else 50)
            (inner :> ITrialRunner).Run(job, CancellationToken.None)

/// A database failure, as a broken connection gives one.
type private FakeDatabaseFailure() =
    inherit Data.Common.DbException("the connection broke (a test)")

[<Tests>]
let tests =
    testSequenced
    <| testList "distributed search" [
        test "chaos: 64 closed-form trials, 6 workers killed and frozen at random, on SQLite: every trial and milestone once, no overlap, ASHA intact" {
            chaos sqlite
        }

        testPostgres "chaos: 64 closed-form trials, 6 workers killed and frozen at random, on PostgreSQL: every trial and milestone once, no overlap, ASHA intact" (fun () ->
            chaos postgres)

        test "a worker whose lease is lost has its report refused, and the job runs again as a new attempt" {
            let search = { closedForm with Trials = 6 }
            let folder = TestFolders.fresh "fenced"
            use store = SearchDriverTests.createSqlite folder search 2.0
            // Attempt 1 of trial 0's first job cannot be renewed: the worker loses it within the lease.
            let refusing = new SearchDriverTests.InterceptingStore(store, ignore, fun l -> l.Trial = 0 && l.Attempt = 1)
            let driver = SearchDriver(search, refusing, SlowRunner(search, 2_600), folder, 2)
            Expect.isTrue (driver.Run CancellationToken.None) "the search finished"
            let data = SearchData.read store
            checkFinishedSearch search data
            let first = data.Attempts |> List.filter (fun a -> a.Trial = 0 && a.ToStep = 10)
            Expect.equal (first |> List.map (fun a -> a.Attempt, a.Outcome, a.ReportRefused)) [ 1, "expired", true; 2, "reported", false ]
                "attempt 1 lost its lease and its report was refused; attempt 2 reported"
            Expect.equal (driver.Workers |> Seq.sumBy _.Refused) 1 "one refusal"
        }

        test "a worker whose keeper is blocked in a store call still loses its lease at its local deadline" {
            // The keeper's renewal of trial 0's first job blocks until the lease is declared lost (as a SQLite call waits
            // out its busy timeout while a frozen process holds the lock), then is refused (the lease ran out meanwhile):
            // only the deadline's own watch can declare it lost while the renewal blocks.
            let search = { closedForm with Trials = 4 }
            let folder = TestFolders.fresh "blocked-keeper"
            use store = SearchDriverTests.createSqlite folder search 2.0
            use lost = new ManualResetEventSlim(false)
            let lostWhileBlocked = ref false
            let blocking =
                new SearchDriverTests.InterceptingStore(store, ignore, fun l ->
                    l.Trial = 0 && l.ToStep = 10 && l.Attempt = 1
                    && (lostWhileBlocked.Value <- not lost.IsSet && lost.Wait(TimeSpan.FromSeconds 60.0)
                        true))
            let why = Collections.Concurrent.ConcurrentQueue<string>()
            let options = WorkerOptions(SearchWorker.NewId(), OnLeaseLost = (fun _ -> lost.Set()), Log = (fun line -> why.Enqueue line))
            let worker = SearchWorker(search, store, blocking, SlowRunner(search, 2_600), folder, options)
            Expect.equal (worker.Run CancellationToken.None) WorkerEnd.Finished "the search finished"
            Expect.isTrue lostWhileBlocked.Value "the lease was declared lost while the keeper's renewal was still blocked"
            // Declared lost at the deadline, before the job's end (2.6 s) brought its report, which was refused.
            let lines = List.ofSeq why
            let at (text: string) = lines |> List.tryFindIndex (fun line -> line.Contains text)
            match at "trial 0: lease lost (not renewed before its local deadline)", at "trial 0: report refused, its lease to step 10 (attempt 1)" with
            | Some lostAt, Some refusedAt -> Expect.isLessThan lostAt refusedAt (sprintf "lost before the report came: %A" lines)
            | _ -> failtestf "the worker's log says the lease was lost at its deadline, then the report refused: %A" lines
            let data = SearchData.read store
            checkFinishedSearch search data
            Expect.equal (data.Attempts |> List.filter (fun a -> a.Trial = 0 && a.ToStep = 10) |> List.map (fun a -> a.Attempt, a.ReportRefused)) [ 1, true; 2, false ]
                "the lost attempt's report was refused, and the job ran again"
        }

        test "a worker whose transaction the database failed folds the log again and goes on, recording nothing twice" {
            let search = { closedForm with Trials = 5 }
            for failAt in [ 2; 3 ] do // a report's transaction, then a decision's
                let folder = TestFolders.fresh "db-failure"
                use store = SearchDriverTests.createSqlite folder search 5.0
                let failing = new SearchDriverTests.InterceptingStore(store, (fun n -> if n = failAt then raise (FakeDatabaseFailure())), fun _ -> false)
                Expect.isTrue (SearchDriver(search, failing, SlowRunner(search, 50), folder, 1).Run CancellationToken.None) "the search finished"
                checkFinishedSearch search (SearchData.read store)
        }

        test "a search's report is written when a conditional parameter was never active (no slice for it)" {
            let never = SearchSpace.parameter "never" (Domain.IntRange(1, 3)) |> SearchSpace.onlyWhen "mode" [ ParameterValue.Text "off" ]
            let search = { closedForm with Trials = 3; Space = closedForm.Space @ [ SearchSpace.parameter "mode" (SearchSpace.texts [ "on" ]); never ] }
            let folder = TestFolders.fresh "never-active"
            use store = SearchDriverTests.createSqlite folder search 5.0
            Expect.isTrue (SearchDriver(search, store, SlowRunner(search, 0), folder, 1).Run CancellationToken.None) "the search finished"
            let report = SearchReport.writeData { SearchData.read store with Directory = folder }
            Expect.stringContains (File.ReadAllText report) "W1 by mode" "the active parameters' slices"
            Expect.isFalse ((File.ReadAllText report).Contains "W1 by never") "none for the parameter never active"
        }

        test "SIGTERM to a worker mid-job gives its lease back at the trial's next checkpoint, and another worker takes the job at once" {
            let folder, url, log, first, job = stopMidJob closedForm 40 160 closedForm.Base.Evaluation.Every [] "sigterm-worker"
            use _first = first
            Expect.equal first.ExitCode 143 "the worker exits with 128 + SIGTERM"
            let attempt = (readSearch url None closedForm.Name).Attempts |> List.find (fun a -> a.Trial = job.Trial && a.Attempt = job.Attempt && a.ToStep = job.ToStep)
            Expect.equal attempt.Outcome "released" "its lease was given back"
            Expect.equal (runLogged [] log [ "worker"; "--store"; url; "--search"; closedForm.Name ]) 0 "a second worker finishes the search"
            // The job was taken up again because its lease was given back, not because the 300 s lease ran out.
            Expect.isEmpty ((readSearch url None closedForm.Name).Attempts |> List.filter (fun a -> a.Outcome = "expired")) "no lease expired"
            let data = readSearch url None closedForm.Name
            checkFinishedSearch (Search.withOverrides (Some 2) None (Some 40) (Some 160) closedForm) data
            Expect.exists data.Attempts (fun a -> a.Trial = job.Trial && a.ToStep = job.ToStep && a.Attempt = job.Attempt + 1 && a.Outcome = "reported") "the job's next attempt"
        }

        test "SIGTERM to a worker mid-way through a torch job ends it with 143, not a crash (the job's thread is still in libtorch), its lease given back" {
            // The exit used to run libtorch's teardown under the training thread: a segmentation fault, exit 139, in 3 of 4
            // workers stopped mid-job.
            let demo = GanFlow.Experiments.DemoSearch.search
            let _, url, log, first, job = stopMidJob demo 600 1200 (2 * demo.Base.Evaluation.Every) [ "--device"; "cpu" ] "sigterm-torch-worker"
            use _first = first
            Expect.equal first.ExitCode 143 "the worker exits with 128 + SIGTERM (139 was a crash in libtorch's teardown)"
            let attempt = (readSearch url None demo.Name).Attempts |> List.find (fun a -> a.Trial = job.Trial && a.Attempt = job.Attempt && a.ToStep = job.ToStep)
            Expect.equal attempt.Outcome "released" "its lease was given back"
            Expect.stringContains (File.ReadAllText log) "given back (stopped by a signal after its checkpoint" "the worker says so before it ends"
        }

        testPostgres "a real search on PostgreSQL (demo-search-unimodal, 3 workers, one killed mid-search) loses and repeats no milestone" (fun () ->
            let url, file = postgres.Fresh()
            let folder = TestFolders.fresh "demo-postgres"
            let log = folder + ".log"
            let demo = Search.withOverrides (Some 8) None (Some 20) (Some 80) GanFlow.Experiments.DemoSearch.search
            Expect.equal
                (runLogged [] log ([ "search"; demo.Name; "--out"; folder; "--store"; url; "--trials"; "8"; "--grace"; "20"; "--max-steps"; "80"; "--workers"; "0"; "--lease-seconds"; "5" ] @ passwordArgs file))
                0 "recorded"
            let workers = Array.init 3 (fun k -> startLogged [] (sprintf "%s.worker-%d" log k) ([ "worker"; "--store"; url; "--search"; demo.Name; "--device"; "cpu" ] @ passwordArgs file))
            let held () = (readSearch url file demo.Name).Attempts |> List.filter (fun a -> isNull a.Outcome)
            let reached () = (readSearch url file demo.Name).Events |> List.filter (fun e -> e.Kind = "reached") |> List.length
            let victim, pid =
                freezeHolder held (fun _ -> true) (fun () ->
                    ProcessTests.waitWhileRunning workers[0] "two milestones reached and a job held" (fun () -> reached () >= 2 && not (List.isEmpty (held ()))))
            let killed = workers |> Array.find (fun w -> w.Id = pid)
            killed.Kill()
            killed.WaitForExit()
            for w in workers do
                if w.Id <> pid then w.WaitForExit()
            let data = readSearch url file demo.Name
            checkFinishedSearch demo data
            Expect.exists data.Attempts (fun a -> a.Trial = victim.Trial && a.ToStep = victim.ToStep && a.Attempt = victim.Attempt && a.Outcome = "expired")
                "the killed worker's lease expired"
            Expect.isEmpty (data.Workers |> List.filter _.Alive |> List.map _.Worker)
                "no worker counted alive (search-status' workers): the killed one recorded as ended by the others, they themselves at their end"
            Expect.exists data.Attempts (fun a -> a.Trial = victim.Trial && a.ToStep = victim.ToStep && a.Attempt = victim.Attempt + 1 && a.Outcome = "reported")
                "its job ran again from the checkpoint as a new attempt")

        testPostgres "one worker on PostgreSQL and one on SQLite give the same store, decision by decision" (fun () ->
            let url, file = postgres.Fresh()
            let arguments folder = [ "search"; "demo-search-unimodal"; "--out"; folder; "--trials"; "4"; "--grace"; "20"; "--max-steps"; "80"; "--workers"; "1"; "--device"; "cpu" ]
            let onPostgres, onSqlite = TestFolders.fresh "same-postgres", TestFolders.fresh "same-sqlite"
            Expect.equal (runLogged [] (onPostgres + ".log") (arguments onPostgres @ [ "--store"; url ] @ passwordArgs file)) 0 "on PostgreSQL"
            Expect.equal (runLogged [] (onSqlite + ".log") (arguments onSqlite)) 0 "on SQLite"
            use pg = SearchStoreLocation.Parse(url, null).Open("demo-search-unimodal", SearchStoreAccess.ReadOnly, Option.toObj file)
            use lite = SqliteSearchStore.OpenFolder onSqlite
            Expect.equal (SearchDriverTests.contentsOf pg) (SearchDriverTests.contentsOf lite) "the same events, trials, evaluations and best"
            // The Deedle frames read the PostgreSQL store as they read SQLite (from the store, and from the folder's pointer).
            let fromStore = StudyFrame.ofData (SearchData.read pg)
            Expect.equal fromStore.RowCount 4 "one row per trial"
            Expect.equal (StudyFrame.loadWith onPostgres file).RowCount 4 "the folder's store.json leads to the same store"
            Expect.equal (StudyFrame.reportsOf (SearchData.read pg)).RowCount (StudyFrame.reportsOf (SearchData.read lite)).RowCount "every evaluation")

        testPostgres "a PostgreSQL password appears in no file the tool wrote, no output, no command line and not in the store" (fun () ->
            let _, _, database = freshDatabase ()
            let location = (SearchStoreLocation.Parse(fst (Result.defaultValue ("", None) server), null)) :?> SearchStoreLocation.Postgres
            let password = sprintf "Pw-%s" (Guid.NewGuid().ToString "N")
            execute location.Database (sprintf "CREATE ROLE ganflow_secret_%s LOGIN PASSWORD '%s'" database password)
            execute location.Database (sprintf "ALTER DATABASE %s OWNER TO ganflow_secret_%s" database database)
            let url = SearchStoreLocation.Postgres(location.Host, location.Port, database, sprintf "ganflow_secret_%s" database, []).Url
            let secrets = TestFolders.fresh "secrets"
            Directory.CreateDirectory secrets |> ignore
            let passwordFile = Path.Combine(secrets, "password")
            File.WriteAllText(passwordFile, password + "\n")
            let folder = TestFolders.fresh "password-search"
            let log = folder + ".log"
            let search = [ "search"; closedForm.Name; "--out"; folder; "--store"; url; "--trials"; "6"; "--workers"; "2" ]
            use running = startLogged [] log (search @ [ "--store-password-file"; passwordFile ])
            let commandLines = Collections.Generic.List<string>()
            while not running.HasExited do
                commandLines.AddRange(ProcessTests.processesMentioning "ganflow")
                Thread.Sleep 200
            Expect.equal running.ExitCode 0 "the search with a password file finishes"
            let env = [ "PGPASSWORD", password ]
            Expect.equal (runLogged env log [ "search-status"; "--store"; url; "--search"; closedForm.Name ]) 0 "status with PGPASSWORD"
            Expect.equal (runLogged env log [ "report"; folder ]) 0 "the report with PGPASSWORD"
            let pgpass = Path.Combine(secrets, "pgpass")
            File.WriteAllText(pgpass, sprintf "%s:%d:*:ganflow_secret_%s:%s\n" location.Host location.Port database password)
            File.SetUnixFileMode(pgpass, UnixFileMode.UserRead ||| UnixFileMode.UserWrite)
            Expect.equal (runLogged [ "PGPASSFILE", pgpass ] log [ "search-status"; "--store"; url; "--search"; closedForm.Name ]) 0 "status with a password file as libpq reads it"
            Expect.equal (runLogged env log [ "worker"; "--store"; url; "--search"; closedForm.Name ]) 0 "a worker with PGPASSWORD (nothing left to do)"
            Expect.equal (runLogged [ "PGPASSWORD", password + "-wrong" ] log [ "search-status"; "--store"; url; "--search"; closedForm.Name ]) 2 "a wrong password: exit 2"
            Expect.stringContains (File.ReadAllText log) "refused the credentials" "says why"
            let written = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            Expect.isGreaterThan written.Length 20 "the search wrote its files (trials, logs, report, locks)"
            for path in Array.append written [| log |] do
                Expect.isFalse ((File.ReadAllText path).Contains password) (sprintf "%s does not hold the password" path)
            for line in commandLines do
                Expect.isFalse (line.Contains password) "no command line holds the password"
            let dump = Text.StringBuilder()
            for table in [ "searches"; "trials"; "reports"; "events"; "attempts"; "workers" ] do
                use c = superuser database
                use command = new Npgsql.NpgsqlCommand(sprintf "SELECT t::text FROM ganflow.%s t" table, c)
                use reader = command.ExecuteReader()
                while reader.Read() do dump.AppendLine(reader.GetString 0) |> ignore
            Expect.isGreaterThan dump.Length 1_000 "the store holds the search"
            Expect.isFalse (dump.ToString().Contains password) "the store does not hold the password")

        testPostgres "bad PostgreSQL stores exit 2 before anything starts: unreachable (host and port named), wrong credentials, another search under the name, another schema version" (fun () ->
            let folder = TestFolders.fresh "bad-postgres"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; folder; "--store"; "postgresql://nobody@127.0.0.1:1/nothing" ]
            Expect.equal code 2 "unreachable"
            Expect.stringContains error "127.0.0.1:1" "names the host and port"
            Expect.stringContains error "cannot reach" "says so"
            Expect.isFalse (Directory.Exists folder) "nothing created"
            let url, file, database = freshDatabase ()
            let wrong = TestFolders.fresh "wrong-password"
            File.WriteAllText(wrong, "not-the-password")
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; folder; "--store"; url; "--store-password-file"; wrong ]
            Expect.equal code 2 "wrong credentials"
            Expect.stringContains error "refused the credentials" "says so"
            Expect.isFalse (Directory.Exists folder) "nothing created"
            let recorded = [ "search"; closedForm.Name; "--out"; folder; "--store"; url; "--workers"; "0" ] @ passwordArgs file
            Expect.equal (fst (ReportInputTests.ganflowInProcess recorded)) 0 "recorded"
            let code, error = ReportInputTests.ganflowInProcess ([ "search"; closedForm.Name; "--out"; TestFolders.fresh "other"; "--store"; url; "--seed"; "7"; "--workers"; "0" ] @ passwordArgs file)
            Expect.equal code 2 "another search under that name"
            Expect.stringContains error "holds another search under the name closed-form-search" "says so"
            Expect.stringContains error "seed" "names the differing field"
            execute database "UPDATE ganflow.schema_version SET version = 1"
            let code, error = ReportInputTests.ganflowInProcess ([ "worker"; "--store"; url; "--search"; closedForm.Name ] @ passwordArgs file)
            Expect.equal code 2 "another schema version"
            Expect.stringContains error "layout version 1" "names the versions")

        test "bad worker input exits 2 before any job: no such search, no store, a search folder it cannot write, bad flags" {
            let folder = TestFolders.fresh "bad-worker"
            Expect.equal (fst (ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; folder; "--trials"; "2"; "--workers"; "0" ])) 0 "recorded"
            let url = "sqlite:" + SqliteSearchStore.FileOf folder
            let code, error = ReportInputTests.ganflowInProcess [ "worker"; "--store"; url; "--search"; "nothing-search" ]
            Expect.equal code 2 "no such search"
            Expect.stringContains error "holds no search named nothing-search" "says so"
            let code, error = ReportInputTests.ganflowInProcess [ "search-status"; "--store"; url; "--search"; "nothing-search" ]
            Expect.equal code 2 "search-status: no such search"
            Expect.stringContains error "holds no search named nothing-search" "says so"
            let code, error = ReportInputTests.ganflowInProcess [ "worker"; "--store"; "sqlite:" + Path.Combine(folder, "missing.db"); "--search"; closedForm.Name ]
            Expect.equal code 2 "no store"
            Expect.stringContains error "missing.db" "names the file"
            File.WriteAllText(Path.Combine(folder, SearchDriver.TrialsFolder), "a file where the trial folders go")
            let code, error = ReportInputTests.ganflowInProcess [ "worker"; "--store"; url; "--search"; closedForm.Name ]
            Expect.equal code 2 "an --out it cannot write"
            Expect.stringContains error "cannot be written here" "says so"
            Expect.equal (readSearch url None closedForm.Name).Attempts.Length 0 "no job was taken"
            Expect.equal (fst (ReportInputTests.ganflowInProcess [ "worker"; "--store"; url; "--search"; closedForm.Name; "--threads"; "0" ])) 2 "--threads 0"
            Expect.equal (fst (ReportInputTests.ganflowInProcess [ "worker"; "--store"; url; "--search"; closedForm.Name; "--idle-exit"; "-1" ])) 2 "--idle-exit -1"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; TestFolders.fresh "x"; "--rung-value"; "median:0" ]
            Expect.equal code 2 "--rung-value median:0"
            Expect.stringContains error "--rung-value median:0" "names the flag and value"
            Expect.equal (fst (ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; TestFolders.fresh "x"; "--quota"; "half" ])) 2 "--quota half"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; TestFolders.fresh "x"; "--brackets"; "4" ]
            Expect.equal code 2 "--brackets 4 with 3 milestones"
            Expect.stringContains error "scheduler.hyperband.brackets = 4" "names the field and value"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; TestFolders.fresh "x"; "--brackets"; "0" ]
            Expect.equal code 2 "--brackets 0"
            Expect.stringContains error "scheduler.hyperband.brackets = 0" "names the field and value"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; "seed000-random-search-unimodal-reduced"; "--out"; TestFolders.fresh "x"; "--brackets"; "2" ]
            Expect.equal code 2 "--brackets on random search"
            Expect.stringContains error "--brackets 2: the search seed000-random-search-unimodal-reduced is random search" "says why"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; TestFolders.fresh "x"; "--metric"; "recal" ]
            Expect.equal code 2 "--metric recal"
            Expect.stringContains error "--metric recal: not a recorded metric" "names the flag and value"
            Expect.stringContains error "recall" "and lists the metrics"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; "demo-search-unimodal"; "--out"; TestFolders.fresh "x"; "--metric"; "nll" ]
            Expect.equal code 2 "--metric nll on a GAN"
            Expect.stringContains error "scheduler.metric = Nll: needs a model with a density" "names the metric a GAN does not record"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; "demo-search-unimodal"; "--out"; TestFolders.fresh "x"; "--metric"; "kl" ]
            Expect.equal code 2 "--metric kl on a GAN"
            Expect.stringContains error "scheduler.metric.column = kl: is not recorded by the experiment" "names the column and what the experiment records"
            Expect.equal (fst (ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; TestFolders.fresh "x"; "--lease-seconds"; "0" ])) 2 "--lease-seconds 0"
            // A lease whose third overflowed the renewal timer crashed every worker; one of a millisecond expired at once.
            for lease in [ "99999999"; "0.001" ] do
                let out = TestFolders.fresh "x"
                let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; out; "--lease-seconds"; lease ]
                Expect.equal code 2 ("--lease-seconds " + lease)
                Expect.stringContains error ("--lease-seconds = " + lease + ": must be from 1 to 86400 seconds") "names the flag, the value and the range"
                Expect.isFalse (Directory.Exists out) "nothing created"
            let tooMany = string (Environment.ProcessorCount + 1)
            let code, error = ReportInputTests.ganflowInProcess [ "worker"; "--store"; url; "--search"; closedForm.Name; "--threads"; tooMany ]
            Expect.equal code 2 "more threads than cores"
            Expect.stringContains error (sprintf "--threads = %s: must be from 1 to %d" tooMany Environment.ProcessorCount) "names the flag, the value and the cores"
            let code, error = ReportInputTests.ganflowInProcess [ "worker"; "--store"; url; "--search"; closedForm.Name; "--idle-exit"; "1e12" ]
            Expect.equal code 2 "--idle-exit beyond a week (it overflowed a TimeSpan, exit 1)"
            Expect.stringContains error "--idle-exit = 1000000000000: must be from 0 to 604800 seconds" "names the flag, the value and the range"
            Expect.equal (readSearch url None closedForm.Name).Attempts.Length 0 "no job was taken"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; TestFolders.fresh "x"; "--trials"; "0" ]
            Expect.equal code 2 "--trials 0"
            Expect.stringContains error "trials = 0: must be >= 1" "names the trials"
            Expect.isFalse (error.Contains "--workers") "and not the --workers nobody gave"
        }

        test "a search optimises any recorded metric: --metric coverage ranks trials by their metrics.csv coverage, maximised, and the store keeps it per report" {
            let folder = TestFolders.fresh "metric-search"
            let log = folder + ".log"
            Expect.equal
                (runLogged [] log [ "search"; "demo-search-unimodal"; "--out"; folder; "--trials"; "3"; "--grace"; "100"; "--max-steps"; "400"; "--workers"; "1"; "--device"; "cpu"; "--metric"; "coverage" ])
                0 "searched"
            let data = readSearch ("sqlite:" + SqliteSearchStore.FileOf folder) None "demo-search-unimodal"
            Expect.equal data.Record.Scheduler.Metric (SearchMetric.Column "coverage") "the metric recorded"
            Expect.equal data.Record.Scheduler.Direction Direction.Maximize "coverage: larger is better"
            let coverageOf (trial: int) =
                MetricsCsv.Parse(File.ReadAllText(Path.Combine(folder, SearchDriver.TrialFolder trial, RunFiles.Metrics)))
                |> Seq.map (fun r -> r.Step, r.Samples.PrecisionRecall.Coverage)
                |> Map.ofSeq
            Expect.isNonEmpty data.Reports "reports"
            for r in data.Reports do
                Expect.equal r.Metric ((coverageOf r.Trial)[r.Step]) (sprintf "trial %d step %d: the store's metric is the run's coverage" r.Trial r.Step)
            let best = Option.get data.Best
            let atTop = data.Reports |> List.filter (fun r -> r.Step = best.Step)
            Expect.equal best.Metric (atTop |> List.map _.Metric |> List.max) "the best is the largest coverage at the highest milestone"
            Expect.exists (SearchData.statusLines data) (fun (k, v) -> k = "best_coverage" && float v = best.Metric) "search-status says best_coverage"
            Expect.exists (atTop |> List.map _.Metric) (fun c -> c > 0.0) "a trained trial covers some of the data"
            let frame = StudyFrame.reportsOf data
            Expect.equal (frame.GetColumn<float>("metric").Values |> List.ofSeq) (data.Reports |> List.map _.Metric) "the Deedle frame has the metric per evaluation"
        }

        test "ganflow search --resume on a missing or empty folder says there is nothing to resume, exits 2 and creates nothing" {
            let missing = TestFolders.fresh "resume-missing"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; missing; "--resume" ]
            Expect.equal code 2 "missing folder"
            Expect.stringContains error "nothing to resume" "says so"
            Expect.isFalse (Directory.Exists missing) "nothing created"
            let empty = TestFolders.fresh "resume-empty"
            Directory.CreateDirectory empty |> ignore
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; empty; "--resume" ]
            Expect.equal code 2 "empty folder"
            Expect.stringContains error "nothing to resume" "says so"
            Expect.isEmpty (Directory.GetFileSystemEntries empty) "still empty"
        }

        test "a second search in a search folder is refused (its trials/ are the first one's: every job was refused and taken again without end); --fresh replaces it" {
            let folder = TestFolders.fresh "two-searches"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; "demo-search-unimodal"; "--out"; folder; "--workers"; "0" ]
            Expect.equal code 0 (sprintf "the first recorded: %s" error)
            let code, error = ReportInputTests.ganflowInProcess [ "search"; "seed000-random-search-unimodal-reduced"; "--out"; folder; "--workers"; "0" ]
            Expect.equal code 2 "a second search there: refused"
            Expect.stringContains error (sprintf "%s holds the search demo-search-unimodal (a folder holds one search" folder) "names the search it holds"
            Expect.equal (List.ofSeq (SqliteSearchStore.SearchNames(SqliteSearchStore.FileOf folder))) [ "demo-search-unimodal" ] "nothing changed"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; "seed000-random-search-unimodal-reduced"; "--out"; folder; "--workers"; "0"; "--fresh" ]
            Expect.equal code 0 "--fresh replaces it"
            Expect.stringContains error "replacing the search demo-search-unimodal" "says which"
            Expect.equal (List.ofSeq (SqliteSearchStore.SearchNames(SqliteSearchStore.FileOf folder))) [ "seed000-random-search-unimodal-reduced" ] "one search again"
        }

        testPostgres "--fresh from another folder leaves a server store's search to its own folder; --workers 0 prints a worker command that works (its password file named)" (fun () ->
            let url, file = postgres.Fresh()
            let owner, other = TestFolders.fresh "fresh-owner", TestFolders.fresh "fresh-other"
            Expect.equal (runLogged [] (owner + ".log") ([ "search"; closedForm.Name; "--out"; owner; "--store"; url; "--trials"; "4"; "--workers"; "0" ] @ passwordArgs file)) 0 "recorded"
            let printed = File.ReadAllText(owner + ".log")
            let worker = printed.Split('\n') |> Array.find (fun l -> l.StartsWith "worker = ")
            match file with
            | Some f -> Expect.stringContains worker (sprintf " --store-password-file %s" (Path.GetFullPath f)) "the password file, by its path"
            | None -> ()
            Expect.equal (runLogged [] (other + ".log") ([ "search"; closedForm.Name; "--out"; other; "--store"; url; "--trials"; "4"; "--workers"; "0"; "--fresh" ] @ passwordArgs file)) 2 "refused"
            Expect.stringContains (File.ReadAllText(other + ".log")) (sprintf "with its folder at %s, not %s" (Path.GetFullPath owner) (Path.GetFullPath other)) "names both folders"
            use store = SearchStoreLocation.Parse(url, null).Open(closedForm.Name, SearchStoreAccess.ReadOnly, Option.toObj file)
            Expect.equal (nonNull (store.ReadHeader())).OutDirectory (Path.GetFullPath owner) "still the owner's"
            // The printed worker command runs as it is (a shell reads it): it finishes the search.
            let words = worker.Substring("worker = ganflow ".Length).Split(' ') |> Array.map (fun w -> w.Trim('\''))
            Expect.equal (runLogged [] (owner + ".worker.log") (List.ofArray words)) 0 (sprintf "the printed command works: %s" (File.ReadAllText(owner + ".worker.log"))))

        test "ganflow search's local workers each see their share of the cores and leave the report to the search; a worker alone writes it unless --no-report" {
            let folder = TestFolders.fresh "local-workers"
            let code, error = ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; folder; "--trials"; "4"; "--grace"; "10"; "--max-steps"; "40"; "--workers"; "2" ]
            Expect.equal code 0 (sprintf "the search finishes (%s)" error)
            let logs = [ for k in 0..1 -> File.ReadAllText(Path.Combine(folder, SearchFolder.WorkerLogs, sprintf "worker-%d.log" k)) ]
            for log in logs do
                // This process's count halved (at least 1): DOTNET_PROCESSOR_COUNT reached the worker's runtime.
                Expect.stringContains log (sprintf ", %d core(s)" (GanFlow.Runtime.Processes.WorkerProcess.CoreShare 2)) "the worker's share of the cores"
                Expect.isFalse (log.Contains "report = ") "a local worker writes no report"
            Expect.stringContains (File.ReadAllText(Path.Combine(folder, RunFiles.Report))) "GanFlow search: closed-form-search" "the search wrote its report"
            for noReport in [ true; false ] do
                let alone = TestFolders.fresh "worker-alone"
                let log = alone + ".log"
                Expect.equal (fst (ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; alone; "--trials"; "2"; "--grace"; "10"; "--max-steps"; "20"; "--workers"; "0" ])) 0 "recorded"
                let worker = [ "worker"; "--store"; "sqlite:" + SqliteSearchStore.FileOf alone; "--search"; closedForm.Name ]
                Expect.equal (runLogged [] log (worker @ (if noReport then [ "--no-report" ] else []))) 0 "the worker finishes the search"
                Expect.equal (File.Exists(Path.Combine(alone, RunFiles.Report))) (not noReport) (sprintf "report.html written: %b (--no-report %b)" (not noReport) noReport)
                Expect.equal ((File.ReadAllText log).Contains "report = ") (not noReport) "the worker says where it wrote the report"
        }

        test "ganflow report on a search folder rebuilds the search's report" {
            let folder = TestFolders.fresh "report-search"
            Expect.equal (fst (ReportInputTests.ganflowInProcess [ "search"; closedForm.Name; "--out"; folder; "--trials"; "3"; "--workers"; "1" ])) 0 "a small search"
            let report = Path.Combine(folder, RunFiles.Report)
            File.Delete report
            let code, error = ReportInputTests.ganflowInProcess [ "report"; folder ]
            Expect.equal code 0 (sprintf "report exits 0 (%s)" error)
            Expect.stringContains (File.ReadAllText report) "GanFlow search: closed-form-search" "the search's report"
        }
    ]
