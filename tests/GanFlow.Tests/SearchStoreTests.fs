/// The search-store contract (`ISearchStore`), the same tests on SQLite and on PostgreSQL: the schema and its version,
/// searches by name, the per-search lock, leases on the database's clock, renewal and fencing; the `--store` URL.
module GanFlow.Tests.SearchStoreTests

open System
open System.Threading
open Expecto
open GanFlow.Store
open GanFlow.Tests.TestStores

/// A search header for tests.
let private header (name: string) (lease: float) =
    SearchHeader(name, """{"test": true}""", 4, "/tmp/ganflow-test-search", lease)

/// Opens `name` at a fresh location of `backend`, creating the schema and recording the search.
let private created (backend: Backend) (name: string) (lease: float) =
    let url, file = backend.Fresh()
    let location = SearchStoreLocation.Parse(url, null)
    let store = location.Open(name, SearchStoreAccess.Create, Option.toObj file)
    store.CreateSearch(header name lease)
    location, file, store

let private event kind trial = NewSearchEvent(kind, trial, Nullable 0, Nullable 10, Nullable(), null)

[<Tests>]
let tests =
    testList "search store" [
        yield! onBoth "a search is recorded once under its name, another name beside it, and deleting one leaves the other" (fun backend ->
            let location, file, store = created backend "first-search" 60.0
            use store = store
            Expect.throwsT<RunFolderException> (fun () -> store.CreateSearch(header "first-search" 60.0)) "the same name again is refused"
            use other = location.Open("other-search", SearchStoreAccess.ReadWrite, Option.toObj file)
            Expect.isNull (other.ReadHeader()) "no search of that name yet"
            other.CreateSearch(header "other-search" 30.0)
            store.Locked(fun tx -> tx.Append("w", [ event "start" 0 ])) |> ignore
            other.Locked(fun tx -> tx.Append("w", [ event "start" 0; event "start" 1 ])) |> ignore
            Expect.equal (store.ReadEvents().Count) 1 "each search has its own log"
            Expect.equal (store.CountEvents(), other.CountEvents()) (1, 2) "each search counts its own log (what a watcher polls)"
            other.UpdateSearch("""{"test": 2}""", 9, 45.0)
            let h = nonNull (other.ReadHeader())
            Expect.equal (h.Trials, h.LeaseSeconds, h.RecordJson) (9, 45.0, """{"test": 2}""") "updated"
            other.DeleteSearch()
            Expect.isNull (other.ReadHeader()) "deleted"
            Expect.equal (store.ReadEvents().Count) 1 "the other search is left alone"
            Expect.equal (other.CountEvents()) 0 "a deleted search counts no events")

        yield! onBoth "a worker's store is never created: without a schema it is refused, and a schema of another version too" (fun backend ->
            let url, file = backend.Fresh()
            let location = SearchStoreLocation.Parse(url, null)
            let error = Expect.throwsC (fun () -> location.Open("s-search", SearchStoreAccess.ReadWrite, Option.toObj file) |> ignore) id
            Expect.isTrue (error.Message.Contains "holds no ganflow search store yet" || error.Message.Contains "no such search store")
                (sprintf "no schema (or no file): refused, saying so: %s" error.Message)
            match location with
            | :? SearchStoreLocation.Sqlite as s ->
                // An empty file a worker is pointed at stays empty (setting WAL on it once wrote a 4,096-byte header).
                IO.File.WriteAllBytes(s.DatabaseFile, [||])
                Expect.throwsC (fun () -> location.Open("s-search", SearchStoreAccess.ReadWrite, null) |> ignore) id |> ignore
                Expect.equal (IO.FileInfo(s.DatabaseFile).Length) 0L "the refused file is left as it was"
                IO.File.Delete s.DatabaseFile
            | _ -> ()
            (location.Open("s-search", SearchStoreAccess.Create, Option.toObj file)).Dispose()
            match location with
            | :? SearchStoreLocation.Sqlite as s ->
                use c = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + s.DatabaseFile)
                c.Open()
                use command = c.CreateCommand()
                command.CommandText <- "UPDATE schema_version SET version = 99"
                command.ExecuteNonQuery() |> ignore
            | :? SearchStoreLocation.Postgres as p -> execute p.Database "UPDATE ganflow.schema_version SET version = 99"
            | _ -> failtest "unknown location"
            for access in [ SearchStoreAccess.ReadWrite; SearchStoreAccess.Create; SearchStoreAccess.ReadOnly ] do
                let error = Expect.throwsC (fun () -> location.Open("s-search", access, Option.toObj file) |> ignore) id
                Expect.isTrue (error :? SearchStoreVersionException) "a version error"
                Expect.stringContains error.Message "version 99" (sprintf "%A: names the store's version" access)
                Expect.stringContains error.Message (string RelationalSearchStore.SchemaVersion) "and this ganflow's")

        yield! onBoth "a store of layout 2 (reports without the search's metric) is read as it is, refused to workers, and upgraded in place by the command that creates stores" (fun backend ->
            let location, file, store = created backend "upgrade-search" 60.0
            let report step metric = TrialReport(0, step, 0.5, 0.4, 0.3, 0.2, nan, 1.0, metric)
            store.Locked(fun tx -> tx.WriteReports [ report 10 0.75 ]; 0) |> ignore
            store.Dispose()
            // Back to layout 2 as an older ganflow wrote it: no metric column.
            let downgrade =
                [ "ALTER TABLE {reports} DROP COLUMN metric"; "UPDATE {schema_version} SET version = 2" ]
            match location with
            | :? SearchStoreLocation.Sqlite as s ->
                use c = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + s.DatabaseFile)
                c.Open()
                for sql in downgrade do
                    use command = c.CreateCommand()
                    command.CommandText <- sql.Replace("{reports}", "reports").Replace("{schema_version}", "schema_version")
                    command.ExecuteNonQuery() |> ignore
            | :? SearchStoreLocation.Postgres as p ->
                for sql in downgrade do execute p.Database (sql.Replace("{reports}", "ganflow.reports").Replace("{schema_version}", "ganflow.schema_version"))
            | _ -> failtest "unknown location"
            (
                use old = location.Open("upgrade-search", SearchStoreAccess.ReadOnly, Option.toObj file)
                let r = old.ReadReports() |> Seq.exactlyOne
                Expect.equal (r.Step, r.W1) (10, 0.5) "the old report reads"
                Expect.isTrue (Double.IsNaN r.Metric) "without the metric the old layout did not keep"
            )
            let refused = Expect.throwsC (fun () -> location.Open("upgrade-search", SearchStoreAccess.ReadWrite, Option.toObj file) |> ignore) id
            Expect.stringContains refused.Message "layout version 2" "a worker is refused, naming the layout"
            Expect.stringContains refused.Message "--resume" "and told how to upgrade it"
            (
                use upgraded = location.Open("upgrade-search", SearchStoreAccess.Create, Option.toObj file)
                upgraded.Locked(fun tx -> tx.WriteReports [ report 20 0.875 ]; 0) |> ignore
                Expect.equal (upgraded.ReadReports() |> Seq.map (fun r -> r.Step, Double.IsNaN r.Metric) |> List.ofSeq) [ 10, true; 20, false ] "upgraded: new reports keep it"
                Expect.equal (upgraded.ReadReports() |> Seq.last).Metric 0.875 "the metric written"
            )
            use again = location.Open("upgrade-search", SearchStoreAccess.ReadOnly, Option.toObj file)
            Expect.equal (again.ReadReports().Count) 2 "read at the new layout")

        test "a SQLite store of the layout before leases (version 1) is refused, naming both versions" {
            let folder = TestFolders.fresh "old-store"
            IO.Directory.CreateDirectory folder |> ignore
            let makeOld () =
                use c = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + SqliteSearchStore.FileOf folder)
                c.Open()
                use command = c.CreateCommand()
                command.CommandText <- "CREATE TABLE search (id INTEGER PRIMARY KEY, name TEXT, record_json TEXT, format INTEGER)"
                command.ExecuteNonQuery() |> ignore
            makeOld ()
            let error = Expect.throwsC (fun () -> SqliteSearchStore.OpenFolder folder |> ignore) id
            Expect.stringContains error.Message "version 1" "the old version"
            Expect.stringContains error.Message "older ganflow" "says which side is old"
        }

        yield! onBoth "the search's lock serialises read-then-append across connections: no two transactions see the same log" (fun backend ->
            let location, file, store = created backend "lock-search" 60.0
            use store = store
            let threads, rounds = 4, 20
            let run () =
                use own = location.Open("lock-search", SearchStoreAccess.ReadWrite, Option.toObj file)
                for _ in 1 .. rounds do
                    own.Locked(fun tx ->
                        let seen = tx.EventsAfter(0L).Count
                        Thread.Sleep 2 // a racing transaction would read the same count meanwhile
                        tx.Append("w", [ NewSearchEvent("start", seen, Nullable(), Nullable(), Nullable(), null) ]))
                    |> ignore
            [| for _ in 1 .. threads -> Thread(run) |] |> Array.map (fun t -> t.Start(); t) |> Array.iter _.Join()
            let events = store.ReadEvents()
            Expect.equal (events |> Seq.map _.Trial |> List.ofSeq) [ 0 .. threads * rounds - 1 ] "each transaction saw every earlier one"
            Expect.equal (events |> Seq.map _.Sequence |> List.ofSeq) [ 1L .. int64 (threads * rounds) ] "sequence numbers in order, no gap")

        yield! onBoth "a lease's expiry is computed by the database's clock when it is granted, not when its transaction began" (fun backend ->
            let _, _, store = created backend "clock-search" 1.0
            use store = store
            let lease =
                store.Locked(fun tx ->
                    Thread.Sleep 1_500 // longer than the lease: now() would date the expiry from before this wait
                    tx.Grant(0, 10, "w"))
            Expect.isTrue (store.Locked(fun tx -> tx.Holds lease)) "the lease holds right after its transaction"
            let attempt = store.ReadAttempts() |> Seq.exactlyOne
            let started, expires = DateTime.Parse(attempt.Started).ToUniversalTime(), DateTime.Parse(attempt.Expires).ToUniversalTime()
            Expect.floatClose Accuracy.medium (expires - started).TotalSeconds 1.0 "expiry = grant time + lease")

        yield! onBoth "a renewed lease holds; an expired one is ended, can no longer be renewed, and fences its holder" (fun backend ->
            let _, _, store = created backend "lease-search" 1.0
            use store = store
            let lease = store.Locked(fun tx -> tx.Grant(2, 10, "worker-a"))
            Expect.equal lease.Attempt 1 "first attempt"
            Thread.Sleep 600
            Expect.equal (store.Renew lease) (Nullable 1.0) "renewed within its length, by the search's length"
            Thread.Sleep 600
            Expect.isTrue (store.Locked(fun tx -> tx.Holds lease)) "1.2 s after the grant, held thanks to the renewal"
            Expect.equal (store.Locked(fun tx -> tx.ExpireLeases())) 0 "nothing expired yet"
            Thread.Sleep 1_100
            Expect.isFalse (store.Locked(fun tx -> tx.Holds lease)) "expired by the clock"
            Expect.equal (store.Locked(fun tx -> tx.ExpireLeases())) 1 "one lease expired"
            Expect.isFalse (store.Renew lease).HasValue "a lost lease cannot be renewed"
            let again = store.Locked(fun tx -> tx.Grant(2, 10, "worker-b"))
            Expect.equal again.Attempt 2 "the job given again is its second attempt"
            Expect.isFalse (store.Renew lease).HasValue "the first holder stays fenced"
            Expect.isFalse (store.Locked(fun tx -> tx.Holds(Lease(lease.Trial, lease.ToStep, 2, lease.Worker, 1.0)))) "and cannot pass for the second attempt's holder"
            store.Locked(fun tx -> tx.EndAttempt(lease, "expired", refused = true); tx.EndAttempt(again, "reported"); 0) |> ignore
            let attempts = store.ReadAttempts() |> List.ofSeq
            Expect.equal (attempts |> List.map (fun a -> a.Attempt, a.Worker, a.Outcome, a.ReportRefused))
                [ 1, "worker-a", "expired", true; 2, "worker-b", "reported", false ] "the attempts as recorded"
            Expect.isEmpty (store.Locked(fun tx -> tx.HeldAttempts())) "none held")

        yield! onBoth "a lease is granted and renewed with the search's lease length at that moment (a resume may change it)" (fun backend ->
            let _, _, store = created backend "length-search" 1.0
            use store = store
            let lease = store.Locked(fun tx -> tx.Grant(0, 10, "w"))
            Expect.equal lease.Seconds 1.0 "granted with the search's length"
            store.UpdateSearch("""{"test": true}""", 4, 3.0)
            Expect.equal (store.Renew lease) (Nullable 3.0) "renewed with the new length, which the worker's deadline then uses"
            let attempt = store.ReadAttempts() |> Seq.exactlyOne
            Expect.isGreaterThan (DateTime.Parse(attempt.Expires).ToUniversalTime() - DateTime.Parse(attempt.Started).ToUniversalTime()).TotalSeconds 2.5 "the new expiry")

        yield! onBoth "workers show as alive while they heartbeat within the lease, and not once ended" (fun backend ->
            let _, _, store = created backend "workers-search" 60.0
            use store = store
            store.Heartbeat("a", "host", 1)
            store.Heartbeat("b", "host", 2)
            store.EndWorker "b"
            Expect.equal (store.ReadWorkers() |> Seq.map (fun w -> w.Worker, w.Alive) |> List.ofSeq) [ "a", true; "b", false ] "a alive, b ended")

        testPostgres "many processes opening a new PostgreSQL store at once create its schema once" (fun () ->
            let url, file, database = freshDatabase ()
            let location = SearchStoreLocation.Parse(url, null)
            let opened = Array.init 6 (fun _ -> Tasks.Task.Run(fun () -> (location.Open("race-search", SearchStoreAccess.Create, Option.toObj file)).Dispose()))
            Tasks.Task.WaitAll opened
            Expect.equal (Convert.ToInt64(scalar database "SELECT COUNT(*) FROM ganflow.schema_version")) 1L "one version row")

        test "--store values: sqlite, sqlite:PATH, PostgreSQL URLs with their TLS options, and no password ever" {
            let folder = TestFolders.fresh "locations"
            match SearchStoreLocation.Parse("sqlite", folder) with
            | :? SearchStoreLocation.Sqlite as s -> Expect.equal s.DatabaseFile (IO.Path.GetFullPath(SqliteSearchStore.FileOf folder)) "sqlite: the --out folder's study.db"
            | other -> failtestf "%A" other
            let p = SearchStoreLocation.Parse("postgresql://alice@db.example:6543/studies?sslmode=verify-full&sslrootcert=/etc/ca.pem", null)
            Expect.equal p.Url "postgresql://alice@db.example:6543/studies?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem" "round trip"
            let q = SearchStoreLocation.Parse("postgres://db.example/studies", null) :?> SearchStoreLocation.Postgres
            Expect.equal (q.Port, q.User) (5432, null) "default port, no user"
            let refused (text: string) (says: string) =
                let error = Expect.throwsC (fun () -> SearchStoreLocation.Parse(text, null) |> ignore) id
                Expect.stringContains error.Message says (sprintf "%s: %s" text error.Message)
                Expect.isFalse (error.Message.Contains "hunter2") "the password is never repeated"
            refused "postgresql://alice:hunter2@db/studies" "holds a password"
            refused "postgresql://alice@db/studies?password=hunter2" "password option"
            refused "postgresql://alice@db/studies?sslmode=maybe" "sslmode"
            refused "postgresql://alice@db/studies?bogus=1" "unknown URL option bogus"
            refused "postgresql://alice@db/" "name one database"
            refused "mysql://db/x" "not a search store"
            refused "sqlite" "--store sqlite"
        }
    ]
