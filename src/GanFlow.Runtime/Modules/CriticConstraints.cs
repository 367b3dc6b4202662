using GanFlow.Core.Models;
using Microsoft.FSharp.Collections;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// The one interpretation of a critic's <see cref="LipschitzConstraint"/> list: how its linear layers are built
/// (spectral normalisation), which penalties its loss gains (gradient penalties, in the list's order) and which clamps
/// follow each of its steps (weight clipping). A constraint case without an interpretation here is an error, never
/// silently ignored.
/// </summary>
/// <param name="Linear">The critic's linear layers: plain, or spectrally normalised with the spec's power iterations.</param>
/// <param name="PenaltyWeights">The weights λ of the gradient penalties added to the critic loss (only positive ones).</param>
/// <param name="ClipValues">The bounds c of the clamps to [−c, c] after each critic step.</param>
public sealed record CriticConstraints(LinearOptions Linear, IReadOnlyList<double> PenaltyWeights, IReadOnlyList<double> ClipValues)
{
    /// <summary>Interprets <paramref name="constraints"/>.</summary>
    /// <exception cref="NotSupportedException">A constraint case this runtime does not know.</exception>
    public static CriticConstraints Of(FSharpList<LipschitzConstraint> constraints)
    {
        var linear = LinearOptions.Plain;
        var penalties = new List<double>();
        var clips = new List<double>();
        foreach (var constraint in constraints)
        {
            switch (constraint)
            {
                case LipschitzConstraint.SpectralNorm sn:
                    linear = new LinearOptions(sn.powerIterations);
                    break;
                case LipschitzConstraint.GradientPenalty gp:
                    if (gp.weight > 0.0) penalties.Add(gp.weight);
                    break;
                case LipschitzConstraint.WeightClipping clipping:
                    clips.Add(clipping.clip);
                    break;
                default:
                    throw new NotSupportedException($"Lipschitz constraint '{constraint}' has no runtime interpretation");
            }
        }
        return new CriticConstraints(linear, penalties, clips);
    }
}
