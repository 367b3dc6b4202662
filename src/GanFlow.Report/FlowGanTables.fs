namespace GanFlow.Report

open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics
open GanFlow.Core.Baselines

/// One Flow-GAN cell of a seed 001 study, as its tables read it.
type FlowGanCell =
    { Row: string
      Column: string
      Data: RunData
      /// The highest MODE score of any evaluation ("the highest MODE/Inception scores observed during training"), and its step.
      BestMode: (float * int) option
      /// The validation NLL at that evaluation (seed 001 Fig. 3's dashed line for ADV).
      ValidationNllAtBestMode: float option
      /// The best-validated checkpoint's test NLL, nats and bits/dim (seed 001 Table 1).
      BestValidated: BestValidated option
      /// The final model's exact NLL on the held-out points the Parzen estimate sees, and on the AIS points.
      ExactNll: float option
      ExactNllAisPoints: float option
      Ais: AisEstimate option
      Parzen: ParzenEstimate option
      /// Mean log|det ∂G/∂z| over the Jacobian draws, and the standard deviation of the log singular values (the spread).
      MeanLogDet: float option
      LogSingularSpread: float option }

/// The memorizing baseline of one column (seed 001 sec. 3.4).
type BaselineColumn =
    { Column: string
      /// At the line search's σ.
      Best: BaselinePoint
      /// The Parzen estimate of its samples at that σ on the test split (Table 3's KDE column for the baseline).
      Parzen: ParzenEstimate
      /// Against σ (Fig. 3).
      Curve: BaselinePoint list
      /// The bandwidths at which the baseline beats the adversarial model on both its best MODE score and the validation
      /// NLL there (seed 001's green region).
      Green: float list }

/// One of seed 001's claims, measured on one column.
type ClaimCheck =
    { Claim: string
      Column: string
      /// Whether it holds here.
      Holds: bool
      /// The numbers that decide it.
      Evidence: string }

