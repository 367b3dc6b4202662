using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// PyTorch's default initialisation of linear and (transposed) convolution layers, drawn from the run's own generator
/// so it is deterministic without libtorch's global RNG: weight and bias uniform in ±1/√fan-in, where fan-in is the
/// weight's second dimension times its kernel size (what PyTorch computes for Linear, Conv2d and ConvTranspose2d).
/// Batch norm starts at scale 1 and shift 0, as its constructor left it.
/// </summary>
public static class ImageInitializer
{
    /// <summary>Redraws every weight of dimension ≥ 2 in <paramref name="module"/> and the bias beside it.</summary>
    public static void Reset(nn.Module module, long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        Reset(module, generator);
    }

    /// <summary>Redraws every weight of dimension ≥ 2 in <paramref name="module"/> and the bias beside it from
    /// <paramref name="generator"/> (a model's initialisation stream, shared with its other networks).</summary>
    public static void Reset(nn.Module module, torch.Generator generator)
    {
        using var noGrad = torch.no_grad();
        var parameters = module.named_parameters().ToList();
        foreach (var (name, weight) in parameters)
        {
            if (!name.EndsWith("weight") || weight.dim() < 2) continue;
            var fanIn = weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            var bound = 1.0 / Math.Sqrt(fanIn);
            Fill(weight, bound, generator);
            var biasName = name[..^"weight".Length] + "bias";
            foreach (var (other, bias) in parameters)
                if (other == biasName) Fill(bias, bound, generator);
        }
    }

    private static void Fill(Tensor parameter, double bound, torch.Generator generator)
    {
        using var width = (2.0 * bound).ToScalar();
        using var low = bound.ToScalar();
        using var draw = torch.rand(parameter.shape, generator: generator).mul_(width).sub_(low);
        parameter.copy_(draw);
    }
}
