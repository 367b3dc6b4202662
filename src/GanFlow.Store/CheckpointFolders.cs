using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GanFlow.Store;

/// <summary>What <c>manifest.json</c> of a checkpoint folder records.</summary>
/// <param name="Format">Checkpoint layout version (1).</param>
/// <param name="Step">Training steps completed when the checkpoint was taken.</param>
/// <param name="WallSeconds">Wall time of the run up to then (a resumed run continues its clock from here).</param>
/// <param name="Values">Scalars the run needs to continue exactly (e.g. the last losses), by name.</param>
/// <param name="Files">SHA-256 (lower-case hex) of every other file of the checkpoint, by file name.</param>
public sealed record CheckpointManifest(
    int Format, int Step, double WallSeconds, IReadOnlyDictionary<string, double> Values, IReadOnlyDictionary<string, string> Files);

/// <summary>A checkpoint folder that passed its checks, and its manifest.</summary>
/// <param name="Folder">The checkpoint folder.</param>
/// <param name="Manifest">Its manifest.</param>
public sealed record LocatedCheckpoint(string Folder, CheckpointManifest Manifest)
{
    /// <summary>The path of one of its files.</summary>
    public string PathOf(string file) => Path.Combine(Folder, file);
}

/// <summary>
/// The two newest checkpoints of a run folder, <c>checkpoint/</c> and <c>checkpoint.previous/</c>. A checkpoint is
/// written whole into a temporary folder (every file flushed to disk, the manifest with each file's SHA-256 last),
/// then the older previous one is dropped, the newest becomes the previous and the new folder the newest, by renames.
/// A kill at any instant leaves at least one complete checkpoint (or none before the first). Reading checks the
/// manifest and every checksum: a corrupt newest checkpoint falls back to the previous one with a warning naming the
/// file; when neither is valid the error names the file.
/// </summary>
public static class CheckpointFolders
{
    /// <summary>The manifest file of a checkpoint folder.</summary>
    public const string ManifestFile = "manifest.json";
    private const int Format = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes a checkpoint: <paramref name="writeFiles"/> puts its files into the folder it is given (plain
    /// names, no subfolders); they are flushed, hashed and recorded in the manifest, then the checkpoints rotate.</summary>
    public static void Save(string runDirectory, int step, double wallSeconds, IReadOnlyDictionary<string, double> values, Action<string> writeFiles)
    {
        var newest = Path.Combine(runDirectory, RunFiles.Checkpoint);
        var previous = Path.Combine(runDirectory, RunFiles.PreviousCheckpoint);
        var temporary = AtomicFile.TemporaryPath(newest);
        Directory.CreateDirectory(temporary);
        try
        {
            Complete(temporary, step, wallSeconds, values, writeFiles);
            if (Directory.Exists(newest))
            {
                if (Directory.Exists(previous))
                {
                    var retired = AtomicFile.TemporaryPath(previous);
                    Directory.Move(previous, retired);
                    Directory.Delete(retired, recursive: true);
                }
                Directory.Move(newest, previous);
            }
            Directory.Move(temporary, newest);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>Writes a single checkpoint folder <paramref name="name"/> of the run folder (e.g. the best-validated
    /// one), checked like the others, replacing the earlier one of that name; no previous one is kept.</summary>
    public static void SaveAs(string runDirectory, string name, int step, double wallSeconds, IReadOnlyDictionary<string, double> values, Action<string> writeFiles)
    {
        var target = Path.Combine(runDirectory, name);
        var temporary = AtomicFile.TemporaryPath(target);
        Directory.CreateDirectory(temporary);
        try
        {
            Complete(temporary, step, wallSeconds, values, writeFiles);
            if (Directory.Exists(target))
            {
                var retired = AtomicFile.TemporaryPath(target);
                Directory.Move(target, retired);
                Directory.Delete(retired, recursive: true);
            }
            Directory.Move(temporary, target);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>Fills a temporary checkpoint folder: its files, each flushed and hashed, then the manifest.</summary>
    private static void Complete(string temporary, int step, double wallSeconds, IReadOnlyDictionary<string, double> values, Action<string> writeFiles)
    {
        writeFiles(temporary);
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(temporary))
        {
            var name = Path.GetFileName(file);
            if (name == ManifestFile) throw new InvalidOperationException($"a checkpoint file may not be called {ManifestFile}");
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
            stream.Position = 0;
            hashes[name] = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        var manifest = new CheckpointManifest(Format, step, wallSeconds,
            new SortedDictionary<string, double>(values.ToDictionary(), StringComparer.Ordinal), hashes);
        AtomicFile.WriteAllText(Path.Combine(temporary, ManifestFile), JsonSerializer.Serialize(manifest, Json));
    }

    /// <summary>Whether the run folder holds any checkpoint folder, valid or not.</summary>
    public static bool Any(string runDirectory) =>
        Directory.Exists(Path.Combine(runDirectory, RunFiles.Checkpoint)) || Directory.Exists(Path.Combine(runDirectory, RunFiles.PreviousCheckpoint));

    /// <summary>
    /// The newest valid checkpoint of <paramref name="runDirectory"/>, or null when it has none at all. A corrupt
    /// newest checkpoint is reported through <paramref name="warn"/> (naming the file and the reason) and the previous
    /// one is used.
    /// </summary>
    /// <exception cref="RunFolderException">Checkpoints exist but none is valid; the message names the file of each.</exception>
    public static LocatedCheckpoint? Locate(string runDirectory, Action<string>? warn = null)
    {
        var problems = new List<string>();
        foreach (var name in new[] { RunFiles.Checkpoint, RunFiles.PreviousCheckpoint })
        {
            var folder = Path.Combine(runDirectory, name);
            if (!Directory.Exists(folder)) continue;
            var (manifest, problem) = Check(folder);
            if (manifest is not null)
            {
                foreach (var p in problems) warn?.Invoke($"{p}; using {folder} (step {manifest.Step}) instead");
                return new LocatedCheckpoint(folder, manifest);
            }
            problems.Add(problem!);
        }
        return problems.Count == 0 ? null
            : throw new RunFolderException($"no usable checkpoint in {runDirectory}: {string.Join("; ", problems)}");
    }

    /// <summary>The files a checkpoint folder's manifest lists (checksums not checked), or null when it has no readable
    /// manifest: what the tool wrote there, for <see cref="OwnedFolder.RemoveOwnTree"/>.</summary>
    public static IReadOnlySet<string>? ListedFiles(string folder)
    {
        try
        {
            var manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(Path.Combine(folder, ManifestFile)), Json);
            return manifest?.Files is { } files ? files.Keys.ToHashSet(StringComparer.Ordinal) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    /// <summary>The manifest of a checkpoint folder whose files all match it, or the reason it is not usable (naming the file).</summary>
    public static (CheckpointManifest? Manifest, string? Problem) Check(string folder)
    {
        var manifestPath = Path.Combine(folder, ManifestFile);
        CheckpointManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllText(manifestPath), Json);
        }
        catch (FileNotFoundException)
        {
            return (null, $"{manifestPath} is missing (the checkpoint is incomplete)");
        }
        catch (JsonException e)
        {
            return (null, $"{manifestPath} is corrupt ({JsonErrors.Describe(e)})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"{manifestPath} cannot be read: {e.Message}");
        }
        if (manifest is null || manifest.Format != Format || manifest.Files is null || manifest.Values is null || manifest.Step < 0)
            return (null, $"{manifestPath} is corrupt (not a format-{Format} checkpoint manifest)");
        foreach (var (file, expected) in manifest.Files)
        {
            var path = Path.Combine(folder, file);
            if (!File.Exists(path)) return (null, $"{path} is missing");
            string actual;
            try
            {
                using var stream = File.OpenRead(path);
                actual = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, $"{path} cannot be read: {e.Message}");
            }
            if (actual != expected) return (null, $"{path} is corrupt (its SHA-256 does not match the checkpoint's manifest)");
        }
        return (manifest, null);
    }
}
