using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GanFlow.Store;

/// <summary>Whether a process this process can see still runs, for the tool's own records of its processes (a run
/// folder's lock owner, a search worker's row), and which process table "this machine" means.</summary>
public static class LocalProcess
{
    private const int NoSuchProcess = 3; // ESRCH

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int processId, int signal);

    /// <summary>
    /// The process table this process sees: the machine's name, and on Linux the kernel's boot id and this process's PID
    /// namespace (<c>/proc/sys/kernel/random/boot_id</c>, <c>/proc/self/ns/pid</c>), so two containers or VMs that share
    /// a host name (host networking, cloned images, <c>localhost</c>) never read as one machine. Pids recorded under the
    /// same value can be checked with <see cref="IsAlive"/>; under another value they cannot.
    /// </summary>
    public static readonly string ProcessTable = Describe();

    private static string Describe()
    {
        if (!OperatingSystem.IsLinux()) return Environment.MachineName;
        try
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            var pids = new FileInfo("/proc/self/ns/pid").LinkTarget ?? "";
            return $"{Environment.MachineName} boot {boot} {pids}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Without them, a name that matches no other process table: no worker's pid is judged from here.
            return $"{Environment.MachineName} pid {Environment.ProcessId} {Guid.NewGuid():N}";
        }
    }

    /// <summary>
    /// True while process <paramref name="processId"/> exists and is not a zombie: on Linux <c>kill(pid, 0)</c> (ESRCH:
    /// gone; EPERM, another user's process: alive) and <c>/proc/PID/stat</c>'s state <c>Z</c> (a killed process nobody
    /// has reaped yet, as under a container's first process that never waits). A pid reused by another process reads as
    /// alive: callers must only ever treat "not alive" as proof of death.
    /// </summary>
    public static bool IsAlive(int processId)
    {
        if (processId <= 0) return false;
        if (OperatingSystem.IsLinux())
        {
            if (Kill(processId, 0) != 0 && Marshal.GetLastPInvokeError() == NoSuchProcess) return false;
            try
            {
                // "pid (comm) S ...": the state follows the last ')' (the command name may itself hold parentheses).
                var stat = File.ReadAllText($"/proc/{processId}/stat");
                var close = stat.LastIndexOf(')');
                return close < 0 || close + 2 >= stat.Length || stat[close + 2] != 'Z';
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Exists (kill said so) but its /proc entry is hidden (hidepid) or just went: alive is the safe answer.
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
