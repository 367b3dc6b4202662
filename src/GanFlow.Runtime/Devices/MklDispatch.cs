using System.Globalization;
using System.Runtime.InteropServices;
using TorchSharp;

namespace GanFlow.Runtime.Devices;

/// <summary>
/// Which of MKL's code paths libtorch's CPU matrix products take, chosen once per process before the first one:
/// <c>vendor</c> (the default: MKL's own dispatch) or <c>features</c> (MKL's kernels for the instruction sets the
/// processor reports, whoever made it), by <c>GANFLOW_MKL_DISPATCH</c> in the environment (children inherit it).
/// </summary>
/// <remarks>
/// libtorch's CPU build links Intel's MKL for its BLAS. MKL picks its kernels by the processor's vendor first: on a
/// processor that is not Intel's it takes a generic path (<c>mkl_blas_def_sgemm_kernel_0_zen</c> in <c>perf</c>) whatever
/// instructions the processor has. On this machine's AMD EPYC (AVX-512) a [2,048, 128] × [128, 128] product took 1.60
/// ms (float64) and 0.74 ms (float32) that way and 0.63 and 0.31 ms on the path MKL takes for an Intel processor with
/// the same instructions (docs/performance.md). MKL asks <c>mkl_serv_intel_cpu_true()</c> once, at its first product,
/// and keeps the answer; libtorch_cpu.so calls it through its procedure linkage table, so <c>features</c> points that
/// table's slot for it at a function returning 1 before the first product (the slot is found from libtorch_cpu.so's
/// dynamic section in this process's memory: its relocations, symbols and strings). MKL then still chooses among its
/// Intel kernels by the instruction sets the processor reports. On an Intel processor nothing changes.
/// <para>The products are the same arithmetic in another order, so the numbers change at the rounding level and, through
/// training, beyond it: a run is reproducible under one setting, and the figures in docs/ were taken under
/// <c>vendor</c>, which is why it stays the default. Another value is refused by the CLI (exit 2) before anything
/// runs.</para>
/// </remarks>
public static class MklDispatch
{
    /// <summary>The environment variable that chooses the path: unset, empty or <c>vendor</c> (MKL's own dispatch), or
    /// <c>features</c>.</summary>
    public const string SwitchVariable = "GANFLOW_MKL_DISPATCH";

    private static readonly EnvironmentSwitch Switch =
        new(SwitchVariable, ("vendor", "MKL's own choice of kernels"), ("features", "MKL's kernels for the instruction sets the processor has, whoever made it"));

    /// <summary>The refusal of a <see cref="SwitchVariable"/> value that is neither <c>vendor</c> nor <c>features</c>,
    /// or null when the value is one of them (or unset).</summary>
    public static string? InvalidSetting() => Switch.InvalidSetting();

    /// <summary>The function MKL asks whether the processor is Intel's.</summary>
    private const string VendorQuery = "mkl_serv_intel_cpu_true";

    /// <summary>The answer <c>features</c> gives MKL: yes.</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Answer();

    /// <summary>Held for the process's lifetime: MKL may call it again, and a collected delegate's pointer would dangle.</summary>
    private static readonly Answer Yes = () => 1;

    private static readonly object Gate = new();
    private static string? applied;

    /// <summary>
    /// Applies the setting once per process (later calls return the first call's outcome): <c>vendor</c> (nothing done),
    /// <c>features</c> when the slot was found and set, <c>invalid</c> (nothing done) for a value
    /// <see cref="InvalidSetting"/> refuses, <c>unavailable</c> (nothing done, a one-line warning on stderr) where
    /// libtorch_cpu.so is not an x86-64 ELF library calling MKL through that slot; never throws. Must run before
    /// libtorch's first matrix product to take effect: every host calls it at its start through
    /// <see cref="CpuKernels.Apply"/>.
    /// </summary>
    public static string Apply()
    {
        lock (Gate)
        {
            if (applied is not null) return applied;
            var wanted = Switch.Chosen;
            if (wanted is null) return applied = "invalid";
            if (wanted == "vendor") return applied = "vendor";
            string? problem;
            try
            {
                problem = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64
                    ? Redirect()
                    : "not an x86-64 Linux process";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException or FormatException)
            {
                problem = e.Message;
            }
            if (problem is null) return applied = "features";
            Console.Error.WriteLine($"warning: {SwitchVariable}=features not applied ({problem}); MKL keeps its own choice of kernels");
            return applied = "unavailable";
        }
    }

