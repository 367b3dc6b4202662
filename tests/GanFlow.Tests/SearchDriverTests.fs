/// The search driver with a fake objective (closed-form loss curves, no torch): promotions, budget, resume after a
/// crash at every event; the store; search validation; and a real `ganflow search` killed with SIGKILL and resumed.
module GanFlow.Tests.SearchDriverTests

open System
open System.Collections.Generic
open System.IO
open Expecto
open GanFlow.Core.Experiments
open GanFlow.Core.Search
open GanFlow.Runtime.Search
open GanFlow.Store
open GanFlow.Tests.TestRuns

/// A search whose trials differ only by `quality` (0 … 1,000; lower is better), carried in the experiment's seed.
let private fakeSearch (trials: int) (scheduler: Scheduler) =
    { Name = "fake-search"
      Description = "closed-form loss curves"
      Base = gaussianExperiment smallWganGp 100 10
      Space = [ SearchSpace.parameter "quality" (Domain.IntRange(0, 1_000)) ]
      Resolve = fun e a -> match SearchSpace.tryGet "quality" a with Some(ParameterValue.Int q) -> { e with Seed = q } | _ -> failwith "quality"
      Scheduler = { SchedulerSpec.Default with Scheduler = scheduler }
      Trials = trials
      Seed = 3
      Workers = 1
      Trainer = TrialTrainer.Experiment }

/// W1 of a trial of quality q after `step` steps: (q/1000 + 0.05)(1 + 100/step), falling with training.
let private curve (q: int) (step: int) = (float q / 1000.0 + 0.05) * (1.0 + 100.0 / float step)

/// The fake objective. `trained` plays the trial folders (it outlives a crashed driver): a job costs the steps from the
/// trial's last trained step to its target, so a rerun of a finished job costs nothing, like `ganflow run --resume`.
type private FakeRunner(trained: Dictionary<int, int>, work: List<int * int * int>) =
    interface ITrialRunner with
        member _.Run(job, _) =
            let before = lock trained (fun () -> match trained.TryGetValue job.Trial with | true, s -> s | _ -> 0)
            lock trained (fun () -> trained[job.Trial] <- max before job.ToStep)
            lock work (fun () -> work.Add((job.Trial, before, job.ToStep)))
            let w1 = curve job.Experiment.Seed job.ToStep
            let r = { GanFlow.Tests.Records.ganRecord job.ToStep w1 w1 0.0 w1 0.0 0.0 0.0 with Critic = None }
            let status = if job.ToStep = job.Experiment.Budget.Steps then RunStatus.Completed else RunStatus.Paused
            TrialResult(status, job.ToStep, r, [| r |], "")

/// A store that forwards everything to `inner`, except that `afterTransaction n` runs after the body of its n-th locked
/// transaction (1-based) and may throw there (nothing of that transaction is then kept: the store rolls it back, as a
/// kill of the worker or a connection lost at commit would), and a renewal `refuseRenewal` accepts is refused (as when
/// the database expired the lease meanwhile); `refuseRenewal` may also block, as a store call waiting for a lock does.
type InterceptingStore(inner: ISearchStore, afterTransaction: int -> unit, refuseRenewal: Lease -> bool) =
    let mutable transactions = 0
    interface ISearchStore with
        member _.Location = inner.Location
        member _.SearchName = inner.SearchName
        member _.ReadHeader() = inner.ReadHeader()
        member _.CreateSearch header = inner.CreateSearch header
        member _.UpdateSearch(json, trials, lease) = inner.UpdateSearch(json, trials, lease)
        member _.DeleteSearch() = inner.DeleteSearch()
        member _.ReadEvents() = inner.ReadEvents()
        member _.ReadTrials() = inner.ReadTrials()
        member _.ReadReports() = inner.ReadReports()
        member _.ReadBest() = inner.ReadBest()
        member _.ReadAttempts() = inner.ReadAttempts()
        member _.ReadWorkers() = inner.ReadWorkers()
        member _.Locked<'T>(body: Func<ISearchTransaction, 'T>) : 'T =
            inner.Locked(fun tx ->
                let result = body.Invoke tx
                transactions <- transactions + 1
                afterTransaction transactions
                result)
        member _.Renew lease = if refuseRenewal lease then Nullable() else inner.Renew lease
        member _.Heartbeat(worker, host, pid) = inner.Heartbeat(worker, host, pid)
        member _.EndWorker worker = inner.EndWorker worker
        member _.Dispose() = inner.Dispose()

