using GanFlow.Core.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static GanFlow.Runtime.Modules.HeldScalars;
using GanFlow.Runtime.Modules;

namespace GanFlow.Runtime.Training;

/// <summary>
/// The loss pair of each <see cref="GanObjective"/>. For the original GAN the critic's output is a
/// logit, and the losses use the numerically stable BCE-with-logits forms:
/// −log σ(l) = softplus(−l), −log(1 − σ(l)) = softplus(l).
/// </summary>
public static class GanLosses
{
    /// <summary>The loss the critic minimises, from its outputs on real and generated samples.</summary>
    public static Tensor Critic(GanObjective objective, Tensor onReal, Tensor onFake) =>
        objective.Tag switch
        {
            // The critic maximises E c(x) − E c(G(z)).
            GanObjective.Tags.Wasserstein => onFake.mean() - onReal.mean(),
            // Both original-GAN variants train D by binary cross-entropy: real → 1, generated → 0.
            GanObjective.Tags.Minimax or GanObjective.Tags.NonSaturating =>
                Softplus(-onReal).mean().Plus(Softplus(onFake).mean()),
            _ => throw new NotSupportedException($"objective '{objective}' has no runtime interpretation"),
        };

    /// <summary>The loss the generator minimises, from the critic's output on generated samples.</summary>
    public static Tensor Generator(GanObjective objective, Tensor onFake) =>
        objective.Tag switch
        {
            GanObjective.Tags.Wasserstein => -onFake.mean(),
            // E log(1 − D(G(z))) = −E softplus(l).
            GanObjective.Tags.Minimax => -Softplus(onFake).mean(),
            // −E log D(G(z)) = E softplus(−l).
            GanObjective.Tags.NonSaturating => Softplus(-onFake).mean(),
            _ => throw new NotSupportedException($"objective '{objective}' has no runtime interpretation"),
        };

    /// <summary>
    /// Gulrajani et al.'s penalty E[(‖∇c(x̂)‖ − 1)²] at x̂ = ε x + (1 − ε) x̃, ε ~ U(0, 1) per sample
    /// drawn from <paramref name="randomness"/>. The gradient keeps its graph (create_graph with
    /// retain_graph, which TorchSharp needs before the later backward).
    /// </summary>
    public static Tensor GradientPenalty(Module<Tensor, Tensor> critic, Tensor real, Tensor fake, Generator randomness)
    {
        var epsilon = torch.rand(new long[] { real.shape[0], 1 }, generator: randomness).to(real.device);
        // x̂ = x̃ + ε (x − x̃): no implicit Scalars (see ParameterOptimizer's remarks).
        var interpolates = fake.Plus(epsilon * (real - fake)).detach().requires_grad_(true);
        var scores = critic.forward(interpolates);
        var gradient = torch.autograd.grad(new[] { scores.sum() }, new[] { interpolates }, retain_graph: true, create_graph: true)[0];
        // Tensor.norm(dim) takes p as a float; linalg.vector_norm would make an implicit Scalar.
        var norms = gradient.norm(1);
        using var one = 1.0.ToScalar();
        var excess = norms.sub(one);
        return (excess * excess).mean();
    }
}
