using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>A coupling network d → w → … → w → d: <c>depth</c> affine layers with the activation after
/// every hidden one, optionally tanh on the output (RealNVP's s-net in seed 003).</summary>
public sealed class CouplingNet : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<nn.Module<Tensor, Tensor>> layers = new();
    private readonly Func<Tensor, Tensor> activation;
    private readonly bool tanhOutput;

    /// <summary>Builds the net with weights drawn from <paramref name="generator"/>.</summary>
    public CouplingNet(string name, int dimension, int width, int depth, Activation activation, bool tanhOutput, Generator generator) : base(name)
    {
        for (int i = 0; i < depth; i++)
        {
            var input = i == 0 ? dimension : width;
            var output = i == depth - 1 ? dimension : width;
            layers.Add(FlowInit.Linear(input, output, generator));
        }
        this.activation = FlowInit.Activation(activation);
        this.tanhOutput = tanhOutput;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        var h = x;
        for (int i = 0; i < layers.Count; i++)
        {
            h = layers[i].call(h);
            if (i < layers.Count - 1) h = activation(h);
        }
        return tanhOutput ? h.tanh() : h;
    }
}

/// <summary>Alternating masks: layer i keeps coordinate j when (i + j) is odd (seed 003: [0,1], [1,0], …).</summary>
internal static class Masks
{
    public static Tensor Alternating(int layers, int dimension)
    {
        var values = new double[layers * dimension];
        for (int i = 0; i < layers; i++)
            for (int j = 0; j < dimension; j++)
                values[i * dimension + j] = (i + j) % 2 == 1 ? 1.0 : 0.0;
        return torch.tensor(values, new long[] { layers, dimension }, dtype: ScalarType.Float64);
    }

    /// <summary>1 − masks, built without an implicit Scalar.</summary>
    public static Tensor Complement(Tensor masks) => masks.SubtractedFrom(1.0);
}

/// <summary>RealNVP (seed 003 eq. 11, the masked form of Ashukha's tutorial). Generator direction, layer i:
/// x ← m⊙x + (1−m)⊙(x·exp(s(m⊙x)) + t(m⊙x)); the forward map undoes the layers in reverse order with
/// log|det| = −Σ s.</summary>
public sealed class RealNvpFlow : NormalizingFlow
{
    private readonly ModuleList<CouplingNet> s = new();
    private readonly ModuleList<CouplingNet> t = new();
    private readonly Tensor masks;
    private readonly Tensor complements;

    /// <summary>Builds the couplings with weights drawn from <paramref name="generator"/>.</summary>
    public RealNvpFlow(RealNvp spec, int dimension, BaseDistribution baseDistribution, Generator generator)
        : base("RealNvp", dimension, baseDistribution)
    {
        for (int i = 0; i < spec.Couplings; i++)
        {
            s.Add(new CouplingNet($"s{i}", dimension, spec.Width, spec.Depth, spec.Activation, spec.TanhScale, generator));
            t.Add(new CouplingNet($"t{i}", dimension, spec.Width, spec.Depth, spec.Activation, false, generator));
        }
        masks = Masks.Alternating(spec.Couplings, dimension);
        complements = Masks.Complement(masks);
        RegisterComponents();
    }

    /// <summary>Coupling <paramref name="i"/> in the x → z direction: its output and Σ s per sample (log|det| = −Σ s).</summary>
    private (Tensor Z, Tensor ScaleSum) ForwardCoupling(int i, Tensor z)
    {
        var m = masks[i];
        var notM = complements[i];
        var kept = z * m;
        var scale = s[i].call(kept) * notM;
        var shift = t[i].call(kept) * notM;
        return (kept.Plus(notM * z.Minus(shift) * (-scale).exp()), scale.sum(1));
    }

