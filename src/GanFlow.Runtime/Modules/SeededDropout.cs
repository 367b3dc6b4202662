using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// Inverted dropout whose masks come from a generator the trainer reseeds every step, so a run
/// is deterministic and a resumed run draws the same masks as an uninterrupted one. Identity in
/// evaluation mode.
/// </summary>
public sealed class SeededDropout : Module<Tensor, Tensor>
{
    private readonly double probability;
    private readonly Generator masks;

    internal SeededDropout(double probability, Generator masks) : base(nameof(SeededDropout))
    {
        if (probability < 0.0 || probability >= 1.0)
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "must lie in [0, 1)");
        this.probability = probability;
        this.masks = masks;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (!training || probability == 0.0) return input;
        // Masks are drawn on the generator's (CPU) device and moved, so the stream does not depend on the run's device.
        // Scalars held explicitly: TorchSharp 0.107 does not keep implicit ones alive (see ParameterOptimizer).
        using var threshold = probability.ToScalar();
        using var scale = (1.0 / (1.0 - probability)).ToScalar();
        var keep = torch.rand(input.shape, generator: masks).ge(threshold).to(input.dtype).mul_(scale).to(input.device);
        return input * keep;
    }
}
