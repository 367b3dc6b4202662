namespace GanFlow.Store;

/// <summary>The one check of a file the user names on the command line (a spec, a tarball, a classifier): it exists and
/// is a file, not a folder, before anything reads it.</summary>
public static class InputFile
{
    /// <summary>Returns <paramref name="path"/> when it names an existing file.</summary>
    /// <exception cref="RunFolderException"><c>FLAG PATH: is a folder, not a file</c> or <c>FLAG PATH: no such file</c>,
    /// with <paramref name="hint"/> appended when given.</exception>
    public static string Require(string flag, string path, string? hint = null)
    {
        var suffix = hint is null ? "" : $" ({hint})";
        if (Directory.Exists(path)) throw new RunFolderException($"{flag} {path}: is a folder, not a file{suffix}");
        if (!File.Exists(path)) throw new RunFolderException($"{flag} {path}: no such file{suffix}");
        return path;
    }
}
