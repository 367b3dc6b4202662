namespace GanFlow.Store;

/// <summary>
/// A tool folder opened for writing: the path checked, the folder created when missing, refused when it holds
/// anything the tool did not write, locked against other writers, marked as the tool's, and cleared of the temporary
/// files a kill may have left. Dispose releases the lock. Everything a writer deletes goes through
/// <see cref="RemoveOwnFiles"/>, which deletes only the names it is given, so the tool never removes a file it did
/// not write.
/// </summary>
public sealed class OwnedFolder : IDisposable
{
    private readonly FolderLock folderLock;

    /// <summary>The folder (as given).</summary>
    public string Directory { get; }
    /// <summary>What the folder holds.</summary>
    public FolderKind Kind { get; }
    /// <summary>Whether the folder was already the tool's (it held the marker) when opened.</summary>
    public bool WasMarked { get; }

    private OwnedFolder(string directory, FolderKind kind, bool wasMarked, FolderLock folderLock)
    {
        Directory = directory;
        Kind = kind;
        WasMarked = wasMarked;
        this.folderLock = folderLock;
    }

    /// <summary>Opens <paramref name="directory"/> as a folder of <paramref name="kind"/> for writing.</summary>
    /// <param name="directory">The folder, e.g. the value of <c>--out</c>.</param>
    /// <param name="kind">What it must hold.</param>
    /// <param name="option">The command-line option that named it, for messages (e.g. <c>--out</c>).</param>
    /// <exception cref="RunFolderException">The path is empty, names a file, cannot be created or written, holds
    /// files the tool did not write, holds another kind of folder, or another process is writing it.</exception>
    public static OwnedFolder Open(string directory, FolderKind kind, string option = "--out")
    {
        var full = CheckPath(directory, option);
        try
        {
            System.IO.Directory.CreateDirectory(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RunFolderException($"{option} {directory}: cannot create the folder: {e.Message}");
        }
        var marker = FolderMarker.Read(full);
        if (marker is null)
        {
            var foreign = ForeignEntries(full).FirstOrDefault();
            if (foreign is not null)
                throw new RunFolderException(
                    $"{option} {directory}: the folder is not empty and is not a ganflow {Describe(kind)} folder (it has no {RunFiles.Marker}; " +
                    $"first file the tool did not write: {foreign}); nothing was written. Choose an empty or new folder");
        }
        else if (marker.Kind != kind)
        {
            throw new RunFolderException($"{option} {directory}: this is a ganflow {Describe(marker.Kind)} folder, not a {Describe(kind)} folder; nothing was written");
        }
        var held = FolderLock.Acquire(full);
        try
        {
            if (marker is null) FolderMarker.For(kind).Write(full);
            RemoveStaleTemporaryFiles(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            held.Dispose();
            throw new RunFolderException($"{option} {directory}: cannot write into the folder: {e.Message}");
        }
        return new OwnedFolder(directory, kind, marker is not null, held);
    }

    /// <summary>The full path of <paramref name="directory"/>, or a clear error for an empty or impossible one.</summary>
    /// <exception cref="RunFolderException">The path is empty or blank, is not a valid path, or names an existing file.</exception>
    public static string CheckPath(string directory, string option = "--out")
    {
        if (string.IsNullOrWhiteSpace(directory))
            throw new RunFolderException($"{option} is empty: name the folder to write into");
        string full;
        try
        {
            full = Path.GetFullPath(directory);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new RunFolderException($"{option} {directory}: not a usable path: {e.Message}");
        }
        if (File.Exists(full)) throw new RunFolderException($"{option} {directory}: is a file, not a folder");
        return full;
    }

    /// <summary>Names in <paramref name="directory"/> (sorted, ordinal) that the tool would not have written there; a folder
    /// without a marker holding any of them is foreign. Only the lock files are allowed there (a writer that just took the
    /// lock has not written its marker yet), and the temporaries of the marker and of the lock's owner file (a writer killed
    /// while writing one).</summary>
    public static IEnumerable<string> ForeignEntries(string directory) =>
        System.IO.Directory.EnumerateFileSystemEntries(directory)
            .Select(p => Path.GetFileName(p))
            .Where(name => name is not (RunFiles.Lock or RunFiles.LockOwner))
            // A kill while the marker or the lock's owner file was being written leaves its temporary: the folder is
            // still the tool's (the chaos test found both: a worker killed between taking the lock and writing run.json).
            .Where(name => !((name.StartsWith($".{RunFiles.Marker}.", StringComparison.Ordinal) || name.StartsWith($".{RunFiles.LockOwner}.", StringComparison.Ordinal))
                             && AtomicFile.IsTemporary(name)))
            .Order(StringComparer.Ordinal);

    /// <summary>Deletes the files and folders of <paramref name="names"/> in this folder where they exist, nothing else:
    /// a file whole, a folder only in what the tool writes there (<see cref="RemoveOwnTree"/>), so that a file of the
    /// user's inside one (a note in <c>tensorboard/</c> or in a search's <c>trials/</c>) is kept with the folders that
    /// hold it.</summary>
    /// <exception cref="RunFolderException">A checkpoint folder among them holds a file the tool did not write (checked
    /// before anything is removed; nothing is): checkpoints rotate by renaming whole folders, so a file kept in one would
    /// be deleted by a later rotation.</exception>
    public void RemoveOwnFiles(IEnumerable<string> names)
    {
        var list = names.ToList();
        foreach (var name in list)
        {
            if (name.Contains('/') || name.Contains('\\') || name is "" or "." or "..")
                throw new ArgumentException($"'{name}' is not a plain file name", nameof(names));
            var path = Path.Combine(Directory, name);
            var checkpoints = RunFiles.CheckpointFolderNames.Contains(name) ? [path]
                : name == SearchFolder.Trials && System.IO.Directory.Exists(path) ? TrialFolders(path).SelectMany(CheckpointFoldersIn).ToArray()
                : Array.Empty<string>();
            foreach (var checkpoint in checkpoints.Where(System.IO.Directory.Exists))
                if (ForeignCheckpointFile(checkpoint) is { } foreign)
                    throw new RunFolderException(
                        $"{Path.Combine(checkpoint, foreign)}: a file ganflow did not write, inside its checkpoint folder (which it replaces whole); " +
                        "move it out of the folder; nothing was removed");
        }
        foreach (var name in list)
        {
            var path = Path.Combine(Directory, name);
            if (File.Exists(path)) File.Delete(path);
            else if (System.IO.Directory.Exists(path)) RemoveOwnTree(path);
        }
    }

    /// <summary>
    /// Deletes what the tool writes inside the folder <paramref name="path"/>, by the folder's name, then the folder
    /// itself when nothing else is left in it: a checkpoint folder (<c>checkpoint</c>, <c>checkpoint.previous</c>,
    /// <c>checkpoint.best</c>) its manifest and the files it lists (or, without a readable manifest, its <c>.bin</c>
    /// files); <c>tensorboard</c> its event files; a search's <c>workers</c> its <c>worker-N.log</c> files; a search's
    /// <c>trials</c> every trial folder the tool marked (each as a run folder: its results, its log and, once nothing
    /// of the user's is left, its marker and lock). Any other folder is left alone.
    /// </summary>
    public static void RemoveOwnTree(string path)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
        Func<string, bool> own = name switch
        {
            _ when RunFiles.CheckpointFolderNames.Contains(name) => CheckpointFiles(path),
            RunFiles.TensorBoard => file => file.StartsWith("events.out.tfevents.", StringComparison.Ordinal),
            SearchFolder.WorkerLogs => file => System.Text.RegularExpressions.Regex.IsMatch(file, @"^worker-\d+\.log$"),
            _ => _ => false,
        };
        foreach (var file in System.IO.Directory.EnumerateFiles(path).ToArray())
            if (own(Path.GetFileName(file))) File.Delete(file);
        if (name == SearchFolder.Trials)
        {
            foreach (var trial in TrialFolders(path))
            {
                foreach (var entry in RunFiles.RunResults.Append(RunFiles.Log))
                {
                    var inTrial = Path.Combine(trial, entry);
                    if (File.Exists(inTrial)) File.Delete(inTrial);
                    else if (System.IO.Directory.Exists(inTrial)) RemoveOwnTree(inTrial);
                }
                // The marker and the lock go only with the folder: a trial folder left holding the user's files stays the
                // tool's, so that the next trial of that number can still write it.
                if (ForeignEntries(trial).All(entry => entry == RunFiles.Marker))
                    System.IO.Directory.Delete(trial, recursive: true);
            }
        }
        if (!System.IO.Directory.EnumerateFileSystemEntries(path).Any()) System.IO.Directory.Delete(path);
    }

    /// <summary>The search's own trial folders in <paramref name="trials"/>: named by a trial number (<c>0007</c>) and
    /// marked as run folders; a copy of the user's (<c>trials/best</c>) is not one.</summary>
    private static string[] TrialFolders(string trials) =>
        System.IO.Directory.EnumerateDirectories(trials)
            .Where(t => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(t), @"^\d{4,}$") && FolderMarker.Read(t) is { Kind: FolderKind.Run })
            .ToArray();

