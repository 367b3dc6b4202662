namespace GanFlow.Core.Dynamics

/// Seed 002 sec. 2's first-order dynamics: one simultaneous gradient step of both players, every update computed
/// from the previous state,
///
///   μ̂⁽ᵗ⁺¹⁾ = μ̂⁽ᵗ⁾ − η_g ∇_μ L(μ̂⁽ᵗ⁾, l⁽ᵗ⁾, r⁽ᵗ⁾),   r⁽ᵗ⁺¹⁾ = r⁽ᵗ⁾ + η_d ∇_r L(…),   l⁽ᵗ⁺¹⁾ = l⁽ᵗ⁾ + η_d ∇_l L(…),
///
/// followed by the projection of the endpoints onto l1 ≤ r1 ≤ l2 ≤ r2 (`OrderedEndpoints`).
module FirstOrderDynamics =

    /// Scratch space for one trajectory's gradients, so that the hot loop allocates nothing.
    type Workspace =
        { MeanGradient: float[]
          EndpointGradient: float[] }

        static member Create(components: int) =
            { MeanGradient = Array.zeroCreate components; EndpointGradient = Array.zeroCreate (2 * components) }

    /// One step: reads (means, endpoints), writes the next state into (nextMeans, nextEndpoints). A generator step
    /// of 0 leaves μ̂ fixed (the discriminator-only rule of seed 002 Fig. 2(c)).
    let stepInto (work: Workspace) (trueMeans: float[]) (generatorStep: float) (discriminatorStep: float)
                 (means: float[]) (endpoints: float[]) (nextMeans: float[]) (nextEndpoints: float[]) =
        TwoGaussianGame.gradientInto trueMeans means endpoints work.MeanGradient work.EndpointGradient
        for i in 0 .. means.Length - 1 do
            nextMeans[i] <- means[i] - generatorStep * work.MeanGradient[i]
        for j in 0 .. endpoints.Length - 1 do
            nextEndpoints[j] <- endpoints[j] + discriminatorStep * work.EndpointGradient[j]
        OrderedEndpoints.projectInPlace nextEndpoints

    /// One step as a pure function: the next (means, endpoints).
    let step (trueMeans: float[]) (generatorStep: float) (discriminatorStep: float) (means: float[]) (endpoints: float[]) =
        let nextMeans = Array.zeroCreate means.Length
        let nextEndpoints = Array.zeroCreate endpoints.Length
        stepInto (Workspace.Create means.Length) trueMeans generatorStep discriminatorStep means endpoints nextMeans nextEndpoints
        nextMeans, nextEndpoints
