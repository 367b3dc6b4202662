using GanFlow.Core.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>Seed 001's DCGAN critic on flattened images: [n, side²] float64 on the [0, 1] scale → view [n, 1, side, side]
/// → <see cref="ConvDiscriminatorModule"/> (in float64) → [n]. Flat input lets the existing gradient penalty
/// (<c>GanLosses.GradientPenalty</c>, one ε per row) run unchanged on images.</summary>
public sealed class FlatImageCritic : nn.Module<Tensor, Tensor>
{
    private readonly ConvDiscriminatorModule critic;
    private readonly int side;

    /// <summary>The critic of <paramref name="spec"/> for <paramref name="side"/> × <paramref name="side"/> images, its
    /// initial weights drawn from <paramref name="seed"/> (<see cref="ImageInitializer"/>).</summary>
    public FlatImageCritic(ConvDiscriminator spec, int side, long seed) : base("critic")
    {
        this.side = side;
        critic = new ConvDiscriminatorModule(spec, side);
        RegisterComponents();
        ImageInitializer.Reset(this, seed);
        this.to(ScalarType.Float64);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => critic.forward(x.view(-1, 1, side, side));
}
