using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace GanFlow.Store;

/// <summary>
/// <see cref="ISearchStore"/> on a PostgreSQL server (Npgsql 10), the one coordination point of workers on many machines,
/// as Optuna's RDB storage is. The tables live in the schema <c>ganflow</c> of the database; creating them is one
/// explicit step (<see cref="SearchStoreAccess.Create"/>, taken by <c>ganflow search</c> under a transaction-scoped
/// advisory lock, so two creators never race), and a worker refuses a database without them or of another layout
/// version. A transaction takes the search's lock with <c>SELECT … FOR UPDATE</c> on the search's row; lease expiries
/// are computed by the server's <c>clock_timestamp()</c> (not <c>now()</c>, the start of a transaction that may have
/// waited for the lock). Connections: one per store handle, unpooled (a worker holds two handles, its main one and its
/// lease keeper's: 2 connections), with TCP keepalive on, so a dead network path is noticed. The password never leaves the connection string: every message names
/// <see cref="Location"/>, the URL without it.
/// </summary>
public sealed class PostgresSearchStore : RelationalSearchStore
{
    /// <summary>The PostgreSQL schema holding the tables.</summary>
    public const string Schema = "ganflow";

    /// <summary>Connections a worker holds to its store: its main handle's and its lease keeper's.</summary>
    public const int MaximumConnections = 2;

    /// <summary>Key of the transaction-scoped advisory lock that serialises schema creation (any fixed number).</summary>
    private const long SchemaLockKey = 0x6761_6e66_6c6f_77;

    private readonly string connectionString;
    private readonly SearchStoreLocation.Postgres location;
    private NpgsqlConnection connection;

    private PostgresSearchStore(SearchStoreLocation.Postgres location, string connectionString, NpgsqlConnection connection, string searchName)
        : base(searchName)
    {
        this.location = location;
        this.connectionString = connectionString;
        this.connection = connection;
    }

    /// <inheritdoc />
    public override string Location => location.Url;

    /// <inheritdoc />
    protected override DbConnection Connection
    {
        get
        {
            if (connection.State is ConnectionState.Broken or ConnectionState.Closed)
            {
                connection.Dispose();
                connection = new NpgsqlConnection(connectionString);
                connection.Open();
            }
            return connection;
        }
    }

    /// <inheritdoc />
    protected override string Now => "extract(epoch from clock_timestamp())::double precision";

    /// <inheritdoc />
    protected override string Table(string name) => $"{Schema}.{name}";

    /// <inheritdoc />
    protected override DbTransaction BeginLocked()
    {
        var transaction = Connection.BeginTransaction(IsolationLevel.ReadCommitted);
        var locked = Query($"SELECT name FROM {Table("searches")} WHERE name = @s FOR UPDATE", r => r.GetString(0), transaction, ("@s", SearchName));
        if (locked.Count == 0)
        {
            transaction.Dispose();
            throw new RunFolderException($"{Location} holds no search named {SearchName} (it was removed, or never created)");
        }
        return transaction;
    }

