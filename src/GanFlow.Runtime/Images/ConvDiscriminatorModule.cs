using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// Seed 003's discriminator (eq. 33) without its final sigmoid: two 4×4 stride-2 convolutions (padding 1), each
/// followed by batch norm (when the spec asks) and a leaky ReLU, then a linear map of the flattened features to one
/// number. The DCGAN reads it as a logit, the WGAN as the potential f_φ. Input [N, 1, s, s], output [N].
/// </summary>
public sealed class ConvDiscriminatorModule : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d first;
    private readonly BatchNormLayer? firstNorm;
    private readonly Conv2d second;
    private readonly BatchNormLayer? secondNorm;
    private readonly Linear output;
    private readonly double slope;

    /// <summary>The discriminator of <paramref name="spec"/> for <paramref name="side"/> × <paramref name="side"/> images.</summary>
    public ConvDiscriminatorModule(ConvDiscriminator spec, int side) : base("discriminator")
    {
        var quarter = side / 4;
        slope = spec.LeakySlope;
        first = nn.Conv2d(1, spec.FirstChannels, 4, stride: 2, padding: 1);
        second = nn.Conv2d(spec.FirstChannels, spec.SecondChannels, 4, stride: 2, padding: 1);
        if (spec.BatchNorm)
        {
            firstNorm = new BatchNormLayer(spec.FirstChannels, 2);
            secondNorm = new BatchNormLayer(spec.SecondChannels, 2);
        }
        output = nn.Linear(spec.SecondChannels * quarter * quarter, 1);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = first.forward(x);
        if (firstNorm is not null) h = firstNorm.forward(h);
        h = h.LeakyRelu(slope);
        h = second.forward(h);
        if (secondNorm is not null) h = secondNorm.forward(h);
        h = h.LeakyRelu(slope).flatten(1);
        return output.forward(h).squeeze(1);
    }
}
