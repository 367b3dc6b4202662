using TorchSharp;

namespace GanFlow.Runtime.Devices;

/// <summary>Process-wide libtorch settings, applied once by the host before any run.</summary>
public static class TorchSetup
{
    /// <summary>
    /// Sets libtorch's intra-op thread count. One thread is fastest for the small MLPs here
    /// (per-op overhead dominates) and lets parallel trials share the cores without contention. Applies the
    /// C allocator's setting (<see cref="NativeAllocator"/>) and the CPU kernel choice (<see cref="CpuKernels"/>: libtorch's
    /// own convolutions, not oneDNN's) too, for hosts that did not at their start.
    /// </summary>
    public static void Initialize(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "must be >= 1");
        NativeAllocator.Apply();
        CpuKernels.Apply();
        torch.set_num_threads(threads);
    }
}
