namespace GanFlow.Core.Dynamics

/// Runs a rule from an initial state, handing every state t = 0 … steps to an observer. The states handed over are
/// scratch buffers, valid only during the call (copy them to keep them); for the optimal rule the endpoints of state
/// t are the maximiser at μ̂⁽ᵗ⁾. Deterministic: the same inputs give the same states, bit for bit.
module Simulation =

    /// Iterates `rule` for `steps` updates from (initialMeans, initialEndpoints), calling `observe t means endpoints`
    /// at every state. `initialEndpoints` is ignored by the optimal rule.
    let iterate (rule: DynamicsRule) (trueMeans: float[]) (generatorStep: float) (discriminatorStep: float) (steps: int)
                (initialMeans: float[]) (initialEndpoints: float[]) (observe: int -> float[] -> float[] -> unit) =
        let components = initialMeans.Length
        match rule with
        | DynamicsRule.Optimal ->
            let mutable means = Array.copy initialMeans
            for t in 0 .. steps do
                let endpoints, meanGradient = OptimalDynamics.discriminatorAndGradient trueMeans means
                observe t means endpoints
                if t < steps then means <- Array.map2 (fun m g -> m - generatorStep * g) means meanGradient
        | DynamicsRule.FirstOrder
        | DynamicsRule.DiscriminatorOnly ->
            let generatorStep = if rule = DynamicsRule.DiscriminatorOnly then 0.0 else generatorStep
            let work = FirstOrderDynamics.Workspace.Create components
            let mutable means = Array.copy initialMeans
            let mutable endpoints = OrderedEndpoints.project initialEndpoints
            let mutable nextMeans = Array.zeroCreate components
            let mutable nextEndpoints = Array.zeroCreate (2 * components)
            for t in 0 .. steps do
                observe t means endpoints
                if t < steps then
                    FirstOrderDynamics.stepInto work trueMeans generatorStep discriminatorStep means endpoints nextMeans nextEndpoints
                    let m, e = means, endpoints
                    means <- nextMeans
                    endpoints <- nextEndpoints
                    nextMeans <- m
                    nextEndpoints <- e
