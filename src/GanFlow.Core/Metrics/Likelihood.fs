namespace GanFlow.Core.Metrics

open GanFlow.Core.Datasets

/// A model with an exact density as the metrics see it (e.g. a flow loaded from its run folder by the runtime): two
/// functions, so the core needs no TorchSharp.
type ModelDensity =
    { /// log p_model(x) in nats at each point.
      LogDensity: Points -> float[]
      /// `Sample seed count`: `count` draws from the model, seeded.
      Sample: int -> int -> Points }

/// Likelihood scores of a model with a density.
type LikelihoodScores =
    { /// −(1/n) Σ log p_model(yᵢ) over the data samples, nats per point.
      Nll: float
      /// Its standard error over the points.
      NllStandardError: float
      /// KL(truth ‖ model) = E_truth[log p_truth − log p_model], nats, by Monte Carlo over truth draws (the forward KL
      /// that maximum likelihood minimises: large when the model misses truth mass). With a truth with a density.
      KlForward: float option
      /// KL(model ‖ truth) = E_model[log p_model − log p_truth], nats, over model draws (the reverse KL: large, or +∞,
      /// when the model puts mass where the truth has little or none). With a truth with a density.
      KlReverse: float option }

/// Negative log-likelihood and the two KL divergences against a declared truth, by Monte Carlo. Cost: one density
/// evaluation per point.
module Likelihood =

    /// −mean log p_model over `points`, and its standard error.
    let nll (model: ModelDensity) (points: Points) =
        let mean, error = ParzenWindow.meanAndError (model.LogDensity points)
        -mean, error

    /// log p_truth at every point.
    let truthLogDensity (truth: Distribution) (points: Points) =
        Array.init points.Count (fun i -> Densities.logDensity truth (Points.row points i))

    /// KL(truth ‖ model) over `truthDraws`.
    let klForward (truth: Distribution) (model: ModelDensity) (truthDraws: Points) =
        Array.map2 (-) (truthLogDensity truth truthDraws) (model.LogDensity truthDraws) |> Array.average

    /// KL(model ‖ truth) over `modelDraws` (+∞ when a draw falls where the truth has no density).
    let klReverse (truth: Distribution) (model: ModelDensity) (modelDraws: Points) =
        Array.map2 (-) (model.LogDensity modelDraws) (truthLogDensity truth modelDraws) |> Array.average

    /// The scores of `model` on the data samples `y` and, when `truth` has a density, against `truth` with
    /// `draws` truth and model draws from `seed`.
    let scores (model: ModelDensity) (truth: Distribution option) (seed: int) (draws: int) (y: Points) : LikelihoodScores =
        let value, error = nll model y
        let withTruth =
            truth
            |> Option.filter Densities.hasDensity
            |> Option.map (fun t ->
                let truthDraws = Points.create (Densities.dimension t) (Sampling.sample (GanFlow.Core.Specs.Seeds.random seed 0 11) t draws)
                klForward t model truthDraws, klReverse t model (model.Sample seed draws))
        { Nll = value; NllStandardError = error; KlForward = withTruth |> Option.map fst; KlReverse = withTruth |> Option.map snd }
