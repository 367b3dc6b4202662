using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Training;

/// <summary>The generator's loss under each <see cref="Objective"/>, from its adversarial part (the generator loss of
/// the game, <see cref="GanLosses.Generator"/>) and its likelihood part (the NLL of a data batch; OT-Flow its combined
/// loss). The critic's loss is the game's alone (<see cref="GanLosses.Critic"/>).</summary>
public static class ObjectiveLosses
{
    /// <summary>Whether the objective's generator loss has an adversarial part.</summary>
    public static bool HasAdversarialPart(Objective objective) => objective.IsAdversarial || objective.IsHybrid;

    /// <summary>Whether the objective's generator loss has a likelihood part (the ELBO's: the negative ELBO).</summary>
    public static bool HasLikelihoodPart(Objective objective) => !objective.IsAdversarial;

    /// <summary>Maximum likelihood: the NLL; adversarial: the game's generator loss; hybrid (seed 001 eq. 7): the game's
    /// generator loss + λ·NLL, so that λ = 0 is exactly the adversarial loss and, divided by λ, the gradient approaches
    /// the NLL's as λ grows.</summary>
    /// <exception cref="ArgumentException">A part the objective needs is missing.</exception>
    public static Tensor Generator(Objective objective, Tensor? adversarial, Tensor? likelihood)
    {
        switch (objective)
        {
            case Objective.Adversarial:
                return adversarial ?? throw new ArgumentException("the adversarial objective needs the game's generator loss", nameof(adversarial));
            case Objective.Hybrid hybrid:
                if (adversarial is null || likelihood is null)
                    throw new ArgumentException("the hybrid objective needs both the game's generator loss and the NLL");
                using (var lambda = hybrid.lambda.ToScalar()) return adversarial.add(likelihood, lambda);
            case Objective.Elbo:
                return likelihood ?? throw new ArgumentException("the ELBO objective needs the negative ELBO of a batch", nameof(likelihood));
            default:
                if (objective.IsMaximumLikelihood)
                    return likelihood ?? throw new ArgumentException("maximum likelihood needs the NLL", nameof(likelihood));
                throw new NotSupportedException($"objective '{objective}' has no runtime interpretation");
        }
    }
}
