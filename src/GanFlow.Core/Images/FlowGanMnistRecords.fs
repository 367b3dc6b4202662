namespace GanFlow.Core.Images

open System
open System.Globalization
open GanFlow.Core.Experiments

/// One evaluation of a seed 001 MNIST run (a row of metrics.csv; seed 001 Fig. 2).
type FlowGanMnistEvaluation =
    { /// Generator steps done.
      Step: int
      /// Seconds of training so far.
      WallSeconds: float
      /// Mean NLL, nats per image on the [0, 1] scale, of the evaluated training images.
      TrainNll: float
      /// Mean NLL, nats per image, of the evaluated validation images.
      ValidationNll: float
      /// The last generator loss (the objective's: NLL, WGAN loss, or WGAN loss + λ·NLL).
      GeneratorLoss: float
      /// The last critic loss including its gradient penalty (NaN for MLE).
      CriticLoss: float }

/// metrics.csv of a seed 001 MNIST run.
[<RequireQualifiedAccess>]
module FlowGanMnistMetricsCsv =
    /// The header line.
    let header = "step,wall_seconds,train_nll,validation_nll,generator_loss,critic_loss"

    let private show (v: float) = v.ToString("R", CultureInfo.InvariantCulture)

    /// The file's text.
    let format (records: FlowGanMnistEvaluation seq) =
        records
        |> Seq.map (fun r -> String.Join(',', [| string r.Step; show r.WallSeconds; show r.TrainNll; show r.ValidationNll; show r.GeneratorLoss; show r.CriticLoss |]))
        |> Seq.append [ header ]
        |> fun lines -> String.Join('\n', lines) + "\n"

    /// The rows of a file's text, or the error naming the line.
    let parse (text: string) : Result<FlowGanMnistEvaluation list, string> =
        let lines = text.Replace("\r", "").Split('\n') |> Array.filter (fun l -> l <> "")
        if lines.Length = 0 || lines[0] <> header then Error "line 1: not a seed 001 MNIST metrics.csv header"
        else
            let rows =
                lines
                |> Array.skip 1
                |> Array.mapi (fun i line ->
                    let cells = line.Split ','
                    let number (s: string) =
                        match Double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture) with
                        | true, v -> Some v
                        | _ -> None
                    match cells with
                    | [| step; a; b; c; d; e |] ->
                        match Int32.TryParse step, number a, number b, number c, number d, number e with
                        | (true, s), Some a, Some b, Some c, Some d, Some e ->
                            Ok { Step = s; WallSeconds = a; TrainNll = b; ValidationNll = c; GeneratorLoss = d; CriticLoss = e }
                        | _ -> Error(sprintf "line %d: not numbers" (i + 2))
                    | _ -> Error(sprintf "line %d: %d fields, not 6" (i + 2) cells.Length))
            match rows |> Array.tryPick (function Error m -> Some m | Ok _ -> None) with
            | Some m -> Error m
            | None -> Ok(rows |> Array.choose (function Ok r -> Some r | Error _ -> None) |> List.ofArray)

/// What the generator's Jacobian looks like at the prior draws (seed 001 sec. 5.1, Fig. 4).
type JacobianSpread =
    { /// Prior draws z.
      Points: int
      /// Mean over the draws of log|det ∂G/∂z| = Σ log σᵢ (nats).
      MeanLogAbsDet: float
      /// Median over all singular values.
      MedianSingularValue: float
      /// log₁₀(σ_max / σ_min) averaged over the draws: how widely the singular values spread.
      MeanLog10ConditionNumber: float }

/// The end of a seed 001 MNIST run (summary.json).
type FlowGanMnistSummary =
    { Name: string
      Objective: string
      Seed: int
      Status: RunStatus
      Message: string
      StepsCompleted: int
      /// Trainable parameters of the flow.
      FlowParameters: int64
      /// Step of the best-validated checkpoint the final numbers come from.
      BestStep: int option
      /// Its validation NLL (nats per image).
      BestValidationNll: float option
      /// Test NLL of the best-validated checkpoint, nats per image on the [0, 1] scale.
      TestNll: float option
      /// 8 + TestNll/(784 ln 2).
      TestBitsPerDim: float option
      /// MODE score of its samples under the classifier (seed 001 Table 1).
      ModeScore: float option
      /// Inception score of its samples.
      InceptionScore: float option
      /// Test accuracy of the classifier used for the scores.
      ClassifierAccuracy: float option
      /// Share of its samples the classifier puts in each digit class 0-9 (`SampleQuality.labelShares`).
      ClassShares: float list option
      /// Digit classes holding at least a fifth of their fair share (1/10) of the samples (`SampleQuality.labelsCovered`): 10
      /// when every digit is generated, fewer under mode collapse.
      ClassesCovered: int option
      /// The Jacobian's singular values at prior draws (also in jacobian.csv).
      Jacobian: JacobianSpread option
      /// Exact NLL of the best flow on the test images the Parzen window scores (Table 3's "exact" column).
      ExactNllParzenPoints: float option
      /// Table 3's KDE estimate.
      Parzen: ParzenEstimate option
      /// Exact NLL on the test images AIS scores.
      ExactNllAisPoints: float option
      /// Table 3's AIS estimate.
      Ais: AisEstimate option
      WallSeconds: float }

/// The Jacobian summary of per-draw singular values (pure).
[<RequireQualifiedAccess>]
module JacobianSpread =
    /// Summary of `values` (one array of singular values per draw, all positive for an invertible generator).
    let ofSingularValues (values: float[][]) : JacobianSpread =
        let all = values |> Array.concat |> Array.sort
        let median = if all.Length = 0 then nan else (all[(all.Length - 1) / 2] + all[all.Length / 2]) / 2.0
        { Points = values.Length
          MeanLogAbsDet = values |> Array.averageBy (Array.sumBy log)
          MedianSingularValue = median
          MeanLog10ConditionNumber = values |> Array.averageBy (fun v -> log10 (Array.max v / Array.min v)) }

/// One σ of the memorizing baseline on MNIST (seed 001 Fig. 6).
type MnistBaselinePoint =
    { /// The bandwidth σ ([0, 1] pixel units).
      Sigma: float
      /// NLL of the scored validation images, nats per image.
      ValidationNll: float
      /// NLL of the scored test images.
      TestNll: float
      /// MODE score of its samples under the classifier.
      ModeScore: float
      /// Inception score of its samples.
      InceptionScore: float }
