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

/// When and how a run is scored.
type Evaluation =
    { /// Evaluate every this many generator steps (and at the end). Default 250.
      Every: int
      /// Samples drawn from model and data at each intermediate evaluation. Default 20,000.
      Samples: int
      /// Samples for the final metrics and the density plot (seed 000 uses 100,000).
      /// Default 100,000.
      FinalSamples: int
      /// KDE bandwidth rule for density plots. Default 500 samples per band.
      Bandwidth: BandwidthRule
      /// Save a checkpoint every this many generator steps (and at the end); 0 = only at the
      /// end. Default 0.
      CheckpointEvery: int }

    static member Default =
        { Every = 250
          Samples = 20_000
          FinalSamples = 100_000
          Bandwidth = BandwidthRule.SamplesPerBand 500
          CheckpointEvery = 0 }
