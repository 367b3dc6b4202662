using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using GanFlow.Runtime.Solvers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>What every flow offers, as in zuko: the bijection x → z with log|det ∂z/∂x|, its inverse
/// z → x (the generator g), and log p(x) = log p_Z(z) + log|det ∂z/∂x|. All tensors are [n, d] samples
/// (float64); log-determinants and log-probabilities are [n].</summary>
public interface IFlow
{
    /// <summary>Data dimension d.</summary>
    int Dimension { get; }
    /// <summary>x → (z, log|det ∂z/∂x|) per sample.</summary>
    (Tensor Z, Tensor LogDet) Forward(Tensor x);
    /// <summary>z → x, the generator.</summary>
    Tensor Inverse(Tensor z);
    /// <summary>log p(x) in nats per sample.</summary>
    Tensor LogProb(Tensor x);
}

/// <summary>Base class of the flow modules built by <see cref="FlowBuilder"/>.</summary>
public abstract class NormalizingFlow : nn.Module, IFlow
{
    /// <summary>Names a flow module and fixes its dimension and latent distribution.</summary>
    protected NormalizingFlow(string name, int dimension, BaseDistribution baseDistribution) : base(name)
    {
        Dimension = dimension;
        Base = baseDistribution;
    }

    /// <inheritdoc />
    public int Dimension { get; }
    /// <summary>The latent distribution p_Z.</summary>
    public BaseDistribution Base { get; }
    /// <summary>Right-hand-side evaluations of the last ODE solve (0 for discrete flows).</summary>
    public int LastFunctionEvaluations { get; protected set; }
    /// <summary>Whether the bijection is the flow of an ODE (FFJORD, OT-Flow), whose solves count function evaluations.</summary>
    public virtual bool IsContinuous => false;
    /// <summary>Parameters that by construction never affect log p (e.g. OT-Flow's constant c: Φ is
    /// defined up to a constant); the law test exempts them from the gradient check.</summary>
    public virtual IReadOnlyCollection<string> GaugeParameters => Array.Empty<string>();

    /// <summary>Reseeds the flow's own randomness (FFJORD's Hutchinson noise), so a runner can make each step's
    /// draws a function of (seed, step) and a resumed run repeat an uninterrupted one. Deterministic flows ignore it.</summary>
    public virtual void Reseed(long seed) { }

    /// <inheritdoc />
    public abstract (Tensor Z, Tensor LogDet) Forward(Tensor x);
    /// <inheritdoc />
    public abstract Tensor Inverse(Tensor z);

    /// <summary>
    /// The path of the points <paramref name="x"/> ([n, d]) through the flow's stages towards z, for plots: x first,
    /// Forward(x).Z last. A discrete flow gives the state after every layer (a NICE flow's final scaling is a
    /// stage of its own); a continuous flow the state at <paramref name="intervals"/> + 1 equally spaced times
    /// t = 0 … T along its ODE (<see cref="OdeSolvers.SolvePath"/>: an RK4 flow with fewer steps than intervals
    /// uses one interval per step). Discrete flows ignore <paramref name="intervals"/>. No log-determinants:
    /// continuous flows integrate the points alone.
    /// </summary>
    public abstract FlowTrajectory Trajectory(Tensor x, int intervals);

    /// <inheritdoc />
    public virtual Tensor LogProb(Tensor x)
    {
        var (z, logDet) = Forward(x);
        return BaseLogProb(z).Plus(logDet);
    }

    /// <summary>The loss minimised by training and the mean NLL (nats) it contains. Maximum likelihood by
    /// default: both are −mean log p(x). OT-Flow adds its transport and HJB terms.</summary>
    public virtual (Tensor Loss, Tensor Nll) TrainingLoss(Tensor x)
    {
        var nll = -LogProb(x).mean();
        return (nll, nll);
    }

    /// <summary>log p_Z(z) per sample, summed over dimensions.</summary>
    public Tensor BaseLogProb(Tensor z) => Base.IsStandardLogistic
        ? -HeldScalars.Softplus(z).Plus(HeldScalars.Softplus(-z)).sum(1)
        : z.Squared().Times(-0.5).Minus(0.5 * Math.Log(2 * Math.PI)).sum(1);

    /// <summary>n draws from p_Z with a seeded generator.</summary>
    public Tensor SampleBase(long n, Generator generator, Device? device = null)
    {
        if (Base.IsStandardLogistic)
        {
            var u = torch.rand(new long[] { n, Dimension }, dtype: ScalarType.Float64, generator: generator).ClampTo(1e-12, 1 - 1e-12);
            return u.log().Minus((-u).log1p()).to(device ?? CPU);
        }
        return torch.randn(new long[] { n, Dimension }, dtype: ScalarType.Float64, generator: generator).to(device ?? CPU);
    }

    /// <summary>The device of the flow's first parameter or buffer (CPU when it has none).</summary>
    public Device ParameterDevice =>
        parameters().Select(p => p.device).Concat(buffers().Select(b => b.device)).FirstOrDefault() ?? CPU;
}

/// <summary>Initialisation and activation helpers shared by the flow modules.</summary>
internal static class FlowInit
{
    /// <summary>PyTorch's Linear default, drawn from <paramref name="generator"/>: weight and bias ~ U(±1/√fan_in).</summary>
    public static nn.Module<Tensor, Tensor> Linear(long input, long output, Generator generator, bool bias = true)
    {
        var layer = nn.Linear(input, output, hasBias: bias, dtype: ScalarType.Float64);
        var bound = 1.0 / Math.Sqrt(input);
        using (torch.no_grad())
        {
            layer.weight!.uniform_(-bound, bound, generator); // nn.init.uniform_ ignores its generator in TorchSharp 0.107
            if (bias) layer.bias!.uniform_(-bound, bound, generator);
        }
        return layer;
    }

    /// <summary>A parameter of the given shape ~ U(±bound) from the generator.</summary>
    public static Parameter Uniform(long[] shape, double bound, Generator generator)
    {
        var t = torch.empty(shape, dtype: ScalarType.Float64);
        using (torch.no_grad()) t.uniform_(-bound, bound, generator);
        return new Parameter(t);
    }

    /// <summary>The F# activation spec as a function.</summary>
    /// <remarks>The GAN networks' interpretation, whose Scalars are held explicitly.</remarks>
    public static Func<Tensor, Tensor> Activation(Activation activation) => MlpBuilder.ActivationOf(activation);
}
