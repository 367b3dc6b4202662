using TorchSharp;

namespace GanFlow.Runtime.Devices;

/// <summary>Process-wide libtorch settings, applied once by the host before any run; the intra-op thread count is also
/// given to each thread a run trains on (<see cref="ApplyToCurrentThread"/>).</summary>
public static class TorchSetup
{
    /// <summary>The intra-op thread count <see cref="Initialize"/> was given (0 before its first call).</summary>
    private static int threadCount;

    /// <summary>The intra-op thread count of this process (<see cref="Initialize"/>'s), or 0 before it was set.</summary>
    public static int Threads => Volatile.Read(ref threadCount);

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
        Volatile.Write(ref threadCount, threads);
    }

    /// <summary>
    /// Gives the calling thread the process's intra-op thread count (<see cref="Threads"/>; nothing before
    /// <see cref="Initialize"/>). OpenMP's and MKL's thread counts are per thread (libtorch's <c>set_num_threads</c>
    /// calls <c>omp_set_num_threads</c> and <c>mkl_set_num_threads_local</c>), and libtorch sets them on a new thread
    /// only lazily, when one of its own parallel loops first runs there: a thread other than the one
    /// <see cref="Initialize"/> ran on (a search worker's job thread, a test's) otherwise starts with as many threads as
    /// the machine has cores. Two <c>ganflow worker</c>s started by hand on 2 cores (no <c>OMP_NUM_THREADS</c> in their
    /// environment) took 33-44 s for 32 demo trials of 200 steps, 16-19 s with this, 18 s with <c>OMP_NUM_THREADS=1</c>.
    /// Every run calls this first (<see cref="ExperimentRunner.Run"/>).
    /// </summary>
    public static void ApplyToCurrentThread()
    {
        var threads = Threads;
        if (threads > 0) torch.set_num_threads(threads);
    }
}
