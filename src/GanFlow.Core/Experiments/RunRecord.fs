namespace GanFlow.Core.Experiments

/// Scores of a model's samples against data: every model has them.
type SampleScores =
    { /// W1 (seed 000 eq. 8) between model samples and as many data points (column `w1`): fresh draws of a law, draws
      /// from a finite sample's training split, a file's validation split (`EvaluationData.describe`). 1-D data only.
      W1: float option
      /// W1 between the model samples and the exact data distribution (column `w1_exact`), exact from the closed-form
      /// integrated cdf. 1-D data only.
      W1Exact: float option
      /// Energy distance (Székely-Rizzo) between model and data samples (column `energy`): exact O(n log n) in 1-D, the
      /// O(n²) form on the first 2,000 points of each in d > 1.
      Energy: float
      /// Precision, recall, density and coverage (Kynkäänniemi et al. 2019, k = 3; Naeem et al. 2020, k = 5; columns
      /// `precision`, `recall`, `density`, `coverage`): seed 000's recall beside precision, on the first
      /// `RecallScores.Points` (10,000) model and data samples of the evaluation (with a finite training set, whose
      /// evaluation data repeat training points, against as many fresh draws of the law instead: k-NN balls need distinct
      /// points). NaN in each when the evaluation draws fewer than `RecallScores.PointsNeeded` of either, and in files
      /// written before runs recorded them.
      PrecisionRecall: GanFlow.Core.Metrics.PrecisionRecall }

/// How many evaluation samples the per-run precision, recall, density and coverage use.
module RecallScores =
    /// At most this many model and as many data samples (the first of the evaluation's draws, which are i.i.d., so a
    /// random subsample): k-NN balls on 10,000 points cost 0.06-0.07 s per evaluation in 1-D or 2-D (docs/metrics.md).
    [<Literal>]
    let Points = 10_000

    /// The fewest model and data samples they need: density and coverage's k = 5 neighbours besides the point itself.
    [<Literal>]
    let PointsNeeded = 6

/// What the critic says: models whose objective has one (adversarial, hybrid).
type CriticScores =
    { /// The critic's own W1 estimate (seed 000 eq. 9): mean c(data) − mean c(model), on the same samples as the
      /// sample scores (column `critic_w1`).
      CriticW1: float
      /// Critic loss (including any penalty) at the last critic step before the evaluation (column `critic_loss`).
      CriticLoss: float }

/// The exact likelihood: models whose generator has a density (flows).
type DensityScores =
    { /// Exact negative log-likelihood in nats per sample, −mean log p(x), on the evaluation's data samples (the ones the
      /// sample scores use: fresh draws of a law, draws from a finite sample's training split, or the first points of a
      /// file's or images' validation split; `EvaluationData`) (column `nll`).
      Nll: float
      /// The same NLL in bits per dimension, nll / (d · ln 2), on dequantized images 8 + nll / (d · ln 2)
      /// (`DataSource.bitsPerDim`; column `bits_per_dim`).
      BitsPerDim: float
      /// Largest round-trip error max‖g(g⁻¹(x)) − x‖ (Euclidean, data units) over the first 1,000 of those data
      /// samples, g the flow's generator direction (column `inverse_error`). On dequantized images both round trips are
      /// the learned flow's, in its logit coordinates (the fixed logit map around it saturates in float64).
      InverseError: float
      /// Largest round-trip error max‖g⁻¹(g(z)) − z‖ (Euclidean, latent units) over 1,000 draws z of the base
      /// distribution (column `latent_inverse_error`; seed 003 asks for both directions).
      LatentInverseError: float
      /// Right-hand-side evaluations of the ODE solve in the forward pass of the last training step before the
      /// evaluation (column `nfe`; seed 000 asks FFJORD's to be logged). Continuous flows only.
      FunctionEvaluations: float option
      /// KL(data ‖ model) = E_data[log p_data(x) − log p_model(x)] in nats, on the evaluation's data points (fresh draws
      /// of the law, or draws from a finite sample's training split) with both exact densities (column `kl`). Datasets
      /// with a known density only.
      Kl: float option
      /// NLL in nats per sample on the finite training set's training split (column `train_nll`; seed 001 Fig. 2).
      /// Finite training sets only.
      TrainNll: float option
      /// NLL in nats per sample on its validation split (column `validation_nll`; seed 001 Fig. 2, the best-validated
      /// checkpoint). Finite training sets only.
      ValidationNll: float option }

