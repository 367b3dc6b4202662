using TorchSharp;
using static TorchSharp.torch;
using static GanFlow.Runtime.Modules.HeldScalars;
using GanFlow.Runtime.Modules;

namespace GanFlow.Runtime.Images;

/// <summary>
/// The ELBO's KL term in closed form: KL(N(μ, diag e^Σ) ‖ N(0, I)) = ½ Σ (e^Σ + μ² − 1 − Σ), nats per point, the
/// expectation over z ~ e(z|x) of seed 003 eq. 22's −log p(z) + log e(z|x) (Σ the log-variance, eq. 24). The paper gives
/// no closed form and its code takes one draw of z for the term: the same expectation, with more variance. The rest of
/// the ELBO is <see cref="Modules.VariationalGeneratorModule.Elbo"/>'s.
/// </summary>
public static class VaeObjective
{
    /// <summary>KL(N(μ, diag e^Σ) ‖ N(0, I)) per image → [N].</summary>
    public static Tensor KlToPrior(Tensor mean, Tensor logVariance) =>
        (logVariance.exp().Plus(mean * mean).Minus(1.0).Minus(logVariance)).sum(1).Times(0.5);
}
