using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanFlow.Runtime.Modules;

/// <summary>An affine layer y = x Wᵀ + b with weights supplied by the caller (drawn from the run's generator).</summary>
public sealed class LinearLayer : Module<Tensor, Tensor>
{
    // Field names equal the registered names, so TorchSharp's device moves keep them in sync.
    private Parameter weight;
    private Parameter bias;

    internal LinearLayer(Tensor initialWeight, Tensor initialBias) : base(nameof(LinearLayer))
    {
        weight = new Parameter(initialWeight);
        bias = new Parameter(initialBias);
        register_parameter(nameof(weight), weight);
        register_parameter(nameof(bias), bias);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => functional.linear(input, weight, bias);
}
