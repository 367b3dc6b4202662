namespace GanFlow.Core.Dynamics

/// Which update rule drives a run of seed 002's game (sec. 2, after Li, Mądry, Peebles & Schmidt 2017).
[<RequireQualifiedAccess>]
type DynamicsRule =
    /// Optimal-discriminator dynamics: at every step the exact maximiser (l, r) = argmax L(μ̂, l, r)
    /// (the set where p_μ* > p_μ̂), then μ̂ ← μ̂ − η_g ∇_μ L(μ̂, l, r). The discriminator step is unused.
    | Optimal
    /// First-order dynamics: simultaneous gradient steps from the previous state, μ̂ ← μ̂ − η_g ∇_μ L,
    /// r ← r + η_d ∇_r L, l ← l + η_d ∇_l L, then the endpoints projected onto l1 ≤ r1 ≤ l2 ≤ r2.
    | FirstOrder
    /// The discriminator's first-order steps only, against a fixed generator (seed 002 Fig. 2(c)).
    | DiscriminatorOnly

/// One run of seed 002's game: the true distribution G_μ* = (1/K) Σ N(μ*_i, 1), the generator
/// G_μ̂ = (1/K) Σ N(μ̂_i, 1) and a discriminator D = Σ_k 1[l_k, r_k] with K intervals, K = 2 in the
/// notes (K = 1, one Gaussian and one interval, is the single-Gaussian case). Float64 throughout.
type DynamicsSpec =
    { /// True means μ*, K = 1 or 2 values (any order). Default (−0.5, 0.5): seed 002 Fig. 1.
      TrueMeans: float list
      /// Initial generator means μ̂⁽⁰⁾, as many as `TrueMeans`. Default (0.3, 0.9).
      InitialMeans: float list
      /// Initial discriminator endpoints l1, r1, l2, r2 (2K values, l1 ≤ r1 ≤ l2 ≤ r2). Needed by the
      /// first-order and discriminator-only rules; may be empty for the optimal rule, which ignores it.
      /// Default (−1, 0, 0.5, 2).
      InitialIntervals: float list
      /// Generator step size η_g (> 0), seed 002 sec. 2's update equations. Default 0.1 (Fig. 1).
      GeneratorStep: float
      /// Discriminator step size η_d (> 0) of the first-order and discriminator-only rules; ignored (but
      /// still checked) by the optimal rule. Default 0.1 (Fig. 1).
      DiscriminatorStep: float
      /// Number of updates (≥ 1); the trajectory holds steps + 1 states. Default 1,000.
      Steps: int
      /// The update rule. Default first-order.
      Rule: DynamicsRule }

    static member Default =
        { TrueMeans = [ -0.5; 0.5 ]
          InitialMeans = [ 0.3; 0.9 ]
          InitialIntervals = [ -1.0; 0.0; 0.5; 2.0 ]
          GeneratorStep = 0.1
          DiscriminatorStep = 0.1
          Steps = 1_000
          Rule = DynamicsRule.FirstOrder }

/// The documented constants by which a trajectory's outcome is read (see `Outcome.classify`). All are
/// judged over the tail window, the last `TailShare` of the steps.
type OutcomeTolerances =
    { /// Share of the steps, counted from the end, over which the outcome is judged. Default 0.1 (the
      /// last 100 of 1,000 steps).
      TailShare: float
      /// Converged: the distance of μ̂ from μ* as a set (the better of the two matchings, largest
      /// coordinate error) stays at or below max(`Converged`, min(`CycleSteps` · φ(0) · η_g, `MaxCycle`)) over the
      /// whole tail window (`Outcome.convergedTolerance`). Default 0.05, four times the ~0.013 cycle the optimal
      /// dynamics ends in at η_g = 0.1 for μ* = (−0.5, 0.5), which therefore counts as converged.
      Converged: float
      /// The allowance for a fixed step's cycle around μ*, in generator steps of the largest possible size:
      /// |∂L/∂μ_i| ≤ φ(0) ≈ 0.399, so one step moves a mean by at most φ(0) · η_g, and a cycle around μ* that
      /// the step cannot shrink has about that radius. Default 1 (0.040 at η_g = 0.1, so `Converged` governs;
      /// 0.120 at Fig. 2's η_g = 0.3).
      CycleSteps: float
      /// The largest cycle allowance: a step so large that its cycle would exceed this is not converging to μ* in
      /// seed 002's sense (the means settling on the true ones), however regular its cycle. Default 0.25, a quarter
      /// of the components' standard deviation (TV ≤ 0.1 between N(μ, 1) and N(μ ± 0.25, 1)), reached at
      /// η_g ≈ 0.63; at η_g = 30 the allowance would otherwise be 12.
      MaxCycle: float
      /// Mode collapse: |μ̂1 − μ̂2| stays at or below this over the tail window while |μ*1 − μ*2| is
      /// larger than twice the converged tolerance (`Outcome.convergedTolerance`: `Converged`, or the cycle allowance
      /// at large η_g). Default 0.05.
      ModeCollapse: float
      /// Stalled: no coordinate of μ̂ moves by more than this over the tail window. Default 1e-3.
      Stall: float
      /// An interval is degenerate when r_k − l_k is at or below this at the end. Default 1e-6 (the
      /// projection merges crossed endpoints exactly, so collapsed intervals have width 0).
      DegenerateWidth: float
      /// An interval has left the mass when it holds at most this much of p_μ* and of p_μ̂ at the end.
      /// Default 1e-3.
      EmptyMass: float
      /// Diverged: some |μ̂_i| exceeds this or is not finite, or an endpoint is NaN (endpoints themselves may lie
      /// anywhere, ±∞ included). Default 1e3.
      Divergence: float }

    static member Default =
        { TailShare = 0.1
          Converged = 0.05
          CycleSteps = 1.0
          MaxCycle = 0.25
          ModeCollapse = 0.05
          Stall = 1e-3
          DegenerateWidth = 1e-6
          EmptyMass = 1e-3
          Divergence = 1e3 }

