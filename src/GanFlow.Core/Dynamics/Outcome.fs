namespace GanFlow.Core.Dynamics

/// How a run of seed 002's game ends, read from its trajectory with `OutcomeTolerances`.
[<RequireQualifiedAccess>]
type Outcome =
    /// μ̂ equals μ* as a set, to `Outcome.convergedTolerance` (`Converged`, or a fixed step's cycle up to `MaxCycle`),
    /// over the whole tail window.
    | Converged
    /// Both generator means at one place (|μ̂1 − μ̂2| ≤ `ModeCollapse` over the tail) while μ* is separated.
    | ModeCollapse
    /// Stalled away from μ*: μ̂ moves by at most `Stall` over the tail, both intervals alive.
    | VanishingGradient
    /// Not converged, and an interval of the first-order discriminator has degenerated (width ≤ `DegenerateWidth`)
    /// or left the mass (≤ `EmptyMass` of both p_μ* and p_μ̂) at the end.
    | DiscriminatorCollapse
    /// Still moving at the end without converging, or diverged (a mean beyond `Divergence` or not finite:
    /// `TailStatistics.DivergedAt` says when).
    | Oscillation

    /// The command line's and CSV files' name of the outcome.
    member this.Text =
        match this with
        | Converged -> "converged"
        | ModeCollapse -> "mode-collapse"
        | VanishingGradient -> "vanishing-gradient"
        | DiscriminatorCollapse -> "discriminator-collapse"
        | Oscillation -> "oscillation"

    /// Every outcome, in the order of the classification rules.
    static member All = [ Converged; ModeCollapse; DiscriminatorCollapse; VanishingGradient; Oscillation ]

/// What the outcome is read from: statistics of the tail window and of the final state, gathered state by state.
type TailStatistics =
    { /// The largest distance of μ̂ from μ* as a set (sorted coordinates, largest error) over the tail window: the
      /// radius of the final cycle when converged. NaN when the run stopped before the tail window (no state to read).
      MaxSetDistance: float
      /// The largest |μ̂1 − μ̂2| over the tail window (0 for one component; NaN when the run stopped before it).
      MaxGap: float
      /// Peak-to-peak range of each coordinate of μ̂ (sorted) over the tail window: the cycle's extent. NaN when the
      /// run stopped before the tail window.
      MeanRanges: float[]
      /// The first state t at which a generator mean was beyond `Divergence` or not finite, or an endpoint NaN (the
      /// run went on unless the mean left `Simulation.MeanLimit`); None when every state was within bounds.
      DivergedAt: int option
      /// The final state's means.
      FinalMeans: float[]
      /// The final state's endpoints (l1, r1, l2, r2).
      FinalEndpoints: float[] }

