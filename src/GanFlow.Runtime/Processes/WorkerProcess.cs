using System.Diagnostics;
using System.Text;

namespace GanFlow.Runtime.Processes;

/// <summary>How to start the <c>ganflow</c> command as a child process: the host program and the arguments before
/// the command's own (<c>dotnet ganflow.dll</c>, or the apphost alone).</summary>
/// <param name="Program">The executable to start.</param>
/// <param name="Prefix">Arguments that come before the subcommand (the assembly path when the host is <c>dotnet</c>).</param>
public sealed record GanflowCommand(string Program, IReadOnlyList<string> Prefix)
{
    /// <summary>The command of the <c>ganflow</c> assembly at <paramref name="ganflowAssembly"/>: through the running
    /// <c>dotnet</c> host when there is one, else through <c>dotnet</c> on the PATH (tests run inside their own host).</summary>
    public static GanflowCommand Of(string ganflowAssembly)
    {
        var host = Environment.ProcessPath;
        var isDotnet = host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet";
        return new GanflowCommand(isDotnet ? host! : "dotnet", [ganflowAssembly]);
    }
}

/// <summary>
/// A child <c>ganflow</c> process (a study cell or a search trial): its output lines are appended to a log file as
/// they come (flushed line by line, so a kill of either side loses none that was written), it is told to end itself
/// when its parent dies (<see cref="ParentWatch"/>), and <see cref="Kill"/> ends it with its whole process tree, so
/// that stopping a study or a search leaves no process behind.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    /// <summary>The environment variable through which a child learns its parent's process id.</summary>
    public const string ParentVariable = "GANFLOW_PARENT_PID";

    private readonly Process process;
    private readonly StreamWriter log;
    private readonly object gate = new();

    private WorkerProcess(Process process, StreamWriter log)
    {
        this.process = process;
        this.log = log;
    }

    /// <summary>The child's process id.</summary>
    public int Id => process.Id;

    /// <summary>The environment variable that sets a .NET process's processor count (what its thread pool and its
    /// parallel loops, the metrics' k-NN scans among them, size themselves by).</summary>
    public const string ProcessorCountVariable = "DOTNET_PROCESSOR_COUNT";

    /// <summary>Each one's share of this process's processors when <paramref name="processes"/> children run at once:
    /// ⌊processors / processes⌋, at least 1 (this process's count already honours its affinity, its cgroup's CPU limit
    /// and a <c>DOTNET_PROCESSOR_COUNT</c> it was given).</summary>
    public static int CoreShare(int processes) => Math.Max(1, Environment.ProcessorCount / Math.Max(1, processes));

    /// <summary>Starts <paramref name="command"/> with <paramref name="arguments"/>, writing <paramref name="input"/> to its
    /// standard input (then closing it) and appending its output to <paramref name="logPath"/> under a header line.
    /// <paramref name="threads"/> caps the child's native thread pools (OpenMP's, BLAS's); <paramref name="cores"/> is
    /// the processor count its .NET runtime sees (<see cref="CoreShare"/>), so that children running side by side do not
    /// each spread their parallel loops over every core.</summary>
    public static WorkerProcess Start(GanflowCommand command, IEnumerable<string> arguments, string? input, string logPath, int? threads = null, int? cores = null)
    {
        var start = new ProcessStartInfo(command.Program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in command.Prefix.Concat(arguments)) start.ArgumentList.Add(a);
        start.Environment[ParentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (threads is { } n)
        {
            // Keep every thread pool of the child (libtorch's, OpenMP's, BLAS's) at the trial's share of the cores.
            var text = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            start.Environment["OMP_NUM_THREADS"] = text;
            start.Environment["MKL_NUM_THREADS"] = text;
        }
        if (cores is { } c) start.Environment[ProcessorCountVariable] = c.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logPath))!);
        var log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        log.WriteLine($"--- {DateTime.UtcNow:O} ganflow {string.Join(' ', arguments)}");
        log.Flush();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var worker = new WorkerProcess(process, log);
        process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null) process.StandardInput.Write(input);
        process.StandardInput.Close();
        return worker;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (gate)
        {
            log.WriteLine(line);
            log.Flush();
        }
    }

    /// <summary>Waits for the child to end and returns its exit code; when <paramref name="cancel"/> fires first, kills it
    /// (with its process tree) and throws <see cref="OperationCanceledException"/>. A child that had already ended by
    /// itself (an exit code below 128, not a signal's) when <paramref name="cancel"/> fired is not killed: its exit code is returned (a study cell that completed
    /// as the study was stopped is reported completed, and its log does not say it was stopped).</summary>
    public int WaitForExit(CancellationToken cancel)
    {
        try
        {
            process.WaitForExitAsync(cancel).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (!process.HasExited)
        {
            Kill();
            throw;
        }
        catch (OperationCanceledException)
        {
            // Ended before the cancellation was seen: decided below.
        }
        process.WaitForExit(); // drains the output events
        // Ended by a signal (Ctrl-C reaches the whole process group) while this side is being stopped: stopped, not
        // failed. An exit code of its own (below 128) stands.
        if (cancel.IsCancellationRequested && process.ExitCode is < 0 or >= 128) throw new OperationCanceledException(cancel);
        return process.ExitCode;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    /// <summary>Asks the child to stop (SIGTERM on Linux; it ends as it chooses); elsewhere ends it.</summary>
    public void Terminate()
    {
        if (process.HasExited) return;
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) SendSignal(process.Id, 15);
        else Kill();
    }

    /// <summary>Whether the child has ended.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>The child's exit code (after it ended).</summary>
    public int ExitCode
    {
        get
        {
            process.WaitForExit(); // drains the output events
            return process.ExitCode;
        }
    }

    /// <summary>Ends the child and every process it started, and waits for them.</summary>
    public void Kill()
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        Append($"--- {DateTime.UtcNow:O} stopped: the parent ended this process");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        process.Dispose();
        lock (gate) log.Dispose();
    }
}
