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
        divergedAt |> Option.iter accumulator.MarkDiverged
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

    /// Sub-intervals of the quadrature behind `distances`, shared among its windows in proportion to their lengths
    /// (all of them in the usual case of one window).
    let quadratureIntervals = 4_000

    /// Half-width, in the components' standard deviations, of the window around each mean that `distances` integrates
    /// over: outside every window both densities are below φ(10) ≈ 7.7e-23 and hold less than 1e-23 of mass.
    let quadratureWindow = 10.0

    /// Beyond ±this a window is integrated in coordinates relative to its lowest mean (subtracting it is exact there),
    /// so that a grid far out keeps the resolution it has near 0 (x's spacing of doubles is 2.3e-10 at 2²⁰, 1.2e-4
    /// at 10¹²); within it, in place.
    let private shiftBeyond = 1_048_576.0

    /// The windows [m − 10, m + 10] around every mean of both mixtures, overlapping ones merged, ascending: (lowest
    /// mean, highest mean) of each.
    let private windows (means: float[]) =
        let sorted = Array.sort means
        let found = ResizeArray<float * float>()
        let mutable first = sorted[0]
        let mutable last = sorted[0]
        for m in sorted do
            if m - quadratureWindow > last + quadratureWindow then
                found.Add((first, last))
                first <- m
            last <- m
        found.Add((first, last))
        found.ToArray()

    /// How far the generator at `means` is from the truth, exact up to quadrature: TV(p_μ*, p_μ̂) = max_{l,r} L − 1
    /// (closed form at the optimal discriminator), JS in nats (Simpson), W1 = ∫ |F_μ* − F_μ̂| (midpoint rule), and
    /// the minimax GAN loss ∫ p log V* + q log(1 − V*) at the pointwise optimal V* = p/(p + q) (Simpson, the same
    /// grid), which seed 002 sec. 3 says equals 2·JS − log 4. The integrals run over the windows [μ − 10, μ + 10]
    /// around the means, merged where they overlap ([min μ − 10, max μ + 10] when every mean is within 20 of the
    /// next), each on its own grid, so that means far apart are resolved as well as near ones (one grid over the whole
    /// range had cells of 17 at |μ̂| ≈ 40,000 and missed both densities: JS 0.024 for disjoint supports). Between two
    /// windows both densities vanish (no JS or loss) and both cdfs are constant, so W1 gains the gap's length times
    /// the difference of the shares of means below it.
    let distances (trueMeans: float[]) (means: float[]) =
        let all = Array.append trueMeans means
        let pieces = windows all
        let length (first, last) = last - first + 2.0 * quadratureWindow
        let total = pieces |> Array.sumBy length
        let mutable js = 0.0
        let mutable ganLoss = 0.0
        let mutable w1 = 0.0
        for i in 0 .. pieces.Length - 1 do
            let first, last = pieces[i]
            let shift = if max (abs first) (abs last) + quadratureWindow <= shiftBeyond then 0.0 else first
            let t = trueMeans |> Array.map (fun m -> m - shift)
            let g = means |> Array.map (fun m -> m - shift)
            let low = first - shift - quadratureWindow
            let high = last - shift + quadratureWindow
            let intervals = max 2 (int (round (float quadratureIntervals * length pieces[i] / total)))
            let p = TwoGaussianGame.density t
            let q = TwoGaussianGame.density g
            js <- js + JensenShannon.ofDensities p q low high intervals
            ganLoss <- ganLoss + JensenShannon.optimalLossOfDensities p q low high intervals
            let cell = (high - low) / float intervals
            let mutable inside = 0.0
            for j in 0 .. intervals - 1 do
                let x = low + cell * (float j + 0.5)
                inside <- inside + abs (TwoGaussianGame.mass t System.Double.NegativeInfinity x - TwoGaussianGame.mass g System.Double.NegativeInfinity x)
            w1 <- w1 + inside * cell
            if i + 1 < pieces.Length then
                let gapLow = last + quadratureWindow
                let gapHigh = fst pieces[i + 1] - quadratureWindow
                let share (values: float[]) = float (values |> Array.filter (fun m -> m < gapLow) |> Array.length) / float values.Length
                w1 <- w1 + (gapHigh - gapLow) * abs (share trueMeans - share means)
        { Tv = OptimalDiscriminator.value trueMeans means - 1.0; Js = js; W1 = w1; GanLossAtOptimum = ganLoss }
