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
    public static (Tensor Weight, Tensor Bias) Draw(WeightInit init, long fanIn, long fanOut, Generator generator)
    {
        var weight = torch.empty(fanOut, fanIn);
        var bias = torch.empty(fanOut);
        switch (init.Tag)
        {
            case WeightInit.Tags.FrameworkDefault:
                // PyTorch's Linear: kaiming_uniform(a = √5) gives bound 1/√fan_in; the bias uses the same bound.
                var bound = 1.0 / Math.Sqrt(fanIn);
                nn.init.uniform_(weight, -bound, bound, generator);
                nn.init.uniform_(bias, -bound, bound, generator);
                break;
            case WeightInit.Tags.Uniform:
                var b = ((WeightInit.Uniform)init).bound;
                nn.init.uniform_(weight, -b, b, generator);
                bias.zero_();
                break;
            case WeightInit.Tags.XavierUniform:
                var a = Math.Sqrt(6.0 / (fanIn + fanOut));
                nn.init.uniform_(weight, -a, a, generator);
                bias.zero_();
                break;
            default:
                throw new NotSupportedException($"weight initialisation '{init}' has no runtime interpretation");
        }
        return (weight, bias);
    }
}
