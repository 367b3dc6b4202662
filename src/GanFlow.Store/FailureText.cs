namespace GanFlow.Store;

/// <summary>
/// What went wrong, in words a researcher reads: the root failure's message without .NET type names, with the common
/// operating-system failures (a full disk, a refused permission, exhausted memory) said plainly. Every failure the tool
/// reports (a run's <c>summary.json</c>, the console) goes through it.
/// </summary>
public static class FailureText
{
    /// <summary>The failure <paramref name="error"/> describes, in words.</summary>
    public static string Of(Exception error)
    {
        var root = error is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : error;
        return root switch
        {
            IOException io when IsDiskFull(io) => $"no space left on the device ({io.Message.Replace("No space left on device : ", "writing ", StringComparison.Ordinal)})",
            UnauthorizedAccessException denied => $"permission denied: {denied.Message}",
            OutOfMemoryException => "out of memory: the run needs more memory than the machine has free (a smaller batch, width or sample count needs less)",
            InsufficientExecutionStackException => "out of stack space",
            // libtorch's allocators: "DefaultCPUAllocator: not enough memory: you tried to allocate …", "CUDA out of memory. …"
            _ when IsTorchOutOfMemory(root.Message) =>
                $"out of memory: {FirstLine(root.Message)} (a smaller batch, width or sample count needs less)",
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
