using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// Tensors of data values in memory libtorch owns. TorchSharp's <c>torch.tensor(array, …)</c> does not copy: it pins
/// the managed array and computes on it in place, at whatever address the garbage collector put it. MKL's matrix
/// products and libtorch's vectorised reductions split their work by the data's alignment, so the same numbers at
/// another address can round differently in the last bits: a run's numbers then depended on the heap's state (seen
/// as a resumed image run's critic estimate 8 units in the last place off an uninterrupted run's, under memory
/// pressure). Copying into libtorch's 64-byte-aligned allocation makes every data tensor start on the same boundary.
/// </summary>
public static class OwnedTensors
{
    /// <summary>Row-major values as an [n, <paramref name="dimension"/>] tensor of <paramref name="dtype"/> (float64 or
    /// float32) on <paramref name="device"/>, in memory libtorch allocated.</summary>
    public static Tensor Rows(double[] values, int dimension, ScalarType dtype, Device device)
    {
        var shape = new long[] { values.Length / dimension, dimension };
        if (dtype == ScalarType.Float64)
        {
            using var pinned = torch.tensor(values, shape, dtype: ScalarType.Float64);
            return Owned(pinned, device);
        }
        var floats = new float[values.Length];
        for (var i = 0; i < values.Length; i++) floats[i] = (float)values[i];
        using var pinnedFloats = torch.tensor(floats, shape);
        return Owned(pinnedFloats, device);
    }

    /// <summary>Bytes as a uint8 tensor of <paramref name="shape"/> on the CPU, in memory libtorch allocated.</summary>
    public static Tensor Bytes(byte[] values, long[] shape)
    {
        using var pinned = torch.tensor(values, shape);
        return pinned.clone();
    }

    /// <summary>A copy of <paramref name="pinned"/> on <paramref name="device"/> in memory libtorch allocated.</summary>
    private static Tensor Owned(Tensor pinned, Device device) =>
        device.type == DeviceType.CPU ? pinned.clone() : pinned.to(device);
}