/// A store that fails at its `crashAt`-th locked transaction after the transaction's body ran, as a kill of the worker
/// there would.
let crashingStore (inner: ISearchStore) (crashAt: int) =
    new InterceptingStore(inner, (fun n -> if n = crashAt then failwith "simulated crash"), fun _ -> false)

/// The store's contents without its clock and workers: events (kind, trial, rung, step, value, detail), trials,
/// reports, best.
let contentsOf (store: ISearchStore) =
    let events = store.ReadEvents() |> Seq.map (fun e -> e.Kind, e.Trial, e.Rung, e.Step, e.Value, e.Detail) |> List.ofSeq
    let trials = store.ReadTrials() |> Seq.map (fun t -> t.Trial, t.Assignment, t.Status, t.Rung, t.Steps, t.Metric) |> List.ofSeq
    let bits (x: float) = BitConverter.DoubleToInt64Bits x // NaN equals NaN
    let reports = store.ReadReports() |> Seq.map (fun r -> r.Trial, r.Step, bits r.W1, bits r.W1Exact, bits r.CriticW1, bits r.Energy) |> List.ofSeq
    events, trials, reports, store.ReadBest()

/// The contents of a search folder's SQLite store (see `contentsOf`).
let private contents (folder: string) =
    use store = SqliteSearchStore.OpenFolder folder
    contentsOf store

/// The lease of the in-process tests: short, so that a crashed worker's job moves on quickly.
let private testLease = 0.5

/// Records `search` in a new SQLite store in `folder`.
let createSqlite (folder: string) (search: Search) (lease: float) =
    Directory.CreateDirectory folder |> ignore
    let store = SqliteSearchStore.Open(SqliteSearchStore.FileOf folder, search.Name, SearchStoreAccess.Create)
    store.CreateSearch(SearchHeader(search.Name, GanFlow.Core.Specs.SpecJson.serialize (Search.record search), search.Trials, folder, lease))
    store

/// Runs a fake search to its end in a new folder (crashing at the `crashAt`-th transaction first, then resuming, when
/// given); returns the folder, the final state, the work done and how many transactions the run took.
let private runFake (search: Search) (workers: int) (crashAt: int option) =
    let folder = scratchFolder "fake-search"
    let trained, work = Dictionary<int, int>(), List<int * int * int>()
    let driver (store: ISearchStore) = SearchDriver(search, store, FakeRunner(trained, work), folder, workers)
    (createSqlite folder search testLease).Dispose()
    match crashAt with
    | Some k ->
        use crashing = crashingStore (SqliteSearchStore.OpenFolder(folder, SearchStoreAccess.ReadWrite)) k
        Expect.throwsC (fun () -> (driver crashing).Run Threading.CancellationToken.None |> ignore) (fun e -> Expect.equal e.Message "simulated crash" "the crash") |> ignore
        // The dead worker's job goes to the next worker once its lease has expired; waiting that long first makes the
        // resumed worker take it before anything new, as the only worker of an uninterrupted search would have.
        Threading.Thread.Sleep(TimeSpan.FromSeconds(testLease + 0.1))
    | None -> ()
    use store = SqliteSearchStore.OpenFolder(folder, SearchStoreAccess.ReadWrite)
    let counting = crashingStore store Int32.MaxValue
    let d = driver counting
    let finished = d.Run Threading.CancellationToken.None
    Expect.isTrue finished "the search finished"
    folder, d.State, List.ofSeq work

let private ashaSpec = Scheduler.Asha { MinSteps = 10; MaxSteps = 160; ReductionFactor = 4 }