/// Sample quality on a mixture whose component posterior p(y|x) is known exactly (seed 001 sec. 3.2; the
/// mode-collapse papers' counts): datasets that are mixtures of components with distinct centres.
type ModeScores =
    { /// MODE score exp(E_x[KL(p(y|x) ‖ p*(y))] − KL(p*(y) ‖ p(y))), p* the mixture weights, p(y) the mean posterior
      /// over the model samples (column `mode_score`). At most the number of components.
      ModeScore: float
      /// Inception score exp(E_x KL(p(y|x) ‖ p(y))) (column `inception_score`).
      InceptionScore: float
      /// Share of model samples within 3 standard deviations of the centre of their most likely component (column
      /// `high_quality`; Srivastava et al. 2017).
      HighQuality: float
      /// Components that hold at least a fifth of their fair share of the high-quality samples (column
      /// `modes_covered`).
      ModesCovered: int }

/// One evaluation during training: one row of a run's `metrics.csv`. The groups that exist follow from what the model
/// can do: sample scores always, a critic's when the objective has one, exact-density scores when the generator is a
/// flow, mode scores on mixtures; a file has exactly the columns of the groups that exist (`MetricColumns`).
type EvaluationRecord =
    { /// Generator steps completed when the evaluation was taken.
      Step: int
      /// The generator's training loss at the last step before the evaluation (column `generator_loss`): the adversarial
      /// generator loss, the NLL of the batch (maximum likelihood; OT-Flow its combined loss), or their hybrid sum.
      GeneratorLoss: float
      /// Seconds of wall time since the run started (training and evaluation), continued across resumes.
      WallSeconds: float
      /// Every model's.
      Samples: SampleScores
      /// Objectives with a critic.
      Critic: CriticScores option
      /// Generators with a density.
      Density: DensityScores option
      /// Mixture datasets with distinct components.
      Modes: ModeScores option }

    /// W1 (eq. 8), NaN when the data is not 1-D (a convenience for lookups such as a search's metric; files hold no such
    /// column then).
    member r.W1 = r.Samples.W1 |> Option.defaultValue nan
    /// W1 to the exact distribution, NaN when the data is not 1-D.
    member r.W1Exact = r.Samples.W1Exact |> Option.defaultValue nan
    /// Energy distance.
    member r.Energy = r.Samples.Energy
    /// The critic's W1 estimate, NaN for models without a critic.
    member r.CriticW1 = r.Critic |> Option.map _.CriticW1 |> Option.defaultValue nan
    /// The critic's loss, NaN for models without a critic.
    member r.CriticLoss = r.Critic |> Option.map _.CriticLoss |> Option.defaultValue nan
    /// The exact NLL (nats per sample), NaN for models without a density.
    member r.Nll = r.Density |> Option.map _.Nll |> Option.defaultValue nan
    /// The inverse error, NaN for models without a density.
    member r.InverseError = r.Density |> Option.map _.InverseError |> Option.defaultValue nan
    /// The latent inverse error, NaN for models without a density.
    member r.LatentInverseError = r.Density |> Option.map _.LatentInverseError |> Option.defaultValue nan
    /// ODE function evaluations, NaN unless the generator is a continuous flow.
    member r.FunctionEvaluations = r.Density |> Option.bind _.FunctionEvaluations |> Option.defaultValue nan

/// How a run ended.
[<RequireQualifiedAccess>]
type RunStatus =
    /// All steps done.
    | Completed
    /// Stopped at the step the caller asked for (`ganflow run --until STEP`, a search's rung) with a checkpoint there;
    /// `--resume` continues it. Its final evaluation is the intermediate one at that step.
    | Paused
    /// A loss or a metric became NaN or infinite; training stopped there.
    | Diverged
    /// Anything else went wrong; see the message.
    | Failed

/// What a run reports at the end: `summary.json`.
/// How many points each split of a finite training set holds (a finite sample of a law, a sample file, images): what the
/// report says the evaluations' numbers were computed on.
type SplitPoints =
    { /// Points of the training split.
      Train: int
      /// Points of the validation split (0 where the source holds out none: seed 003's MNIST split).
      Validation: int
      /// Points of the test split.
      Test: int }

