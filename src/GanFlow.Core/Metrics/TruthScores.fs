namespace GanFlow.Core.Metrics

open GanFlow.Core.Datasets
open GanFlow.Core.Specs

/// How a model's samples compare with a declared truth (the exact law, not a sample of it).
type TruthScores =
    { /// 1-D: W1 between the model samples and the truth, exact against its cdf (`Wasserstein.w1ToDistribution`).
      W1: float option
      /// Per mode of a mixture with modes (`Densities.hasModes`), in component order: the share of that component's
      /// truth draws that fall inside the model manifold (the union of the model samples' k-NN balls, k = 3, as
      /// improved recall): recall mode by mode. Empty for a truth without modes.
      ModeRecall: float[]
      /// The share of model samples outside the truth's effective support (`TruthSupport`).
      MassOffSupport: float
      /// The share of model samples inside the truth's 95% highest-density region {x: p(x) >= τ}, τ the 5% quantile
      /// of log p over truth draws: precision from densities (0.95 for a perfect model). With a truth with a density.
      HdrPrecision: float option
      /// The share of truth draws inside the model's 95% highest-density region (τ from model draws): recall from
      /// densities (0.95 for a perfect model). With a model with a density (`--model`).
      HdrRecall: float option }

/// Scores against a declared truth. Truth draws are seeded; their number is the model samples' (mode recall, so that
/// the model manifold and the truth draws have the sizes improved recall expects) or `LevelDraws` (the HDR levels).
module TruthScores =

    /// The highest-density regions hold this share of their law's mass.
    [<Literal>]
    let HdrMass = 0.95

    /// Draws that fix each HDR's density level (its 5% quantile).
    [<Literal>]
    let LevelDraws = 20_000

    /// `count` draws of a mixture with their component indices (the component drawn by weight, then the point).
    let labelledDraws (rng: System.Random) (truth: Distribution) (count: int) =
        let components = Densities.components truth
        let cumulative = components |> Array.scan (fun acc (w, _) -> acc + w) 0.0 |> Array.tail
        let d = Densities.dimension truth
        let labels = Array.zeroCreate count
        let values = Array.zeroCreate (count * d)
        for i in 0 .. count - 1 do
            let u = rng.NextDouble() * cumulative[cumulative.Length - 1]
            let c = min (components.Length - 1) (cumulative |> Array.findIndex (fun edge -> u < edge))
            labels[i] <- c
            Array.blit (Sampling.sample rng (snd components[c]) 1) 0 values (i * d) d
        labels, Points.create d values

    /// The level τ of the `HdrMass` highest-density region of a law from log-densities of its draws.
    let level (logDensities: float[]) =
        MathNet.Numerics.Statistics.Statistics.Quantile(logDensities |> Array.filter (fun v -> not (System.Double.IsNaN v)), 1.0 - HdrMass)

    /// The scores of model samples `x` against `truth` (same dimension), truth draws from `seed`; `model` adds the
    /// density-based recall.
    let compute (search: NeighbourSearch) (seed: int) (truth: Distribution) (model: ModelDensity option) (x: Points) : TruthScores =
        let d = Densities.dimension truth
        if d <> x.Dimension then invalidArg "truth" (sprintf "a %d-D truth for %d-D samples" d x.Dimension)
        let modeRecall =
            if not (Densities.hasModes truth) || x.Count < PrecisionRecall.pointsNeeded PrecisionRecall.PrecisionRecallK then [||]
            else
                let labels, draws = labelledDraws (Seeds.random seed 0 21) truth x.Count
                let k = PrecisionRecall.PrecisionRecallK
                let radii = Neighbours.kthSquared (k + 1) (search.Nearest x x (k + 1))
                let inside = search.BallCounts draws x radii true
                Array.init (Densities.components truth).Length (fun c ->
                    let mine = Array.zip labels inside |> Array.filter (fun (l, _) -> l = c)
                    if mine.Length = 0 then nan else float (mine |> Array.sumBy snd) / float mine.Length)
        let hasDensity = Densities.hasDensity truth
        let truthDraws =
            lazy (Points.create d (Sampling.sample (Seeds.random seed 0 22) truth LevelDraws))
        let hdrPrecision =
            if not hasDensity then None
            else
                let tau = level (Likelihood.truthLogDensity truth truthDraws.Value)
                let logP = Likelihood.truthLogDensity truth x
                Some(float (logP |> Array.filter (fun v -> v >= tau) |> Array.length) / float x.Count)
        let hdrRecall =
            match model with
            | Some m ->
                let tau = level (m.LogDensity(m.Sample seed LevelDraws))
                let logQ = m.LogDensity truthDraws.Value
                Some(float (logQ |> Array.filter (fun v -> v >= tau) |> Array.length) / float logQ.Length)
            | _ -> None
        { W1 = (if d = 1 then Some(Wasserstein.w1ToDistribution x.Values truth) else None)
          ModeRecall = modeRecall
          MassOffSupport = TruthSupport.massOutside truth x
          HdrPrecision = hdrPrecision
          HdrRecall = hdrRecall }
