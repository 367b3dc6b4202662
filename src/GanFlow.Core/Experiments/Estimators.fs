namespace GanFlow.Core.Experiments

/// How the inverse temperatures β₀ = 0 < β₁ < … < β_T = 1 of annealed importance sampling are spaced.
[<RequireQualifiedAccess>]
type AnnealingSchedule =
    /// β_t = t / T.
    | Linear
    /// Grosse et al. 2015's sigmoid schedule, used by Wu et al. 2017: β̃_t = σ(δ(2t/T − 1)) rescaled to
    /// β_t = (β̃_t − β̃_0)/(β̃_T − β̃_0); `sharpness` δ > 0 (4 there) packs steps near both ends.
    | Sigmoid of sharpness: float

/// Annealed importance sampling (Neal 2001) of a generator's log-likelihood under a Gaussian observation model (Wu et
/// al. 2017, "On the quantitative analysis of decoder-based generative models"; seed 001 sec. 5, Table 3):
/// log p_σ(x) = log ∫ p(z) N(x; G(z), σ²I) dz, from the prior (β = 0) to the posterior (β = 1) through intermediate
/// distributions π_t(z) ∝ p(z) N(x; G(z), σ²I)^β_t, each reached by one Hamiltonian Monte Carlo transition. Works for
/// any generator with a Gaussian or logistic prior and gradients through z (an MLP GAN too, which has no exact density).
type Ais =
    { /// Independent chains per data point; the estimate is log of the chains' mean weight. Default 16 (Wu et al.).
      Chains: int
      /// Intermediate distributions T (>= 1). Default 1,000 (Wu et al. report 1,000 to 100,000; 10,000 for their tables).
      Intermediates: int
      /// Leapfrog steps of each HMC transition (>= 1). Default 10 (Wu et al.).
      LeapfrogSteps: int
      /// The leapfrog step size at the start (> 0, latent units); adapted after every transition. Default 0.01.
      InitialStepSize: float
      /// The acceptance rate the step size is adapted towards: ×1.02 after a transition accepting more, ×0.98 after one
      /// accepting less (in (0, 1)). Default 0.65 (Wu et al., after Neal 2011).
      TargetAcceptance: float
      /// The observation model's standard deviation σ (> 0, data units). Wu et al. tune it on validation data; the
      /// Flow-GAN experiments set it to the data's component spread. Default 0.05.
      ObservationStd: float
      /// The spacing of the β_t. Default `Sigmoid 4.0` (Wu et al.).
      Schedule: AnnealingSchedule
      /// Held-out points estimated (>= 1, at most 2,147,483,591 values with the data's dimension): the first of the test
      /// split (or of fresh data). Default 100.
      Points: int
      /// Simulated points x = G(z) + σε (z, ε drawn) for the bidirectional check (Grosse et al. 2015, BDMC): forward AIS
      /// gives a stochastic lower bound on their log p_σ(x), reverse AIS from the z that drew them an upper bound, and
      /// the gap bounds the estimator's error there (>= 0; 0 = no check). Default 20.
      SimulatedPoints: int }

    /// Wu et al.'s settings at 1,000 intermediate distributions, σ = 0.05, 100 points, a 20-point bidirectional check.
    static member Default =
        { Chains = 16
          Intermediates = 1_000
          LeapfrogSteps = 10
          InitialStepSize = 0.01
          TargetAcceptance = 0.65
          ObservationStd = 0.05
          Schedule = AnnealingSchedule.Sigmoid 4.0
          Points = 100
          SimulatedPoints = 20 }

/// The Parzen-window estimate of a generator's log-likelihood (Goodfellow et al. 2014; seed 001 sec. 5, Table 3): a
/// Gaussian kernel on `Samples` model samples, its bandwidth chosen among `Candidates` log-spaced values for the highest
/// validation log-likelihood, then the mean log-likelihood of the held-out points. Any generator.
type Parzen =
    { /// Model samples the kernels sit on (>= 1; with the data's dimension d at most 2,147,483,591 values, one array; the
      /// memory estimate counts them). Default 10,000 (Goodfellow et al. used 10,000).
      Samples: int
      /// Candidate bandwidths (>= 2), log-spaced from 1e-3 to 1 times the data's standard deviation. Default 20.
      Candidates: int
      /// Held-out points estimated (>= 1, at most 2,147,483,591 values with the data's dimension): the first of the test
      /// split (or of fresh data); the bandwidth is chosen on as many validation points. Default 1,000.
      Points: int }

    static member Default = { Samples = 10_000; Candidates = 20; Points = 1_000 }

/// The singular values of the generator's Jacobian ∂G/∂z at prior draws (seed 001 sec. 5.1, Fig. 4): their CDF on a
/// log axis shows how the generator squeezes volume; with as many latent as data coordinates their log-product is
/// log|det ∂G/∂z|, whose mean over the draws seed 001 compares (ADV < Hybrid < MLE).
type JacobianSpectrum =
    { /// Prior draws z at which the Jacobian is taken (>= 1). Default 64 (seed 001).
      Draws: int }

    static member Default = { Draws = 64 }

/// Schedule arithmetic of annealed importance sampling. Pure.
module Annealing =

    /// β₀ = 0, β₁, …, β_T = 1 (T + 1 values, increasing) of `schedule` with `intermediates` = T steps.
    let betas (schedule: AnnealingSchedule) (intermediates: int) =
        let t = Array.init (intermediates + 1) (fun i -> float i / float intermediates)
        match schedule with
        | AnnealingSchedule.Linear -> t
        | AnnealingSchedule.Sigmoid sharpness ->
            let s (u: float) = 1.0 / (1.0 + exp (-sharpness * (2.0 * u - 1.0)))
            let low, high = s 0.0, s 1.0
            t |> Array.mapi (fun i u -> if i = 0 then 0.0 elif i = intermediates then 1.0 else (s u - low) / (high - low))
