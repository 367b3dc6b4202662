namespace GanFlow.Core.Experiments

open System.Text.Json
open System.Text.Json.Serialization
open GanFlow.Core.Datasets
open GanFlow.Core.Models

/// One column of `metrics.csv` (and one field of an evaluation in `summary.json`).
type MetricColumn =
    { /// Its name in the CSV header, e.g. `w1_exact`.
      Name: string
      /// Its name in JSON, e.g. `w1Exact`.
      Json: string
      /// Its value in a record, None where the record's model has no such metric.
      Get: EvaluationRecord -> float option
      /// Whether its values are whole numbers (written without a decimal point).
      Integer: bool }

/// The columns of `metrics.csv`, in the file's order, and which of them a run has. A run writes exactly the columns of
/// what its model can do (no column of NaN filler): files written before this rule held every column, with NaN where a
/// metric did not exist, and still load (a NaN reads as absent).
module MetricColumns =

    let private column name json integer get = { Name = name; Json = json; Get = get; Integer = integer }
    let private density (get: DensityScores -> float option) (r: EvaluationRecord) = r.Density |> Option.bind get
    let private modes (get: ModeScores -> float) (r: EvaluationRecord) = r.Modes |> Option.map get

    /// Every column in file order: the first eight are the columns of the earliest files (a GAN on 1-D data has exactly
    /// these), later ones were appended over time.
    let all =
        [ column "step" "step" true (fun r -> Some(float r.Step))
          column "w1" "w1" false _.Samples.W1
          column "w1_exact" "w1Exact" false _.Samples.W1Exact
          column "critic_w1" "criticW1" false (fun r -> r.Critic |> Option.map _.CriticW1)
          column "energy" "energy" false (fun r -> Some r.Samples.Energy)
          column "generator_loss" "generatorLoss" false (fun r -> Some r.GeneratorLoss)
          column "critic_loss" "criticLoss" false (fun r -> r.Critic |> Option.map _.CriticLoss)
          column "wall_seconds" "wallSeconds" false (fun r -> Some r.WallSeconds)
          column "nll" "nll" false (density (fun d -> Some d.Nll))
          column "inverse_error" "inverseError" false (density (fun d -> Some d.InverseError))
          column "nfe" "functionEvaluations" false (density _.FunctionEvaluations)
          column "latent_inverse_error" "latentInverseError" false (density (fun d -> Some d.LatentInverseError))
          column "bits_per_dim" "bitsPerDim" false (density (fun d -> Some d.BitsPerDim))
          column "kl" "kl" false (density _.Kl)
          column "train_nll" "trainNll" false (density _.TrainNll)
          column "validation_nll" "validationNll" false (density _.ValidationNll)
          column "mode_score" "modeScore" false (modes _.ModeScore)
          column "inception_score" "inceptionScore" false (modes _.InceptionScore)
          column "high_quality" "highQuality" false (modes _.HighQuality)
          column "modes_covered" "modesCovered" true (modes (fun m -> float m.ModesCovered))
          column "precision" "precision" false (fun r -> Some r.Samples.PrecisionRecall.Precision)
          column "recall" "recall" false (fun r -> Some r.Samples.PrecisionRecall.Recall)
          column "density" "density" false (fun r -> Some r.Samples.PrecisionRecall.Density)
          column "coverage" "coverage" false (fun r -> Some r.Samples.PrecisionRecall.Coverage) ]

    /// The column called `name` in CSV headers.
    let tryByName (name: string) = all |> List.tryFind (fun c -> c.Name = name)

    /// Whether the column called `name` is a metric (every column but `step` and `wall_seconds`).
    let isMetric (name: string) = name <> "step" && name <> "wall_seconds" && (tryByName name).IsSome

    /// The metrics among `columns`, by name, in order, comma-separated (for messages).
    let metricNames (columns: MetricColumn list) = columns |> List.map _.Name |> List.filter isMetric |> String.concat ", "

    /// Whether column `c` counts something: the whole-number columns (`Integer`, written without a decimal point) and
    /// `nfe`, the ODE solve's function evaluations, which `metrics.csv` and `summary.json` write as decimals as they
    /// always have. `ganflow run`'s key = value lines print counts as integers (`nfe = 16`).
    let isCount (c: MetricColumn) = c.Integer || c.Name = "nfe"

    /// The columns where a larger value is better (shares of samples and scores of quality): a search maximises them.
    let largerIsBetter = [ "precision"; "recall"; "coverage"; "mode_score"; "inception_score"; "high_quality"; "modes_covered" ]

    /// The columns where a smaller value is better (distances and held-out likelihoods): a search minimises them.
    let smallerIsBetter = [ "w1"; "w1_exact"; "energy"; "nll"; "bits_per_dim"; "kl"; "validation_nll" ]

    /// Why a search cannot rank trials by the metric `name`, for the metrics that are neither better larger nor smaller.
    let whyNotRankable (name: string) =
        match name with
        | "density" -> Some "is best at 1 (the model crowds the data's dense regions above, misses them below), neither larger nor smaller; rank by precision, recall or coverage"
        | "critic_w1" -> Some "is the critic's own estimate, which underestimates W1 and goes negative (seed 000); rank by w1 or energy"
        | "generator_loss" | "critic_loss" -> Some "is a training loss, whose scale moves with the objective and its penalty; rank by a distance or a likelihood"
        | "nfe" | "inverse_error" | "latent_inverse_error" -> Some "is a numerical cost or check, not a measure of the learned distribution"
        | "train_nll" -> Some "rewards memorising the training split; rank by validation_nll"
        | _ -> None

    /// The value of the column called `name` in `record`, NaN where the record has none.
    let valueOf (name: string) (record: EvaluationRecord) =
        match tryByName name with
        | Some c -> c.Get record |> Option.defaultValue nan
        | None -> invalidArg "name" (sprintf "no metric column is called %s" name)

    /// The column called `json` in JSON (case-insensitive).
    let tryByJson (json: string) = all |> List.tryFind (fun c -> System.String.Equals(c.Json, json, System.StringComparison.OrdinalIgnoreCase))

    /// Whether evaluations of `experiment` have the column `name`: what its model and data can do.
    let has (experiment: Experiment) (name: string) =
        let model = experiment.Model
        let oneDimensional = experiment.Dimension = 1
        let density = Model.hasDensity model
        match name with
        | "step" | "energy" | "generator_loss" | "wall_seconds" | "precision" | "recall" | "density" | "coverage" -> true
        | "w1" -> oneDimensional
        | "w1_exact" -> oneDimensional && experiment.Law.IsSome
        | "critic_w1" | "critic_loss" -> Model.hasCritic model
        | "nll" | "inverse_error" | "latent_inverse_error" | "bits_per_dim" -> density
        | "nfe" -> Model.isContinuous model
        | "kl" -> density && DataSource.hasDensity experiment.Data
        | "train_nll" -> density && DataSource.isFinite experiment.Data
        | "validation_nll" -> density && DataSource.hasValidationSplit experiment.Data
        | "mode_score" | "inception_score" | "high_quality" | "modes_covered" ->
            DataSource.hasModes experiment.Data || experiment.Evaluation.Classifier.IsSome
        | other -> invalidArg "name" (sprintf "no metric column is called %s" other)

    /// The columns of a run of `experiment`, in file order.
    let ofExperiment (experiment: Experiment) = all |> List.filter (fun c -> has experiment c.Name)

    /// The columns a record has values for, in file order.
    let ofRecord (record: EvaluationRecord) = all |> List.filter (fun c -> (c.Get record).IsSome)

    /// The record whose values `value` gives by CSV column name (None: the column is absent, or NaN in a file written
    /// before the columns followed the model), or the reason there is none (a required column missing).
    let toRecord (value: string -> float option) : Result<EvaluationRecord, string> =
        let required name =
            match value name with
            | Some v -> Ok v
            | None -> Error(sprintf "no value in column %s" name)
        let orNaN name = value name |> Option.defaultValue nan
        match required "step", required "energy", required "generator_loss", required "wall_seconds" with
        | Ok step, Ok energy, Ok generatorLoss, Ok wall ->
            Ok
                { Step = int step
                  GeneratorLoss = generatorLoss
                  WallSeconds = wall
                  Samples =
                    { W1 = value "w1"
                      W1Exact = value "w1_exact"
                      Energy = energy
                      PrecisionRecall =
                        { Precision = orNaN "precision"
                          Recall = orNaN "recall"
                          Density = orNaN "density"
                          Coverage = orNaN "coverage" } }
                  Critic = value "critic_w1" |> Option.map (fun c -> { CriticW1 = c; CriticLoss = orNaN "critic_loss" })
                  Density =
                    value "nll"
                    |> Option.map (fun nll ->
                        { Nll = nll
                          BitsPerDim = orNaN "bits_per_dim"
                          InverseError = orNaN "inverse_error"
                          LatentInverseError = orNaN "latent_inverse_error"
                          FunctionEvaluations = value "nfe"
                          Kl = value "kl"
                          TrainNll = value "train_nll"
                          ValidationNll = value "validation_nll" })
                  Modes =
                    value "mode_score"
                    |> Option.map (fun mode ->
                        { ModeScore = mode
                          InceptionScore = orNaN "inception_score"
                          HighQuality = orNaN "high_quality"
                          ModesCovered = value "modes_covered" |> Option.map int |> Option.defaultValue 0 }) }
        | Error e, _, _, _
        | _, Error e, _, _
        | _, _, Error e, _
        | _, _, _, Error e -> Error e

