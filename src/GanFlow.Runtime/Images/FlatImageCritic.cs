using GanFlow.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>Seed 003's discriminator (eq. 33) as a critic of flattened images: [n, side²] on the [0, 1] scale → view
/// [n, 1, side, side] → <see cref="ConvDiscriminatorModule"/> → [n]: the interpretation of <c>CriticNetwork.Conv</c>, and
/// seed 001's MNIST critic. Flat input lets the gradient penalty (<c>GanLosses.GradientPenalty</c>, one ε per row), the
/// clamps and the losses run unchanged on images.</summary>
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

    /// <summary>The critic of <paramref name="spec"/> for <paramref name="side"/> × <paramref name="side"/> images, float32,
    /// its initial weights drawn from <paramref name="init"/> (a model's initialisation stream).</summary>
    public FlatImageCritic(ConvDiscriminator spec, int side, torch.Generator init) : base("critic")
    {
        this.side = side;
        critic = new ConvDiscriminatorModule(spec, side);
        RegisterComponents();
        ImageInitializer.Reset(this, init);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => critic.forward(x.view(-1, 1, side, side));
}
