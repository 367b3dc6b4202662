using GanFlow.Core.Experiments;
using TorchSharp;

namespace GanFlow.Runtime.Devices;

/// <summary>
/// Everything effectful a run needs, passed in by the host (never a global default).
/// </summary>
/// <param name="Device">Device the networks train on; see <see cref="DeviceSelection"/>.</param>
/// <param name="OutputDirectory">The run folder: spec.json, metrics.csv, summary.json, samples.txt, checkpoint/.</param>
/// <param name="OnEvaluation">Optional progress callback, called after every evaluation (including the final one).</param>
/// <param name="Resume">Continue from the folder's checkpoint when its spec matches (apart from the step budget).</param>
public sealed record RunContext(
    torch.Device Device,
    string OutputDirectory,
    Action<EvaluationRecord>? OnEvaluation = null,
    bool Resume = false);
