using System.Security.Cryptography;
using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Specs;
using GanFlow.Store;

namespace GanFlow.Runtime.Checkpoints;

/// <summary>One data file a run trains on, as it was when the run started.</summary>
/// <param name="Field">The spec field that names it (<c>data.file.path</c>, <c>data.images.data.folder</c>).</param>
/// <param name="Path">Its full path, as the field resolved then (a relative path is read from the working directory).</param>
/// <param name="Bytes">Its size in bytes.</param>
/// <param name="Sha256">Its SHA-256, lower-case hexadecimal.</param>
public sealed record DataFile(string Field, string Path, long Bytes, string Sha256);

/// <summary>A data file that differs from the one a run recorded: its spec field, the file as the run read it, what is
/// read now (<c>now reads PATH (…)</c> or <c>no such file now</c>), and whether the path is the same one (the file was
/// written again) rather than another (a relative path read from another working directory, or a missing file).</summary>
public sealed record DataDifference(string Field, string Then, string Now, bool SamePath);

/// <summary>
/// The data a run trains on are the data it started with: a run whose data come from files (a sample file, an MNIST
/// folder) records each file's path, size and SHA-256 in <c>data.json</c> when it starts, and a resume whose files
/// differ is refused before any compute. Without it, a resume from another working directory read a relative
/// <c>data.images.data.folder</c> elsewhere (another MNIST folder) and trained on, exit 0, its folder mixing two
/// datasets. A run from a known law reads no file and records nothing.
/// </summary>
public static class DataFingerprint
{
    /// <summary>The files <paramref name="experiment"/>'s data are read from now (the ones that exist), hashed.</summary>
    public static IReadOnlyList<DataFile> Of(Experiment experiment) => experiment.Data switch
    {
        DataSource.File f => File.Exists(f.file.Path) ? [Hash("data.file.path", f.file.Path)] : [],
        DataSource.Images i => MnistFolder.Files
            .Select(name => MnistFolder.PathOf(i.images.Data.Folder, name))
            .OfType<string>()
            .Select(path => Hash("data.images.data.folder", path))
            .ToList(),
        _ => [],
    };

    /// <summary>Records <paramref name="files"/> in the run folder (nothing when there are none).</summary>
    public static void Write(string runDirectory, IReadOnlyList<DataFile> files)
    {
        if (files.Count > 0)
            AtomicFile.WriteAllText(Path.Combine(runDirectory, RunFiles.DataFiles), SpecJson.serialize(files.ToArray()) + "\n");
    }

    /// <summary>Refuses a resume whose data files differ from those the run recorded when it started; a run folder that
    /// recorded none (one from an earlier version) records them now.</summary>
    /// <exception cref="RunFolderException">A file differs, or <c>data.json</c> is malformed; the message names both
    /// paths and nothing is changed.</exception>
    public static void Check(string runDirectory, IReadOnlyList<DataFile> now)
    {
        if (!File.Exists(Path.Combine(runDirectory, RunFiles.DataFiles)))
        {
            Write(runDirectory, now);
            return;
        }
        if (Difference(runDirectory, now) is { } d)
            throw new RunFolderException(
                $"cannot resume {runDirectory}: its data differ from those it started on: {d.Field} {d.Now}; the run started on {d.Then}; nothing was changed. " +
                (d.SamePath
                    ? "The file was written again since the run started: put back the contents it started on to resume, or --fresh starts the run over on the new ones"
                    : "Resume from the working directory the run started in (a relative path is read from there), or give the data it started on"));
    }

    /// <summary>Refuses to call a finished run of this spec done when its data files differ from those it ran on (its
    /// numbers are another data set's); a folder that recorded none is taken as it is.</summary>
    /// <exception cref="RunFolderException">A file differs, or <c>data.json</c> is malformed; nothing is changed.</exception>
    public static void CheckFinished(string runDirectory, IReadOnlyList<DataFile> now)
    {
        if (FinishedOnOtherData(runDirectory, now) is { } d)
            throw new RunFolderException(
                $"{runDirectory} holds this run finished on other data: {d.Field} {d.Now}; the run ran on {d.Then}; nothing was changed. " +
                (d.SamePath
                    ? "--fresh runs it again on the data read now, or choose another --out"
                    : "Run it from the working directory it ran in (a relative path is read from there), --fresh runs it again on the data read now, or choose another --out"));
    }

    /// <summary>How the data files read now differ from those the finished run in <paramref name="runDirectory"/> recorded
    /// in its <c>data.json</c> (the first that differs), or null when none does or it recorded none.</summary>
    /// <exception cref="RunFolderException"><c>data.json</c> is malformed.</exception>
    public static DataDifference? FinishedOnOtherData(string runDirectory, IReadOnlyList<DataFile> now) =>
        File.Exists(Path.Combine(runDirectory, RunFiles.DataFiles)) ? Difference(runDirectory, now) : null;

    private static DataDifference? Difference(string runDirectory, IReadOnlyList<DataFile> now)
    {
        var path = Path.Combine(runDirectory, RunFiles.DataFiles);
        var started = RunStore.ReadJson<DataFile[]>(path);
        if (started.Any(f => f is null || f.Field is null || f.Path is null || f.Sha256 is not { Length: 64 } || f.Bytes < 0))
            throw new RunFolderException($"{path}: not a valid list of data files (each needs field, path, bytes and a 64-digit sha256); nothing was changed. --fresh starts the run over");
        foreach (var then in started)
        {
            // An MNIST file plain or gzipped is the same file of the folder (its bytes differ, and that is said).
            var name = BaseName(then.Path);
            var current = now.FirstOrDefault(f => f.Field == then.Field && BaseName(f.Path) == name);
            if (current is not null && current.Sha256 == then.Sha256 && current.Bytes == then.Bytes) continue;
            return new DataDifference(
                then.Field,
                $"{then.Path} ({then.Bytes} bytes, SHA-256 {then.Sha256[..12]}…)",
                current is null ? "no such file now" : $"now reads {current.Path} ({current.Bytes} bytes, SHA-256 {current.Sha256[..12]}…)",
                // The working directory matters only where the path read now is another one; a file of the same path
                // was written again since (edited in place, replaced).
                current is not null && current.Path == then.Path);
        }
        return null;
    }

    private static string BaseName(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        return name.EndsWith(".gz", StringComparison.Ordinal) ? name[..^3] : name;
    }

    private static DataFile Hash(string field, string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        try
        {
            using var stream = File.OpenRead(full);
            return new DataFile(field, full, stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"{full}: cannot be read: {e.Message}");
        }
    }
}