    /// <summary>Points libtorch_cpu.so's slot for <see cref="VendorQuery"/> at <see cref="Yes"/>; the reason when it
    /// cannot, else null.</summary>
    private static string? Redirect()
    {
        // Loads libtorch through TorchSharp first, so that the library found below is the one TorchSharp uses.
        torch.InitializeDeviceType(DeviceType.CPU);
        var mappings = File.ReadAllLines("/proc/self/maps").Select(Mapping.Parse).Where(m => m is not null).Select(m => m!.Value).ToArray();
        var library = mappings.Where(m => m.Offset == 0 && m.Path.EndsWith("/libtorch_cpu.so", StringComparison.Ordinal)).ToArray();
        if (library.Length != 1) return $"{library.Length} mappings of libtorch_cpu.so at offset 0";
        var image = library[0].Start;
        // ELF64, little-endian, x86-64: "\x7fELF", class 2, data 1, e_machine 62.
        if (Read32(image) != 0x464C457F || Marshal.ReadByte((nint)image, 4) != 2 || Marshal.ReadByte((nint)image, 5) != 1 || Read16(image + 18) != 62)
            return "libtorch_cpu.so is not an x86-64 ELF64 library";
        var programHeaders = image + Read64(image + 32);
        var programHeaderSize = Read16(image + 54);
        var programHeaderCount = Read16(image + 56);
        long? dynamicAddress = null;
        for (var i = 0; i < programHeaderCount; i++)
        {
            var header = programHeaders + (long)i * programHeaderSize;
            if (Read32(header) == 2) dynamicAddress = image + Read64(header + 16); // PT_DYNAMIC: p_vaddr
        }
        if (dynamicAddress is not { } dynamic) return "libtorch_cpu.so has no dynamic section";
        var tags = new Dictionary<long, long>();
        for (var entry = dynamic; Read64(entry) != 0; entry += 16) tags[Read64(entry)] = Read64(entry + 8);
        // DT_JMPREL 23, DT_PLTRELSZ 2, DT_PLTREL 20 (= DT_RELA 7), DT_SYMTAB 6, DT_STRTAB 5. The loader rewrites the
        // addresses in place as absolute ones on x86-64; an unrelocated one is an offset from the image.
        if (!tags.TryGetValue(23, out var relocations) || !tags.TryGetValue(2, out var relocationBytes) || tags.GetValueOrDefault(20) != 7
            || !tags.TryGetValue(6, out var symbols) || !tags.TryGetValue(5, out var strings))
            return "libtorch_cpu.so's dynamic section has no procedure linkage relocations";
        long Absolute(long address) => address < image ? image + address : address;
        relocations = Absolute(relocations);
        symbols = Absolute(symbols);
        strings = Absolute(strings);
        long? slot = null;
        for (var offset = 0L; offset + 24 <= relocationBytes; offset += 24)
        {
            var info = Read64(relocations + offset + 8);
            if ((info & 0xFFFFFFFF) != 7) continue; // R_X86_64_JUMP_SLOT
            var symbol = symbols + (info >>> 32) * 24;
            var name = Marshal.PtrToStringAnsi((nint)(strings + (uint)Read32(symbol)));
            if (name == VendorQuery) slot = image + Read64(relocations + offset);
        }
        if (slot is not { } address) return $"libtorch_cpu.so does not call {VendorQuery} through its linkage table";
        var page = mappings.Where(m => address >= m.Start && address + 8 <= m.End).ToArray();
        if (page.Length != 1 || !page[0].Writable) return $"the linkage table slot of {VendorQuery} is not writable";
        Marshal.WriteIntPtr((nint)address, Marshal.GetFunctionPointerForDelegate(Yes));
        return null;
    }

    private static long Read64(long address) => Marshal.ReadInt64((nint)address);
    private static int Read32(long address) => Marshal.ReadInt32((nint)address);
    private static int Read16(long address) => (ushort)Marshal.ReadInt16((nint)address);

    /// <summary>One line of /proc/self/maps: address range, whether writable, file offset, path.</summary>
    private readonly record struct Mapping(long Start, long End, bool Writable, long Offset, string Path)
    {
        public static Mapping? Parse(string line)
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5) return null;
            var range = fields[0].Split('-');
            return new Mapping(long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), fields[1].Length > 1 && fields[1][1] == 'w',
                long.Parse(fields[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture), fields.Length > 5 ? fields[5].Trim() : "");
        }
    }
}
