using System.Data;
using System.Data.Common;
using System.Globalization;

namespace GanFlow.Store;

/// <summary>
/// <see cref="ISearchStore"/> over one ADO.NET connection: the tables, queries and lease rules shared by SQLite and
/// PostgreSQL. A subclass supplies the connection, the clock expression (PostgreSQL's <c>clock_timestamp()</c>, which
/// moves within a transaction, unlike <c>now()</c>), the table names, and how a transaction takes the search's lock.
/// Times are stored as seconds since 1970 by the database's clock, so every machine's workers compare leases on one
/// clock. Tables (schema version <see cref="SchemaVersion"/>): <c>schema_version</c>, <c>searches</c>, <c>trials</c>,
/// <c>reports</c>, <c>events</c>, <c>attempts</c>, <c>workers</c>; view <c>decisions</c>. Every table is keyed by the
/// search's name, so one store holds many searches.
/// </summary>
public abstract class RelationalSearchStore : ISearchStore
{
    /// <summary>The layout this ganflow reads and writes. 1: one search per SQLite file, no leases (before issue 18). 2:
    /// reports without the search's own metric (before searches could optimise any recorded metric); a store of layout 2 is
    /// read as it is, refused to workers, and upgraded in place by <c>ganflow search</c> (<see cref="Upgrade"/>).</summary>
    public const int SchemaVersion = 3;

    /// <summary>The layout the open store has (<see cref="SchemaVersion"/>, or 2 when opened read-only before an upgrade).</summary>
    private int layout = SchemaVersion;

    private readonly object gate = new();

    /// <summary>A store of the search <paramref name="searchName"/>.</summary>
    protected RelationalSearchStore(string searchName) => SearchName = searchName;

    /// <inheritdoc />
    public string SearchName { get; }

    /// <inheritdoc />
    public abstract string Location { get; }

    /// <summary>The open connection (reopened by the subclass when it broke).</summary>
    protected abstract DbConnection Connection { get; }

    /// <summary>SQL for "now" by the database's clock, in seconds since 1970 (double precision).</summary>
    protected abstract string Now { get; }

    /// <summary>The qualified name of a table.</summary>
    protected abstract string Table(string name);

    /// <summary>Begins a transaction that holds the search's lock until it ends.</summary>
    protected abstract DbTransaction BeginLocked();

    /// <summary>Turns a driver exception into a <see cref="RunFolderException"/> naming the store (or returns null to let it pass).</summary>
    protected virtual Exception? Translate(Exception error) => null;

    /// <summary>Runs <paramref name="action"/> on the connection under the store's thread gate, translating driver errors.</summary>
    protected T Use<T>(Func<T> action)
    {
        lock (gate)
        {
            try
            {
                return action();
            }
            catch (Exception e) when (Translate(e) is { } translated)
            {
                throw translated;
            }
        }
    }

    private void Use(Action action) => Use(() => { action(); return 0; });

    // ---- SQL helpers ------------------------------------------------------------------------------------------------

    /// <summary>A command on the connection (in <paramref name="transaction"/> when given) with named parameters.</summary>
    protected DbCommand Command(string sql, DbTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        return command;
    }

