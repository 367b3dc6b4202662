/// Samples too small for the k-nearest-neighbour scores. Precision and recall (k = 3) and density and coverage (k = 5)
/// take each data point's ball to its k-th nearest other data point, so they need k + 1 points; a run computes the four
/// together (`PrecisionRecall.ofEvaluation`) and records all four as NaN below `RecallScores.PointsNeeded` (6) data
/// points or model samples, where `ganflow metric` refuses the file instead (`Comparison.pointsNeeded`: 4 model samples,
/// 6 data points).
module GanFlow.Core.Metrics.TooFewPoints

open GanFlow.Core.Experiments

/// A note for a run whose evaluations score against `count` points of `name` (the validation split, or the
/// evaluation's own draws), or None when there are enough for the four scores.
let note (name: string) (count: int) =
    if count >= RecallScores.PointsNeeded then None
    else
        Some(
            sprintf "%s holds %d point%s; precision and recall (k = %d) and density and coverage (k = %d) need at least %d (k nearest neighbours besides the point itself, as `ganflow metric` requires of --y), so every evaluation records the four as NaN, and its energy distance rests on %s"
                name count (if count = 1 then "" else "s") PrecisionRecall.PrecisionRecallK PrecisionRecall.DensityCoverageK
                RecallScores.PointsNeeded (if count = 1 then "that one point" else sprintf "those %d points" count))
