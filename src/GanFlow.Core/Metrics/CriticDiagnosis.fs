namespace GanFlow.Core.Metrics

/// Seed 000 sec. 5.2: when a WGAN converges, its critic's W1 estimate (eq. 9) often severely
/// underestimates the true W1 (eq. 8), and is sometimes negative. These rules flag such
/// evaluations.
module CriticDiagnosis =

    /// The critic's estimate is below this share of the true W1 counts as a severe underestimate.
    [<Literal>]
    let SevereShare = 0.5

    /// How an evaluation's critic estimate relates to the true W1.
    [<RequireQualifiedAccess>]
    type Verdict =
        /// Within the tolerated range (>= half the true W1).
        | Plausible
        /// Positive but below half the true W1.
        | Underestimate
        /// Negative: the critic ranks model samples above data.
        | Negative
        /// Either number is not finite (no critic, or a diverged run).
        | Unavailable

    /// Verdict for one evaluation.
    let judge (trueW1: float) (criticW1: float) =
        if not (System.Double.IsFinite trueW1 && System.Double.IsFinite criticW1) then Verdict.Unavailable
        elif criticW1 < 0.0 then Verdict.Negative
        elif criticW1 < SevereShare * trueW1 then Verdict.Underestimate
        else Verdict.Plausible

    /// True when the verdict is a negative estimate or a severe underestimate.
    let isFlagged trueW1 criticW1 =
        match judge trueW1 criticW1 with
        | Verdict.Negative
        | Verdict.Underestimate -> true
        | Verdict.Plausible
        | Verdict.Unavailable -> false
