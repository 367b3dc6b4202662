namespace GanFlow.Core.Dynamics

open GanFlow.Core.Datasets
open GanFlow.Core.Metrics

/// A recorded run of seed 002's game: every state t = 0 … steps and how it ended.
type Trajectory =
    { /// The run.
      Spec: DynamicsSpec
      /// μ̂⁽ᵗ⁾, one array per state.
      Means: float[][]
      /// (l1, r1, l2, r2)⁽ᵗ⁾, one array per state; for the optimal rule the maximiser at μ̂⁽ᵗ⁾ (ends may be ±∞).
      Endpoints: float[][]
      /// L(μ̂⁽ᵗ⁾, l⁽ᵗ⁾, r⁽ᵗ⁾).
      Loss: float[]
      /// The tail window's statistics (the final cycle's radius and extent among them).
      Statistics: TailStatistics
      /// How the run ended.
      Outcome: Outcome
      /// The step at which a generator mean became NaN, ±∞ or beyond `Simulation.MeanLimit` (the run stops there and `Means` ends at the last finite
      /// state; the outcome is `Oscillation`), or None.
      DivergedAt: int option }

/// How far a generator is from the truth (see `Trajectory.distances`).
type GeneratorDistances =
    { /// TV(p_μ*, p_μ̂) = max_{l,r} L − 1.
      Tv: float
      /// JS(p_μ* ‖ p_μ̂) in nats.
      Js: float
      /// W1(p_μ*, p_μ̂).
      W1: float
      /// The minimax GAN loss at the pointwise optimal discriminator V* = p/(p + q).
      GanLossAtOptimum: float }

/// Running and measuring trajectories.
module Trajectory =

    /// Runs `spec` and records every state, then classifies it with `tolerances`.
    let run (tolerances: OutcomeTolerances) (spec: DynamicsSpec) =
        let trueMeans = Array.ofList spec.TrueMeans
        let means = ResizeArray<float[]>(spec.Steps + 1)
        let endpoints = ResizeArray<float[]>(spec.Steps + 1)
        let loss = ResizeArray<float>(spec.Steps + 1)
        let accumulator = Outcome.Accumulator(tolerances, trueMeans, spec.Steps)
        let record t (m: float[]) (e: float[]) =
            means.Add(Array.copy m)
            endpoints.Add(Array.copy e)
            loss.Add(TwoGaussianGame.loss trueMeans m e)
            accumulator.Observe t m e
        let divergedAt =
            Simulation.iterate spec.Rule trueMeans spec.GeneratorStep spec.DiscriminatorStep spec.Steps
                (Array.ofList spec.InitialMeans) (Array.ofList spec.InitialIntervals) record
        if divergedAt.IsSome then accumulator.MarkDiverged()
        let stats = accumulator.Statistics
        { Spec = spec
          Means = means.ToArray()
          Endpoints = endpoints.ToArray()
          Loss = loss.ToArray()
          Statistics = stats
          Outcome = Outcome.classify tolerances spec.Rule trueMeans spec.GeneratorStep stats
          DivergedAt = divergedAt }

    /// The mixture (1/K) Σ N(μ_i, 1) as a dataset spec (`NamedDatasets.twoGaussians` for K = 2).
    let distribution (means: float[]) =
        match means with
        | [| m |] -> Distribution.Gaussian(m, 1.0)
        | [| a; b |] -> NamedDatasets.twoGaussians a b
        | _ -> Distribution.Mixture [ for m in means -> { Weight = 1.0 / float means.Length; Distribution = Distribution.Gaussian(m, 1.0) } ]

    /// Sub-intervals of the quadrature behind `distances`, over [min μ − 10, max μ + 10].
    let quadratureIntervals = 4_000

    /// How far the generator at `means` is from the truth, exact up to quadrature: TV(p_μ*, p_μ̂) = max_{l,r} L − 1
    /// (closed form at the optimal discriminator), JS in nats (Simpson), W1 = ∫ |F_μ* − F_μ̂| (midpoint rule), and
    /// the minimax GAN loss ∫ p log V* + q log(1 − V*) at the pointwise optimal V* = p/(p + q) (Simpson, the same
    /// grid), which seed 002 sec. 3 says equals 2·JS − log 4.
    let distances (trueMeans: float[]) (means: float[]) =
        let low = min (Array.min trueMeans) (Array.min means) - 10.0
        let high = max (Array.max trueMeans) (Array.max means) + 10.0
        let p = TwoGaussianGame.density trueMeans
        let q = TwoGaussianGame.density means
        let js = JensenShannon.ofDensities p q low high quadratureIntervals
        let ganLoss = JensenShannon.optimalLossOfDensities p q low high quadratureIntervals
        let cell = (high - low) / float quadratureIntervals
        let mutable w1 = 0.0
        for i in 0 .. quadratureIntervals - 1 do
            let t = low + cell * (float i + 0.5)
            w1 <- w1 + abs (TwoGaussianGame.mass trueMeans System.Double.NegativeInfinity t - TwoGaussianGame.mass means System.Double.NegativeInfinity t)
        { Tv = OptimalDiscriminator.value trueMeans means - 1.0; Js = js; W1 = w1 * cell; GanLossAtOptimum = ganLoss }
