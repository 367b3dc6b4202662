using System.Globalization;

namespace GanFlow.Store;

/// <summary>
/// Where a search store is, as <c>--store</c> names it: <c>sqlite</c> (the default, <c>DIR/study.db</c> of the search
/// folder), <c>sqlite:PATH</c> (a SQLite file, or a search folder holding one), or
/// <c>postgresql://USER@HOST:PORT/DATABASE[?sslmode=…]</c>. A URL never holds a password: it is printed, recorded and
/// passed on to workers' command lines. The password comes from <c>PGPASSWORD</c>, <c>~/.pgpass</c> (or
/// <c>PGPASSFILE</c>) or <c>--store-password-file</c>.
/// </summary>
public abstract record SearchStoreLocation
{
    private SearchStoreLocation() { }

    /// <summary>A SQLite file.</summary>
    /// <param name="DatabaseFile">Its absolute path.</param>
    public sealed record Sqlite(string DatabaseFile) : SearchStoreLocation
    {
        /// <inheritdoc />
        public override string Url => "sqlite:" + DatabaseFile;
    }

    /// <summary>A PostgreSQL database.</summary>
    /// <param name="Host">Host name or address.</param>
    /// <param name="Port">TCP port (default 5432).</param>
    /// <param name="Database">Database name.</param>
    /// <param name="User">User name, or null for PGUSER or the login name.</param>
    /// <param name="Options">URL options, lower case: <c>sslmode</c> (<c>disable</c>, <c>allow</c>, <c>prefer</c>,
    /// <c>require</c>, <c>verify-ca</c>, <c>verify-full</c>), <c>sslrootcert</c>, <c>sslcert</c>, <c>sslkey</c> (files),
    /// <c>connect_timeout</c> (seconds, default 10).</param>
    public sealed record Postgres(string Host, int Port, string Database, string? User, IReadOnlyList<KeyValuePair<string, string>> Options) : SearchStoreLocation
    {
        /// <inheritdoc />
        public override string Url =>
            $"postgresql://{(User is null ? "" : Uri.EscapeDataString(User) + "@")}{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port}/{Uri.EscapeDataString(Database)}" +
            (Options.Count == 0 ? "" : "?" + string.Join("&", Options.Select(o => $"{o.Key}={Uri.EscapeDataString(o.Value)}")));

        /// <summary>The value of a URL option, or null.</summary>
        public string? Option(string key) => Options.Where(o => o.Key == key).Select(o => o.Value).LastOrDefault();
    }

    /// <summary>The location as a <c>--store</c> value (no password, ever).</summary>
    public abstract string Url { get; }

    /// <summary>URL options a PostgreSQL location accepts.</summary>
    public static readonly IReadOnlyList<string> PostgresOptions = ["sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout"];

