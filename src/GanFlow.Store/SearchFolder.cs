using System.Text.Json;

namespace GanFlow.Store;

/// <summary>Which store holds a search folder's search (<c>DIR/store.json</c>, written when the store is not the
/// folder's own <c>study.db</c>): the store's URL (never a password) and the search's name.</summary>
/// <param name="Store">The store's <c>--store</c> value.</param>
/// <param name="Search">The search's name there.</param>
public sealed record SearchStorePointer(string Store, string Search);

/// <summary>
/// The files of a search folder (the shared folder of a search, <c>--out</c>): <c>run.json</c> (the marker),
/// <c>study.db</c> (a SQLite store) or <c>store.json</c> (where the server store is), <c>trials/NNNN/</c> (one run folder
/// per trial), <c>workers/</c> (the logs of the workers <c>ganflow search</c> started), <c>report.html</c>.
/// </summary>
public static class SearchFolder
{
    /// <summary>The pointer to a server store.</summary>
    public const string StorePointer = "store.json";

    /// <summary>The logs of the local workers.</summary>
    public const string WorkerLogs = "workers";

    /// <summary>The folder of the search's trial folders (one run folder per trial, <c>trials/NNNN</c>).</summary>
    public const string Trials = "trials";

    /// <summary>Everything of a search folder that is the tool's besides the marker (what <c>--fresh</c> removes).</summary>
    public static readonly IReadOnlyList<string> Files =
    [
        SqliteSearchStore.FileName, SqliteSearchStore.FileName + "-wal", SqliteSearchStore.FileName + "-shm", StorePointer, Trials, WorkerLogs,
        RunFiles.Report,
    ];

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes the pointer (atomically).</summary>
    public static void WritePointer(string directory, SearchStorePointer pointer) =>
        AtomicFile.WriteAllText(Path.Combine(directory, StorePointer), JsonSerializer.Serialize(pointer, Json));

    /// <summary>The pointer of a search folder, or null when it has none.</summary>
    /// <exception cref="RunFolderException">It is malformed.</exception>
    public static SearchStorePointer? ReadPointer(string directory)
    {
        var path = Path.Combine(directory, StorePointer);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<SearchStorePointer>(File.ReadAllText(path), Json)
                   ?? throw new RunFolderException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new RunFolderException($"{path}: {JsonErrors.Describe(e)}");
        }
    }

    /// <summary>Whether <paramref name="directory"/> holds a search (a SQLite store or a pointer to one).</summary>
    public static bool IsSearch(string directory) =>
        File.Exists(SqliteSearchStore.FileOf(directory)) || File.Exists(Path.Combine(directory, StorePointer));

    /// <summary>Opens the store of the search folder <paramref name="directory"/> (its <c>study.db</c>, or the store its
    /// <c>store.json</c> points to, with the password from <paramref name="passwordFile"/>, PGPASSWORD or ~/.pgpass).</summary>
    /// <exception cref="RunFolderException">The folder holds no search, or its store cannot be used.</exception>
    public static ISearchStore OpenStore(string directory, SearchStoreAccess access, string? passwordFile = null)
    {
        if (!Directory.Exists(directory))
            throw new RunFolderException($"{directory}: {(File.Exists(directory) ? "a file, not a search folder" : "no such folder")}");
        if (File.Exists(SqliteSearchStore.FileOf(directory))) return SqliteSearchStore.OpenFolder(directory, access);
        if (ReadPointer(directory) is { } pointer)
            return SearchStoreLocation.Parse(pointer.Store, directory).Open(pointer.Search, access, passwordFile);
        throw new RunFolderException($"{directory}: no {SqliteSearchStore.FileName} or {StorePointer} (is this a search folder written by `ganflow search`?)");
    }
}