    /// <summary>The checkpoint folders a run folder may hold (whether or not they exist).</summary>
    private static IEnumerable<string> CheckpointFoldersIn(string run) =>
        RunFiles.CheckpointFolderNames.Select(n => Path.Combine(run, n));

    /// <summary>The first file (by name) in checkpoint folder <paramref name="folder"/> that the tool did not write, or
    /// null (subfolders count as not the tool's: it writes none there).</summary>
    private static string? ForeignCheckpointFile(string folder)
    {
        var own = CheckpointFiles(folder);
        return System.IO.Directory.EnumerateFileSystemEntries(folder).Select(p => Path.GetFileName(p))
            .Where(n => System.IO.Directory.Exists(Path.Combine(folder, n)) || !own(n)).Order(StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>The files of a checkpoint folder the tool wrote: its manifest and the files the manifest lists, or
    /// without a readable manifest (it is written last, so only a corrupted checkpoint lacks one), its <c>.bin</c> files,
    /// the only other kind of file a checkpoint holds.</summary>
    private static Func<string, bool> CheckpointFiles(string folder)
    {
        var listed = CheckpointFolders.ListedFiles(folder);
        return file => file == CheckpointFolders.ManifestFile
                       || (listed is null ? file.EndsWith(".bin", StringComparison.Ordinal) : listed.Contains(file));
    }

    /// <summary>Removes the tool's temporary files and folders (<see cref="AtomicFile.IsTemporary"/>) that a kill left in
    /// <paramref name="directory"/>; called with the lock held, so no writer is using them.</summary>
    public static void RemoveStaleTemporaryFiles(string directory)
    {
        foreach (var path in System.IO.Directory.EnumerateFileSystemEntries(directory))
        {
            if (!AtomicFile.IsTemporary(Path.GetFileName(path))) continue;
            if (System.IO.Directory.Exists(path)) System.IO.Directory.Delete(path, recursive: true);
            else File.Delete(path);
        }
    }

    private static string Describe(FolderKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Releases the lock.</summary>
    public void Dispose() => folderLock.Dispose();
}
