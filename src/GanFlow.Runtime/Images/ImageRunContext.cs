using GanFlow.Core.Images;
using TorchSharp;

namespace GanFlow.Runtime.Images;

/// <summary>Everything effectful an image run needs, passed in by the host (never a global default).</summary>
/// <param name="Device">Device the networks train on.</param>
/// <param name="OutputDirectory">The run folder (marker kind <c>images</c>): spec.json, metrics.csv, summary.json,
/// checkpoint/, samples.png, interpolation.png and, for a VAE, latent-means.csv, posterior.csv/png, evidence.csv.</param>
/// <param name="Resume">Continue the folder's run of the same spec from its newest valid checkpoint; without it an
/// earlier run there is replaced (only the tool's own files are removed).</param>
/// <param name="OnEvaluation">Optional progress callback after every evaluation.</param>
/// <param name="OnNotice">Optional sink for what the run decides about its folder.</param>
/// <param name="Fresh">Without Resume: replace whatever run the folder holds (<c>--fresh</c>); see <see cref="Checkpoints.ResumePolicy.StartWithoutResume"/>.</param>
public sealed record ImageRunContext(
    torch.Device Device,
    string OutputDirectory,
    bool Resume = false,
    Action<ImageEvaluationRecord>? OnEvaluation = null,
    Action<string>? OnNotice = null,
    bool Fresh = false);
