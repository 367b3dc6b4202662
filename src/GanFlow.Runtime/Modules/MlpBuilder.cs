using GanFlow.Core.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanFlow.Runtime.Modules;

/// <summary>How the linear layers of one network are normalised.</summary>
/// <param name="SpectralNormIterations">Power iterations of spectral normalisation, or null for plain layers.</param>
public sealed record LinearOptions(int? SpectralNormIterations)
{
    /// <summary>Plain affine layers.</summary>
    public static LinearOptions Plain { get; } = new((int?)null);
}

/// <summary>The one interpreter from an <see cref="Mlp"/> spec to a TorchSharp module.</summary>
public static class MlpBuilder
{
    /// <summary>
    /// Builds an MLP on the CPU: <paramref name="inputSize"/> → <c>spec.Depth</c> hidden layers of
    /// <c>spec.Width</c> → <paramref name="outputSize"/>. Initial weights come from
    /// <paramref name="init"/>; dropout masks from <paramref name="dropoutMasks"/>.
    /// </summary>
    public static MlpModule Build(Mlp spec, int inputSize, int outputSize, LinearOptions linear, Generator init, Generator dropoutMasks)
    {
        var hidden = new List<Module<Tensor, Tensor>>();
        var norms = new List<Module<Tensor, Tensor>?>();
        var width = inputSize;
        for (var i = 0; i < spec.Depth; i++)
        {
            hidden.Add(Linear(spec.Init, width, spec.Width, linear, init));
            norms.Add(spec.BatchNorm ? new BatchNormLayer(spec.Width, 0) : null);
            width = spec.Width;
        }
        var output = Linear(spec.Init, width, outputSize, linear, init);
        return new MlpModule(hidden, norms, output, new SeededDropout(spec.Dropout, dropoutMasks), ActivationOf(spec.Activation), spec.Residual);
    }

    private static Module<Tensor, Tensor> Linear(WeightInit initSpec, long fanIn, long fanOut, LinearOptions options, Generator init)
    {
        var (weight, bias) = WeightInitializer.Draw(initSpec, fanIn, fanOut, init);
        if (options.SpectralNormIterations is { } iterations)
        {
            // torch.randn, not nn.init.normal_, which ignores its generator in TorchSharp 0.107.
            return new SpectralNormLinear(weight, bias, torch.randn(new[] { fanOut }, generator: init), iterations);
        }
        return new LinearLayer(weight, bias);
    }

    /// <summary>
    /// The elementwise function of an activation spec. Parameters go through explicitly held
    /// Scalars: TorchSharp 0.107 does not keep implicitly converted ones alive (see ParameterOptimizer).
    /// </summary>
    public static Func<Tensor, Tensor> ActivationOf(Activation activation) =>
        activation.Tag switch
        {
            Activation.Tags.Relu => x => functional.relu(x),
            Activation.Tags.LeakyRelu => x =>
            {
                using var slope = ((Activation.LeakyRelu)activation).negativeSlope.ToScalar();
                return x.leaky_relu(slope);
            },
            Activation.Tags.Tanh => x => x.tanh(),
            Activation.Tags.Elu => x =>
            {
                using var one = 1.0.ToScalar();
                return x.elu(one, one, one);
            },
            _ => throw new NotSupportedException($"activation '{activation}' has no runtime interpretation"),
        };
}
