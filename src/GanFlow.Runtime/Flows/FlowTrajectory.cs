using System.Globalization;
using GanFlow.Runtime.Solvers;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>
/// Points followed through a flow from data to latent space (<see cref="NormalizingFlow.Trajectory"/>):
/// <see cref="States"/>[k] ([n, d]) is their state after stage k, named by <see cref="Labels"/>[k]. Stage 0 is
/// x itself (labelled "x" in a discrete flow, "t = 0" in a continuous one); the last stage is z = g⁻¹(x), the
/// forward map's output. Labels are distinct and never contain a comma or a line break, so they go into a CSV
/// cell as they are.
/// </summary>
public sealed record FlowTrajectory
{
    /// <summary>Pairs labels and states; both must have the same length, at least 2 (x and z).</summary>
    /// <exception cref="ArgumentException">The lengths differ, there are fewer than two stages, two labels are equal,
    /// or a label holds a comma or a line break.</exception>
    public FlowTrajectory(IReadOnlyList<string> labels, IReadOnlyList<Tensor> states)
    {
        if (labels.Count != states.Count)
            throw new ArgumentException($"{labels.Count} labels for {states.Count} states", nameof(labels));
        if (states.Count < 2)
            throw new ArgumentException($"a trajectory needs at least x and z, got {states.Count} stage(s)", nameof(states));
        if (labels.Distinct().Count() != labels.Count)
            throw new ArgumentException($"stage labels must be distinct: {string.Join(" | ", labels)}", nameof(labels));
        foreach (var label in labels)
        {
            if (label.IndexOfAny(new[] { ',', '\n', '\r' }) >= 0)
                throw new ArgumentException($"stage label '{label}' holds a comma or a line break", nameof(labels));
        }
        Labels = labels;
        States = states;
    }

    /// <summary>Stage names in order: "x", then e.g. "coupling 1" … or "t = 0.25" ….</summary>
    public IReadOnlyList<string> Labels { get; }
    /// <summary>The points after each stage, [n, d] each; States[0] is x, the last is z.</summary>
    public IReadOnlyList<Tensor> States { get; }

    /// <summary>A discrete flow's path: "x" and the input, then each layer's label and output in order.</summary>
    public static FlowTrajectory OfLayers(Tensor x, IEnumerable<(string Label, Tensor State)> layers)
    {
        var labels = new List<string> { "x" };
        var states = new List<Tensor> { x };
        foreach (var (label, state) in layers)
        {
            labels.Add(label);
            states.Add(state);
        }
        return new FlowTrajectory(labels, states);
    }

    /// <summary>A continuous flow's path from the first component of each state of an ODE path, labelled
    /// "t = …" with the flow's own time, <paramref name="timeScale"/> × the solver's time (FFJORD integrates
    /// s = t/T ∈ [0, 1]; OT-Flow t ∈ [0, 1] itself, scale 1).</summary>
    public static FlowTrajectory OfOdePath(OdePath path, double timeScale) =>
        new(path.Times.Select(s => "t = " + (s * timeScale).ToString("G4", CultureInfo.InvariantCulture)).ToList(),
            path.States.Select(state => state[0]).ToList());
}
