using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>Gaussianization flow (seed 000's reference form). Layer ℓ maps every coordinate through
/// z = Φ⁻¹(F(x)), F(x) = (1/K) Σ_k σ((x − μ_k)/h) a logistic mixture CDF with learnable anchors μ and one
/// learnable log-bandwidth per dimension; log|det| = Σ_dims log f(x) − log φ(z). F is clamped into (ε, 1−ε).
/// In d &gt; 1 a learnable Householder rotation mixes the coordinates between layers. The inverse of a
/// marginal layer is found by safeguarded Newton iterations (bisection when a Newton step leaves the bracket).</summary>
public sealed class GaussianizationFlowModule : NormalizingFlow
{
    private readonly ParameterList means = new();
    private readonly ParameterList logBandwidths = new();
    private readonly ParameterList reflections = new();
    private readonly double clamp;
    private readonly int iterations;
    private readonly int layers;

    /// <summary>Builds the layers. Anchors start on rows of <paramref name="initialData"/> pushed through the
    /// layers built so far (seed 000), or on N(0,1) draws when no data is given.</summary>
    public GaussianizationFlowModule(GaussianizationFlow spec, int dimension, BaseDistribution baseDistribution, Generator generator, Tensor? initialData)
        : base("GaussianizationFlow", dimension, baseDistribution)
    {
        clamp = spec.CdfClamp;
        iterations = spec.InverseIterations;
        layers = spec.Layers;
        var rotate = spec.Rotation.IsHouseholder && dimension > 1;
        var reference = Math.Pow(4 * Math.Sqrt(Math.PI) / (Math.Pow(Math.PI, 4) * spec.Anchors), 0.2);
        using var _ = torch.no_grad();
        var data = initialData?.to(ScalarType.Float64).cpu();
        for (int l = 0; l < spec.Layers; l++)
        {
            Tensor anchors; // [d, K]
            if (data is null)
                anchors = torch.randn(new long[] { dimension, spec.Anchors }, dtype: ScalarType.Float64, generator: generator);
            else
            {
                var index = torch.randint(0, data.shape[0], new long[] { spec.Anchors }, generator: generator);
                anchors = data.index_select(0, index).t().contiguous();
            }
            var h0 = spec.Bandwidth is BandwidthInit.Fixed f
                ? HeldScalars.Filled(new long[] { dimension }, f.scale, ScalarType.Float64)
                : anchors.std(1).Times(reference).ClampAtLeast(1e-3);
            means.Add(new Parameter(anchors.clone()));
            logBandwidths.Add(new Parameter(h0.log()));
            if (rotate && l < spec.Layers - 1)
                reflections.Add(new Parameter(torch.randn(new long[] { dimension, dimension }, dtype: ScalarType.Float64, generator: generator)));
            if (data is not null)
            {
                data = Marginal(l, data).Z;
                if (rotate && l < spec.Layers - 1) data = Rotate(l, data, inverse: false);
            }
        }
        RegisterComponents();
    }

    private (Tensor Z, Tensor LogDet) Marginal(int l, Tensor x)
    {
        var mu = means[l];                      // [d, K]
        var h = logBandwidths[l].exp();         // [d]
        var logK = Math.Log(mu.shape[1]);
        var u = x.unsqueeze(2).Minus(mu.unsqueeze(0)) / h.unsqueeze(0).unsqueeze(2); // [n, d, K]
        var logSigU = nn.functional.logsigmoid(u);
        var logSigNegU = logSigU.Minus(u); // log σ(−u) = log σ(u) − u
        var logF = logSigU.logsumexp(2).Minus(logK);
        var log1mF = logSigNegU.logsumexp(2).Minus(logK);
        var logDensity = logSigU.Plus(logSigNegU).logsumexp(2).Minus(logK).Minus(logBandwidths[l].unsqueeze(0));
        // Φ⁻¹ of whichever tail is smaller keeps precision near 1.
        var lower = special.ndtri(logF.exp().ClampTo(clamp, 1 - clamp));
        var upper = -special.ndtri(log1mF.exp().ClampTo(clamp, 1 - clamp));
        var z = torch.where(logF.LessThan(Math.Log(0.5)), lower, upper);
        var logPhi = z.Squared().Times(-0.5).Minus(0.5 * Math.Log(2 * Math.PI));
        return (z, logDensity.Minus(logPhi).sum(1));
    }

    private Tensor MarginalInverse(int l, Tensor z)
    {
        using var _ = torch.no_grad();
        var mu = means[l];
        var h = logBandwidths[l].exp().unsqueeze(0);               // [1, d]
        var logK = Math.Log(mu.shape[1]);
        var muMin = mu.amin(new long[] { 1 }).unsqueeze(0);
        var muMax = mu.amax(new long[] { 1 }).unsqueeze(0);
        // F(lo) ≤ σ((lo − μ_min)/h) < Φ(z) and 1 − F(hi) < 1 − Φ(z) for this margin (Mills' bound).
        var margin = z.Squared().Times(0.5).Plus(z.abs().Plus(1.0).log().Plus(10.0));
        var lo = muMin.Minus(h * margin);
        var hi = muMax.Plus(h * margin);
        var negative = z.LessThan(0.0);
        var logTarget = special.ndtr(z).log();
        var logUpperTarget = special.ndtr(-z).log();
        var logH = logBandwidths[l].unsqueeze(0);
        // Safeguarded Newton in log space: Newton on log F(x) = log Φ(z) (z < 0) or log(1 − F(x)) = log(1 − Φ(z))
        // (z ≥ 0), keeping a bracket [lo, hi]; a step leaving the bracket falls back to bisection. Converges in
        // a handful of iterations where plain bisection needs ~60 (each iteration costs n·d·K logistic terms).
        var x = lo.Plus(hi).Times(0.5);
        for (int i = 0; i < iterations; i++)
        {
            var u = x.unsqueeze(2).Minus(mu.unsqueeze(0)) / h.unsqueeze(2);
            var logSigU = nn.functional.logsigmoid(u);
            var logSigNegU = logSigU.Minus(u);
            var logF = logSigU.logsumexp(2).Minus(logK);
            var log1mF = logSigNegU.logsumexp(2).Minus(logK);
            var logDensity = logSigU.Plus(logSigNegU).logsumexp(2).Minus(logK).Minus(logH);
            var below = torch.where(negative, logF < logTarget, log1mF > logUpperTarget);
            lo = torch.where(below, x, lo);
            hi = torch.where(below, hi, x);
            var newton = torch.where(negative,
                x.Minus(logF.Minus(logTarget) * logF.Minus(logDensity).exp()),
                x.Plus(log1mF.Minus(logUpperTarget) * log1mF.Minus(logDensity).exp()));
            var inside = (newton > lo).logical_and(newton < hi).logical_and(newton.isfinite());
            var next = torch.where(inside, newton, lo.Plus(hi).Times(0.5));
            // Done where the log-space residual is at rounding level (in the gaps between modes F/f is large, so
            // rounding noise alone moves x) or the step is below 1e-13 of the scale.
            var residual = torch.where(negative, logF.Minus(logTarget), log1mF.Minus(logUpperTarget)).abs();
            var settled = residual.LessThan(1e-13).logical_or(next.Minus(x).abs() <= x.abs().Plus(1.0).Times(1e-13));
            var done = settled.all().item<bool>();
            x = torch.where(settled, x, next);
            if (done) break;
        }
        return x;
    }

    // Q = H_1 ⋯ H_d applied to row vectors: x ← x·H_d ⋯ H_1 (forward), reversed for the inverse.
    private Tensor Rotate(int l, Tensor x, bool inverse)
    {
        var v = reflections[l];
        var d = (int)v.shape[0];
        for (int j = 0; j < d; j++)
        {
            var row = v[inverse ? d - 1 - j : j];
            var unit = row / row.norm();
            x = x.Minus(x.matmul(unit).Times(2.0).unsqueeze(1) * unit.unsqueeze(0));
        }
        return x;
    }

    /// <inheritdoc />
    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var logDet = torch.zeros(x.shape[0], dtype: x.dtype, device: x.device);
        for (int l = 0; l < layers; l++)
        {
            var (z, ld) = Marginal(l, x);
            logDet = logDet.Plus(ld);
            x = l < reflections.Count ? Rotate(l, z, inverse: false) : z;
        }
        return (x, logDet);
    }

    /// <summary>x, then the output of every marginal layer ("marginal ℓ") and, in d &gt; 1, of every rotation
    /// between layers ("rotation ℓ", after marginal ℓ).</summary>
    public override FlowTrajectory Trajectory(Tensor x, int intervals)
    {
        var stages = new List<(string, Tensor)>();
        var y = x;
        for (int l = 0; l < layers; l++)
        {
            y = Marginal(l, y).Z;
            stages.Add(($"marginal {l + 1}", y));
            if (l < reflections.Count)
            {
                y = Rotate(l, y, inverse: false);
                stages.Add(($"rotation {l + 1}", y));
            }
        }
        return FlowTrajectory.OfLayers(x, stages);
    }

    /// <inheritdoc />
    public override Tensor Inverse(Tensor z)
    {
        for (int l = layers - 1; l >= 0; l--)
        {
            if (l < reflections.Count) z = Rotate(l, z, inverse: true);
            z = MarginalInverse(l, z);
        }
        return z;
    }
}
