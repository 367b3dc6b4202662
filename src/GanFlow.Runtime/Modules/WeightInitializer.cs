using GanFlow.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// Draws the initial weight and bias of one linear layer from the run's own generator, so
/// initialisation is deterministic without touching libtorch's global RNG. Tensors are on the CPU.
/// </summary>
internal static class WeightInitializer
{
    // TorchSharp 0.107's nn.init.uniform_/normal_ accept a generator but ignore it (they draw from
    // the global RNG), so uniform draws are made with torch.rand, which honours the generator.
    private static Tensor Uniform(long[] shape, double bound, Generator generator)
    {
        using var width = (2.0 * bound).ToScalar();
        using var low = bound.ToScalar();
        return torch.rand(shape, generator: generator).mul_(width).sub_(low);
    }

    public static (Tensor Weight, Tensor Bias) Draw(WeightInit init, long fanIn, long fanOut, Generator generator)
    {
        var weightShape = new[] { fanOut, fanIn };
        var biasShape = new[] { fanOut };
        switch (init.Tag)
        {
            case WeightInit.Tags.FrameworkDefault:
                // PyTorch's Linear: kaiming_uniform(a = √5) gives bound 1/√fan_in; the bias uses the same bound.
                var bound = 1.0 / Math.Sqrt(fanIn);
                return (Uniform(weightShape, bound, generator), Uniform(biasShape, bound, generator));
            case WeightInit.Tags.Uniform:
                var b = ((WeightInit.Uniform)init).bound;
                return (Uniform(weightShape, b, generator), torch.zeros(biasShape));
            case WeightInit.Tags.XavierUniform:
                var a = Math.Sqrt(6.0 / (fanIn + fanOut));
                return (Uniform(weightShape, a, generator), torch.zeros(biasShape));
            default:
                throw new NotSupportedException($"weight initialisation '{init}' has no runtime interpretation");
        }
    }
}