/// Reading outcomes.
module Outcome =

    /// The distance of `means` from `trueMeans` as sets: sorted coordinates matched in order (the best matching in
    /// one dimension), largest absolute error.
    let setDistance (trueMeans: float[]) (means: float[]) =
        if means.Length = 1 then abs (means[0] - trueMeans[0])
        else
            let a0, a1 = min trueMeans[0] trueMeans[1], max trueMeans[0] trueMeans[1]
            let b0, b1 = min means[0] means[1], max means[0] means[1]
            max (abs (a0 - b0)) (abs (a1 - b1))

    /// The first state of the tail window of a run of `steps` updates (states 0 … steps).
    let tailStart (tolerances: OutcomeTolerances) (steps: int) =
        steps - max 1 (int (ceil (tolerances.TailShare * float steps)))

    /// Gathers `TailStatistics` state by state; `Observe` has `Simulation.iterate`'s observer signature.
    type Accumulator(tolerances: OutcomeTolerances, trueMeans: float[], steps: int) =
        let start = tailStart tolerances steps
        let components = trueMeans.Length
        let low = Array.create components System.Double.PositiveInfinity
        let high = Array.create components System.Double.NegativeInfinity
        let sorted = Array.zeroCreate<float> components
        let mutable maxDistance = 0.0
        let mutable maxGap = 0.0
        let mutable tailStates = 0
        let mutable divergedAt = None
        let finalMeans = Array.zeroCreate<float> components
        let finalEndpoints = Array.zeroCreate<float> (2 * components)

        member _.Observe (t: int) (means: float[]) (endpoints: float[]) =
            if divergedAt.IsNone then
                // Endpoints may lie anywhere: ±∞ is the optimal discriminator's half-line, and p_μ* − p_μ̂ can cross zero
                // far out in a tail (x ≈ 1,052 for μ̂ = (0.49905, 0.49956), μ* = (−0.5, 0.5)). Only NaN is a failure.
                if means |> Array.exists (fun m -> not (System.Double.IsFinite m) || abs m > tolerances.Divergence)
                   || endpoints |> Array.exists System.Double.IsNaN then
                    divergedAt <- Some t
            if t >= start then
                tailStates <- tailStates + 1
                Array.blit means 0 sorted 0 components
                if components = 2 && sorted[0] > sorted[1] then
                    sorted[0] <- means[1]
                    sorted[1] <- means[0]
                for i in 0 .. components - 1 do
                    low[i] <- min low[i] sorted[i]
                    high[i] <- max high[i] sorted[i]
                maxDistance <- max maxDistance (setDistance trueMeans means)
                if components = 2 then maxGap <- max maxGap (sorted[1] - sorted[0])
            if t = steps then
                Array.blit means 0 finalMeans 0 components
                Array.blit endpoints 0 finalEndpoints 0 endpoints.Length

        /// The run stopped at step `t` (`Simulation.iterate` returned it: a generator mean not finite or beyond
        /// `Simulation.MeanLimit`), a state never observed: diverged there unless it had already.
        member _.MarkDiverged(t: int) = if divergedAt.IsNone then divergedAt <- Some t

        member _.Statistics =
            // A run that stopped before its tail window has no tail to read: not available, not 0 or −∞.
            let observed = tailStates > 0
            { MaxSetDistance = (if observed then maxDistance else nan)
              MaxGap = (if observed then maxGap else nan)
              MeanRanges = (if observed then Array.map2 (-) high low else Array.create components nan)
              DivergedAt = divergedAt
              FinalMeans = Array.copy finalMeans
              FinalEndpoints = Array.copy finalEndpoints }

    /// True when some interval of `endpoints` is degenerate or holds (almost) no mass of either distribution.
    let discriminatorCollapsed (tolerances: OutcomeTolerances) (trueMeans: float[]) (means: float[]) (endpoints: float[]) =
        seq { 0 .. endpoints.Length / 2 - 1 }
        |> Seq.exists (fun k ->
            let l, r = endpoints[2 * k], endpoints[2 * k + 1]
            r - l <= tolerances.DegenerateWidth
            || (TwoGaussianGame.mass trueMeans l r <= tolerances.EmptyMass && TwoGaussianGame.mass means l r <= tolerances.EmptyMass))

    /// The largest tail distance of μ̂ from μ* that counts as converged at generator step η_g:
    /// max(`Converged`, min(`CycleSteps` · φ(0) · η_g, `MaxCycle`)). A fixed step's cycle around μ* is allowed for,
    /// but only while it is small beside the components' unit spread: seed 002 calls a run converged when μ̂ settles
    /// on the true means, which a cycle of radius φ(0) · η_g = 12 at η_g = 30 does not.
    let convergedTolerance (tolerances: OutcomeTolerances) (generatorStep: float) =
        max tolerances.Converged (min (tolerances.CycleSteps * TwoGaussianGame.phi 0.0 * generatorStep) tolerances.MaxCycle)

    /// The outcome of a run of `rule`, by the first rule that applies: diverged → oscillation; converged (within
    /// `convergedTolerance`); mode collapse; discriminator collapse (first-order rules only: the optimal rule's
    /// discriminator is recomputed every step); stalled → vanishing gradient; otherwise oscillation.
    let classify (tolerances: OutcomeTolerances) (rule: DynamicsRule) (trueMeans: float[]) (generatorStep: float) (stats: TailStatistics) =
        let converged = convergedTolerance tolerances generatorStep
        let separated = trueMeans.Length = 2 && abs (trueMeans[1] - trueMeans[0]) > 2.0 * converged
        if stats.DivergedAt.IsSome then Outcome.Oscillation
        elif stats.MaxSetDistance <= converged then Outcome.Converged
        elif separated && stats.MaxGap <= tolerances.ModeCollapse then Outcome.ModeCollapse
        elif rule <> DynamicsRule.Optimal && discriminatorCollapsed tolerances trueMeans stats.FinalMeans stats.FinalEndpoints then
            Outcome.DiscriminatorCollapse
        elif Array.forall (fun r -> r <= tolerances.Stall) stats.MeanRanges then Outcome.VanishingGradient
        else Outcome.Oscillation

    /// Runs `rule` from an initial state and returns its tail statistics and outcome without keeping the trajectory.
    let ofRun (tolerances: OutcomeTolerances) (rule: DynamicsRule) (trueMeans: float[]) (generatorStep: float)
              (discriminatorStep: float) (steps: int) (initialMeans: float[]) (initialEndpoints: float[]) =
        let accumulator = Accumulator(tolerances, trueMeans, steps)
        Simulation.iterate rule trueMeans generatorStep discriminatorStep steps initialMeans initialEndpoints accumulator.Observe
        |> Option.iter accumulator.MarkDiverged
        let stats = accumulator.Statistics
        stats, classify tolerances rule trueMeans generatorStep stats
