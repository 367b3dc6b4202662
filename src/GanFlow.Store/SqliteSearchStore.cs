using System.Globalization;
using Microsoft.Data.Sqlite;

namespace GanFlow.Store;

/// <summary>
/// <see cref="ISearchStore"/> on an embedded SQLite database, <c>DIR/study.db</c> (Microsoft.Data.Sqlite), in WAL mode
/// with full synchronisation: every commit is one transaction, durable when it returns, and readers (`ganflow
/// search-status`, the report) see the last committed state while the driver writes. Tables: <c>search</c> (one row),
/// <c>trials</c>, <c>reports</c>, <c>events</c>; view <c>decisions</c>.
/// </summary>
public sealed class SqliteSearchStore : ISearchStore
{
    /// <summary>The database file of a search folder.</summary>
    public const string FileName = "study.db";
    private const int Format = 1;
    private readonly SqliteConnection connection;

    private SqliteSearchStore(SqliteConnection connection) => this.connection = connection;

    /// <summary>The store of the search folder <paramref name="directory"/>, created when missing (with
    /// <paramref name="readOnly"/>: opened for reading only, and it must exist).</summary>
    /// <exception cref="RunFolderException">The file is not a search store this tool wrote.</exception>
    public static SqliteSearchStore Open(string directory, bool readOnly = false)
    {
        var path = Path.Combine(directory, FileName);
        if (readOnly && !File.Exists(path)) throw new RunFolderException($"{directory}: no {FileName} (is this a search folder written by `ganflow search`?)");
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            var store = new SqliteSearchStore(connection);
            if (!readOnly) store.CreateSchema();
            store.CheckFormat(path);
            return store;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new RunFolderException($"{path}: not a usable search store ({e.Message})");
        }
    }

    private void Execute(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void CreateSchema()
    {
        Execute("PRAGMA journal_mode = WAL;");
        Execute("PRAGMA synchronous = FULL;");
        Execute($"""
            CREATE TABLE IF NOT EXISTS search (
                id INTEGER PRIMARY KEY CHECK (id = 1), name TEXT NOT NULL, record_json TEXT NOT NULL, format INTEGER NOT NULL,
                best_trial INTEGER, best_step INTEGER, best_metric REAL);
            CREATE TABLE IF NOT EXISTS trials (
                trial INTEGER PRIMARY KEY, assignment TEXT NOT NULL, assignment_json TEXT NOT NULL, spec_json TEXT NOT NULL,
                folder TEXT NOT NULL, status TEXT NOT NULL, rung INTEGER NOT NULL, steps INTEGER NOT NULL, metric REAL, updated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS reports (
                trial INTEGER NOT NULL, step INTEGER NOT NULL, w1 REAL, w1_exact REAL, critic_w1 REAL, energy REAL, nll REAL,
                wall_seconds REAL, PRIMARY KEY (trial, step));
            CREATE TABLE IF NOT EXISTS events (
                seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, trial INTEGER NOT NULL, rung INTEGER, step INTEGER, value REAL,
                detail TEXT, at TEXT NOT NULL);
            CREATE VIEW IF NOT EXISTS decisions AS
                SELECT * FROM events WHERE kind IN ('start', 'promote', 'pause', 'complete', 'stop', 'diverge', 'fail');
            """);
    }

    private void CheckFormat(string path)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT format FROM search WHERE id = 1";
        if (command.ExecuteScalar() is long format && format != Format)
            throw new RunFolderException($"{path}: search store format {format}, this ganflow writes {Format}");
    }

    /// <inheritdoc />
    public SearchHeader? ReadHeader() =>
        Query("SELECT name, record_json, format FROM search WHERE id = 1",
            r => new SearchHeader(r.GetString(0), r.GetString(1), r.GetInt32(2))).SingleOrDefault();

    /// <inheritdoc />
    public void WriteHeader(string name, string recordJson)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO search (id, name, record_json, format) VALUES (1, $name, $record, $format)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, record_json = excluded.record_json
            """;
        command.Parameters.AddWithValue("$name", name);
        command.Parameters.AddWithValue("$record", recordJson);
        command.Parameters.AddWithValue("$format", Format);
        command.ExecuteNonQuery();
    }

    private static object Nullable(double? v) => v is { } x && double.IsFinite(x) ? x : DBNull.Value;
    private static object Nullable(int? v) => v is { } x ? x : DBNull.Value;
    private static object Nullable(string? v) => v is { } x ? x : DBNull.Value;
    private static double Real(SqliteDataReader r, int i) => r.IsDBNull(i) ? double.NaN : r.GetDouble(i);

    /// <summary>Every row of <paramref name="sql"/>, each turned into a value by <paramref name="row"/>.</summary>
    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> row)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var r = command.ExecuteReader();
        var rows = new List<T>();
        while (r.Read()) rows.Add(row(r));
        return rows;
    }

    private static int? Int(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt32(i);

    /// <inheritdoc />
    public IReadOnlyList<SearchEvent> ReadEvents() =>
        Query("SELECT seq, kind, trial, rung, step, value, detail, at FROM events ORDER BY seq",
            r => new SearchEvent(r.GetInt64(0), r.GetString(1), r.GetInt32(2), Int(r, 3), Int(r, 4),
                r.IsDBNull(5) ? null : r.GetDouble(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7)));

    /// <inheritdoc />
    public IReadOnlyList<TrialRow> ReadTrials() =>
        Query("SELECT trial, assignment, assignment_json, spec_json, folder, status, rung, steps, metric FROM trials ORDER BY trial",
            r => new TrialRow(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetInt32(6), r.GetInt32(7), r.IsDBNull(8) ? null : r.GetDouble(8)));

    /// <inheritdoc />
    public IReadOnlyList<TrialReport> ReadReports() =>
        Query("SELECT trial, step, w1, w1_exact, critic_w1, energy, nll, wall_seconds FROM reports ORDER BY trial, step",
            r => new TrialReport(r.GetInt32(0), r.GetInt32(1), Real(r, 2), Real(r, 3), Real(r, 4), Real(r, 5), Real(r, 6), Real(r, 7)));

    /// <inheritdoc />
    public void Commit(IReadOnlyList<NewSearchEvent> events, IReadOnlyList<TrialRow> trials, IReadOnlyList<TrialReport> reports, BestTrial? best)
    {
        var now = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        using var transaction = connection.BeginTransaction();
        foreach (var e in events)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO events (kind, trial, rung, step, value, detail, at) VALUES ($kind, $trial, $rung, $step, $value, $detail, $at)";
            command.Parameters.AddWithValue("$kind", e.Kind);
            command.Parameters.AddWithValue("$trial", e.Trial);
            command.Parameters.AddWithValue("$rung", Nullable(e.Rung));
            command.Parameters.AddWithValue("$step", Nullable(e.Step));
            command.Parameters.AddWithValue("$value", Nullable(e.Value));
            command.Parameters.AddWithValue("$detail", Nullable(e.Detail));
            command.Parameters.AddWithValue("$at", now);
            command.ExecuteNonQuery();
        }
        foreach (var t in trials)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO trials (trial, assignment, assignment_json, spec_json, folder, status, rung, steps, metric, updated_at)
                VALUES ($trial, $assignment, $assignmentJson, $spec, $folder, $status, $rung, $steps, $metric, $at)
                ON CONFLICT (trial) DO UPDATE SET status = excluded.status, rung = excluded.rung, steps = excluded.steps,
                    metric = excluded.metric, updated_at = excluded.updated_at
                """;
            command.Parameters.AddWithValue("$trial", t.Trial);
            command.Parameters.AddWithValue("$assignment", t.Assignment);
            command.Parameters.AddWithValue("$assignmentJson", t.AssignmentJson);
            command.Parameters.AddWithValue("$spec", t.SpecJson);
            command.Parameters.AddWithValue("$folder", t.Folder);
            command.Parameters.AddWithValue("$status", t.Status);
            command.Parameters.AddWithValue("$rung", t.Rung);
            command.Parameters.AddWithValue("$steps", t.Steps);
            command.Parameters.AddWithValue("$metric", Nullable(t.Metric));
            command.Parameters.AddWithValue("$at", now);
            command.ExecuteNonQuery();
        }
        foreach (var p in reports)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO reports (trial, step, w1, w1_exact, critic_w1, energy, nll, wall_seconds)
                VALUES ($trial, $step, $w1, $w1Exact, $critic, $energy, $nll, $wall)
                """;
            command.Parameters.AddWithValue("$trial", p.Trial);
            command.Parameters.AddWithValue("$step", p.Step);
            command.Parameters.AddWithValue("$w1", Nullable(p.W1));
            command.Parameters.AddWithValue("$w1Exact", Nullable(p.W1Exact));
            command.Parameters.AddWithValue("$critic", Nullable(p.CriticW1));
            command.Parameters.AddWithValue("$energy", Nullable(p.Energy));
            command.Parameters.AddWithValue("$nll", Nullable(p.Nll));
            command.Parameters.AddWithValue("$wall", Nullable(p.WallSeconds));
            command.ExecuteNonQuery();
        }
        if (best is not null)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE search SET best_trial = $trial, best_step = $step, best_metric = $metric WHERE id = 1";
            command.Parameters.AddWithValue("$trial", best.Trial);
            command.Parameters.AddWithValue("$step", best.Step);
            command.Parameters.AddWithValue("$metric", best.Metric);
            command.ExecuteNonQuery();
        }
        transaction.Commit();
    }

    /// <inheritdoc />
    public BestTrial? ReadBest() =>
        Query("SELECT best_trial, best_step, best_metric FROM search WHERE id = 1 AND best_trial IS NOT NULL",
            r => new BestTrial(r.GetInt32(0), r.GetInt32(1), r.GetDouble(2))).SingleOrDefault();

    /// <inheritdoc />
    public void Dispose() => connection.Dispose();
}
