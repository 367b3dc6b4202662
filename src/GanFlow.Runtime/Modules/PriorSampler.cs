using GanFlow.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>Draws a generator's latent noise from its prior spec.</summary>
public static class PriorSampler
{
    /// <summary>
    /// <paramref name="count"/> × <c>prior.Dimension</c> noise, drawn on the CPU from
    /// <paramref name="generator"/> (so the stream does not depend on the device) and moved to <paramref name="device"/>.
    /// </summary>
    public static Tensor Sample(Prior prior, long count, Generator generator, Device device)
    {
        var shape = new long[] { count, prior.Dimension };
        var noise = prior.Kind.Tag switch
        {
            PriorKind.Tags.StandardGaussian => torch.randn(shape, generator: generator),
            PriorKind.Tags.SymmetricUniform => SymmetricUniform(shape, generator),
            _ => throw new NotSupportedException($"prior '{prior.Kind}' has no runtime interpretation"),
        };
        return noise.to(device);
    }

    /// <summary>log N(z; 0, I) of each row of <paramref name="z"/> → [n], differentiable in z: the log-density of every
    /// standard Gaussian latent (MLP priors, the conv generator, a VAE's prior).</summary>
    public static Tensor StandardGaussianLogProb(Tensor z) => z.Squared().Times(-0.5).Minus(0.5 * Math.Log(2 * Math.PI)).sum(1);

    // U(−1, 1) with explicitly held Scalars (TorchSharp 0.107 does not keep implicit ones alive; see ParameterOptimizer).
    private static Tensor SymmetricUniform(long[] shape, Generator generator)
    {
        using var two = 2.0.ToScalar();
        using var one = 1.0.ToScalar();
        return torch.rand(shape, generator: generator).mul_(two).sub_(one);
    }
}
