namespace GanFlow.Core.Images

open System
open System.Globalization

/// One evaluation of an image run: a row of its metrics.csv.
type ImageEvaluationRecord =
    { /// Generator steps completed (0: at initialisation).
      Step: int
      /// Wall seconds since the run started (continued across a resume).
      WallSeconds: float
      /// Mean ELBO per training image of the minibatches since the last evaluation, nats (VAE; NaN otherwise).
      TrainElbo: float
      /// Mean ELBO per test image on `evaluation.testImages` test images, one ε each, nats (VAE; NaN otherwise).
      TestElbo: float
      /// Seed 003's energy statistic (eq. in `EnergyDistance.energyStatistic`) between test images and generator
      /// samples, mean over `evaluation.energyBatches` 64-vs-64 batches, on pixels in [0, 1]. Lower is better.
      Energy: float
      /// Generator loss of the last step (VAE: −ELBO of its minibatch).
      GeneratorLoss: float
      /// Discriminator or critic loss of the last critic step (NaN for a VAE).
      CriticLoss: float }

/// What an image run reports at the end: its `summary.json`.
type ImageRunSummary =
    { /// The experiment's name.
      Experiment: string
      /// Its seed.
      Seed: int
      /// Completed, Diverged or Failed.
      Status: GanFlow.Core.Experiments.RunStatus
      /// Detail, e.g. where a divergence happened.
      Message: string
      /// Generator steps completed.
      StepsCompleted: int
      /// Wall time in seconds.
      WallSeconds: float
      /// Device it trained on.
      Device: string
      /// Trainable parameters of the generator.
      GeneratorParameters: int
      /// Trainable parameters of the encoder (VAE) or discriminator/critic (GANs).
      SecondNetworkParameters: int
      /// Energy statistic at step 0 (before training).
      InitialEnergy: float
      /// The last evaluation, when there was one.
      Final: ImageEvaluationRecord option }

/// metrics.csv of an image run: header `step,wall_seconds,train_elbo,test_elbo,energy,generator_loss,critic_loss`.
module ImageMetricsCsv =
    /// The header line.
    let header = "step,wall_seconds,train_elbo,test_elbo,energy,generator_loss,critic_loss"

    let private show (v: float) = v.ToString("R", CultureInfo.InvariantCulture)

    /// The file's text for `records` (header and one line per record).
    let format (records: ImageEvaluationRecord seq) =
        let lines =
            records
            |> Seq.map (fun r ->
                String.Join(',', [| string r.Step; show r.WallSeconds; show r.TrainElbo; show r.TestElbo; show r.Energy; show r.GeneratorLoss; show r.CriticLoss |]))
        String.Join('\n', Seq.append [ header ] lines) + "\n"

    /// The records of a file's text, or the error naming the line.
    let parse (text: string) : Result<ImageEvaluationRecord list, string> =
        let lines = text.Replace("\r", "").Split('\n') |> Array.filter (fun l -> l <> "")
        if lines.Length = 0 || lines[0] <> header then Error "line 1: not an image run's metrics.csv header"
        else
            let parsed =
                lines
                |> Array.skip 1
                |> Array.mapi (fun i line ->
                    let cells = line.Split ','
                    let number (k: int) =
                        match Double.TryParse(cells[k], NumberStyles.Float, CultureInfo.InvariantCulture) with
                        | true, v -> Some v
                        | _ -> None
                    if cells.Length <> 7 then Error(sprintf "line %d: %d fields, not 7" (i + 2) cells.Length)
                    else
                        match Int32.TryParse cells[0], [ for k in 1..6 -> number k ] with
                        | (true, step), values when List.forall Option.isSome values ->
                            let v = values |> List.map Option.get |> Array.ofList
                            Ok { Step = step; WallSeconds = v[0]; TrainElbo = v[1]; TestElbo = v[2]; Energy = v[3]; GeneratorLoss = v[4]; CriticLoss = v[5] }
                        | _ -> Error(sprintf "line %d: not numbers: %s" (i + 2) line))
            match parsed |> Array.tryPick (function Error e -> Some e | Ok _ -> None) with
            | Some e -> Error e
            | None -> Ok(parsed |> Array.choose (function Ok r -> Some r | Error _ -> None) |> List.ofArray)
