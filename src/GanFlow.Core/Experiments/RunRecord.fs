namespace GanFlow.Core.Experiments

/// One evaluation during training: one row of a run's `metrics.csv`.
type EvaluationRecord =
    { /// Generator steps completed when the evaluation was taken.
      Step: int
      /// W1 (seed 000 eq. 8) between model samples and as many fresh data samples.
      W1: float
      /// W1 between the model samples and the exact data distribution (1-D; NaN otherwise).
      W1Exact: float
      /// The critic's own W1 estimate (seed 000 eq. 9): mean c(data) − mean c(model), on the same
      /// samples as `W1`. NaN for models without a critic.
      CriticW1: float
      /// Energy distance (Székely-Rizzo) between model and data samples.
      Energy: float
      /// Generator loss at the last step before the evaluation.
      GeneratorLoss: float
      /// Critic loss (including any penalty) at the last critic step before the evaluation.
      CriticLoss: float
      /// Seconds of wall time since the run started (training and evaluation).
      WallSeconds: float
      /// Exact negative log-likelihood in nats per sample, −mean log p(x), of the model on the
      /// evaluation's fresh data samples (the ones `W1` uses). Flows only; NaN for GANs.
      Nll: float
      /// Largest round-trip error max‖g(g⁻¹(x)) − x‖ (Euclidean, data units) over the first 1,000
      /// of those data samples, g the flow's generator direction. Flows only; NaN for GANs.
      InverseError: float
      /// Right-hand-side evaluations of the ODE solve in the forward pass of the last training step
      /// before the evaluation (column `nfe`; seed 000 asks FFJORD's to be logged). Adaptive solvers
      /// (dopri5) show how stiff the learned dynamics became; fixed-step RK4 gives 4 × steps.
      /// Continuous flows only; NaN for discrete flows and GANs.
      FunctionEvaluations: float
      /// Largest round-trip error max‖g⁻¹(g(z)) − z‖ (Euclidean, latent units) over 1,000 draws z of the
      /// base distribution (column `latent_inverse_error`; seed 003 asks for both directions). Flows only;
      /// NaN for GANs.
      LatentInverseError: float }

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
      Final: EvaluationRecord option }
