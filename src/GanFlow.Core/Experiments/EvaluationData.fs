/// What a run's evaluations score the model against, in words with the true count, for the report's labels. The runtime
/// (`ModelTrainer.EvaluationData`) scores an evaluation of `count` model samples against: `count` fresh draws of a law;
/// for a finite sample of a law, `count` draws with replacement from its training split; for a sample file or images
/// (whose law is unknown), the first `count` points of the validation split (the test split where the source holds out
/// no validation split), all of them when it holds fewer. The exact `nll` column is on those points, the inverse error
/// on the first `InverseErrorPoints` of them, `train_nll` and `validation_nll` on the first `SplitNllPoints` of their
/// splits.
module GanFlow.Core.Experiments.EvaluationData

open GanFlow.Core.Datasets

/// Points of a split whose NLL an evaluation records (`train_nll`, `validation_nll`; the first ones when a split is larger).
[<Literal>]
let SplitNllPoints = 10_000

/// Points of an evaluation's data whose round trip g(g⁻¹(x)) the inverse error takes (the first ones).
[<Literal>]
let InverseErrorPoints = 1_000

let private count (n: int) = n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)

/// `n` points of a split of `size` points, read from its start: `the 300 points of the validation split` or `the first
/// 1,000 of the 5,000 points of the validation split`.
let private ofSplit (name: string) (n: int) (size: int) =
    if n >= size then sprintf "the %s point%s of the %s split" (count size) (if size = 1 then "" else "s") name
    else sprintf "the first %s of the %s points of the %s split" (count n) (count size) name

/// The split evaluations score against when the law is unknown (`DataSplits.EvaluationSplit`): its name and size.
let private evaluationSplit (splits: SplitPoints) =
    if splits.Validation > 0 then "validation", splits.Validation else "test", splits.Test

/// The points an evaluation of `samples` model samples scores against, with their count: `1,000 fresh draws of the law`,
/// `1,000 draws (with replacement) from the training split of 4,000 points`, `the 300 points of the validation split`.
/// `splits`: the run's recorded split sizes (`RunSummary.Splits`); without them (a file of an earlier version) a sample
/// file's or images' split is named without its count.
let describe (experiment: Experiment) (splits: SplitPoints option) (samples: int) =
    match experiment.Data, splits with
    | DataSource.Law _, _ -> sprintf "%s fresh draws of the law" (count samples)
    | DataSource.Sample(_, sample), _ ->
        sprintf "%s draws (with replacement) from the training split of %s points" (count samples) (count (FiniteSample.trainPoints sample))
    | _, Some s ->
        let name, size = evaluationSplit s
        ofSplit name samples size
    | DataSource.Images _, None -> "the first points of the validation (or test) split"
    | _, None -> "the first points of the validation split"

/// The data points precision, recall, density and coverage of an evaluation of `samples` model samples take their k-NN
/// balls on (the first `RecallScores.Points` at most; the model's side is capped the same way on its own), with their
/// count: the evaluation's own points (`describe`), except for a finite sample of a law, whose evaluation draws repeat
/// training points: `1,000 fresh draws of the law` instead, k-NN balls needing distinct points.
let ofRecall (experiment: Experiment) (splits: SplitPoints option) (samples: int) =
    let samples = min samples RecallScores.Points
    match experiment.Data with
    | DataSource.Sample _ -> sprintf "%s fresh draws of the law" (count samples)
    | _ -> describe experiment splits samples

/// The points `train_nll` (`name` = `training`) or `validation_nll` (`validation`) average over, with their count:
/// `the 300 points of the validation split`, `the first 10,000 of the 40,000 points of the training split`.
let ofSplitNll (experiment: Experiment) (splits: SplitPoints option) (name: string) =
    let size =
        match splits, experiment.Data with
        | Some s, _ -> Some(if name = "training" then s.Train else s.Validation)
        | None, DataSource.Sample(_, sample) -> Some(if name = "training" then FiniteSample.trainPoints sample else sample.ValidationPoints)
        | None, _ -> None
    match size with
    | Some size -> ofSplit name (min SplitNllPoints size) size
    | None -> sprintf "the %s split" name

/// Whether an evaluation's `nll` and `validation_nll` are the same points: the first of the validation split, all of
/// them (a sample file or images with a validation split no larger than the evaluation's samples or `SplitNllPoints`).
let nllIsValidationNll (experiment: Experiment) (splits: SplitPoints option) (samples: int) =
    match experiment.Data, splits with
    | (DataSource.File _ | DataSource.Images _), Some s when s.Validation > 0 ->
        min samples s.Validation = min SplitNllPoints s.Validation
    | _ -> false
