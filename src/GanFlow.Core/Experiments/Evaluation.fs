namespace GanFlow.Core.Experiments

/// How the KDE bandwidth of a 1-D sample is chosen (seed 000 sec. 3.1).
[<RequireQualifiedAccess>]
type BandwidthRule =
    /// Bandwidth = count · (max − min) / n, so each band holds `count` samples on average
    /// (seed 000: 500 out of 100,000).
    | SamplesPerBand of count: int
    /// The bandwidth that maximises the log-likelihood of a held-out fifth of the sample,
    /// searched over `candidates` log-spaced values around the samples-per-band value.
    | HeldOutLikelihood of candidates: int
    /// A fixed bandwidth in data units.
    | Fixed of bandwidth: float

/// When a run saves a checkpoint during training (it always saves one at the end). A kill loses at most the work
/// since the last checkpoint; `--resume` continues from it.
[<RequireQualifiedAccess>]
type CheckpointCadence =
    /// After every intermediate evaluation (`evaluation.every` steps), the default: the interval a kill can cost is
    /// the evaluation interval, and a resumed run needs no evaluation of its own.
    | AtEveryEvaluation
    /// After every this many training steps (>= 1).
    | EverySteps of steps: int
    /// After the first training step that ends at least this many wall-clock seconds (> 0) after the previous
    /// checkpoint (or the start). Numbers do not depend on it: where a checkpoint falls never changes training.
    | EverySeconds of seconds: float

/// When and how a run is scored.
type Evaluation =
    { /// Evaluate every this many generator steps (and at the end). Default 250.
      Every: int
      /// Samples drawn from model and data at each intermediate evaluation (>= 2; with the data's dimension d at most
      /// 2,147,483,591 values, one array, as every count below that becomes count × d values). Default 20,000.
      Samples: int
      /// Samples for the final metrics and the density plot (seed 000 uses 100,000); >= 2, at most 2,147,483,591 values.
      /// Default 100,000.
      FinalSamples: int
      /// KDE bandwidth rule for density plots. Default 500 samples per band.
      Bandwidth: BandwidthRule
      /// When checkpoints are saved during training (always also at the end). Default after every evaluation.
      Checkpoints: CheckpointCadence
      /// Annealed importance sampling of the final model's log-likelihood on held-out points (`heldout.json`).
      /// Default None.
      Ais: Ais option
      /// The Parzen-window estimate of the final model's log-likelihood on held-out points. Default None.
      Parzen: Parzen option
      /// The singular values of the final generator's Jacobian (`jacobian.csv`). Default None.
      Jacobian: JacobianSpectrum option
      /// A digit classifier p(y|x) whose posteriors on the model's samples (clamped to [0, 1]) give, at every evaluation,
      /// the MODE score (seed 001 sec. 3.2, eq. of Che et al. 2017, against uniform class weights), the Inception score
      /// (Salimans et al. 2016) and the classes covered (columns `mode_score`, `inception_score`, `modes_covered`;
      /// `high_quality` is NaN: images have no component centres). Image data only (`data.images`, side a multiple of 4).
      /// Trained on the training split into the run folder's `classifier.bin` at the start, or copied there from
      /// `ganflow run --classifier FILE`; a resumed run reads it back. Default None.
      Classifier: GanFlow.Core.Images.DigitClassifier option }

    static member Default =
        { Every = 250
          Samples = 20_000
          FinalSamples = 100_000
          Bandwidth = BandwidthRule.SamplesPerBand 500
          Checkpoints = CheckpointCadence.AtEveryEvaluation
          Ais = None
          Parzen = None
          Jacobian = None
          Classifier = None }