type RunSummary =
    { /// Experiment name.
      Experiment: string
      /// Seed the run used.
      Seed: int
      /// How it ended.
      Status: RunStatus
      /// Human-readable detail, e.g. where a divergence happened.
      Message: string
      /// Generator steps completed.
      StepsCompleted: int
      /// Wall time of the whole run in seconds.
      WallSeconds: float
      /// Device the run trained on, e.g. `cpu` or `cuda:0`.
      Device: string
      /// Trainable parameters of the generator (or flow).
      GeneratorParameters: int
      /// Trainable parameters of the critic (0 for models without one).
      CriticParameters: int
      /// The final evaluation, on `evaluation.finalSamples` samples (a paused run: the intermediate evaluation at the
      /// step it paused at, on `evaluation.samples`); None when the run diverged before it.
      Final: EvaluationRecord option
      /// The sizes of the run's splits (a finite sample, a sample file, images); None for a law's fresh draws, and absent
      /// in files of earlier versions.
      Splits: SplitPoints option }

/// Reading a run's summary against the spec beside it.
module RunSummary =

    /// Whether `summary` is the completed run of an earlier, smaller budget whose extension to `budgetSteps` (the
    /// folder's spec.json, rewritten when the extension started) has not finished: a kill during `--resume --steps N`
    /// leaves the earlier run's summary.json in place.
    let isUnfinishedExtension (budgetSteps: int) (summary: RunSummary) =
        summary.Status = RunStatus.Completed && summary.StepsCompleted < budgetSteps

/// The best-validated checkpoint of a run on a finite training set (seed 001 Table 1: "the test log-likelihoods
/// corresponding to the best validated models").
type BestValidated =
    { /// The step of the evaluation with the lowest validation NLL.
      Step: int
      /// That NLL, nats per point.
      ValidationNll: float
      /// The NLL of the test split under that checkpoint, nats per point.
      TestNll: float
      /// The same in bits per dimension.
      TestBitsPerDim: float }

/// An annealed-importance-sampling estimate (`Ais`).
type AisEstimate =
    { /// −mean over the points of log p̂_σ(x), nats per point.
      Nll: float
      /// Its standard error: the spread of the points' estimates over √points, with each point's chain error (delta
      /// method, sd(w)/(√chains·mean w)) added in quadrature.
      StandardError: float
      /// Points estimated.
      Points: int
      /// The observation standard deviation σ used.
      ObservationStd: float
      /// The step size after the last adaptation.
      FinalStepSize: float
      /// The mean acceptance rate of the HMC transitions.
      AcceptanceRate: float
      /// On simulated points: mean of (reverse AIS upper bound − forward AIS lower bound) of log p_σ(x), nats, when
      /// the bidirectional check ran.
      BidirectionalGap: float option
      /// Wall seconds the estimate took.
      Seconds: float }

/// A Parzen-window estimate (`Parzen`).
type ParzenEstimate =
    { /// −mean log-likelihood of the points under the kernel estimate, nats per point.
      Nll: float
      /// Its standard error over the points.
      StandardError: float
      /// The chosen bandwidth, data units.
      Bandwidth: float
      /// Kernels (model samples).
      Samples: int
      /// Points estimated.
      Points: int }

/// The Jacobian spectrum's summary (`JacobianSpectrum`); the singular values themselves are in `jacobian.csv`.
type JacobianSummary =
    { /// Prior draws.
      Draws: int
      /// The mean of log|det ∂G/∂z| over the draws (sum of the log singular values), when latent and data dimensions
      /// match.
      MeanLogAbsDet: float option
      /// The smallest and largest singular value over every draw.
      Smallest: float
      Largest: float }

/// What a run measures on held-out data at its end (`heldout.json`), each part when it applies: the exact NLL of the
/// final model on the held-out points (a generator with a density), the best-validated checkpoint (a finite training
/// set), the AIS and Parzen estimates and the Jacobian spectrum (when the evaluation asks for them).
type HeldOut =
    { /// The step of the model measured (the final one).
      Step: int
      /// Where the held-out points come from: `test split` or `fresh data`.
      Points: string
      /// Exact −mean log p(x) of the final model on the held-out points the estimators see (the first `Parzen.Points`,
      /// and the first `Ais.Points` for `ExactNllAisPoints`).
      ExactNll: float option
      /// How many held-out points `ExactNll` averages over: the first `evaluation.parzen.points` (1,000 without Parzen),
      /// fewer where the test split is smaller. Absent in files of earlier versions.
      ExactNllPoints: int option
      /// Exact NLL on the AIS points only (AIS estimates fewer points).
      ExactNllAisPoints: float option
      /// The best-validated checkpoint.
      BestValidated: BestValidated option
      Ais: AisEstimate option
      Parzen: ParzenEstimate option
      Jacobian: JacobianSummary option }