    /// <inheritdoc />
    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var z = x;
        var logDet = torch.zeros(x.shape[0], dtype: x.dtype, device: x.device);
        for (int i = s.Count - 1; i >= 0; i--)
        {
            (z, var scaleSum) = ForwardCoupling(i, z);
            logDet = logDet.Minus(scaleSum);
        }
        return (z, logDet);
    }

    /// <summary>x, then the output of every coupling in the x → z order ("coupling 1" … "coupling L"; the
    /// generator applies them in reverse).</summary>
    public override FlowTrajectory Trajectory(Tensor x, int intervals)
    {
        var stages = new List<(string, Tensor)>();
        var z = x;
        for (int i = s.Count - 1; i >= 0; i--)
        {
            z = ForwardCoupling(i, z).Z;
            stages.Add(($"coupling {s.Count - i}", z));
        }
        return FlowTrajectory.OfLayers(x, stages);
    }

    /// <inheritdoc />
    public override Tensor Inverse(Tensor z)
    {
        var x = z;
        for (int i = 0; i < s.Count; i++)
        {
            var m = masks[i];
            var notM = complements[i];
            var kept = x * m;
            var scale = s[i].call(kept) * notM;
            var shift = t[i].call(kept) * notM;
            x = kept.Plus(notM * (x * scale.exp()).Plus(shift));
        }
        return x;
    }
}

/// <summary>NICE (Dinh et al. 2014): additive couplings y ← m⊙y + (1−m)⊙(y + net(m⊙y)) then z = exp(s)⊙y,
/// log|det| = Σ s.</summary>
public sealed class NiceFlow : NormalizingFlow
{
    private readonly ModuleList<CouplingNet> nets = new();
    private readonly Parameter logScale;
    private readonly Tensor masks;
    private readonly Tensor complements;

    /// <summary>Builds the couplings with weights drawn from <paramref name="generator"/>; the scaling starts at 1.</summary>
    public NiceFlow(Nice spec, int dimension, BaseDistribution baseDistribution, Generator generator)
        : base("Nice", dimension, baseDistribution)
    {
        for (int i = 0; i < spec.Couplings; i++)
            nets.Add(new CouplingNet($"m{i}", dimension, spec.Width, spec.Depth, spec.Activation, false, generator));
        logScale = new Parameter(torch.zeros(dimension, dtype: ScalarType.Float64));
        masks = Masks.Alternating(spec.Couplings, dimension);
        complements = Masks.Complement(masks);
        RegisterComponents();
    }

    /// <summary>Additive coupling <paramref name="i"/> in the x → z direction.</summary>
    private Tensor ForwardCoupling(int i, Tensor y)
    {
        var m = masks[i];
        var notM = complements[i];
        var kept = y * m;
        return kept.Plus(notM * y.Plus(nets[i].call(kept)));
    }

    /// <inheritdoc />
    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var y = x;
        for (int i = 0; i < nets.Count; i++) y = ForwardCoupling(i, y);
        var logDet = logScale.sum().expand(x.shape[0]);
        return (y * logScale.exp(), logDet);
    }

    /// <summary>x, the output of every coupling ("coupling 1" … "coupling L"), then the final scaling ("scaling").</summary>
    public override FlowTrajectory Trajectory(Tensor x, int intervals)
    {
        var stages = new List<(string, Tensor)>();
        var y = x;
        for (int i = 0; i < nets.Count; i++)
        {
            y = ForwardCoupling(i, y);
            stages.Add(($"coupling {i + 1}", y));
        }
        stages.Add(("scaling", y * logScale.exp()));
        return FlowTrajectory.OfLayers(x, stages);
    }

    /// <inheritdoc />
    public override Tensor Inverse(Tensor z)
    {
        var y = z * (-logScale).exp();
        for (int i = nets.Count - 1; i >= 0; i--)
        {
            var m = masks[i];
            var notM = complements[i];
            var kept = y * m;
            y = kept.Plus(notM * y.Minus(nets[i].call(kept)));
        }
        return y;
    }
}
