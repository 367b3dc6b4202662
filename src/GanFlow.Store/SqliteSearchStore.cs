using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace GanFlow.Store;

/// <summary>How a store is opened.</summary>
public enum SearchStoreAccess
{
    /// <summary>Reading only (status, reports, frames); the store must exist.</summary>
    ReadOnly,
    /// <summary>Reading and writing a store that exists (workers); its schema is never created here.</summary>
    ReadWrite,
    /// <summary>Reading and writing, creating the schema first when the store has none (<c>ganflow search</c>, the one
    /// explicit step that creates it).</summary>
    Create,
}

/// <summary>
/// <see cref="ISearchStore"/> on an embedded SQLite database, by convention <c>DIR/study.db</c> of a search folder
/// (Microsoft.Data.Sqlite), in WAL mode with full synchronisation: every transaction is durable when it returns, readers
/// (`ganflow search-status`, the report) see the last committed state while workers write, and the search's lock is
/// SQLite's write lock (<c>BEGIN IMMEDIATE</c>). Its clock is the machine's: the workers of a SQLite store run on the
/// machine that holds the file (a local filesystem; SQLite's locking is not safe over NFS).
/// </summary>
public sealed class SqliteSearchStore : RelationalSearchStore
{
    /// <summary>The database file of a search folder.</summary>
    public const string FileName = "study.db";

    private readonly SqliteConnection connection;
    private readonly string path;

    private SqliteSearchStore(SqliteConnection connection, string path, string searchName) : base(searchName)
    {
        this.connection = connection;
        this.path = path;
    }

    /// <inheritdoc />
    public override string Location => path;

    /// <inheritdoc />
    protected override DbConnection Connection => connection;

    /// <inheritdoc />
    protected override string Now => "((julianday('now') - 2440587.5) * 86400.0)";

    /// <inheritdoc />
    protected override string Table(string name) => name;

    /// <inheritdoc />
    protected override DbTransaction BeginLocked() => connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE

    /// <summary>The database file of the search folder <paramref name="directory"/>.</summary>
    public static string FileOf(string directory) => Path.Combine(directory, FileName);

    private static SqliteConnection Connect(string databaseFile, SearchStoreAccess access)
    {
        if (access != SearchStoreAccess.Create && !File.Exists(databaseFile))
            throw new RunFolderException($"{databaseFile}: no such search store (is this a search folder written by `ganflow search`?)");
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = databaseFile,
            Mode = access switch
            {
                SearchStoreAccess.ReadOnly => SqliteOpenMode.ReadOnly,
                SearchStoreAccess.ReadWrite => SqliteOpenMode.ReadWrite,
                _ => SqliteOpenMode.ReadWriteCreate,
            },
            Pooling = false,
            DefaultTimeout = 120,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            // WAL is a property of the file, set once by the step that creates the store: setting it on a file that is
            // not a store yet (an empty file a worker was pointed at) would write a header into it before it is refused.
            if (access == SearchStoreAccess.Create) Run(connection, "PRAGMA journal_mode = WAL;");
            if (access != SearchStoreAccess.ReadOnly) Run(connection, "PRAGMA synchronous = FULL;");
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new RunFolderException($"{databaseFile}: not a usable search store ({e.Message})");
        }
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Opens the search <paramref name="searchName"/> of the SQLite store <paramref name="databaseFile"/> (with
    /// <see cref="SearchStoreAccess.Create"/>: creating the file and its schema when missing).</summary>
    /// <exception cref="RunFolderException">The file is missing (unless created), is not a search store, or has another
    /// layout version (<see cref="SearchStoreVersionException"/>).</exception>
    public static SqliteSearchStore Open(string databaseFile, string searchName, SearchStoreAccess access)
    {
        var connection = Connect(databaseFile, access);
        var store = new SqliteSearchStore(connection, databaseFile, searchName);
        try
        {
            if (access == SearchStoreAccess.Create)
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                store.CreateTables(transaction);
                store.Upgrade(transaction);
                transaction.Commit();
            }
            store.CheckVersion(access == SearchStoreAccess.ReadOnly);
            return store;
        }
        catch (SqliteException e)
        {
            store.Dispose();
            throw new RunFolderException($"{databaseFile}: not a usable search store ({e.Message})");
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The names of the searches the SQLite store <paramref name="databaseFile"/> holds (a search folder's holds one).</summary>
    /// <exception cref="RunFolderException">The file is missing, not a search store, or of another layout version.</exception>
    public static IReadOnlyList<string> SearchNames(string databaseFile)
    {
        using var store = Open(databaseFile, "", SearchStoreAccess.ReadOnly);
        return store.Names();
    }

    private List<string> Names() => Use(() => Query("SELECT name FROM searches ORDER BY name", r => r.GetString(0)));

    /// <summary>Opens the search of the search folder <paramref name="directory"/> (its <c>study.db</c> holds one).</summary>
    /// <exception cref="RunFolderException">No store there, or it holds no search yet.</exception>
    public static SqliteSearchStore OpenFolder(string directory, SearchStoreAccess access = SearchStoreAccess.ReadOnly)
    {
        var file = FileOf(directory);
        var names = SearchNames(file);
        if (names.Count == 0) throw new RunFolderException($"{directory}: its {FileName} records no search yet");
        // An earlier version let a second search into a folder (now refused): its searches are read by name.
        if (names.Count > 1)
            throw new RunFolderException(
                $"{directory}: its {FileName} holds {names.Count} searches ({string.Join(", ", names)}); name one with --store sqlite:{file} --search NAME");
        return Open(file, names[0], access);
    }

    /// <inheritdoc />
    protected override int? ReadVersion(DbTransaction? transaction)
    {
        var tables = Query("SELECT name FROM sqlite_master WHERE type = 'table'", r => r.GetString(0), transaction);
        if (tables.Contains("schema_version"))
            return Query("SELECT version FROM schema_version", r => Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), transaction)
                .Cast<int?>().FirstOrDefault();
        return tables.Contains("search") ? 1 : null; // layout 1: one `search` row per file, no schema_version table
    }

    /// <inheritdoc />
    public override void Dispose() => connection.Dispose();
}
