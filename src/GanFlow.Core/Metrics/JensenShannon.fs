namespace GanFlow.Core.Metrics

open GanFlow.Core.Datasets

/// The Jensen-Shannon divergence between 1-D densities, in nats (0 ≤ JS ≤ log 2), and the GAN loss it governs.
///
/// JS(P ‖ Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M), M = (P + Q)/2 (seed 002 sec. 3). For the minimax GAN loss
/// ∫ p log V + q log(1 − V) (seed 002 sec. 3, p the data density, q the model's), the pointwise optimal
/// discriminator is V* = p/(p + q), and there the loss is 2·JS(P ‖ Q) − log 4: −log 4 when Q = P, 0 only when the
/// supports are disjoint (JS = log 2). The notes' chain "0 = … = JS" drops the factor 2 and the −log 4.
/// Integrals are by Simpson's rule (trapezoid for tabulated values) on a grid; 0 · log 0 = 0.
module JensenShannon =

    /// x log(x / m) for 0 ≤ x ≤ m, 0 when x = 0.
    let private xLogRatio (x: float) (m: float) = if x > 0.0 then x * log (x / m) else 0.0

    /// The JS integrand at one point: ½ p log(2p/(p + q)) + ½ q log(2q/(p + q)). Written with p + q rather than the
    /// mixture (p + q)/2, which underflows to 0 for the smallest subnormal p where q = 0.
    let private jsTerm (p: float) (q: float) =
        let s = p + q
        (if p > 0.0 then 0.5 * p * log (2.0 * (p / s)) else 0.0) + (if q > 0.0 then 0.5 * q * log (2.0 * (q / s)) else 0.0)

    /// The minimax GAN loss integrand at one point for discriminator value v ∈ [0, 1]: p log v + q log(1 − v).
    let private lossTerm (p: float) (q: float) (v: float) =
        (if p > 0.0 then p * log v else 0.0) + (if q > 0.0 then q * log (1.0 - v) else 0.0)

    /// Simpson's rule for f on [low, high] with `intervals` (made even) sub-intervals.
    let simpson (f: float -> float) (low: float) (high: float) (intervals: int) =
        let n = if intervals % 2 = 0 then intervals else intervals + 1
        let h = (high - low) / float n
        let mutable total = f low + f high
        for i in 1 .. n - 1 do
            total <- total + (if i % 2 = 1 then 4.0 else 2.0) * f (low + h * float i)
        total * h / 3.0

    /// JS between two densities given as functions, integrated over [low, high] (which should hold both masses).
    let ofDensities (p: float -> float) (q: float -> float) (low: float) (high: float) (intervals: int) =
        simpson (fun x -> jsTerm (p x) (q x)) low high intervals

    /// JS between two densities tabulated on one uniform grid of spacing `spacing` (trapezoid rule).
    let ofGrid (spacing: float) (p: float[]) (q: float[]) =
        if p.Length <> q.Length then invalidArg "q" "the two densities must be tabulated on the same grid"
        let terms = Array.map2 jsTerm p q
        spacing * (Array.sum terms - 0.5 * (terms[0] + terms[terms.Length - 1]))

    /// A range holding all but a negligible mass of both 1-D distributions: their ranges' union, widened by its width.
    let commonRange (a: Distribution) (b: Distribution) =
        let la, ha = Densities.range a
        let lb, hb = Densities.range b
        let low, high = min la lb, max ha hb
        low - (high - low), high + (high - low)

    /// Sub-intervals used for exact densities: fine enough that Simpson's error is far below 1e-9 on this lab's
    /// unit-variance mixtures.
    let defaultIntervals = 20_000

    /// JS between two exact 1-D distributions (`Densities.pdf`).
    let between (a: Distribution) (b: Distribution) =
        let low, high = commonRange a b
        ofDensities (Densities.pdf a) (Densities.pdf b) low high defaultIntervals

    /// JS between a model's samples, through their KDE (`Kde.density` with `bandwidth`), and the exact density of
    /// `truth`, on a grid over the truth's range and the sample's, each widened by 10% and by 8 bandwidths.
    let ofSample (sample: float[]) (bandwidth: float) (truth: Distribution) =
        let lowTruth, highTruth = Densities.range truth
        let low = min lowTruth (Array.min sample)
        let high = max highTruth (Array.max sample)
        let pad = 0.1 * (high - low) + 8.0 * bandwidth
        let points = 4_001
        let grid = Array.init points (fun i -> low - pad + (high - low + 2.0 * pad) * float i / float (points - 1))
        let model = Kde.density sample bandwidth grid
        let exact = grid |> Array.map (Densities.pdf truth)
        ofGrid (grid[1] - grid[0]) exact model

    /// The minimax GAN loss ∫ p log V + q log(1 − V) of a discriminator V (values in [0, 1]) over [low, high].
    let lossOf (v: float -> float) (p: float -> float) (q: float -> float) (low: float) (high: float) (intervals: int) =
        simpson (fun x -> lossTerm (p x) (q x) (v x)) low high intervals

    /// The pointwise optimal discriminator V*(x) = p(x) / (p(x) + q(x)) (½ where both vanish).
    let optimalDiscriminator (p: float -> float) (q: float -> float) (x: float) =
        let px, qx = p x, q x
        if px + qx > 0.0 then px / (px + qx) else 0.5

    /// The minimax GAN loss at V* over [low, high], written as ∫ p log(p/(p + q)) + q log(q/(p + q)) so that
    /// log(1 − V*) keeps its precision where q ≪ p (1 − V* would round to 0 there).
    let optimalLossOfDensities (p: float -> float) (q: float -> float) (low: float) (high: float) (intervals: int) =
        simpson (fun x -> let px, qx = p x, q x in xLogRatio px (px + qx) + xLogRatio qx (px + qx)) low high intervals

    /// The minimax GAN loss at V* between two exact 1-D distributions, which equals 2·JS − log 4.
    let optimalLoss (data: Distribution) (model: Distribution) =
        let low, high = commonRange data model
        optimalLossOfDensities (Densities.pdf data) (Densities.pdf model) low high defaultIntervals
