namespace GanFlow.Core.Dynamics

open GanFlow.Core.Datasets
open GanFlow.Core.Metrics

/// One model of the support-size check and its birthday-paradox estimate.
type SupportRow =
    { /// Short name, also the samples file's stem for the true distributions (`samples-NAME.txt`).
      Model: string
      /// What it is.
      Description: string
      /// The support's true size when finite (a memorizer's m); NaN for continuous models.
      KnownSupport: float
      /// The estimate at the spec's δ.
      Estimate: BirthdayEstimate }

/// Seed 002 sec. 4's birthday-paradox check applied to this lab's models (`SupportSizesSpec`): the true
/// distributions of seeds 000 and 002, memorizers of m training points (a uniform over m points: known support m),
/// seed 001's memorizing mixture (the m points plus N(0, σ²) noise) and seed 002's mode-collapsed generator
/// (both means at 0, i.e. N(0, 1), against the truth ½N(−2, 1) + ½N(2, 1)).
module SupportSizes =

    /// The true distributions, by name and description: the models whose samples a run writes (`samples-NAME.txt`).
    let truths =
        [ "two-gaussians", "seed 002 truth ½N(−2, 1) + ½N(2, 1)", NamedDatasets.twoGaussiansDefault
          "unimodal", "seed 000 unimodal truth", NamedDatasets.unimodal ]

    /// The models, each with its sample of `spec.Samples` values, in display order; `Truth` marks the true
    /// distributions (whose samples a user may want to compare a GAN run against).
    let models (spec: SupportSizesSpec) =
        let rng = System.Random spec.Seed
        let n = spec.Samples
        [ for name, description, d in truths -> name, description, nan, Sampling.sample rng d n, true
          for m in spec.TrainingSizes do
              let training = Sampling.sample rng NamedDatasets.twoGaussiansDefault m
              let replay = Array.init n (fun _ -> training[rng.Next m])
              yield sprintf "memorizer-%d" m, sprintf "memorizer: replays %d training points of seed 002's truth" m, float m, replay, false
              let noisy = replay |> Array.map (fun x -> x + spec.MemorizingBandwidth * Sampling.standardNormal rng)
              yield sprintf "memorizing-mixture-%d" m, sprintf "memorizing mixture: those %d points + N(0, σ²), σ = %g" m spec.MemorizingBandwidth, nan, noisy, false
          yield "mode-collapse", "seed 002 generator in mode collapse: μ̂ = (0, 0), i.e. N(0, 1)", nan, Sampling.sample rng (NamedDatasets.twoGaussians 0.0 0.0) n, false ]

    /// The estimate of every model (see `models`), with the sample of each true distribution.
    let run (spec: SupportSizesSpec) =
        let estimateRng = System.Random(spec.Seed + 1)
        models spec
        |> List.map (fun (name, description, known, sample, isTruth) ->
            { Model = name; Description = description; KnownSupport = known
              Estimate = BirthdaySupport.estimate estimateRng spec.Delta spec.Batches sample },
            (if isTruth then Some sample else None))
