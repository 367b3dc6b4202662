using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>
/// The monotone rational-quadratic spline of Durkan et al. 2019 (eqs. 3-6 and their appendix; nflows'
/// <c>unconstrained_rational_quadratic_spline</c>): on [−B, B] K bins whose widths and heights come from a softmax of
/// unnormalised parameters and whose K − 1 inner knot derivatives from a softplus, the boundary derivatives fixed at 1 so
/// that the map joins the identity (linear tails) outside [−B, B]. Elementwise: inputs [n, d], parameters [n, d, 3K − 1]
/// (widths, heights, inner derivatives). Every constant is a held Scalar.
/// </summary>
public static class RationalQuadraticSpline
{
    /// <summary>Smallest bin width and height, as a share of 2B (nflows' default).</summary>
    public const double MinimumBinShare = 1e-3;
    /// <summary>Smallest knot derivative (nflows' default).</summary>
    public const double MinimumDerivative = 1e-3;

    /// <summary>The knots of the spline from unnormalised parameters: cumulative widths and heights [n, d, K + 1] on
    /// [−B, B], bin widths and heights [n, d, K], and the derivatives at all K + 1 knots.</summary>
    private static (Tensor CumWidths, Tensor Widths, Tensor CumHeights, Tensor Heights, Tensor Derivatives) Knots(Tensor parameters, int bins, double bound)
    {
        var unnormalisedWidths = parameters.narrow(-1, 0, bins);
        var unnormalisedHeights = parameters.narrow(-1, bins, bins);
        var unnormalisedDerivatives = parameters.narrow(-1, 2 * bins, bins - 1);
        var (cumWidths, widths) = Cumulative(unnormalisedWidths, bins, bound);
        var (cumHeights, heights) = Cumulative(unnormalisedHeights, bins, bound);
        var inner = HeldScalars.Softplus(unnormalisedDerivatives).Plus(MinimumDerivative);
        var ones = torch.ones_like(inner.narrow(-1, 0, 1));
        var derivatives = torch.cat(new[] { ones, inner, ones }, -1);
        return (cumWidths, widths, cumHeights, heights, derivatives);
    }

    /// <summary>Bins of share at least <see cref="MinimumBinShare"/> from a softmax, as knots on [−B, B] (the first and
    /// last exactly −B and B) and their widths.</summary>
    private static (Tensor Cumulative, Tensor Widths) Cumulative(Tensor unnormalised, int bins, double bound)
    {
        var shares = unnormalised.softmax(-1).Times(1.0 - MinimumBinShare * bins).Plus(MinimumBinShare);
        var cumulative = shares.cumsum(-1);
        var zero = torch.zeros_like(cumulative.narrow(-1, 0, 1));
        var knots = torch.cat(new[] { zero, cumulative }, -1).Times(2.0 * bound).Minus(bound);
        // Exact ends: the last knot is B whatever the rounding of the cumulative sum.
        var last = HeldScalars.FilledLike(zero, bound);
        knots = torch.cat(new[] { knots.narrow(-1, 0, bins), last }, -1);
        var widths = knots.narrow(-1, 1, bins).Minus(knots.narrow(-1, 0, bins));
        return (knots, widths);
    }

    /// <summary>The bin of each value among knots [n, d, K + 1]: the number of inner knots at or below it, in 0 … K − 1.</summary>
    private static Tensor BinOf(Tensor values, Tensor knots, int bins)
    {
        var inner = knots.narrow(-1, 1, bins - 1);
        return values.unsqueeze(-1).ge(inner).to_type(ScalarType.Int64).sum(-1, keepdim: true);
    }

    private static Tensor At(Tensor t, Tensor index) => t.gather(-1, index).squeeze(-1);

    /// <summary>One bin per element: its left knot (x0, y0), width w, height h, slope δ = h / w and the derivatives at its
    /// two ends.</summary>
    private readonly record struct Bin(Tensor X0, Tensor W, Tensor Y0, Tensor H, Tensor Delta, Tensor D0, Tensor D1);