    /// <summary>SSL modes a PostgreSQL location accepts (libpq's names).</summary>
    public static readonly IReadOnlyList<string> SslModes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];

    /// <summary>Parses a <c>--store</c> value; <paramref name="outDirectory"/> is the search folder that <c>sqlite</c> alone
    /// refers to (null where there is none, e.g. for a worker).</summary>
    /// <exception cref="RunFolderException">The value is not a store location (the message names the flag and what is
    /// wrong, and never repeats a password).</exception>
    public static SearchStoreLocation Parse(string text, string? outDirectory)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new RunFolderException("--store is empty: give sqlite, sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE");
        if (text == "sqlite")
        {
            if (outDirectory is null) throw new RunFolderException("--store sqlite: name the SQLite file (--store sqlite:DIR/study.db); plain sqlite means the --out folder's");
            return new Sqlite(Path.GetFullPath(SqliteSearchStore.FileOf(outDirectory)));
        }
        if (text.StartsWith("sqlite:", StringComparison.Ordinal))
        {
            var path = text["sqlite:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal)) path = path[2..]; // sqlite:///abs/path
            if (path.Length == 0) throw new RunFolderException("--store sqlite: names no file");
            return new Sqlite(Path.GetFullPath(Directory.Exists(path) ? SqliteSearchStore.FileOf(path) : path));
        }
        if (text.StartsWith("postgresql://", StringComparison.Ordinal) || text.StartsWith("postgres://", StringComparison.Ordinal))
            return ParsePostgres(text);
        throw new RunFolderException($"--store {text}: not a search store (give sqlite, sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE)");
    }

    private static Postgres ParsePostgres(string text)
    {
        var scheme = text[..text.IndexOf("://", StringComparison.Ordinal)];
        var rest = text[(scheme.Length + 3)..];
        var at = rest.IndexOf('@');
        var slash = rest.IndexOf('/');
        if (at >= 0 && (slash < 0 || at < slash) && rest[..at].Contains(':'))
            throw new RunFolderException(
                $"--store {scheme}://{rest[..rest.IndexOf(':')]}:***@…: the URL holds a password; a URL is printed, recorded and passed to workers, " +
                "so give the password through PGPASSWORD, ~/.pgpass or --store-password-file FILE instead");
        Uri uri;
        try
        {
            uri = new Uri(text);
        }
        catch (UriFormatException e)
        {
            throw new RunFolderException($"--store {text}: not a PostgreSQL URL ({e.Message})");
        }
        var host = uri.DnsSafeHost;
        if (string.IsNullOrEmpty(host)) throw new RunFolderException($"--store {text}: names no host (postgresql://USER@HOST:PORT/DATABASE)");
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0 || database.Contains('/')) throw new RunFolderException($"--store {text}: name one database after the host (postgresql://USER@HOST:PORT/DATABASE)");
        var user = uri.UserInfo.Length == 0 ? null : Uri.UnescapeDataString(uri.UserInfo);
        var options = new List<KeyValuePair<string, string>>();
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (key == "password")
                throw new RunFolderException("--store: the URL holds a password option; give the password through PGPASSWORD, ~/.pgpass or --store-password-file FILE instead");
            if (!PostgresOptions.Contains(key))
                throw new RunFolderException($"--store {text}: unknown URL option {key} (known: {string.Join(", ", PostgresOptions)})");
            if (key == "sslmode" && !SslModes.Contains(value))
                throw new RunFolderException($"--store {text}: sslmode={value} is not one of {string.Join(", ", SslModes)}");
            if (key == "connect_timeout" && !(int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= 1))
                throw new RunFolderException($"--store {text}: connect_timeout={value} must be a whole number of seconds >= 1");
            options.Add(new(key, value));
        }
        return new Postgres(host, uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port, database, user, options);
    }

    /// <summary>Opens the search <paramref name="searchName"/> of this store.</summary>
    /// <param name="searchName">The search.</param>
    /// <param name="access">Read only, read-write, or create the schema when missing.</param>
    /// <param name="passwordFile">A PostgreSQL password file given with <c>--store-password-file</c> (its first line is
    /// the password), or null for <c>PGPASSWORD</c> or <c>~/.pgpass</c>.</param>
    /// <param name="maximumConnections">PostgreSQL: recorded as the connection string's pool size (2 for a worker: its
    /// main handle and its lease keeper's; more for many in-process workers, the bench). Handles are unpooled: each is
    /// one connection.</param>
    /// <exception cref="RunFolderException">The store cannot be used: unreachable (host and port named, with the driver's
    /// reason), credentials refused, no schema or another schema version, an unreadable password file.</exception>
    public ISearchStore Open(string searchName, SearchStoreAccess access, string? passwordFile = null, int maximumConnections = PostgresSearchStore.MaximumConnections) => this switch
    {
        Sqlite s => SqliteSearchStore.Open(s.DatabaseFile, searchName, access),
        Postgres p => PostgresSearchStore.Open(p, searchName, access, passwordFile, maximumConnections),
        _ => throw new InvalidOperationException("unknown store location"),
    };

    /// <summary>The password in <paramref name="passwordFile"/> (its first line, without the line end).</summary>
    /// <exception cref="RunFolderException">The file is missing or unreadable (the message names the file, never its content).</exception>
    public static string ReadPasswordFile(string passwordFile)
    {
        try
        {
            using var reader = new StreamReader(passwordFile);
            return reader.ReadLine() ?? "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"--store-password-file {passwordFile}: cannot be read ({FailureText.Of(e)})");
        }
    }
}
