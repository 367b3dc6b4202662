namespace GanFlow.Core.Dynamics

/// Runs a rule from an initial state, handing every state t = 0 … steps to an observer. The states handed over are
/// scratch buffers, valid only during the call (copy them to keep them); for the optimal rule the endpoints of state
/// t are the maximiser at μ̂⁽ᵗ⁾. Deterministic: the same inputs give the same states, bit for bit.
module Simulation =

    /// A generator mean beyond ±this has diverged by any tolerance (`OutcomeTolerances.Divergence` defaults to 1e3);
    /// past it the game's exponential sums overflow double precision, so the run stops there.
    [<Literal>]
    let MeanLimit = 1e12

    /// Iterates `rule` for `steps` updates from (initialMeans, initialEndpoints), calling `observe t means endpoints`
    /// at every state. `initialEndpoints` is ignored by the optimal rule. A generator mean that becomes NaN, ±∞ or larger than `MeanLimit` (a
    /// step far too large) ends the run there, before that state is observed: returns the step t of the first
    /// non-finite state (or beyond ±`MeanLimit`), None when every state was within it.
    let iterate (rule: DynamicsRule) (trueMeans: float[]) (generatorStep: float) (discriminatorStep: float) (steps: int)
                (initialMeans: float[]) (initialEndpoints: float[]) (observe: int -> float[] -> float[] -> unit) =
        let components = initialMeans.Length
        let finite (values: float[]) = values |> Array.forall (fun v -> System.Double.IsFinite v && abs v <= MeanLimit)
        let mutable diverged = None
        match rule with
        | DynamicsRule.Optimal ->
            let mutable means = Array.copy initialMeans
            let mutable t = 0
            while t <= steps && diverged.IsNone do
                if not (finite means) then diverged <- Some t
                else
                    let endpoints, meanGradient = OptimalDynamics.discriminatorAndGradient trueMeans means
                    observe t means endpoints
                    if t < steps then means <- Array.map2 (fun m g -> m - generatorStep * g) means meanGradient
                    t <- t + 1
        | DynamicsRule.FirstOrder
        | DynamicsRule.DiscriminatorOnly ->
            let generatorStep = if rule = DynamicsRule.DiscriminatorOnly then 0.0 else generatorStep
            let work = FirstOrderDynamics.Workspace.Create components
            let mutable means = Array.copy initialMeans
            let mutable endpoints = OrderedEndpoints.project initialEndpoints
            let mutable nextMeans = Array.zeroCreate components
            let mutable nextEndpoints = Array.zeroCreate (2 * components)
            let mutable t = 0
            while t <= steps && diverged.IsNone do
                if not (finite means) then diverged <- Some t
                else
                    observe t means endpoints
                    if t < steps then
                        FirstOrderDynamics.stepInto work trueMeans generatorStep discriminatorStep means endpoints nextMeans nextEndpoints
                        let m, e = means, endpoints
                        means <- nextMeans
                        endpoints <- nextEndpoints
                        nextMeans <- m
                        nextEndpoints <- e
                    t <- t + 1
        diverged
