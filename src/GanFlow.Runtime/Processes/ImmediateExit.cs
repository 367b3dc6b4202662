using System.Runtime.InteropServices;

namespace GanFlow.Runtime.Processes;

/// <summary>
/// Ends the process with an exit code without running the native libraries' teardown. A worker stopped by a signal while
/// its job still trains (the job's thread inside libtorch, which a run cannot be stopped from) must end this way: an
/// ordinary exit runs libtorch's static destructors while that thread is still in libtorch, and the process dies of a
/// segmentation fault (exit 139 instead of 143; seen in 3 of 4 workers stopped mid-job). The job's lease has been given
/// back in a committed transaction by then, its results and checkpoints are written atomically and its <c>run.log</c>
/// flushed line by line, so nothing is lost that a kill would keep (a TensorBoard event file, appended in place, keeps
/// what it had flushed, as after a kill); the standard streams are flushed first.
/// </summary>
public static class ImmediateExit
{
    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ExitNow(int status);

    /// <summary>Flushes the standard output and error and ends the process with <paramref name="code"/> (libc's
    /// <c>_exit</c> on Linux and macOS; <see cref="Environment.Exit"/> elsewhere).</summary>
    public static void With(int code)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            try
            {
                ExitNow(code);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // No libc by that name (a C library other than glibc's or musl's): the ordinary exit, at its risk.
            }
        }
        Environment.Exit(code);
    }
}
