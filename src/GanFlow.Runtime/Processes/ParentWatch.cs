using System.Diagnostics;
using System.Runtime.InteropServices;

namespace GanFlow.Runtime.Processes;

/// <summary>
/// A child started by <see cref="WorkerProcess"/> ends itself when its parent dies, even by <c>kill -9</c>, which gives
/// the parent no chance to stop it: a background thread compares the process's parent id with the one the parent
/// recorded in <see cref="WorkerProcess.ParentVariable"/> and kills the process when they differ (it was re-parented).
/// Everything the child wrote is in place (every write is atomic); the parent's resume continues from its checkpoints.
/// </summary>
public static class ParentWatch
{
    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentProcessId();

    /// <summary>Starts watching when this process was started by a <see cref="WorkerProcess"/> (Linux only; elsewhere nothing).</summary>
    public static void StartIfChild()
    {
        if (!OperatingSystem.IsLinux()) return;
        if (!int.TryParse(Environment.GetEnvironmentVariable(WorkerProcess.ParentVariable), out var parent)) return;
        var thread = new Thread(() =>
        {
            while (true)
            {
                if (GetParentProcessId() != parent) Process.GetCurrentProcess().Kill();
                Thread.Sleep(250);
            }
        })
        { IsBackground = true, Name = "ganflow parent watch" };
        thread.Start();
    }
}