/// The JSON form of an evaluation (in `summary.json`): one flat object of the metrics the record has, by their JSON
/// names (`{"step": 3000, "w1": 0.083, …}`); an older summary's NaN fields read as absent.
type EvaluationRecordJson() =
    inherit JsonConverter<EvaluationRecord>()

    override _.Read(reader, _, _) =
        if reader.TokenType <> JsonTokenType.StartObject then raise (JsonException "an evaluation must be a JSON object")
        let values = System.Collections.Generic.Dictionary<string, float>()
        let mutable finished = false
        while not finished && reader.Read() do
            match reader.TokenType with
            | JsonTokenType.EndObject -> finished <- true
            | JsonTokenType.PropertyName ->
                let name = reader.GetString() |> nonNull
                reader.Read() |> ignore
                let number =
                    match reader.TokenType with
                    | JsonTokenType.Number -> reader.GetDouble()
                    | JsonTokenType.String ->
                        match reader.GetString() with
                        | "NaN" -> nan
                        | "Infinity" -> infinity
                        | "-Infinity" -> -infinity
                        | other -> raise (JsonException(sprintf "evaluation field %s: '%s' is not a number" name other))
                    | JsonTokenType.Null -> nan
                    | t -> raise (JsonException(sprintf "evaluation field %s: a %A, not a number" name t))
                match MetricColumns.tryByJson name with
                | Some c -> values[c.Name] <- number
                | None -> raise (JsonException(sprintf "an evaluation has no field %s" name))
            | t -> raise (JsonException(sprintf "unexpected %A in an evaluation" t))
        let value name =
            match values.TryGetValue name with
            | true, v when not (System.Double.IsNaN v) -> Some v
            | _ -> None
        match MetricColumns.toRecord value with
        | Ok r -> r
        | Error reason -> raise (JsonException(sprintf "an incomplete evaluation: %s" reason))

    override _.Write(writer, record, _) =
        writer.WriteStartObject()
        for c in MetricColumns.all do
            match c.Get record with
            | Some v when c.Integer -> writer.WriteNumber(c.Json, int64 v)
            | Some v when System.Double.IsFinite v -> writer.WriteNumber(c.Json, v)
            | Some v -> writer.WriteString(c.Json, (if System.Double.IsNaN v then "NaN" elif v > 0.0 then "Infinity" else "-Infinity"))
            | None -> ()
        writer.WriteEndObject()
