using GanFlow.Core.Images;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using CoreClassifier = GanFlow.Core.Images.DigitClassifierModule;

namespace GanFlow.Runtime.Images;

/// <summary>
/// The <see cref="DigitClassifier"/> CNN (float64: chosen when oneDNN's float32 3×3 stride-1 convolution backward, which
/// reads uninitialised memory, was still on (<see cref="Devices.CpuKernels"/> turns it off now); kept, so saved classifier
/// files stay valid; tested in `Seed001MnistTests`): [n, 1, s, s] images x = b/255 → [n, 10] logits. 3×3 convolution
/// (padding 1), ReLU, 2×2 max-pool, 3×3 convolution, ReLU, 2×2 max-pool, linear, ReLU, linear. Weights start at
/// PyTorch's defaults (uniform in ±1/√fan-in) drawn from a generator seeded by the caller, not libtorch's global RNG.
/// </summary>
public sealed class DigitClassifierNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d first;
    private readonly Conv2d second;
    private readonly MaxPool2d pool;
    private readonly Linear hidden;
    private readonly Linear output;

    /// <summary>Pixels per side of the images it classifies.</summary>
    public int Side { get; }

    /// <summary>Builds the network for side × side images with weights drawn from a generator seeded with <paramref name="seed"/>.</summary>
    public DigitClassifierNetwork(DigitClassifier spec, int side, long seed) : base("DigitClassifier")
    {
        Side = side;
        var quarter = side / 4;
        first = nn.Conv2d(1, spec.FirstChannels, 3, padding: 1);
        second = nn.Conv2d(spec.FirstChannels, spec.SecondChannels, 3, padding: 1);
        pool = nn.MaxPool2d(2);
        hidden = nn.Linear((long)spec.SecondChannels * quarter * quarter, spec.Hidden);
        output = nn.Linear(spec.Hidden, CoreClassifier.Classes);
        RegisterComponents();
        this.to(ScalarType.Float64);
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        foreach (var layer in new (Tensor Weight, Tensor Bias)[] { (first.weight!, first.bias!), (second.weight!, second.bias!), (hidden.weight!, hidden.bias!), (output.weight!, output.bias!) })
        {
            var fanIn = layer.Weight.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
            var bound = 1.0 / Math.Sqrt(fanIn);
            layer.Weight.uniform_(-bound, bound, generator);
            layer.Bias.uniform_(-bound, bound, generator);
        }
    }

    /// <summary>A network of <paramref name="spec"/> for side × side images with the weights that
    /// <c>ganflow data classifier</c> saved in <paramref name="path"/>, in evaluation mode.</summary>
    public static DigitClassifierNetwork Load(DigitClassifier spec, int side, string path)
    {
        var network = new DigitClassifierNetwork(spec, side, 0);
        try
        {
            network.load(path);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        network.eval();
        return network;
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = pool.call(first.call(x).relu());
        h = pool.call(second.call(h).relu());
        h = hidden.call(h.flatten(1)).relu();
        return output.call(h).MoveToOuterDisposeScope();
    }
}
