using System.Text.Json;

namespace GanFlow.Store;

/// <summary>
/// The one-writer rule: a process writing a tool folder holds an exclusive OS lock on <c>DIR/.lock</c> (an advisory
/// <c>flock</c> taken by opening the file with <see cref="FileShare.None"/>) for as long as it writes; the OS
/// releases it when the process ends, however it ends. Who holds it is written beside it (<c>.lock.json</c>), so a
/// second writer can be told which process to wait for.
/// </summary>
public sealed class FolderLock : IDisposable
{
    private readonly FileStream stream;
    private readonly string ownerPath;

    private FolderLock(FileStream stream, string ownerPath)
    {
        this.stream = stream;
        this.ownerPath = ownerPath;
    }

    /// <summary>The process holding a folder's lock, as it recorded itself.</summary>
    /// <param name="ProcessId">Its process id.</param>
    /// <param name="Command">Its command line.</param>
    /// <param name="Started">When it took the lock (UTC, ISO 8601).</param>
    public sealed record Owner(int ProcessId, string Command, string Started);

    /// <summary>Takes the lock of <paramref name="directory"/> (which must exist).</summary>
    /// <exception cref="FolderInUseException">Another process holds it (the message names it).</exception>
    /// <exception cref="RunFolderException">The lock file cannot be written.</exception>
    public static FolderLock Acquire(string directory)
    {
        var path = Path.Combine(directory, RunFiles.Lock);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new RunFolderException($"cannot write into {directory}: {e.Message}");
        }
        catch (IOException e) when (File.Exists(path) && IsLockConflict(e))
        {
            // Not the OS's own words ("The process cannot access the file … because it is being used by another
            // process"): the holder says more.
            throw new FolderInUseException($"{directory} is in use: {DescribeHolder(directory)} holds its lock; " +
                                           "wait for it to finish, or choose another folder");
        }
        catch (IOException e)
        {
            throw new RunFolderException($"cannot write into {directory}: {e.Message}");
        }
        var ownerPath = Path.Combine(directory, RunFiles.LockOwner);
        var owner = new Owner(Environment.ProcessId, Environment.CommandLine, DateTime.UtcNow.ToString("O"));
        AtomicFile.WriteAllText(ownerPath, JsonSerializer.Serialize(owner));
        return new FolderLock(stream, ownerPath);
    }

    /// <summary>Whether opening the lock file failed because another process holds its lock (EWOULDBLOCK: 11 on Linux,
    /// 35 on macOS; a sharing or lock violation on Windows), not for another reason (no locks on the file system, a disk
    /// error), which is said in the OS's words and is no reason to wait.</summary>
    private static bool IsLockConflict(IOException e) =>
        e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    /// <summary>Whether some process holds the lock of <paramref name="directory"/> now.</summary>
    public static bool IsHeld(string directory)
    {
        var path = Path.Combine(directory, RunFiles.Lock);
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>"process N (command, since T)" from <c>.lock.json</c>, or "another process" when it cannot be read.</summary>
    public static string DescribeHolder(string directory)
    {
        try
        {
            var owner = JsonSerializer.Deserialize<Owner>(File.ReadAllText(Path.Combine(directory, RunFiles.LockOwner)));
            if (owner is not null)
            {
                var alive = LocalProcess.IsAlive(owner.ProcessId) ? "" : ", no longer running";
                return $"process {owner.ProcessId} ({owner.Command}, since {owner.Started}{alive})";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
        }
        return "another process";
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose()
    {
        try
        {
            if (File.Exists(ownerPath)) File.Delete(ownerPath);
        }
        catch (IOException)
        {
        }
        stream.Dispose();
    }
}
