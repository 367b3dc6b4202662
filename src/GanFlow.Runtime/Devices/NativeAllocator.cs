using System.Runtime.InteropServices;

namespace GanFlow.Runtime.Devices;

/// <summary>
/// The C allocator's settings for libtorch's CPU tensors, applied by the tool itself in every process it runs (the CLI,
/// study cells, search workers), before libtorch allocates.
/// </summary>
/// <remarks>
/// libtorch's CPU allocator takes every tensor from glibc's <c>malloc</c>. glibc serves a block above its mmap threshold
/// (128 KB at start) with a fresh <c>mmap</c> and returns it with <c>munmap</c> on free, so at the papers' batch of 2,048
/// every activation of a 64-wide layer (2,048 × 64 × 4 bytes = 512 KB) costs two system calls and a page fault per
/// page, on every op of every step. glibc raises the threshold by itself only after such a block is freed, and a free
/// heap top above the trim threshold (128 KB) is returned to the kernel, so the same pages are faulted in again on the
/// next step. Setting both thresholds (<c>mallopt</c>, glibc's documented interface; the same as
/// <c>GLIBC_TUNABLES=glibc.malloc.mmap_threshold=…:glibc.malloc.trim_threshold=…</c>) keeps these blocks in the heap and
/// the heap resident. The numbers do not change (the same arithmetic on the same values), only where the bytes live.
/// Turn it off with <c>GANFLOW_MALLOC=default</c> in the environment (children inherit it).
/// </remarks>
public static class NativeAllocator
{
    /// <summary>The environment variable that turns the setting off (<c>default</c>) or on (unset, empty or <c>tuned</c>).</summary>
    public const string SwitchVariable = "GANFLOW_MALLOC";

    private static readonly EnvironmentSwitch Switch =
        new(SwitchVariable, ("tuned", "glibc keeps tensor-sized blocks in the heap"), ("default", "glibc's own thresholds"));

    /// <summary>The refusal of a <see cref="SwitchVariable"/> value that is neither <c>tuned</c> nor <c>default</c>,
    /// or null when the value is one of them (or unset).</summary>
    public static string? InvalidSetting() => Switch.InvalidSetting();

    /// <summary>Blocks up to this size come from the heap, not from <c>mmap</c>: 32 MiB, the largest glibc accepts on 64-bit.</summary>
    public const int MmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>A free heap top is returned to the kernel only above this size: 1 GiB.</summary>
    public const int TrimThresholdBytes = 1024 * 1024 * 1024;

    /// <summary>The same two thresholds as glibc's environment variable <c>GLIBC_TUNABLES</c>, for a process that is not
    /// this tool: <c>build.fsx -t BenchPeer --peer-malloc tuned</c> gives the PyTorch peer these (a test holds the two
    /// equal).</summary>
    public static string GlibcTunables =>
        $"glibc.malloc.mmap_threshold={MmapThresholdBytes}:glibc.malloc.trim_threshold={TrimThresholdBytes}";

    private const int MTrimThreshold = -1;
    private const int MMmapThreshold = -3;

    private static readonly object Gate = new();
    private static string? applied;

    [DllImport("libc", EntryPoint = "mallopt", ExactSpelling = true)]
    private static extern int Mallopt(int parameter, int value);

    /// <summary>
    /// Applies the setting once per process (later calls return the first call's outcome): <c>tuned</c> when both
    /// thresholds were set, <c>default</c> when turned off by <see cref="SwitchVariable"/>, <c>invalid</c> (nothing
    /// set) for a value <see cref="InvalidSetting"/> refuses, <c>unavailable</c> where the C library has no glibc
    /// <c>mallopt</c> (not Linux, or another libc); never throws.
    /// </summary>
    public static string Apply()
    {
        lock (Gate)
        {
            if (applied is not null) return applied;
            var wanted = Switch.Chosen;
            if (wanted is null) return applied = "invalid";
            if (wanted == "default") return applied = "default";
            if (!OperatingSystem.IsLinux()) return applied = "unavailable";
            try
            {
                var ok = Mallopt(MMmapThreshold, MmapThresholdBytes) == 1 & Mallopt(MTrimThreshold, TrimThresholdBytes) == 1;
                return applied = ok ? "tuned" : "unavailable";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                return applied = "unavailable";
            }
        }
    }
}
