namespace GanFlow.Report

/// The files of a run folder, by name. The runtime writes them; reports read them.
module RunFolder =
    /// The resolved experiment spec (JSON).
    let specFile = "spec.json"
    /// One row per evaluation; header `step,w1,w1_exact,critic_w1,energy,generator_loss,critic_loss,wall_seconds`.
    let metricsFile = "metrics.csv"
    /// Final metrics, wall time and status (JSON, a `RunSummary`).
    let summaryFile = "summary.json"
    /// Final model samples, one value per line (1-D) or comma-separated coordinates.
    let samplesFile = "samples.txt"
    /// The self-contained HTML report.
    let reportFile = "report.html"
    /// Folder holding the latest checkpoint.
    let checkpointFolder = "checkpoint"
