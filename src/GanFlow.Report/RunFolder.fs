namespace GanFlow.Report

/// The files of a run folder, by name. The runtime writes them; reports read them.
module RunFolder =
    /// The resolved experiment spec (JSON).
    let specFile = "spec.json"
    /// One row per evaluation; header
    /// `step,w1,w1_exact,critic_w1,energy,generator_loss,critic_loss,wall_seconds,nll,inverse_error,nfe,latent_inverse_error`.
    let metricsFile = "metrics.csv"
    /// Final metrics, wall time and status (JSON, a `RunSummary`).
    let summaryFile = "summary.json"
    /// Final model samples, one value per line (1-D) or comma-separated coordinates.
    let samplesFile = "samples.txt"
    /// Flows: the model's exact density on a grid, `x,density` (1-D) or `x,y,density` (2-D).
    let densityFile = "density.csv"
    /// Flows in 2-D: data points mapped to the latent space g⁻¹(x), `z1,z2`.
    let latentFile = "latent.csv"
    /// Flows in 1-D and 2-D: a few data points followed through the flow's stages, `point,stage,label,x` (1-D) or
    /// `point,stage,label,x,y` (2-D); stage 0 is the data point, the last stage g⁻¹ of it.
    let trajectoriesFile = "trajectories.csv"
    /// The self-contained HTML report (of a run, or of a study in a study folder).
    let reportFile = "report.html"
    /// In a study folder: the resolved study spec (JSON, a `Study`, after command-line overrides), written before the
    /// first cell starts, so that `ganflow report` can rebuild the study's table and report.
    let studyFile = "study.json"
    /// Folder holding the latest checkpoint.
    let checkpointFolder = "checkpoint"
