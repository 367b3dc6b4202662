using GanFlow.Runtime.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>A flow preceded by the fixed per-dimension affine map x ↦ y = (x − m)/s (spec field
/// <c>Flow.Standardize</c>): z = inner(y), log|det ∂z/∂x| = log|det ∂z/∂y| − Σ log s, and the generator maps
/// back by x = m + s·inner⁻¹(z). m and s are buffers (saved with the checkpoint), not parameters.</summary>
public sealed class StandardizedFlow : NormalizingFlow
{
    private readonly NormalizingFlow inner;
    private readonly Tensor mean;
    private readonly Tensor scale;
    private readonly Tensor logScaleSum;

    /// <summary>The column means m and standard deviations s ([1, d] each, float64, CPU) of <paramref name="data"/>
    /// ([n, d], n ≥ 2). Throws <see cref="ArgumentException"/> naming the dimension when a column has no spread
    /// (the map would not be invertible).</summary>
    public static (Tensor Mean, Tensor Scale) Statistics(Tensor data)
    {
        if (data.dim() != 2 || data.shape[0] < 2)
            throw new ArgumentException($"flow.standardize needs [n >= 2, d] initial data, got [{string.Join(", ", data.shape)}]", nameof(data));
        var x = data.to_type(ScalarType.Float64).cpu();
        var mean = x.mean(new long[] { 0 }, keepdim: true).detach();
        var scale = x.std(0, keepdim: true).detach();
        var spreads = scale.data<double>().ToArray();
        for (var k = 0; k < spreads.Length; k++)
            if (!(spreads[k] > 0) || !double.IsFinite(spreads[k]))
                throw new ArgumentException($"flow.standardize: the initial data's standard deviation in dimension {k} is {spreads[k]}; standardizing needs a positive spread", nameof(data));
        return (mean, scale);
    }

    /// <summary>x ↦ (x − m)/s.</summary>
    public static Tensor Apply(Tensor x, Tensor mean, Tensor scale) => x.Minus(mean) / scale;

    /// <summary>Wraps <paramref name="inner"/>, which must have been built for standardized data, with the map of
    /// <paramref name="mean"/> and <paramref name="scale"/> (from <see cref="Statistics"/>).</summary>
    public StandardizedFlow(NormalizingFlow inner, Tensor mean, Tensor scale) : base("Standardized", inner.Dimension, inner.Base)
    {
        if (mean.shape.Length != 2 || mean.shape[1] != inner.Dimension || !scale.shape.SequenceEqual(mean.shape))
            throw new ArgumentException($"flow.standardize: mean and scale must be [1, {inner.Dimension}]", nameof(mean));
        this.inner = inner;
        this.mean = mean;
        this.scale = scale;
        logScaleSum = scale.log().sum().detach();
        register_module(nameof(inner), inner);
        register_buffer(nameof(mean), mean);
        register_buffer(nameof(scale), scale);
        register_buffer(nameof(logScaleSum), logScaleSum);
    }

    /// <summary>The wrapped flow, which sees standardized data.</summary>
    public NormalizingFlow Inner => inner;

    /// <inheritdoc />
    public override IReadOnlyCollection<string> GaugeParameters => inner.GaugeParameters.Select(name => "inner." + name).ToArray();

    /// <inheritdoc />
    public override bool IsContinuous => inner.IsContinuous;

    /// <inheritdoc />
    public override void Reseed(long seed) => inner.Reseed(seed);

    private Tensor Standardize(Tensor x) => Apply(x, mean, scale);

    /// <inheritdoc />
    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var (z, logDet) = inner.Forward(Standardize(x));
        LastFunctionEvaluations = inner.LastFunctionEvaluations;
        return (z, logDet.Minus(logScaleSum));
    }

    /// <inheritdoc />
    public override Tensor Inverse(Tensor z)
    {
        var y = inner.Inverse(z);
        LastFunctionEvaluations = inner.LastFunctionEvaluations;
        return (y * scale).Plus(mean);
    }

    /// <summary>x itself, then the inner flow's path of the standardized points (its first stage, relabelled
    /// "standardized", is (x − m)/s).</summary>
    public override FlowTrajectory Trajectory(Tensor x, int intervals)
    {
        var path = inner.Trajectory(Standardize(x), intervals);
        LastFunctionEvaluations = inner.LastFunctionEvaluations;
        var first = path.Labels[0] == "x" ? "standardized" : $"standardized ({path.Labels[0]})";
        return new FlowTrajectory(
            new[] { "x", first }.Concat(path.Labels.Skip(1)).ToList(),
            new[] { x }.Concat(path.States).ToList());
    }

    /// <summary>The inner flow's loss on standardized data, shifted by the constant Σ log s (gradients unchanged)
    /// so that its NLL is in data units.</summary>
    public override (Tensor Loss, Tensor Nll) TrainingLoss(Tensor x)
    {
        var (loss, nll) = inner.TrainingLoss(Standardize(x));
        LastFunctionEvaluations = inner.LastFunctionEvaluations;
        return (loss.Plus(logScaleSum), nll.Plus(logScaleSum));
    }
}
