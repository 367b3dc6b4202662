using System.Text;
using System.Text.RegularExpressions;

namespace GanFlow.Store;

/// <summary>
/// The one way the tool writes a file: into a temporary file beside the target (<c>.NAME.GUID.tmp</c>), flushed to
/// disk, then renamed over the target. A reader, or a kill at any instant, sees the old file or the new one, never
/// half of one. Temporary files a kill left behind match <see cref="IsTemporary"/> and are removed at the next start
/// of a writer in that folder (<see cref="OwnedFolder"/>).
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark).</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    /// <summary>Writes <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));

    /// <summary>Writes whatever <paramref name="write"/> puts into the stream.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = TemporaryPath(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>A fresh temporary path beside <paramref name="path"/>: <c>.NAME.GUID.tmp</c> (a file or a folder).</summary>
    public static string TemporaryPath(string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Whether <paramref name="name"/> (a file or folder name, no directory) is a temporary name this tool makes.</summary>
    public static bool IsTemporary(string name) => TemporaryName().IsMatch(name);

    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporaryName();
}
