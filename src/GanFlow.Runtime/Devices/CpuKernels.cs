using System.Runtime.InteropServices;
using TorchSharp;

namespace GanFlow.Runtime.Devices;

/// <summary>
/// Which of libtorch's CPU kernel libraries the tool lets it use, set once per process by the tool itself (the CLI,
/// study cells, search workers, the tests) before any model runs: libtorch's oneDNN (mkldnn) and NNPACK paths are
/// turned off, so every CPU convolution runs on libtorch's own kernels (im2col and the BLAS matrix product). MKL's code
/// path for those products is chosen here too, first (<see cref="MklDispatch"/>).
/// </summary>
/// <remarks>
/// libtorch 2.10's CPU build (oneDNN 3.7.1, AVX-512) computes the backward pass of a float32 convolution whose output
/// channels oneDNN pads to its 16-channel blocks from memory nobody wrote, and finite garbage makes the input gradient
/// wrong (13–93% largest relative error against float64 for 1 → 4, 3 → 17 and 32 → 1 channels, 3×3, in most processes;
/// zero-filling libtorch's allocations does not fix it; PyTorch 1.13's oneDNN is right in the same shapes). A freed block that held NaN or ±Inf (a
/// diverged trial, an exploding flow's log-density) turns the gradients into NaN: with plain TorchSharp layers after
/// NaN-filled tensors were freed, a 3×3 stride-1 convolution 4 → 8 gave NaN input gradients in 5–12 of 20 backward
/// passes and 1 → 4 in 15–19 of 20; with oneDNN off, 0 of 20 in every shape tried (docs/platform.md). The test suite's
/// float32 conv critics, generators and encoders failed this way ("critic loss is NaN at generator step 1") whenever an
/// earlier test in the same process had freed such tensors. PyTorch's switch for this is <c>torch.backends.mkldnn.enabled = False</c> (<c>at::globalContext().setUserEnabledMkldnn(false)</c>);
/// TorchSharp does not expose it, so it is called here through libtorch's exported C++ symbols (Itanium ABI: a member
/// function takes the object as its first argument). NNPACK is turned off too: without oneDNN libtorch would try it for
/// some convolutions, and it does not run on this machine's processors (it logs a warning on every call).
/// </remarks>
public static class CpuKernels
{
    private const string Library = "libtorch_cpu";

    [DllImport(Library, EntryPoint = "_ZN2at13globalContextEv", ExactSpelling = true)]
    private static extern IntPtr GlobalContext();

    [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb", ExactSpelling = true)]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv", ExactSpelling = true)]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledMkldnn(IntPtr context);

    [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb", ExactSpelling = true)]
    private static extern void SetUserEnabledNnpack(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport(Library, EntryPoint = "_ZNK2at7Context17userEnabledNNPACKEv", ExactSpelling = true)]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool UserEnabledNnpack(IntPtr context);

    private static readonly object Gate = new();
    private static string? applied;

    /// <summary>
    /// Turns oneDNN and NNPACK off once per process (later calls return the first call's outcome): <c>native</c> when
    /// libtorch reports both off afterwards, <c>unavailable</c> where the native library or its symbols are missing (another
    /// libtorch build), with a one-line warning on stderr; never throws.
    /// </summary>
    public static string Apply()
    {
        lock (Gate)
        {
            if (applied is not null) return applied;
            // MKL's code path first: it must be chosen before libtorch's first matrix product.
            MklDispatch.Apply();
            try
            {
                // Loads libtorch through TorchSharp first, so the symbols below resolve to the library TorchSharp uses.
                torch.InitializeDeviceType(DeviceType.CPU);
                var context = GlobalContext();
                SetUserEnabledMkldnn(context, false);
                SetUserEnabledNnpack(context, false);
                applied = !UserEnabledMkldnn(context) && !UserEnabledNnpack(context) ? "native" : "unavailable";
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                applied = "unavailable";
            }
            if (applied == "unavailable")
                Console.Error.WriteLine("warning: libtorch's oneDNN could not be turned off in this libtorch build; its float32 convolutions " +
                                        "may read uninitialised memory and turn NaN (docs/platform.md)");
            return applied;
        }
    }

    /// <summary>Whether libtorch's oneDNN path is on in this process right now (false after <see cref="Apply"/>).</summary>
    public static bool OneDnnEnabled()
    {
        try { torch.InitializeDeviceType(DeviceType.CPU); return UserEnabledMkldnn(GlobalContext()); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return true; }
    }
}