/// Seed 001's Tables 1 and 3, the baseline and the claims from a study's run folders. Pure over the loaded data.
module FlowGanTables =

    let private number (v: float) = v.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)

    /// A cell's table entries.
    let cell (row: string) (column: string) (data: RunData) : FlowGanCell =
        let steps = RunData.column "step" data
        let modes = RunData.column "mode_score" data
        let validation = RunData.column "validation_nll" data
        let best =
            Array.zip steps modes |> Array.filter (snd >> System.Double.IsFinite) |> Array.sortByDescending snd |> Array.tryHead
        let logs = data.Jacobian |> Array.concat |> Array.map log
        { Row = row
          Column = column
          Data = data
          BestMode = best |> Option.map (fun (s, m) -> m, int s)
          ValidationNllAtBestMode =
            best |> Option.bind (fun (s, _) -> Array.zip steps validation |> Array.tryFind (fun (t, _) -> t = s) |> Option.map snd)
          BestValidated = data.HeldOut |> Option.bind _.BestValidated
          ExactNll = data.HeldOut |> Option.bind _.ExactNll
          ExactNllAisPoints = data.HeldOut |> Option.bind _.ExactNllAisPoints
          Ais = data.HeldOut |> Option.bind _.Ais
          Parzen = data.HeldOut |> Option.bind _.Parzen
          MeanLogDet = data.HeldOut |> Option.bind _.Jacobian |> Option.bind _.MeanLogAbsDet
          LogSingularSpread =
            if logs.Length < 2 then None
            else
                let m = Array.average logs
                Some(sqrt (Array.averageBy (fun v -> (v - m) * (v - m)) logs)) }

    /// The baseline of a column of a finite sample of a law (`experiment`'s data), computed here (pure).
    let curveOf (spec: MemorizingBaseline) (experiment: Experiment) : BaselineCurve =
        let dataset, sample =
            match experiment.Data with
            | DataSource.Sample(law, sample) -> law, sample
            | other -> invalidArg "experiment" (sprintf "a Flow-GAN baseline needs a finite sample of a law, not %A" other)
        let splits = FiniteSample.draw dataset sample
        let sigma = MemorizingMixture.lineSearch splits
        let best = MemorizingMixture.at dataset splits spec.Samples spec.Seed sigma
        let samples = MemorizingMixture.sample splits sigma (System.Random spec.Seed) spec.Samples
        let d = splits.Dimension
        let parzen = ParzenWindow.estimate d samples (ParzenWindow.scaleOf splits.Validation) 20 splits.Validation splits.Test
        { Best = best; Parzen = parzen; Curve = spec.Sigmas |> List.map (MemorizingMixture.at dataset splits spec.Samples spec.Seed) }

    /// A column's baseline from its curve, compared with the adversarial cell `adv`: the green region.
    let baseline (column: string) (curve: BaselineCurve) (adv: FlowGanCell option) : BaselineColumn =
        let green =
            match adv |> Option.bind (fun a -> Option.map2 (fun (m, _) v -> m, v) a.BestMode a.ValidationNllAtBestMode) with
            | Some(advMode, advValidation) ->
                curve.Curve
                |> List.filter (fun p -> p.ValidationNll < advValidation && (p.Modes |> Option.exists (fun m -> m.ModeScore > advMode)))
                |> List.map _.Sigma
            | None -> []
        { Column = column; Best = curve.Best; Parzen = curve.Parzen; Curve = curve.Curve; Green = green }

    /// The ranking of rows by a value (lowest NLL first), as `A < B < C`.
    let ranking (values: (string * float) list) =
        values |> List.filter (snd >> System.Double.IsFinite) |> List.sortBy snd |> List.map fst |> String.concat " < "

    /// Seed 001's claims on one column, measured.
    let claims (column: string) (cells: FlowGanCell list) (baseline: BaselineColumn option) (advRow: string) =
        let find row = cells |> List.tryFind (fun c -> c.Row = row)
        let hybrids = cells |> List.filter (fun c -> c.Row.StartsWith "Hybrid")
        match find "MLE", find advRow with
        | Some mle, Some adv ->
            let testNll (c: FlowGanCell) = c.BestValidated |> Option.map _.TestNll |> Option.defaultValue nan
            let finalNll (c: FlowGanCell) = c.ExactNll |> Option.defaultValue nan
            let mode (c: FlowGanCell) = c.BestMode |> Option.map fst |> Option.defaultValue nan
            let series name (c: FlowGanCell) = RunData.column name c.Data |> Array.filter System.Double.IsFinite
            let rises name (c: FlowGanCell) =
                let v = series name c
                if v.Length < 4 then false, nan, nan
                else
                    let low = Array.min v
                    v[v.Length - 1] > low + 0.1, low, v[v.Length - 1]
            let trainRises, trainLow, trainEnd = rises "train_nll" adv
            let validRises, validLow, validEnd = rises "validation_nll" adv
            let exactRank = cells |> List.map (fun c -> c.Row, finalNll c)
            let aisRank = cells |> List.choose (fun c -> c.Ais |> Option.map (fun a -> c.Row, a.Nll))
            let kdeRank = cells |> List.choose (fun c -> c.Parzen |> Option.map (fun p -> c.Row, p.Nll))
            let aisExactRank = cells |> List.map (fun c -> c.Row, c.ExactNllAisPoints |> Option.defaultValue nan)
            let logDets = cells |> List.choose (fun c -> c.MeanLogDet |> Option.map (fun d -> c.Row, d))
            let spreads = cells |> List.choose (fun c -> c.LogSingularSpread |> Option.map (fun s -> c.Row, s))
            let claim text holds evidence = { Claim = text; Column = column; Holds = holds; Evidence = evidence }
            [ claim "ADV's NLL is far worse than MLE's" (finalNll adv > finalNll mle + 1.0 && testNll adv > testNll mle + 1.0)
                  (sprintf "final test NLL: ADV %s, MLE %s nats; best-validated: ADV %s, MLE %s" (number (finalNll adv)) (number (finalNll mle)) (number (testNll adv)) (number (testNll mle)))
              claim "ADV's NLL rises during training on training and validation data" (trainRises && validRises)
                  (sprintf "ADV training NLL: lowest %s, last %s; validation: lowest %s, last %s" (number trainLow) (number trainEnd) (number validLow) (number validEnd)) ]
            @ [ for h in hybrids ->
                    claim (sprintf "%s keeps MLE-like NLL with ADV-like sample quality" h.Row)
                        (finalNll h - finalNll mle < 0.25 * (finalNll adv - finalNll mle) && mode h >= mode adv - 0.05 * mode adv)
                        (sprintf "final test NLL %s (MLE %s, ADV %s); best MODE %s (MLE %s, ADV %s)" (number (finalNll h)) (number (finalNll mle)) (number (finalNll adv)) (number (mode h)) (number (mode mle)) (number (mode adv))) ]
            @ [ for baseline in Option.toList baseline ->
                    claim "the memorizing baseline beats ADV on both NLL and sample quality for some σ" (not (List.isEmpty baseline.Green))
                        (if List.isEmpty baseline.Green then
                             sprintf "no σ of %d: ADV best MODE %s at validation NLL %s" baseline.Curve.Length (number (mode adv)) (adv.ValidationNllAtBestMode |> Option.map number |> Option.defaultValue "—")
                         else sprintf "σ in [%.4g, %.4g] (%d of %d bandwidths)" (List.min baseline.Green) (List.max baseline.Green) baseline.Green.Length baseline.Curve.Length) ]
            @ [ claim "AIS misranks the models against exact NLL" (ranking aisRank <> ranking aisExactRank)
                    (sprintf "exact on the AIS points: %s; AIS: %s" (ranking aisExactRank) (ranking aisRank))
                claim "KDE misranks the models against exact NLL" (ranking kdeRank <> ranking exactRank)
                    (sprintf "exact: %s; KDE: %s" (ranking exactRank) (ranking kdeRank))
                claim "ADV's mean log|det| is the lowest (ADV < Hybrid < MLE)" ((logDets |> List.sortBy snd |> List.tryHead |> Option.map fst) = Some advRow)
                    (logDets |> List.map (fun (r, d) -> sprintf "%s %s" r (number d)) |> String.concat ", ")
                claim "ADV's singular values spread widest" ((spreads |> List.sortByDescending snd |> List.tryHead |> Option.map fst) = Some advRow)
                    ("sd of log singular values: " + (spreads |> List.map (fun (r, s) -> sprintf "%s %s" r (number s)) |> String.concat ", ")) ]
        | _ -> []