    /// <summary>Executes a statement; returns the rows it changed.</summary>
    protected int Execute(string sql, DbTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, transaction, parameters);
        return command.ExecuteNonQuery();
    }

    /// <summary>Every row of a query, each turned into a value.</summary>
    protected List<T> Query<T>(string sql, Func<DbDataReader, T> row, DbTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(sql, transaction, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(row(reader));
        return rows;
    }

    private static object? Finite(double? v) => v is { } x && double.IsFinite(x) ? x : null;
    private static int? Int(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);
    private static double Real(DbDataReader r, int i) => r.IsDBNull(i) ? double.NaN : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);
    private static double? RealOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);
    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>Seconds since 1970 as UTC ISO 8601 (milliseconds).</summary>
    protected static string Iso(double seconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static string? IsoOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Iso(Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture));

    // ---- schema -----------------------------------------------------------------------------------------------------

    /// <summary>The statements that create the tables (each idempotent), in order.</summary>
    protected IEnumerable<string> SchemaStatements()
    {
        const string real = "DOUBLE PRECISION";
        yield return $"CREATE TABLE IF NOT EXISTS {Table("schema_version")} (version INTEGER NOT NULL)";
        yield return $"""
            CREATE TABLE IF NOT EXISTS {Table("searches")} (
                name TEXT PRIMARY KEY, record_json TEXT NOT NULL, trials INTEGER NOT NULL, out_dir TEXT NOT NULL,
                lease_seconds {real} NOT NULL, created_at {real} NOT NULL, best_trial INTEGER, best_step INTEGER, best_metric {real})
            """;
        yield return $"""
            CREATE TABLE IF NOT EXISTS {Table("trials")} (
                search TEXT NOT NULL, trial INTEGER NOT NULL, assignment TEXT NOT NULL, assignment_json TEXT NOT NULL,
                spec_json TEXT NOT NULL, folder TEXT NOT NULL, status TEXT NOT NULL, rung INTEGER NOT NULL, steps INTEGER NOT NULL,
                metric {real}, updated_at {real} NOT NULL, PRIMARY KEY (search, trial))
            """;
        yield return $"""
            CREATE TABLE IF NOT EXISTS {Table("reports")} (
                search TEXT NOT NULL, trial INTEGER NOT NULL, step INTEGER NOT NULL, w1 {real}, w1_exact {real}, critic_w1 {real},
                energy {real}, nll {real}, wall_seconds {real}, metric {real}, PRIMARY KEY (search, trial, step))
            """;
        yield return $"""
            CREATE TABLE IF NOT EXISTS {Table("events")} (
                search TEXT NOT NULL, seq BIGINT NOT NULL, kind TEXT NOT NULL, trial INTEGER NOT NULL, rung INTEGER, step INTEGER,
                value {real}, detail TEXT, at {real} NOT NULL, worker TEXT NOT NULL, PRIMARY KEY (search, seq))
            """;
        yield return $"""
            CREATE TABLE IF NOT EXISTS {Table("attempts")} (
                search TEXT NOT NULL, trial INTEGER NOT NULL, to_step INTEGER NOT NULL, attempt INTEGER NOT NULL, worker TEXT NOT NULL,
                started_at {real} NOT NULL, expires_at {real} NOT NULL, ended_at {real}, outcome TEXT,
                report_refused INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (search, trial, to_step, attempt))
            """;
        yield return $"""
            CREATE TABLE IF NOT EXISTS {Table("workers")} (
                search TEXT NOT NULL, worker TEXT NOT NULL, host TEXT NOT NULL, pid INTEGER NOT NULL, started_at {real} NOT NULL,
                seen_at {real} NOT NULL, ended_at {real}, PRIMARY KEY (search, worker))
            """;
        yield return $"""
            {(this is SqliteSearchStore ? "CREATE VIEW IF NOT EXISTS" : "CREATE OR REPLACE VIEW")} {Table("decisions")} AS
                SELECT * FROM {Table("events")} WHERE kind IN ('start', 'promote', 'pause', 'complete', 'stop', 'diverge', 'fail')
            """;
    }

    /// <summary>Creates the tables and records the schema version in <paramref name="transaction"/> (the caller makes it
    /// exclusive), unless a version is recorded already.</summary>
    protected void CreateTables(DbTransaction transaction)
    {
        if (ReadVersion(transaction) is not null) return;
        foreach (var sql in SchemaStatements()) Execute(sql, transaction);
        Execute($"INSERT INTO {Table("schema_version")} (version) VALUES (@v)", transaction, ("@v", SchemaVersion));
    }

    /// <summary>The recorded schema version, or null when there is none (no tables yet).</summary>
    protected abstract int? ReadVersion(DbTransaction? transaction);

    /// <summary>Upgrades a store of layout 2 to <see cref="SchemaVersion"/> in <paramref name="transaction"/> (the caller
    /// makes it exclusive and commits; only the explicit step that creates a store does, <c>ganflow search</c>, whose
    /// database role owns the tables): the reports gain the column <c>metric</c>, empty in the rows written before (their
    /// searches' metrics are W1, W1 exact, energy or NLL, which the reports hold in their own columns). One-way: older
    /// ganflow versions refuse the store afterwards. Any other layout is left for <see cref="CheckVersion"/> to refuse.</summary>
    protected void Upgrade(DbTransaction transaction)
    {
        if (ReadVersion(transaction) != 2) return;
        Execute($"ALTER TABLE {Table("reports")} ADD COLUMN metric DOUBLE PRECISION", transaction);
        Execute($"UPDATE {Table("schema_version")} SET version = @v", transaction, ("@v", SchemaVersion));
    }

    /// <summary>Refuses a store of another layout (naming both versions) or one without tables; a store of layout 2 is
    /// read as it is when <paramref name="readOnly"/> (its reports without the metric column).</summary>
    /// <exception cref="SearchStoreVersionException">No schema, or another version.</exception>
    protected void CheckVersion(bool readOnly)
    {
        var version = ReadVersion(null);
        if (version is null)
            throw new SearchStoreVersionException(
                $"{Location} holds no ganflow search store yet: create the search first (`ganflow search NAME --store ... --out DIR --workers 0`)");
        if (version == 2 && readOnly)
        {
            layout = 2;
            return;
        }
        if (version == 2)
            throw new SearchStoreVersionException(
                $"{Location} is a search store of layout version 2; this ganflow writes version {SchemaVersion}: run `ganflow search NAME --store ... --resume` " +
                "once to upgrade it in place (one-way: older ganflow versions then refuse it), then start the workers");
        if (version != SchemaVersion)
            throw new SearchStoreVersionException(
                $"{Location} is a search store of layout version {version}; this ganflow reads and writes version {SchemaVersion} " +
                (version < SchemaVersion ? "(written by an older ganflow: run its search there to the end with that version, or start afresh elsewhere)" : "(written by a newer ganflow: use that one)"));
    }

    // ---- the search -------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public SearchHeader? ReadHeader() => Use(() =>
        Query($"SELECT name, record_json, trials, out_dir, lease_seconds FROM {Table("searches")} WHERE name = @s",
            r => new SearchHeader(r.GetString(0), r.GetString(1), Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture), r.GetString(3), Real(r, 4)),
            null, ("@s", SearchName)).SingleOrDefault());

    /// <inheritdoc />
    public void CreateSearch(SearchHeader header) => Use(() =>
    {
        if (header.Name != SearchName) throw new ArgumentException($"the header names {header.Name}, this store handle {SearchName}", nameof(header));
        using var transaction = Connection.BeginTransaction();
        var exists = Query($"SELECT name FROM {Table("searches")} WHERE name = @s", r => r.GetString(0), transaction, ("@s", SearchName)).Count > 0;
        if (exists) throw new RunFolderException($"{Location} already holds a search named {SearchName}");
        Execute($"""
            INSERT INTO {Table("searches")} (name, record_json, trials, out_dir, lease_seconds, created_at)
            VALUES (@s, @record, @trials, @out, @lease, {Now})
            """, transaction, ("@s", SearchName), ("@record", header.RecordJson), ("@trials", header.Trials), ("@out", header.OutDirectory),
            ("@lease", header.LeaseSeconds));
        transaction.Commit();
    });

    /// <inheritdoc />
    public void UpdateSearch(string recordJson, int trials, double leaseSeconds) => Use(() =>
        Execute($"UPDATE {Table("searches")} SET record_json = @record, trials = @trials, lease_seconds = @lease WHERE name = @s", null,
            ("@record", recordJson), ("@trials", trials), ("@lease", leaseSeconds), ("@s", SearchName)));

    /// <inheritdoc />
    public void DeleteSearch() => Use(() =>
    {
        using var transaction = Connection.BeginTransaction();
        foreach (var table in new[] { "events", "trials", "reports", "attempts", "workers", "searches" })
            Execute($"DELETE FROM {Table(table)} WHERE {(table == "searches" ? "name" : "search")} = @s", transaction, ("@s", SearchName));
        transaction.Commit();
    });

    // ---- reads ------------------------------------------------------------------------------------------------------

    private const string EventColumns = "seq, kind, trial, rung, step, value, detail, at, worker";

    private static SearchEvent EventOf(DbDataReader r) =>
        new(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), r.GetString(1), Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture),
            Int(r, 3), Int(r, 4), RealOrNull(r, 5), Text(r, 6), Iso(Real(r, 7)), r.GetString(8));

    /// <inheritdoc />
    public IReadOnlyList<SearchEvent> ReadEvents() => Use(() =>
        Query($"SELECT {EventColumns} FROM {Table("events")} WHERE search = @s ORDER BY seq", EventOf, null, ("@s", SearchName)));

    /// <inheritdoc />
    public int CountEvents() => Use(() =>
        Query($"SELECT COUNT(*) FROM {Table("events")} WHERE search = @s", r => Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), null,
            ("@s", SearchName)).Single());

    /// <inheritdoc />
    public IReadOnlyList<TrialRow> ReadTrials() => Use(() =>
        Query($"""
            SELECT trial, assignment, assignment_json, spec_json, folder, status, rung, steps, metric FROM {Table("trials")}
            WHERE search = @s ORDER BY trial
            """,
            r => new TrialRow(Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetString(5), Convert.ToInt32(r.GetValue(6), CultureInfo.InvariantCulture), Convert.ToInt32(r.GetValue(7), CultureInfo.InvariantCulture),
                RealOrNull(r, 8)), null, ("@s", SearchName)));

    /// <inheritdoc />
    public IReadOnlyList<TrialReport> ReadReports() => Use(() =>
        Query($"""
            SELECT trial, step, w1, w1_exact, critic_w1, energy, nll, wall_seconds, {(layout == 2 ? "NULL" : "metric")} FROM {Table("reports")}
            WHERE search = @s ORDER BY trial, step
            """,
            r => new TrialReport(Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture),
                Real(r, 2), Real(r, 3), Real(r, 4), Real(r, 5), Real(r, 6), Real(r, 7), Real(r, 8)), null, ("@s", SearchName)));

    /// <inheritdoc />
    public BestTrial? ReadBest() => Use(() =>
        Query($"SELECT best_trial, best_step, best_metric FROM {Table("searches")} WHERE name = @s AND best_trial IS NOT NULL",
            r => new BestTrial(Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture), Real(r, 2)),
            null, ("@s", SearchName)).SingleOrDefault());

    private const string AttemptColumns = "trial, to_step, attempt, worker, started_at, expires_at, ended_at, outcome, report_refused";

    private static AttemptRow AttemptOf(DbDataReader r) =>
        new(Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture),
            Convert.ToInt32(r.GetValue(2), CultureInfo.InvariantCulture), r.GetString(3), Iso(Real(r, 4)), Iso(Real(r, 5)), IsoOrNull(r, 6), Text(r, 7),
            Convert.ToInt64(r.GetValue(8), CultureInfo.InvariantCulture) != 0);

    /// <inheritdoc />
    public IReadOnlyList<AttemptRow> ReadAttempts() => Use(() =>
        Query($"SELECT {AttemptColumns} FROM {Table("attempts")} WHERE search = @s ORDER BY trial, to_step, attempt", AttemptOf, null, ("@s", SearchName)));

    /// <inheritdoc />
    public IReadOnlyList<WorkerRow> ReadWorkers() => Use(() =>
        Query($"""
            SELECT w.worker, w.started_at, w.seen_at, w.ended_at,
                   CASE WHEN w.ended_at IS NULL AND w.seen_at > {Now} - s.lease_seconds THEN 1 ELSE 0 END
            FROM {Table("workers")} w JOIN {Table("searches")} s ON s.name = w.search
            WHERE w.search = @s ORDER BY w.worker
            """,
            r => new WorkerRow(r.GetString(0), Iso(Real(r, 1)), Iso(Real(r, 2)), IsoOrNull(r, 3), Convert.ToInt64(r.GetValue(4), CultureInfo.InvariantCulture) != 0),
            null, ("@s", SearchName)));

    // ---- coordination -----------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public T Locked<T>(Func<ISearchTransaction, T> body) => Use(() =>
    {
        using var transaction = BeginLocked();
        var result = body(new Transaction(this, transaction));
        transaction.Commit();
        return result;
    });

    /// <inheritdoc />
    public double? Renew(Lease lease) => Use<double?>(() =>
    {
        // The length is read first and written explicitly, so the worker's local deadline and the database's expiry
        // use the same length.
        var seconds = LeaseSecondsOf(null);
        var renewed = Execute($"""
            UPDATE {Table("attempts")} SET expires_at = {Now} + @lease
            WHERE search = @s AND trial = @t AND to_step = @k AND attempt = @a AND worker = @w AND ended_at IS NULL AND expires_at > {Now}
            """, null, ("@lease", seconds), ("@s", SearchName), ("@t", lease.Trial), ("@k", lease.ToStep), ("@a", lease.Attempt), ("@w", lease.Worker));
        return renewed == 1 ? seconds : null;
    });

    /// <summary>The search's lease length now.</summary>
    private double LeaseSecondsOf(DbTransaction? transaction) =>
        Query($"SELECT lease_seconds FROM {Table("searches")} WHERE name = @s", r => Real(r, 0), transaction, ("@s", SearchName)).Single();

    /// <inheritdoc />
    public void Heartbeat(string worker, string host, int processId) => Use(() =>
    {
        var updated = Execute($"UPDATE {Table("workers")} SET seen_at = {Now} WHERE search = @s AND worker = @w", null, ("@s", SearchName), ("@w", worker));
        if (updated == 0)
            Execute($"""
                INSERT INTO {Table("workers")} (search, worker, host, pid, started_at, seen_at) VALUES (@s, @w, @h, @p, {Now}, {Now})
                ON CONFLICT (search, worker) DO UPDATE SET seen_at = excluded.seen_at
                """, null, ("@s", SearchName), ("@w", worker), ("@h", host), ("@p", processId));
    });

    /// <inheritdoc />
    public void EndWorker(string worker) => Use(() =>
        Execute($"UPDATE {Table("workers")} SET ended_at = {Now}, seen_at = {Now} WHERE search = @s AND worker = @w", null, ("@s", SearchName), ("@w", worker)));

    /// <summary>The operations of one locked transaction.</summary>
    private sealed class Transaction(RelationalSearchStore store, DbTransaction transaction) : ISearchTransaction
    {
        private string S => store.SearchName;
        private string T(string name) => store.Table(name);

        public int Trials => Convert.ToInt32(
            store.Query($"SELECT trials FROM {T("searches")} WHERE name = @s", r => r.GetValue(0), transaction, ("@s", S)).Single(), CultureInfo.InvariantCulture);

        public IReadOnlyList<SearchEvent> EventsAfter(long sequence) =>
            store.Query($"SELECT {EventColumns} FROM {T("events")} WHERE search = @s AND seq > @after ORDER BY seq", EventOf, transaction,
                ("@s", S), ("@after", sequence));

        public IReadOnlyList<SearchEvent> Append(string worker, IReadOnlyList<NewSearchEvent> events)
        {
            var last = store.Query($"SELECT MAX(seq) FROM {T("events")} WHERE search = @s", r => r.IsDBNull(0) ? 0L : Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture),
                transaction, ("@s", S)).Single();
            foreach (var e in events)
            {
                last++;
                store.Execute($"""
                    INSERT INTO {T("events")} (search, seq, kind, trial, rung, step, value, detail, at, worker)
                    VALUES (@s, @seq, @kind, @trial, @rung, @step, @value, @detail, {store.Now}, @worker)
                    """, transaction, ("@s", S), ("@seq", last), ("@kind", e.Kind), ("@trial", e.Trial), ("@rung", e.Rung), ("@step", e.Step),
                    ("@value", Finite(e.Value)), ("@detail", e.Detail), ("@worker", worker));
            }
            return EventsAfter(last - events.Count);
        }

        public void WriteTrials(IReadOnlyList<TrialRow> trials)
        {
            foreach (var t in trials)
                store.Execute($"""
                    INSERT INTO {T("trials")} (search, trial, assignment, assignment_json, spec_json, folder, status, rung, steps, metric, updated_at)
                    VALUES (@s, @trial, @assignment, @assignmentJson, @spec, @folder, @status, @rung, @steps, @metric, {store.Now})
                    ON CONFLICT (search, trial) DO UPDATE SET status = excluded.status, rung = excluded.rung, steps = excluded.steps,
                        metric = excluded.metric, updated_at = excluded.updated_at
                    """, transaction, ("@s", S), ("@trial", t.Trial), ("@assignment", t.Assignment), ("@assignmentJson", t.AssignmentJson),
                    ("@spec", t.SpecJson), ("@folder", t.Folder), ("@status", t.Status), ("@rung", t.Rung), ("@steps", t.Steps),
                    ("@metric", Finite(t.Metric)));
        }

        public void WriteReports(IReadOnlyList<TrialReport> reports)
        {
            foreach (var p in reports)
                store.Execute($"""
                    INSERT INTO {T("reports")} (search, trial, step, w1, w1_exact, critic_w1, energy, nll, wall_seconds, metric)
                    VALUES (@s, @trial, @step, @w1, @w1Exact, @critic, @energy, @nll, @wall, @metric)
                    ON CONFLICT (search, trial, step) DO UPDATE SET w1 = excluded.w1, w1_exact = excluded.w1_exact,
                        critic_w1 = excluded.critic_w1, energy = excluded.energy, nll = excluded.nll, wall_seconds = excluded.wall_seconds,
                        metric = excluded.metric
                    """, transaction, ("@s", S), ("@trial", p.Trial), ("@step", p.Step), ("@w1", Finite(p.W1)), ("@w1Exact", Finite(p.W1Exact)),
                    ("@critic", Finite(p.CriticW1)), ("@energy", Finite(p.Energy)), ("@nll", Finite(p.Nll)), ("@wall", Finite(p.WallSeconds)),
                    ("@metric", Finite(p.Metric)));
        }

        public void WriteBest(BestTrial best) =>
            store.Execute($"UPDATE {T("searches")} SET best_trial = @trial, best_step = @step, best_metric = @metric WHERE name = @s", transaction,
                ("@trial", best.Trial), ("@step", best.Step), ("@metric", best.Metric), ("@s", S));

        public int ExpireLeases() =>
            store.Execute($"""
                UPDATE {T("attempts")} SET ended_at = {store.Now}, outcome = 'expired'
                WHERE search = @s AND ended_at IS NULL AND expires_at <= {store.Now}
                """, transaction, ("@s", S));

        public int ExpireDeadWorkers(string host, Func<int, bool> isAlive)
        {
            // One query in the usual case (no worker gone): this machine's workers not yet ended, and any holding a job.
            var workers = store.Query($"""
                SELECT w.worker, w.pid FROM {T("workers")} w
                WHERE w.search = @s AND w.host = @h
                  AND (w.ended_at IS NULL OR EXISTS (SELECT 1 FROM {T("attempts")} a WHERE a.search = w.search AND a.worker = w.worker AND a.ended_at IS NULL))
                """, r => (Worker: r.GetString(0), Pid: Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture)), transaction, ("@s", S), ("@h", host));
            var ended = 0;
            foreach (var w in workers.Where(w => !isAlive(w.Pid)))
            {
                ended += store.Execute($"""
                    UPDATE {T("attempts")} SET ended_at = {store.Now}, outcome = 'expired'
                    WHERE search = @s AND worker = @w AND ended_at IS NULL
                    """, transaction, ("@s", S), ("@w", w.Worker));
                // The worker itself, held a job or not: `workers` (alive) counted it until its last heartbeat was a
                // lease old, a finished search's status still naming it.
                store.Execute($"UPDATE {T("workers")} SET ended_at = {store.Now} WHERE search = @s AND worker = @w AND ended_at IS NULL",
                    transaction, ("@s", S), ("@w", w.Worker));
            }
            return ended;
        }

        public IReadOnlyList<AttemptRow> HeldAttempts() =>
            store.Query($"SELECT {AttemptColumns} FROM {T("attempts")} WHERE search = @s AND ended_at IS NULL ORDER BY trial, to_step, attempt",
                AttemptOf, transaction, ("@s", S));

        public Lease Grant(int trial, int toStep, string worker)
        {
            var attempt = 1 + store.Query($"SELECT COUNT(*) FROM {T("attempts")} WHERE search = @s AND trial = @t AND to_step = @k",
                r => Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), transaction, ("@s", S), ("@t", trial), ("@k", toStep)).Single();
            var seconds = store.LeaseSecondsOf(transaction);
            // One reading of the clock for both times: PostgreSQL's clock_timestamp() advances between two calls in one
            // statement, which dated the expiry a little after grant time + lease.
            store.Execute($"""
                INSERT INTO {T("attempts")} (search, trial, to_step, attempt, worker, started_at, expires_at)
                SELECT @s, @t, @k, @a, @w, clock.granted, clock.granted + @lease FROM (SELECT {store.Now} AS granted) AS clock
                """, transaction, ("@s", S), ("@t", trial), ("@k", toStep), ("@a", attempt), ("@w", worker), ("@lease", seconds));
            return new Lease(trial, toStep, attempt, worker, seconds);
        }

        public bool Holds(Lease lease) =>
            store.Query($"""
                SELECT attempt FROM {T("attempts")}
                WHERE search = @s AND trial = @t AND to_step = @k AND attempt = @a AND worker = @w AND ended_at IS NULL AND expires_at > {store.Now}
                """, r => 1, transaction, ("@s", S), ("@t", lease.Trial), ("@k", lease.ToStep), ("@a", lease.Attempt), ("@w", lease.Worker)).Count == 1;

        public void EndAttempt(Lease lease, string outcome, bool refused = false) =>
            store.Execute($"""
                UPDATE {T("attempts")} SET ended_at = COALESCE(ended_at, {store.Now}), outcome = COALESCE(outcome, @outcome),
                    report_refused = CASE WHEN @refused = 1 THEN 1 ELSE report_refused END
                WHERE search = @s AND trial = @t AND to_step = @k AND attempt = @a AND worker = @w
                """, transaction, ("@outcome", outcome), ("@refused", refused ? 1 : 0), ("@s", S), ("@t", lease.Trial), ("@k", lease.ToStep),
                ("@a", lease.Attempt), ("@w", lease.Worker));
    }

    /// <summary>Releases the connection.</summary>
    public abstract void Dispose();
}
