namespace GanFlow.Core.Baselines

open GanFlow.Core.Numerics
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics

/// One bandwidth of the memorizing baseline and what it scores (seed 001 Figs. 3 and 6).
type BaselinePoint =
    { /// The bandwidth σ.
      Sigma: float
      /// NLL of the training split, nats per point: it falls as σ shrinks (each point sits on its own kernel) but stays
      /// finite at any σ > 0. NaN on images (not computed: every training image against all the others).
      TrainNll: float
      /// NLL of the validation split.
      ValidationNll: float
      /// NLL of the test split.
      TestNll: float
      /// The mode scores of its samples, on a mixture dataset (or under the digit classifier on images).
      Modes: ModeScores option }

/// A column's memorizing baseline as a Flow-GAN study's tables read it (`baseline-COLUMN.json` in a study folder whose
/// column holds images, where the runtime computes it with the digit classifier).
type BaselineCurve =
    { /// At the σ of lowest validation NLL (the line search's on point data, the grid's best on images).
      Best: BaselinePoint
      /// The Parzen estimate of its samples at that σ on the test split (Table 3's KDE column for the baseline).
      Parzen: ParzenEstimate
      /// One point per bandwidth of the spec (seed 001 Figs. 3 and 6).
      Curve: BaselinePoint list }

/// An image column's memorizing baseline as a study folder holds it (`baseline-COLUMN.json`).
type ImageBaseline =
    { /// What it was computed from, as JSON (the images, the table's baseline spec, the shared classifier's inputs): a
      /// rerun of the study recomputes it when this changed.
      Inputs: string
      /// The curve.
      Curve: BaselineCurve }

/// Seed 001 sec. 3.4's baseline: a mixture of m isotropic Gaussians of equal weight centred on the m training points,
/// p_σ(x) = (1/m) Σᵢ N(x; xᵢ, σ²I), the bandwidth σ chosen by a line search in (0, 1] for the lowest validation NLL. It
/// memorizes its training set: small σ reproduces the training points (high sample quality), and the question is how
/// its held-out likelihood compares with an adversarially trained model's. Pure.
module MemorizingMixture =

    /// The bandwidths the line search and the curves consider: 40 log-spaced values from 1e-3 to 1.
    let sigmas = ParzenWindow.logSpaced 1e-3 1.0 40

    /// −mean log p_σ of `points` (row-major).
    let nll (splits: Splits) (sigma: float) (points: float[]) = -(Array.average (ParzenWindow.logDensities splits.Dimension splits.Train sigma points))

    /// `count` samples: a training point chosen uniformly, plus N(0, σ²I) noise.
    let sample (splits: Splits) (sigma: float) (rng: System.Random) (count: int) =
        let noisy = FiniteSample.batch splits rng count
        for i in 0 .. noisy.Length - 1 do
            noisy[i] <- noisy[i] + sigma * Sampling.standardNormal rng
        noisy

    /// The line search: the best of `sigmas` on the validation split, refined by golden-section search on log σ between
    /// its neighbours (40 iterations), within (0, 1].
    let lineSearch (splits: Splits) =
        let validation s = nll splits s splits.Validation
        let values = sigmas |> Array.map validation
        let best = Finite.argMin "the memorizing mixture's validation NLL at a bandwidth" values
        let mutable a = log sigmas[max 0 (best - 1)]
        let mutable b = log sigmas[min (sigmas.Length - 1) (best + 1)]
        let phi = (sqrt 5.0 - 1.0) / 2.0
        let f x = validation (exp x)
        let mutable c = b - phi * (b - a)
        let mutable d = a + phi * (b - a)
        let mutable fc, fd = f c, f d
        for _ in 1..40 do
            if fc < fd then
                b <- d
                d <- c
                fd <- fc
                c <- b - phi * (b - a)
                fc <- f c
            else
                a <- c
                c <- d
                fc <- fd
                d <- a + phi * (b - a)
                fd <- f d
        let refined = exp (0.5 * (a + b))
        if validation refined <= values[best] then refined else sigmas[best]

    /// The baseline at bandwidth σ: its NLL on each split and, on a mixture, the mode scores of `samples` samples drawn
    /// with `seed`.
    let at (dataset: Distribution) (splits: Splits) (samples: int) (seed: int) (sigma: float) : BaselinePoint =
        { Sigma = sigma
          TrainNll = nll splits sigma splits.Train
          ValidationNll = nll splits sigma splits.Validation
          TestNll = nll splits sigma splits.Test
          Modes =
            if Densities.hasModes dataset then Some(SampleQuality.ofSamples dataset (sample splits sigma (System.Random seed) samples))
            else None }
