using GanFlow.Core.Experiments;
using TorchSharp;

namespace GanFlow.Runtime.Devices;

/// <summary>
/// Everything effectful a run needs, passed in by the host (never a global default).
/// </summary>
/// <param name="Device">Device the networks train on; see <see cref="DeviceSelection"/>.</param>
/// <param name="OutputDirectory">The run folder: run.json, spec.json, metrics.csv, summary.json, samples.txt, checkpoint/ …</param>
/// <param name="OnEvaluation">Optional progress callback, called after every evaluation (including the final one).</param>
/// <param name="Resume">Continue the folder's run from its newest valid checkpoint (extending it when the step budget grew);
/// refused when its spec differs in anything else.</param>
/// <param name="OnNotice">Optional sink for what the run decides about its folder (replacing, resuming, a corrupt checkpoint
/// skipped, nothing to do); the command line prints these lines.</param>
/// <param name="Time">The clock of wall_seconds; the system clock when null (tests pass a fake one).</param>
/// <param name="StopAtStep">Pause at this step (1 … budget) instead of training to the budget: evaluate there (an
/// intermediate evaluation), checkpoint, and end as <c>Paused</c>; a later resume continues. Null: train to the budget.</param>
/// <param name="TensorBoard">Also write every evaluation as TensorBoard scalars (TorchSharp's <c>SummaryWriter</c>) into
/// <c>DIR/tensorboard/</c>, so that <c>tensorboard --logdir</c> over a search folder compares its trials.</param>
/// <param name="OnStart">Called once the spec and the folder are accepted, just before training starts (the command line's
/// "running …" banner, so that it never precedes a refusal).</param>
/// <param name="Fresh">Without <see cref="Resume"/>: replace whatever run the folder holds (<c>--fresh</c>). Without either, a
/// folder holding a run is kept or refused by <see cref="Checkpoints.ResumePolicy.StartWithoutResume"/>.</param>
/// <param name="ClassifierFile">Digit classifier weights to copy into the run folder for <c>evaluation.classifier</c>
/// (<c>ganflow run --classifier FILE</c>); null: the run trains its own, or reads back the one its folder holds.</param>
public sealed record RunContext(
    torch.Device Device,
    string OutputDirectory,
    Action<EvaluationRecord>? OnEvaluation = null,
    bool Resume = false,
    Action<string>? OnNotice = null,
    TimeProvider? Time = null,
    int? StopAtStep = null,
    bool TensorBoard = false,
    Action? OnStart = null,
    bool Fresh = false,
    string? ClassifierFile = null);