    /// <summary>The Npgsql connection string of a location (with the password when given; never printed).</summary>
    private static string ConnectionStringOf(SearchStoreLocation.Postgres location, string? passwordFile, int maximumConnections)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = location.Host,
            Port = location.Port,
            Database = location.Database,
            // One connection per handle and no pool: a worker's two handles are its two connections, and no pool timer
            // (pruning, keepalive queries) runs managed code beside a training step (a collection started on another
            // thread can free a TorchSharp Scalar that native code still reads; docs/platform.md).
            Pooling = false,
            MaxPoolSize = maximumConnections,
            // Keepalive by the kernel (TCP keepalive probes after 30 s idle, every 10 s): a dead network path breaks the
            // connection instead of hanging it, and no timer of ours wakes.
            TcpKeepAlive = true,
            TcpKeepAliveTime = 30,
            TcpKeepAliveInterval = 10,
            Timeout = int.Parse(location.Option("connect_timeout") ?? "10", CultureInfo.InvariantCulture),
            CommandTimeout = 300,
            ApplicationName = $"ganflow {Environment.ProcessId}", // pg_stat_activity shows each process's connections
        };
        if (location.User is { } user) builder.Username = user;
        if (passwordFile is not null) builder.Password = SearchStoreLocation.ReadPasswordFile(passwordFile);
        if (location.Option("sslmode") is { } mode)
            builder.SslMode = mode switch
            {
                "disable" => SslMode.Disable,
                "allow" => SslMode.Allow,
                "prefer" => SslMode.Prefer,
                "require" => SslMode.Require,
                "verify-ca" => SslMode.VerifyCA,
                _ => SslMode.VerifyFull,
            };
        if (location.Option("sslrootcert") is { } root) builder.RootCertificate = root;
        if (location.Option("sslcert") is { } cert) builder.SslCertificate = cert;
        if (location.Option("sslkey") is { } key) builder.SslKey = key;
        return builder.ConnectionString;
    }

    /// <summary>Opens the search <paramref name="searchName"/> of the PostgreSQL store at <paramref name="location"/>.</summary>
    /// <exception cref="RunFolderException">Unreachable (host and port named, with the driver's reason), credentials
    /// refused, the database missing, no schema or another schema version.</exception>
    public static PostgresSearchStore Open(SearchStoreLocation.Postgres location, string searchName, SearchStoreAccess access, string? passwordFile,
        int maximumConnections = MaximumConnections)
    {
        var connectionString = ConnectionStringOf(location, passwordFile, maximumConnections);
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            connection.Open();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or SocketException)
        {
            connection.Dispose();
            throw Unusable(location, e);
        }
        var store = new PostgresSearchStore(location, connectionString, connection, searchName);
        try
        {
            if (access == SearchStoreAccess.Create) store.PrepareSchema();
            store.CheckVersion(access == SearchStoreAccess.ReadOnly);
            return store;
        }
        catch (Exception e) when (e is NpgsqlException)
        {
            store.Dispose();
            throw Unusable(location, e);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>The message of a store that cannot be used, naming the host, the port and the driver's reason.</summary>
    private static RunFolderException Unusable(SearchStoreLocation.Postgres location, Exception e)
    {
        var at = $"{location.Host}:{location.Port}";
        return e switch
        {
            PostgresException { SqlState: "28P01" or "28000" } p =>
                new RunFolderException($"search store {location.Url}: the server at {at} refused the credentials of user {location.User ?? "(default)"}: {p.MessageText}"),
            PostgresException { SqlState: "3D000" } p => new RunFolderException($"search store {location.Url}: {p.MessageText} on {at}"),
            PostgresException { SqlState: "42501" } p => new RunFolderException($"search store {location.Url}: permission denied on {at}: {p.MessageText}"),
            PostgresException p => new RunFolderException($"search store {location.Url}: the server at {at} answered {p.SqlState}: {p.MessageText}"),
            NpgsqlException n when n.Message.Contains("password", StringComparison.OrdinalIgnoreCase) =>
                new RunFolderException($"search store {location.Url}: the server at {at} asks for a password and none was given (PGPASSWORD, ~/.pgpass or --store-password-file): {n.Message}"),
            _ => new RunFolderException($"cannot reach the search store {location.Url} at {at}: {Reason(e)}"),
        };
    }

    /// <summary>The innermost reason of a connection failure, in words.</summary>
    private static string Reason(Exception e)
    {
        var reasons = new List<string>();
        for (var x = e; x is not null; x = x.InnerException)
            if (!reasons.Contains(x.Message)) reasons.Add(x.Message.TrimEnd('.'));
        return string.Join(": ", reasons);
    }

    /// <summary>Under an advisory lock: creates the schema <c>ganflow</c> and its tables unless they exist, and upgrades a
    /// store of layout 2.</summary>
    private void PrepareSchema() => Use(() =>
    {
        using var transaction = Connection.BeginTransaction();
        Execute("SELECT pg_advisory_xact_lock(@k)", transaction, ("@k", SchemaLockKey));
        Execute($"CREATE SCHEMA IF NOT EXISTS {Schema}", transaction);
        CreateTables(transaction);
        Upgrade(transaction);
        transaction.Commit();
        return 0;
    });

    /// <inheritdoc />
    protected override int? ReadVersion(DbTransaction? transaction)
    {
        var exists = Query("SELECT to_regclass(@t) IS NOT NULL", r => r.GetBoolean(0), transaction, ("@t", Table("schema_version"))).Single();
        if (!exists) return null;
        return Query($"SELECT version FROM {Table("schema_version")}", r => r.GetInt32(0), transaction).Cast<int?>().FirstOrDefault();
    }

    /// <inheritdoc />
    public override void Dispose() => connection.Dispose();
}
