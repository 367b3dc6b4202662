namespace GanFlow.Core.Dynamics

/// How many initial conditions of a cell ended in each outcome.
type OutcomeCounts =
    { /// Initial conditions that converged.
      Converged: int
      /// … that ended in mode collapse.
      ModeCollapse: int
      /// … that ended in discriminator collapse.
      DiscriminatorCollapse: int
      /// … that stalled away from μ* with both intervals alive.
      VanishingGradient: int
      /// … still moving at the end, or diverged.
      Oscillation: int }

    member this.Total = this.Converged + this.ModeCollapse + this.DiscriminatorCollapse + this.VanishingGradient + this.Oscillation

    /// The count of one outcome.
    member this.Of(outcome: Outcome) =
        match outcome with
        | Outcome.Converged -> this.Converged
        | Outcome.ModeCollapse -> this.ModeCollapse
        | Outcome.DiscriminatorCollapse -> this.DiscriminatorCollapse
        | Outcome.VanishingGradient -> this.VanishingGradient
        | Outcome.Oscillation -> this.Oscillation

    /// The counts of a list of outcomes.
    static member Count(outcomes: Outcome seq) =
        let n o = outcomes |> Seq.filter ((=) o) |> Seq.length
        { Converged = n Outcome.Converged
          ModeCollapse = n Outcome.ModeCollapse
          DiscriminatorCollapse = n Outcome.DiscriminatorCollapse
          VanishingGradient = n Outcome.VanishingGradient
          Oscillation = n Outcome.Oscillation }

/// The game of a phase-diagram cell.
[<RequireQualifiedAccess>]
type PhaseGame =
    /// Seed 002's two-Gaussian mixture with μ* = (−s/2, s/2) and two intervals.
    | TwoGaussians
    /// One Gaussian N(0, 1) against a generator N(μ̂, 1) and one interval.
    | SingleGaussian

    member this.Text =
        match this with
        | TwoGaussians -> "two-gaussians"
        | SingleGaussian -> "single-gaussian"

/// One cell of the phase diagram.
type PhaseCell =
    { /// The game of the cell.
      Game: PhaseGame
      /// The rule every initial condition of the cell ran.
      Rule: DynamicsRule
      /// μ*2 − μ*1 (0 for the single Gaussian).
      Separation: float
      /// η_d/η_g; NaN for the optimal rule, which has no discriminator step.
      StepRatio: float
      Counts: OutcomeCounts
      /// Initial conditions that did not converge and whose generator stalled (no coordinate of μ̂ moved by more than
      /// `Stall` over the tail window), whatever their outcome: the stalls of the discriminator collapses among them are
      /// vanishing gradients caused by the collapse.
      Stalled: int
      /// The largest final-cycle radius (tail-window distance from μ*) among the converged initial conditions; NaN
      /// when none converged.
      MaxConvergedRadius: float }

    /// Converged initial conditions over all.
    member this.ShareConverged = float this.Counts.Converged / float this.Counts.Total

/// Beyond the notes: the share of random initial conditions that converge, over separations × step ratios, for
/// both rules (`PhaseDiagramSpec`). Initial conditions are drawn once per game from the spec's seed as uniform
/// numbers in [0, 1] and mapped into each cell's box, so every cell sees the same draws; each trajectory is a pure
/// function of its inputs and the cells' trajectories run in parallel (`Array.Parallel.map`, order kept), so a seed
/// gives the same diagram on any number of cores.
module PhaseDiagram =

    /// The uniform draws of `count` initial conditions of a K-component game: K means, then 2K endpoints.
    let draws (seed: int) (components: int) (count: int) =
        let rng = System.Random seed
        Array.init count (fun _ -> Array.init (3 * components) (fun _ -> rng.NextDouble()))

    /// One draw mapped into the box [min μ* − margin, max μ* + margin]: (means, sorted endpoints).
    let initialCondition (margin: float) (trueMeans: float[]) (draw: float[]) =
        let k = trueMeans.Length
        let low = Array.min trueMeans - margin
        let high = Array.max trueMeans + margin
        let place u = low + (high - low) * u
        Array.init k (fun i -> place draw[i]), Array.init (2 * k) (fun j -> place draw[k + j]) |> Array.sort

    /// One cell: every draw run to the end and classified.
    let cell (tolerances: OutcomeTolerances) (spec: PhaseDiagramSpec) (game: PhaseGame) (draws: float[][]) (separation: float) (rule: DynamicsRule) (ratio: float) =
        let trueMeans = match game with PhaseGame.TwoGaussians -> [| -0.5 * separation; 0.5 * separation |] | PhaseGame.SingleGaussian -> [| 0.0 |]
        let discriminatorStep = if rule = DynamicsRule.Optimal then spec.GeneratorStep else ratio * spec.GeneratorStep
        let results =
            draws
            |> Array.Parallel.map (fun draw ->
                let means, endpoints = initialCondition spec.Margin trueMeans draw
                Outcome.ofRun tolerances rule trueMeans spec.GeneratorStep discriminatorStep spec.Steps means endpoints)
        let stalled =
            results
            |> Array.filter (fun (s, o) -> o <> Outcome.Converged && s.MeanRanges |> Array.forall (fun r -> r <= tolerances.Stall))
            |> Array.length
        let radii = results |> Array.filter (fun (_, o) -> o = Outcome.Converged) |> Array.map (fun (s, _) -> s.MaxSetDistance)
        { Game = game
          Rule = rule
          Separation = separation
          StepRatio = (if rule = DynamicsRule.Optimal then nan else ratio)
          Counts = OutcomeCounts.Count(results |> Seq.map snd)
          Stalled = stalled
          MaxConvergedRadius = (if radii.Length = 0 then nan else Array.max radii) }

    /// Every cell of the diagram, two-Gaussian cells first (per separation: the optimal rule, then first order per
    /// ratio), then the single-Gaussian ones if asked for. `progress` is told each finished cell.
    let run (tolerances: OutcomeTolerances) (spec: PhaseDiagramSpec) (progress: PhaseCell -> unit) =
        let twoDraws = draws spec.Seed 2 spec.InitialConditions
        let oneDraws = draws (spec.Seed + 1) 1 spec.InitialConditions
        let jobs =
            [ for s in spec.Separations do
                  yield PhaseGame.TwoGaussians, twoDraws, s, DynamicsRule.Optimal, nan
                  for r in spec.StepRatios -> PhaseGame.TwoGaussians, twoDraws, s, DynamicsRule.FirstOrder, r
              if spec.SingleGaussian then
                  yield PhaseGame.SingleGaussian, oneDraws, 0.0, DynamicsRule.Optimal, nan
                  for r in spec.StepRatios -> PhaseGame.SingleGaussian, oneDraws, 0.0, DynamicsRule.FirstOrder, r ]
        jobs
        |> List.map (fun (game, d, s, rule, r) ->
            let c = cell tolerances spec game d s rule r
            progress c
            c)
