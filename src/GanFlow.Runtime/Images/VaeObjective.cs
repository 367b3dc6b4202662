using TorchSharp;
using static TorchSharp.torch;
using static GanFlow.Runtime.Modules.HeldScalars;
using GanFlow.Runtime.Modules;

namespace GanFlow.Runtime.Images;

/// <summary>
/// Seed 003's ELBO with a Bernoulli likelihood (eqs. 4, 22-26): for each image x, with (μ, Σ) = e_ψ(x) and
/// z = μ + exp(Σ/2)·ε (eq. 25 with Σ the log-variance of eq. 24),
/// ELBO(x) = log p_θ(x|z) − KL(N(μ, diag e^Σ) ‖ N(0, I)), where log p_θ(x|z) = Σ_pixels x log g + (1 − x) log(1 − g)
/// is computed from the generator's logits (log σ(l) and log σ(−l), stable), and the KL term is closed-form,
/// ½ Σ (e^Σ + μ² − 1 − Σ). Nats per image.
/// </summary>
public static class VaeObjective
{
    /// <summary>log p_θ(x|z) per image from the generator's logits [N, 1, s, s] and the images [N, 1, s, s] → [N].</summary>
    public static Tensor BernoulliLogLikelihood(Tensor logits, Tensor x)
    {
        var logP = nn.functional.logsigmoid(logits);
        var logQ = nn.functional.logsigmoid(logits.neg());
        var terms = (x * logP).Plus(x.SubtractedFrom(1.0) * logQ);
        return terms.flatten(1).sum(1);
    }

    /// <summary>KL(N(μ, diag e^Σ) ‖ N(0, I)) per image → [N].</summary>
    public static Tensor KlToPrior(Tensor mean, Tensor logVariance) =>
        (logVariance.exp().Plus(mean * mean).Minus(1.0).Minus(logVariance)).sum(1).Times(0.5);

    /// <summary>The one-sample ELBO of every image in <paramref name="x"/> → [N], with ε from <paramref name="noise"/>.</summary>
    public static Tensor Elbo(ConvEncoderModule encoder, ConvGeneratorModule generator, Tensor x, torch.Generator noise)
    {
        var (mean, logVariance) = encoder.Encode(x);
        var epsilon = torch.randn(mean.shape, generator: noise).to(mean.device);
        var z = mean.Plus((logVariance.Times(0.5)).exp() * epsilon);
        return BernoulliLogLikelihood(generator.Logits(z), x).Minus(KlToPrior(mean, logVariance));
    }
}
