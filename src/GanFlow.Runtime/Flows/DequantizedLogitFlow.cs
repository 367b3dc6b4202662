using GanFlow.Core.Images;
using GanFlow.Runtime.Images;
using GanFlow.Runtime.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>A flow on dequantized images in observation space (seed 001 sec. 5, <c>ImagePreprocessing.DequantizedLogit</c>):
/// the inner flow models y = logit(α + (1 − 2α)x) of the [0, 1]-scaled image x, so z = inner(y),
/// log|det ∂z/∂x| = log|det ∂z/∂y| + log|det ∂y/∂x| (<see cref="ImageTransform.FromUnitScale"/>), and the generator maps
/// back by x = (σ(inner⁻¹(z)) − α)/(1 − 2α). Likelihoods, samples and the critic's inputs are all on the [0, 1] scale,
/// NLL in nats per image.</summary>
public sealed class DequantizedLogitFlow : NormalizingFlow
{
    private readonly NormalizingFlow inner;
    private readonly ImagePreprocessing preprocessing;

    /// <summary>Wraps <paramref name="inner"/>, built for the logit space, with <paramref name="preprocessing"/>.</summary>
    public DequantizedLogitFlow(NormalizingFlow inner, ImagePreprocessing preprocessing) : base("DequantizedLogit", inner.Dimension, inner.Base)
    {
        this.inner = inner;
        this.preprocessing = preprocessing;
        register_module(nameof(inner), inner);
    }

    /// <summary>The wrapped flow, which sees the logit space.</summary>
    public NormalizingFlow Inner => inner;

    /// <summary>Row-major [0, 1]-scale images mapped into the inner flow's logit space, y = logit(α + (1 − 2α)x).</summary>
    public double[] ToInnerSpace(double[] x)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (y, _) = ImageTransform.FromUnitScale(preprocessing, Flows.FlowTrainer.ToTensor(x, Dimension));
        return y.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
    }

    /// <inheritdoc />
    public override IReadOnlyCollection<string> GaugeParameters => inner.GaugeParameters.Select(name => "inner." + name).ToArray();

    /// <inheritdoc />
    public override bool IsContinuous => inner.IsContinuous;

    /// <inheritdoc />
    public override void Reseed(long seed) => inner.Reseed(seed);

    /// <inheritdoc />
    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var (y, transformLogDet) = ImageTransform.FromUnitScale(preprocessing, x);
        var (z, logDet) = inner.Forward(y);
        LastFunctionEvaluations = inner.LastFunctionEvaluations;
        return (z, logDet.Plus(transformLogDet));
    }

    /// <inheritdoc />
    public override Tensor Inverse(Tensor z)
    {
        var y = inner.Inverse(z);
        LastFunctionEvaluations = inner.LastFunctionEvaluations;
        return ImageTransform.ToUnitScale(preprocessing, y);
    }

    /// <summary>The inner flow's own loss on the logit-space points (OT-Flow's transport and HJB terms included), minus
    /// the mean log|det ∂y/∂x| (which depends on x only, so the gradients are the inner loss's), so that its NLL is in
    /// nats per image on the [0, 1] scale.</summary>
    public override (Tensor Loss, Tensor Nll) TrainingLoss(Tensor x)
    {
        var (y, transformLogDet) = ImageTransform.FromUnitScale(preprocessing, x);
        var (loss, nll) = inner.TrainingLoss(y);
        LastFunctionEvaluations = inner.LastFunctionEvaluations;
        var meanLogDet = transformLogDet.mean();
        return (loss.Minus(meanLogDet), nll.Minus(meanLogDet));
    }

    /// <summary>x itself, then the inner flow's path of the logit-space points.</summary>
    public override FlowTrajectory Trajectory(Tensor x, int intervals)
    {
        var (y, _) = ImageTransform.FromUnitScale(preprocessing, x);
        var path = inner.Trajectory(y, intervals);
        LastFunctionEvaluations = inner.LastFunctionEvaluations;
        var first = path.Labels[0] == "x" ? "logit" : $"logit ({path.Labels[0]})";
        return new FlowTrajectory(new[] { "x", first }.Concat(path.Labels.Skip(1)).ToList(), new[] { x }.Concat(path.States).ToList());
    }
}
