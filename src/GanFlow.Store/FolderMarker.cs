using System.Text.Json;
using System.Text.Json.Serialization;

namespace GanFlow.Store;

/// <summary>What a tool folder holds.</summary>
public enum FolderKind
{
    /// <summary>One training run (<c>ganflow run EXPERIMENT</c>).</summary>
    Run,
    /// <summary>A study: one run folder per cell and the study's table (<c>ganflow run STUDY</c>).</summary>
    Study,
    /// <summary>A search: the study store and one run folder per trial (<c>ganflow search</c>).</summary>
    Search,
    /// <summary>A seed 002 dynamics experiment: trajectories, phase diagram or support sizes (<c>ganflow run seed002-…</c>).</summary>
    Dynamics,
    /// <summary>Legacy: the image runs and seed 001 MNIST studies of earlier versions' separate image runners (today
    /// every image run is a <see cref="Run"/> and its study a <see cref="Study"/>). Still recognised as the tool's, so such
    /// a folder is never mistaken for a foreign one; its results are no longer reported.</summary>
    Images,
}

/// <summary>
/// The content of <see cref="RunFiles.Marker"/> (<c>run.json</c>): the folder format version, what the folder holds,
/// and which program wrote it. A folder is the tool's exactly when it holds this marker.
/// </summary>
/// <param name="Format">Version of the folder layout (<see cref="FolderMarker.CurrentFormat"/>).</param>
/// <param name="Kind">Run, study or search folder.</param>
/// <param name="Writer">The program that created the folder, e.g. <c>ganflow 1.0.0</c>.</param>
public sealed record FolderMarker(int Format, FolderKind Kind, string Writer)
{
    /// <summary>The layout written by this version: run.json, .lock, checkpoints with SHA-256 manifests, two kept.</summary>
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The marker of a new folder of <paramref name="kind"/> written by this program.</summary>
    public static FolderMarker For(FolderKind kind) =>
        new(CurrentFormat, kind, $"ganflow {typeof(FolderMarker).Assembly.GetName().Version?.ToString(3) ?? "?"}");

    /// <summary>The marker of <paramref name="directory"/>, or null when it has none.</summary>
    /// <exception cref="RunFolderException">The marker exists but cannot be read or is not one this tool writes.</exception>
    public static FolderMarker? Read(string directory)
    {
        var path = Path.Combine(directory, RunFiles.Marker);
        if (!File.Exists(path)) return null;
        FolderMarker? marker;
        try
        {
            marker = JsonSerializer.Deserialize<FolderMarker>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new RunFolderException($"{path}: not a ganflow folder marker ({JsonErrors.Describe(e)})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"{path}: cannot be read: {e.Message}");
        }
        if (marker is null || marker.Format < 1)
            throw new RunFolderException($"{path}: not a ganflow folder marker (no format version)");
        if (marker.Format > CurrentFormat)
            throw new RunFolderException($"{path}: folder format {marker.Format} is newer than this ganflow understands ({CurrentFormat})");
        return marker;
    }

    /// <summary>Writes the marker into <paramref name="directory"/> (atomically).</summary>
    public void Write(string directory) => AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.Marker), JsonSerializer.Serialize(this, Json));
}

/// <summary>Messages for JSON that does not parse, naming the line.</summary>
public static class JsonErrors
{
    /// <summary>"line N: reason" (1-based) for a <see cref="JsonException"/>.</summary>
    public static string Describe(JsonException e)
    {
        var line = e.LineNumber is { } n ? $"line {n + 1}" : "somewhere";
        var reason = e.InnerException?.Message ?? e.Message;
        var cut = reason.IndexOf(" Path:", StringComparison.Ordinal);
        return $"{line}: {(cut > 0 ? reason[..cut] : reason)}";
    }
}