[<Tests>]
let tests =
    testList "search driver" [
        test "ASHA over closed-form curves promotes continuing trials from their rung, and the budget adds up" {
            let search = fakeSearch 20 ashaSpec
            let folder, state, work = runFake search 1 None
            let events, trials, _, best = contents folder
            // Every job continues from where the trial stood: a promotion never retrains from step 0.
            for trial, before, toStep in work do
                let milestones = [ 0; 10; 40; 160 ]
                Expect.equal before milestones[List.findIndex ((=) toStep) milestones - 1] (sprintf "trial %d's job to %d starts at the previous milestone" trial toStep)
            let spent = work |> List.sumBy (fun (_, b, t) -> t - b)
            Expect.equal (int64 spent) (trials |> List.sumBy (fun (_, _, _, _, steps, _) -> int64 steps)) "the steps trained are the trials' steps"
            let completed = trials |> List.filter (fun (_, _, s, _, _, _) -> s = "completed")
            Expect.isGreaterThanOrEqual completed.Length 1 "at least one trial reached the maximum"
            Expect.isLessThan spent (20 * 160) "early stopping spent less than training every trial to the maximum"
            // The best trial is the best completed one, and its curve value is the closed form's.
            let b = nonNull best
            Expect.equal b.Step 160 "best at the maximum"
            let q = (Search.trialExperiment search b.Trial).Seed
            Expect.equal b.Metric (curve q 160) "the recorded metric is the objective's"
            Expect.equal (events |> List.filter (fun (k, _, _, _, _, _) -> k = "start") |> List.length) 20 "every trial started once"
            Expect.isTrue (Asha.isFinished state) "finished"
        }

        test "random search through the driver trains every trial to the maximum" {
            let _, state, work = runFake (fakeSearch 6 (Scheduler.RandomSearch 80)) 2 None
            Expect.equal (work |> List.sumBy (fun (_, b, t) -> t - b)) (6 * 80) "every trial to 80 steps, once"
            Expect.all (state.Phases |> Map.toList) (fun (_, p) -> p = TrialPhase.Completed) "every trial completed"
        }

        test "a worker that crashes in any transaction and is resumed ends with the store of an uninterrupted search, training no rung twice" {
            let search = fakeSearch 12 ashaSpec
            let reference, _, referenceWork = runFake search 1 None
            let expected = contents reference
            // One worker: a transaction per job taken, per report, and the end; crash in each of them once.
            let e, _, _, _ = expected
            let transactions = (e |> List.filter (fun (k, _, _, _, _, _) -> k = "start" || k = "promote") |> List.length) * 2 + 1
            let spentBy (work: (int * int * int) list) = work |> List.sumBy (fun (_, b, t) -> t - b)
            for k in 1 .. transactions do
                let folder, _, work = runFake search 1 (Some k)
                Expect.equal (contents folder) expected (sprintf "crash in transaction %d: the same store" k)
                Expect.equal (spentBy work) (spentBy referenceWork) (sprintf "crash in transaction %d: the same training steps, none twice" k)
        }

        test "asynchronous Hyperband through the driver: a bracket's trials start at its first milestone (the log says which rung), and a worker crashed and resumed ends with the uninterrupted store" {
            let search = fakeSearch 12 (Scheduler.Hyperband({ MinSteps = 10; MaxSteps = 160; ReductionFactor = 4 }, 2))
            let reference, state, referenceWork = runFake search 1 None
            let expected = contents reference
            let events, _, _, _ = expected
            let starts = events |> List.filter (fun (k, _, _, _, _, _) -> k = "start")
            Expect.equal starts.Length 12 "every trial started once"
            for _, trial, rung, step, _, _ in starts do
                Expect.equal (rung, step) (Nullable(trial % 2), Nullable([ 10; 40 ][trial % 2])) (sprintf "trial %d starts at its bracket's first milestone" trial)
            for trial, before, toStep in referenceWork do
                let milestones = [ 0; 10; 40; 160 ]
                let expectedStart = if toStep = 40 && trial % 2 = 1 then 0 else milestones[List.findIndex ((=) toStep) milestones - 1]
                Expect.equal before expectedStart (sprintf "trial %d's job to %d starts from its checkpoint, never a retrain" trial toStep)
            Expect.isTrue (Asha.isFinished state) "finished"
            let e, _, _, _ = expected
            let transactions = (e |> List.filter (fun (k, _, _, _, _, _) -> k = "start" || k = "promote") |> List.length) * 2 + 1
            for k in 1 .. 5 .. transactions do
                let folder, _, _ = runFake search 1 (Some k)
                Expect.equal (contents folder) expected (sprintf "crash in transaction %d: the same store" k)
        }

        test "the store refuses a recorded decision the scheduler would not take again (a changed search)" {
            let search = fakeSearch 8 ashaSpec
            let folder, _, _ = runFake search 1 None
            use store = SqliteSearchStore.OpenFolder(folder, SearchStoreAccess.ReadWrite)
            let changed = { search with Scheduler = { search.Scheduler with Scheduler = Scheduler.Asha { MinSteps = 10; MaxSteps = 160; ReductionFactor = 2 } } }
            let driver = SearchDriver(changed, store, FakeRunner(Dictionary(), List()), folder, 1)
            let error = Expect.throwsC (fun () -> driver.Run Threading.CancellationToken.None |> ignore) id
            Expect.isTrue (error :? RunFolderException) "a RunFolderException"
            Expect.stringContains error.Message "is not what the scheduler decides now" "says so"
        }

        test "bad searches are rejected before any trial starts, naming the field and value" {
            let ok = fakeSearch 4 ashaSpec
            let fieldsOf (s: Search) = SearchValidation.errors s |> List.map (fun e -> e.Field, e.Value)
            let has (s: Search) (field: string) = Expect.exists (fieldsOf s) (fun (f, _) -> f = field) (sprintf "%s named: %A" field (fieldsOf s))
            Expect.isEmpty (SearchValidation.errors ok) "the fake search is valid"
            has { ok with Space = [ SearchSpace.parameter "a" (Domain.Choice []) ] } "space[a].domain.values"
            has { ok with Space = [ SearchSpace.parameter "a" (Domain.Uniform(2.0, 1.0)) ] } "space[a].domain.low"
            has { ok with Space = [ SearchSpace.parameter "a" (Domain.LogUniform(0.0, 1.0)) ] } "space[a].domain.low"
            has { ok with Space = [ SearchSpace.parameter "a" (Domain.IntRange(3, 2)) ] } "space[a].domain.low"
            has { ok with Space = [ SearchSpace.parameter "a" (Domain.IntRange(0, 2)) |> SearchSpace.onlyWhen "nope" [ ParameterValue.Int 1 ] ] } "space[a].when.parameter"
            has { ok with Scheduler = { ok.Scheduler with Scheduler = Scheduler.Asha { MinSteps = 10; MaxSteps = 160; ReductionFactor = 1 } } } "scheduler.asha.reductionFactor"
            has { ok with Scheduler = { ok.Scheduler with Scheduler = Scheduler.Asha { MinSteps = 0; MaxSteps = 160; ReductionFactor = 4 } } } "scheduler.asha.minSteps"
            has { ok with Scheduler = { ok.Scheduler with Scheduler = Scheduler.Asha { MinSteps = 200; MaxSteps = 160; ReductionFactor = 4 } } } "scheduler.asha.minSteps"
            has { ok with Trials = 0 } "trials"
            // Every trial is resolved before the search starts: 100,000,000 trials held a core for hours, silently.
            has { ok with Trials = SearchValidation.MaxTrials + 1 } "trials"
            Expect.isEmpty (SearchValidation.errors { ok with Trials = 2_000 }) "2,000 trials are valid"
            let hyperband b = { ok with Scheduler = { ok.Scheduler with Scheduler = Scheduler.Hyperband({ MinSteps = 10; MaxSteps = 160; ReductionFactor = 4 }, b) } }
            Expect.isEmpty (SearchValidation.errors (hyperband 3)) "3 brackets over milestones 10, 40, 160 are valid"
            has (hyperband 0) "scheduler.hyperband.brackets"
            has (hyperband 4) "scheduler.hyperband.brackets"
            let synchronous = { ok with Scheduler = { ok.Scheduler with Scheduler = Scheduler.SuccessiveHalving { MinSteps = 10; MaxSteps = 160; ReductionFactor = 4 } } }
            Expect.isSome (Search.bracketsRefusal (Some 2) synchronous) "--brackets on synchronous halving is refused"
            Expect.isNone (Search.bracketsRefusal (Some 1) synchronous) "--brackets 1 asks for nothing"
            Expect.equal (Search.withSchedulerOptions None None None (Some 2) (hyperband 2)).Scheduler.Scheduler (hyperband 2).Scheduler.Scheduler "a declared Hyperband given its own count stays as declared"
            Expect.equal (Search.withSchedulerOptions None None None (Some 1) (hyperband 2)).Scheduler.Scheduler (Scheduler.Asha { MinSteps = 10; MaxSteps = 160; ReductionFactor = 4 }) "one bracket is ASHA"
            let measuring metric direction = { ok with Scheduler = { ok.Scheduler with Metric = metric; Direction = direction } }
            has (measuring (SearchMetric.Column "recal") Direction.Maximize) "scheduler.metric.column"
            has (measuring (SearchMetric.Column "wall_seconds") Direction.Minimize) "scheduler.metric.column"
            has (measuring (SearchMetric.Column "nll") Direction.Minimize) "scheduler.metric.column" // a GAN records no NLL
            has (measuring (SearchMetric.Column "recall") Direction.Minimize) "scheduler.direction"
            has (measuring (SearchMetric.Column "density") Direction.Maximize) "scheduler.metric.column" // best at 1
            has (measuring (SearchMetric.Column "critic_w1") Direction.Minimize) "scheduler.metric.column" // the critic's own estimate
            has (measuring (SearchMetric.Column "w1") Direction.Minimize) "scheduler.metric.column" // SearchMetric.W1 is its case
            Expect.isEmpty (SearchValidation.errors (measuring (SearchMetric.Column "recall") Direction.Maximize)) "recall, maximised"
            Expect.isEmpty (SearchValidation.errors (measuring (SearchMetric.Column "coverage") Direction.Maximize)) "coverage, maximised"
            let few = measuring (SearchMetric.Column "recall") Direction.Maximize
            has { few with Base = { few.Base with Evaluation = { few.Base.Evaluation with Samples = 5 } } } "scheduler.metric.column" // k-NN needs 6
            let perTrial = { few with Resolve = fun e a -> { few.Resolve e a with Evaluation = { e.Evaluation with Samples = 3 } } }
            Expect.exists (SearchValidation.errors perTrial) (fun e -> e.Field = "trials[0]" && e.Reason.Contains "cannot be ranked") "each trial's experiment is checked too"
            let closed = GanFlow.Experiments.ClosedFormSearch.search
            has { closed with Scheduler = { closed.Scheduler with Metric = SearchMetric.Column "recall"; Direction = Direction.Maximize } } "scheduler.metric.column"
            has { ok with Name = "fake" } "name"
            let invalid = { ok with Resolve = fun e _ -> { e with Budget = { e.Budget with BatchSize = 1 } } }
            let errors = SearchValidation.errors invalid
            Expect.exists errors (fun e -> e.Field = "trials[0]" && e.Value.StartsWith "quality=" && e.Reason.Contains "budget.batchSize") "the trial, its assignment and the experiment's error"
        }

        test "a real ganflow search killed with SIGKILL (driver and worker) and resumed at once ends with the store of an uninterrupted search" {
            let arguments folder =
                [ "search"; "demo-search-unimodal"; "--out"; folder; "--trials"; "4"; "--grace"; "20"; "--max-steps"; "80"; "--workers"; "1"; "--device"; "cpu"
                  "--lease-seconds"; "60" ]
            let killed, direct = scratchFolder "search-sigkill", scratchFolder "search-direct"
            use driver = GanFlow.Tests.ProcessTests.startGanflow (arguments killed)
            let reachedEvents () =
                if not (File.Exists(Path.Combine(killed, SqliteSearchStore.FileName))) then 0
                else
                    try
                        use store = SqliteSearchStore.OpenFolder killed
                        store.ReadEvents() |> Seq.filter (fun e -> e.Kind = "reached") |> Seq.length
                    with _ -> 0
            let workers () = GanFlow.Tests.ProcessTests.processesMentioning killed |> Array.filter (fun l -> l.Contains " worker ")
            let holding () =
                try
                    use store = SqliteSearchStore.OpenFolder killed
                    store.ReadAttempts() |> Seq.exists (fun a -> isNull a.Ended)
                with _ -> false
            GanFlow.Tests.ProcessTests.waitWhileRunning driver "a reported rung and a running worker holding a job" (fun () ->
                reachedEvents () >= 2 && workers().Length > 0 && holding ())
            let workerPids = workers () |> Array.map (fun l -> int (l.Split(':')[0]))
            driver.Kill()
            let workerProcesses = workerPids |> Array.choose (fun pid -> try Some(Diagnostics.Process.GetProcessById pid) with _ -> None)
            for w in workerProcesses do
                try w.Kill() with _ -> ()
            driver.WaitForExit()
            for w in workerProcesses do
                try w.WaitForExit() with _ -> ()
            Expect.isEmpty (workers ()) "the killed worker is gone"
            Expect.isFalse (contents killed |> fun (e, _, _, _) -> e |> List.exists (fun (k, _, _, _, _, _) -> k = "stop")) "killed before the end"
            // The killed worker's job is still under its lease (60 s) when the search is resumed at once: the new worker
            // sees that the lease's holder, a worker of this machine, no longer runs, and takes its job first, as an
            // uninterrupted search's worker would have gone on with it (were it left to expire, the new worker would
            // start the next trial first and the log's order would differ).
            let held =
                use store = SqliteSearchStore.OpenFolder killed
                store.ReadAttempts() |> Seq.filter (fun a -> isNull a.Ended) |> List.ofSeq
            Expect.isNonEmpty held "the killed worker held a job"
            for a in held do
                Expect.isGreaterThan (DateTimeOffset.Parse(a.Expires, Globalization.CultureInfo.InvariantCulture)) (DateTimeOffset.UtcNow.AddSeconds 20.0) "its lease has not run out"
            Expect.equal (GanFlow.Tests.ProcessTests.runGanflow (arguments killed @ [ "--resume" ])) 0 "the resumed search finishes"
            let ended =
                use store = SqliteSearchStore.OpenFolder killed
                store.ReadAttempts() |> List.ofSeq
            for a in held do
                let after = ended |> List.find (fun e -> e.Trial = a.Trial && e.ToStep = a.ToStep && e.Attempt = a.Attempt)
                Expect.equal after.Outcome "expired" "the dead worker's attempt ended as expired"
                Expect.isLessThan (DateTimeOffset.Parse(nonNull after.Ended, Globalization.CultureInfo.InvariantCulture)) (DateTimeOffset.Parse(a.Expires, Globalization.CultureInfo.InvariantCulture)) "before its lease ran out"
            Expect.equal (GanFlow.Tests.ProcessTests.runGanflow (arguments direct)) 0 "the uninterrupted search finishes"
            Expect.equal (contents killed) (contents direct) "the same store, decision by decision"
        }

        test "ganflow search rejects --workers -1, above 256 or above its trials, and --trials 0 with exit 2, before anything is written" {
            // --workers 100000 once forked worker processes until the machine stopped answering (load 889 on 2 cores).
            let folder = scratchFolder "search-bad"
            for args, expected in
                [ [ "--workers"; "-1" ], "--workers"
                  [ "--trials"; "0" ], "trials = 0"
                  [ "--trials"; "1000"; "--workers"; "100000" ], "--workers = 100000: must be <= 256"
                  [ "--trials"; "3"; "--workers"; "4" ], "--workers = 4: must be <= the search's 3 trials"
                  [ "--workers"; "many" ], "--workers many: must be a whole number from 0" ] do
                let code, error = GanFlow.Tests.ReportInputTests.ganflowInProcess ([ "search"; "closed-form-search"; "--out"; folder ] @ args)
                Expect.equal code 2 (String.concat " " args)
                Expect.stringContains error expected "names the flag or field, the value and the bound"
            Expect.isFalse (Directory.Exists folder) "nothing written"
        }

        test "a study's search row takes a search's best only once the search has finished (a later trial may beat the best so far)" {
            let study = scratchFolder "study-search-row"
            let cell: GanFlow.Core.Experiments.StudySearchCell = { Row = "tuned"; Column = "closed form"; Search = "closed-form-search" }
            let folder = GanFlow.Report.StudyReport.searchFolder study cell
            let search args = fst (GanFlow.Tests.ReportInputTests.ganflowInProcess ([ "search"; "closed-form-search"; "--out"; folder; "--grace"; "40"; "--max-steps"; "40" ] @ args))
            let value () = GanFlow.Report.StudyReport.searchValue study cell
            Expect.equal (search [ "--trials"; "1"; "--workers"; "1" ]) 0 "one trial, to its end"
            Expect.isOk (value ()) "a finished search of one trial has its value"
            // Two more trials recorded, not run: one trial completed at the maximum, the search unfinished.
            Expect.equal (search [ "--resume"; "--trials"; "3"; "--workers"; "0" ]) 0 "raised to 3 trials"
            match value () with
            | Error reason -> Expect.stringContains reason "unfinished (1 of 3 trials completed)" "no value yet, and why"
            | Ok(v, _) -> failtestf "an unfinished search gave %g (its best so far)" v
            Expect.equal (search [ "--resume"; "--workers"; "1" ]) 0 "the search runs to its end"
            match value () with
            | Ok(v, text) ->
                Expect.equal v (GanFlow.Report.SearchData.load folder).Best.Value.Metric "the best trial's value"
                Expect.stringContains text "best of 3 trials" "which trial"
            | Error reason -> failtestf "a finished search has a value: %s" reason
            // A plain rerun of the finished search is left as it is, as `ganflow run` leaves a finished run.
            let events () = (GanFlow.Report.SearchData.load folder).Events.Length
            let before = events ()
            let code, error = GanFlow.Tests.ReportInputTests.ganflowInProcess [ "search"; "closed-form-search"; "--out"; folder; "--grace"; "40"; "--max-steps"; "40"; "--trials"; "3" ]
            Expect.equal code 0 (sprintf "the same search finished: nothing to do (%s)" error)
            Expect.stringContains error "already holds this search, finished: nothing to do" "said so"
            Expect.equal (events ()) before "the store untouched"
            let code, _ = GanFlow.Tests.ReportInputTests.ganflowInProcess [ "search"; "closed-form-search"; "--out"; folder; "--grace"; "40"; "--max-steps"; "40"; "--trials"; "2" ]
            Expect.equal code 0 "fewer trials asked for: its 3 are finished, nothing to do"
            let code, error = GanFlow.Tests.ReportInputTests.ganflowInProcess [ "search"; "closed-form-search"; "--out"; folder; "--grace"; "40"; "--max-steps"; "40"; "--trials"; "4" ]
            Expect.equal code 2 "more trials without --resume: refused"
            Expect.stringContains error "finished with 3 trials, fewer than the 4 asked for: `--resume --trials 4` adds the rest" "the way on"
            Expect.equal (events ()) before "the store untouched by either"
        }

        test "ganflow search --resume continues the search its store holds: its trials, first rung and maximum unless a flag changes them" {
            let folder = scratchFolder "search-resume-stored"
            let stored () = (GanFlow.Report.SearchData.load folder).Record
            Expect.equal (fst (GanFlow.Tests.ReportInputTests.ganflowInProcess [ "search"; "closed-form-search"; "--out"; folder; "--trials"; "3"; "--grace"; "40"; "--max-steps"; "160"; "--workers"; "0" ])) 0 "recorded"
            // The hint a stopped search prints: no flag but --resume.
            let code, error = GanFlow.Tests.ReportInputTests.ganflowInProcess [ "search"; "closed-form-search"; "--out"; folder; "--resume"; "--workers"; "0" ]
            Expect.equal code 0 (sprintf "--resume alone continues it (%s)" error)
            Expect.equal (stored ()).Trials 3 "its 3 trials kept (the declared search has 64)"
            let status = GanFlow.Report.SearchData.statusLines (GanFlow.Report.SearchData.load folder)
            Expect.contains status ("best_w1", "NaN") "no milestone yet: NaN, as every non-finite figure is printed"
            Expect.equal (stored ()).Scheduler (GanFlow.Core.Search.Search.withOverrides (Some 3) None (Some 40) (Some 160) GanFlow.Experiments.ClosedFormSearch.search).Scheduler "its rungs kept"
            Expect.equal (fst (GanFlow.Tests.ReportInputTests.ganflowInProcess [ "search"; "closed-form-search"; "--out"; folder; "--resume"; "--trials"; "5"; "--workers"; "0" ])) 0 "--trials raises it"
            Expect.equal (stored ()).Trials 5 "raised to 5"
            // A flag the store's search differs in is said as the flag takes it, not as the spec's JSON.
            for flag, value, expected in
                [ "--quota", "floor", "its scheduler.quota = ceiling, this one's floor (--quota)"
                  "--rung-value", "mean:3", "its scheduler.rungValue = milestone, this one's mean:3 (--rung-value)"
                  "--metric", "energy", "its scheduler.metric = w1, this one's energy (--metric)" ] do
                let code, error =
                    GanFlow.Tests.ReportInputTests.ganflowInProcess
                        [ "search"; "closed-form-search"; "--out"; folder; "--resume"; "--workers"; "0"; flag; value ]
                Expect.equal code 2 (sprintf "%s %s: another search" flag value)
                Expect.stringContains error expected "the field, both values and the flag"
        }
    ]