    /// <summary>The bin of each of <paramref name="clamped"/> [n, d] on the spline of <paramref name="parameters"/>,
    /// looked up among the x knots (forward) or the y knots (<paramref name="byHeight"/>, inverse).</summary>
    private static Bin BinAt(Tensor clamped, Tensor parameters, int bins, double bound, bool byHeight)
    {
        var (cumWidths, widths, cumHeights, heights, derivatives) = Knots(parameters, bins, bound);
        var bin = BinOf(clamped, byHeight ? cumHeights : cumWidths, bins);
        var w = At(widths, bin);
        var h = At(heights, bin);
        return new Bin(At(cumWidths, bin), w, At(cumHeights, bin), h, h / w, At(derivatives, bin), At(derivatives.narrow(-1, 1, bins), bin));
    }

    /// <summary>The spline applied to <paramref name="x"/> [n, d] and log|dy/dx| per element [n, d] (0 outside [−B, B]).</summary>
    public static (Tensor Y, Tensor LogDerivative) Forward(Tensor x, Tensor parameters, int bins, double bound)
    {
        var inside = x.AtLeast(-bound).logical_and(x.AtMost(bound));
        var clamped = x.ClampTo(-bound, bound);
        var (x0, w, y0, h, delta, d0, d1) = BinAt(clamped, parameters, bins, bound, byHeight: false);
        var theta = clamped.Minus(x0) / w;
        var thetaOneMinus = theta * theta.SubtractedFrom(1.0);
        var numerator = h * (delta * theta.Squared()).Plus(d0 * thetaOneMinus);
        var denominator = delta.Plus(d0.Plus(d1).Minus(delta.Times(2.0)) * thetaOneMinus);
        var y = y0.Plus(numerator / denominator);
        var derivativeNumerator = delta.Squared() * (d1 * theta.Squared()).Plus(delta.Times(2.0) * thetaOneMinus).Plus(d0 * theta.SubtractedFrom(1.0).Squared());
        var logDerivative = derivativeNumerator.log().Minus(denominator.log().Times(2.0));
        return (torch.where(inside, y, x), torch.where(inside, logDerivative, torch.zeros_like(x)));
    }

    /// <summary>The inverse of <see cref="Forward"/> at <paramref name="y"/> [n, d] (the root of the bin's quadratic) and
    /// log|dx/dy| per element.</summary>
    public static (Tensor X, Tensor LogDerivative) Inverse(Tensor y, Tensor parameters, int bins, double bound)
    {
        var inside = y.AtLeast(-bound).logical_and(y.AtMost(bound));
        var clamped = y.ClampTo(-bound, bound);
        var (x0, w, y0, h, delta, d0, d1) = BinAt(clamped, parameters, bins, bound, byHeight: true);
        var shifted = clamped.Minus(y0);
        var curvature = d0.Plus(d1).Minus(delta.Times(2.0));
        var a = (shifted * curvature).Plus(h * delta.Minus(d0));
        var b = (h * d0).Minus(shifted * curvature);
        var c = (delta * shifted).neg();
        var discriminant = b.Squared().Minus(a.Times(4.0) * c).ClampAtLeast(0.0);
        var root = c.Times(2.0) / b.neg().Minus(discriminant.sqrt());
        var x = (root * w).Plus(x0);
        var thetaOneMinus = root * root.SubtractedFrom(1.0);
        var denominator = delta.Plus(curvature * thetaOneMinus);
        var derivativeNumerator = delta.Squared() * (d1 * root.Squared()).Plus(delta.Times(2.0) * thetaOneMinus).Plus(d0 * root.SubtractedFrom(1.0).Squared());
        var logDerivative = derivativeNumerator.log().Minus(denominator.log().Times(2.0)).neg();
        return (torch.where(inside, x, y), torch.where(inside, logDerivative, torch.zeros_like(y)));
    }
}

/// <summary>
/// Neural spline flow (<see cref="SplineFlow"/> spec; Durkan et al. 2019). In 1-D every layer is one rational-quadratic
/// spline with free parameters; in d > 1 every layer is a coupling whose net maps the kept half (masks alternating as in
/// RealNVP) to the spline parameters of the transformed half. Every weight is drawn from the seeded generator as the
/// other flows' (zuko's and nflows' default initialisation; the 1-D free parameters N(0, 0.1²)): near-equal bins, a
/// smooth monotone map close to a fixed spline, different for every seed.
/// </summary>
public sealed class SplineFlow : NormalizingFlow
{
    /// <summary>Standard deviation of the 1-D free parameters at initialisation.</summary>
    private const double InitialScale = 0.1;

