namespace GanFlow.Store;

/// <summary>
/// What went wrong, in words a researcher reads: the root failure's message without .NET type names, with the common
/// operating-system failures (a full disk, a refused permission, exhausted memory) said plainly. Every failure the tool
/// reports (a run's <c>summary.json</c>, the console) goes through it.
/// </summary>
public static class FailureText
{
    /// <summary>The advice for exhausted memory of a training run, what <see cref="Of(Exception)"/> gives.</summary>
    public const string RunMemoryRemedy = "a smaller batch, width or sample count needs less";

    /// <summary>The failure <paramref name="error"/> describes, in words (exhausted memory with a training run's
    /// advice, <see cref="RunMemoryRemedy"/>).</summary>
    public static string Of(Exception error) => Of(error, RunMemoryRemedy);

    /// <summary>The failure <paramref name="error"/> describes, in words, with <paramref name="memoryRemedy"/> as the
    /// advice when memory ran out (what makes the failed command need less, e.g. "fewer --steps need less").</summary>
    public static string Of(Exception error, string memoryRemedy)
    {
        var root = error is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : error;
        return root switch
        {
            IOException io when IsDiskFull(io) => $"no space left on the device ({io.Message.Replace("No space left on device : ", "writing ", StringComparison.Ordinal)})",
            UnauthorizedAccessException denied => $"permission denied: {denied.Message}",
            OutOfMemoryException => $"out of memory: the run needs more memory than the machine has free ({memoryRemedy})",
            InsufficientExecutionStackException => "out of stack space",
            // libtorch's allocators: "DefaultCPUAllocator: not enough memory: you tried to allocate …", "CUDA out of memory. …"
            _ when IsTorchOutOfMemory(root.Message) =>
                $"out of memory: {FirstLine(root.Message)} ({memoryRemedy})",
            _ => root.Message.Length > 0 ? root.Message : root.GetType().Name,
        };
    }

    /// <summary>Whether a libtorch error message says an allocation failed (CPU or CUDA).</summary>
    public static bool IsTorchOutOfMemory(string message) =>
        message.Contains("not enough memory", StringComparison.OrdinalIgnoreCase) || message.Contains("out of memory", StringComparison.OrdinalIgnoreCase);

    private static string FirstLine(string message)
    {
        var cut = message.IndexOf('\n');
        return (cut < 0 ? message : message[..cut]).Trim();
    }

    /// <summary>Whether <paramref name="io"/> is a full disk: ENOSPC (28) on Linux and macOS, ERROR_DISK_FULL (112) or
    /// ERROR_HANDLE_DISK_FULL (39) on Windows.</summary>
    public static bool IsDiskFull(IOException io) =>
        (io.HResult & 0xFFFF) is 28 or 39 or 112 || io.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase);
}