/// Beyond the notes: the share of random initial conditions that converge, per cell of a grid of true-mean
/// separations × step-size ratios η_d/η_g, for both rules, plus the single-Gaussian case.
type PhaseDiagramSpec =
    { /// True-mean separations s = μ*2 − μ*1 (> 0); the true means are (−s/2, s/2). Default 0.5, 1, 2, 3, 4, 6.
      Separations: float list
      /// Step-size ratios η_d/η_g (> 0) of the first-order rule; the optimal rule has no η_d and is run once per
      /// separation. Default 0.25, 0.5, 1, 2, 4, 8.
      StepRatios: float list
      /// Generator step η_g (> 0) of every cell. Default 0.1 (seed 002 Fig. 1).
      GeneratorStep: float
      /// Random initial conditions per cell (≥ 1), the same uniform draws in every cell (common random numbers).
      /// Default 2,000.
      InitialConditions: int
      /// Updates per trajectory (≥ 1). Default 5,000: first-order runs that converge spiral in slowly, and the
      /// optimal dynamics from far initial conditions (separation 6) needs more than 1,000 steps to arrive.
      Steps: int
      /// Initial conditions are drawn in the box [min μ* − margin, max μ* + margin]: each μ̂_i uniformly, the 2K
      /// endpoints as sorted uniform draws. Default 2.
      Margin: float
      /// Also run the single-Gaussian game (μ* = 0, one generator mean, one interval) for every ratio. Default true.
      SingleGaussian: bool
      /// Seed of the initial-condition draws; the same seed gives the same diagram. From 0 to 2³¹ − 2 (`System.Random`
      /// takes a seed's magnitude; seed + 1 seeds the single-Gaussian draws). Default 1.
      Seed: int }

    static member Default =
        { Separations = [ 0.5; 1.0; 2.0; 3.0; 4.0; 6.0 ]
          StepRatios = [ 0.25; 0.5; 1.0; 2.0; 4.0; 8.0 ]
          GeneratorStep = 0.1
          InitialConditions = 2_000
          Steps = 5_000
          Margin = 2.0
          SingleGaussian = true
          Seed = 1 }

/// What a panel of a dynamics figure shows.
[<RequireQualifiedAccess>]
type PanelView =
    /// μ̂ as solid lines and the interval endpoints as dotted lines against the step (seed 002 Fig. 1).
    | Traces
    /// p_μ* − p_μ̂ with the discriminator's intervals shaded, at the initial state (seed 002 Fig. 2(a), and (b)
    /// for the optimal rule, whose initial discriminator is the maximiser).
    | DifferenceAtStart
    /// The same at the final state (seed 002 Fig. 2(c)-(e)).
    | DifferenceAtEnd

/// One panel of a dynamics figure: a run and what to draw of it.
type DynamicsPanel =
    { /// Panel label, e.g. `(b) first order: mode collapse`.
      Label: string
      /// The run drawn.
      Run: DynamicsSpec
      /// What is drawn. Default traces.
      View: PanelView }

/// Seed 002 sec. 4 beside the dynamics: support sizes by the birthday paradox (Arora & Zhang 2017) for models of
/// known and unknown support, at one resolution δ.
type SupportSizesSpec =
    { /// Values drawn from each model (the pool the batches come from). Default 100,000.
      Samples: int
      /// Batches per tested batch size. Default 200.
      Batches: int
      /// Near-duplicate distance δ (> 0): two values closer than this collide. Default 1e-5.
      Delta: float
      /// Training-set sizes m of the memorizing models (each ≥ 1): a memorizer replays its m training points, a
      /// memorizing mixture adds N(0, σ²) noise to them (seed 001 sec. 3.4's baseline). Default 1,000 and 10,000.
      TrainingSizes: int list
      /// σ (> 0) of the memorizing mixtures. Default 1e-3.
      MemorizingBandwidth: float
      /// Seed of every draw, from 0 to 2³¹ − 2 (`System.Random` takes a seed's magnitude; seed + 1 seeds the estimates).
      /// Default 1.
      Seed: int }

    static member Default =
        { Samples = 100_000
          Batches = 200
          Delta = 1e-5
          TrainingSizes = [ 1_000; 10_000 ]
          MemorizingBandwidth = 1e-3
          Seed = 1 }

/// What a dynamics experiment computes.
[<RequireQualifiedAccess>]
type DynamicsExperimentKind =
    /// A figure of one or more runs (seed 002 Figs. 1 and 2).
    | Figure of panels: DynamicsPanel list
    /// A phase diagram (or, with one separation and one ratio, an outcome census).
    | PhaseDiagram of PhaseDiagramSpec
    /// Support sizes by the birthday paradox.
    | SupportSizes of SupportSizesSpec

/// A declared seed 002 experiment (`ganflow run NAME`, names starting with `seed002-`).
type DynamicsExperiment =
    { /// Name used on the command line: lower case, digits and dashes, starting with `seed002-`.
      Name: string
      /// One line shown by `ganflow list --verbose` and in the report.
      Description: string
      /// What is computed.
      Kind: DynamicsExperimentKind
      /// How outcomes (of figure panels and phase-diagram trajectories) are read. Default
      /// `OutcomeTolerances.Default`.
      Tolerances: OutcomeTolerances }
