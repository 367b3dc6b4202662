using System.Diagnostics;

namespace GanFlow.Store;

/// <summary>Whether a process of this machine still runs, for the tool's own records of its processes (a run folder's
/// lock owner, a search worker's row).</summary>
public static class LocalProcess
{
    /// <summary>
    /// True while process <paramref name="processId"/> exists and is not a zombie (on Linux, <c>/proc/PID/stat</c>'s
    /// state <c>Z</c>: a killed process nobody has reaped yet, as under a container's first process that never waits).
    /// A pid reused by another process reads as alive: callers must only ever treat "not alive" as proof of death.
    /// </summary>
    public static bool IsAlive(int processId)
    {
        if (processId <= 0) return false;
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // "pid (comm) S ...": the state follows the last ')' (the command name may itself hold parentheses).
                var stat = File.ReadAllText($"/proc/{processId}/stat");
                var close = stat.LastIndexOf(')');
                return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                return false;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return true;
            }
        }
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