    private readonly int bins;
    private readonly double bound;
    private readonly int parametersPerCoordinate;
    private readonly ParameterList free = new();
    private readonly ModuleList<Sequential> nets = new();
    private readonly Tensor masks;
    private readonly Tensor complements;
    private readonly int layers;

    /// <summary>Builds the layers with the nets' hidden weights drawn from <paramref name="generator"/>.</summary>
    public SplineFlow(GanFlow.Core.Models.SplineFlow spec, int dimension, BaseDistribution baseDistribution, Generator generator)
        : base("Spline", dimension, baseDistribution)
    {
        bins = spec.Bins;
        bound = spec.Bound;
        layers = spec.Layers;
        parametersPerCoordinate = 3 * spec.Bins - 1;
        var activation = FlowInit.Activation(spec.Activation);
        for (var i = 0; i < spec.Layers; i++)
        {
            if (dimension == 1)
                free.Add(new Parameter(torch.randn(new long[] { 1, 1, parametersPerCoordinate }, dtype: ScalarType.Float64, generator: generator).Times(InitialScale)));
            else
            {
                var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
                var width = dimension;
                for (var k = 0; k < spec.Depth; k++)
                {
                    modules.Add(($"linear{k}", FlowInit.Linear(width, spec.Width, generator)));
                    modules.Add(($"activation{k}", new ActivationLayer(activation)));
                    width = spec.Width;
                }
                modules.Add(("output", FlowInit.Linear(width, dimension * parametersPerCoordinate, generator)));
                nets.Add(nn.Sequential(modules));
            }
        }
        masks = dimension == 1 ? torch.zeros(new long[] { spec.Layers, 1 }, dtype: ScalarType.Float64) : Masks.Alternating(spec.Layers, dimension);
        complements = Masks.Complement(masks);
        RegisterComponents();
    }

    /// <summary>Layer <paramref name="i"/>'s spline parameters [n, d, 3K − 1] from the kept coordinates of <paramref name="x"/>.</summary>
    private Tensor Parameters(int i, Tensor x)
    {
        var n = x.shape[0];
        if (Dimension == 1) return free[i].expand(n, 1, parametersPerCoordinate);
        return nets[i].call(x * masks[i]).view(n, Dimension, parametersPerCoordinate);
    }

    /// <summary>Layer <paramref name="i"/> in the x → z direction and its log|det| per sample.</summary>
    private (Tensor Z, Tensor LogDet) ForwardLayer(int i, Tensor x)
    {
        var (y, logDerivative) = RationalQuadraticSpline.Forward(x, Parameters(i, x), bins, bound);
        var m = masks[i];
        var notM = complements[i];
        return ((x * m).Plus(y * notM), (logDerivative * notM).sum(1));
    }

    /// <inheritdoc />
    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var z = x;
        var logDet = torch.zeros(x.shape[0], dtype: x.dtype, device: x.device);
        for (var i = 0; i < layers; i++)
        {
            (z, var layerLogDet) = ForwardLayer(i, z);
            logDet = logDet.Plus(layerLogDet);
        }
        return (z, logDet);
    }

    /// <inheritdoc />
    public override Tensor Inverse(Tensor z)
    {
        var x = z;
        for (var i = layers - 1; i >= 0; i--)
        {
            var (y, _) = RationalQuadraticSpline.Inverse(x, Parameters(i, x), bins, bound);
            x = (x * masks[i]).Plus(y * complements[i]);
        }
        return x;
    }

    /// <summary>x, then the output of every spline layer ("spline 1" … "spline L").</summary>
    public override FlowTrajectory Trajectory(Tensor x, int intervals)
    {
        var stages = new List<(string, Tensor)>();
        var z = x;
        for (var i = 0; i < layers; i++)
        {
            z = ForwardLayer(i, z).Z;
            stages.Add(($"spline {i + 1}", z));
        }
        return FlowTrajectory.OfLayers(x, stages);
    }
}

/// <summary>An elementwise function as a module (the nets of <see cref="SplineFlow"/>).</summary>
internal sealed class ActivationLayer(Func<Tensor, Tensor> function) : nn.Module<Tensor, Tensor>("activation")
{
    /// <inheritdoc />
    public override Tensor forward(Tensor x) => function(x);
}
