namespace GanFlow.Core.Dynamics

/// Seed 002 sec. 2's optimal-discriminator dynamics: l⁽ᵗ⁾, r⁽ᵗ⁾ = argmax_{l,r} L(μ̂⁽ᵗ⁾, l, r) exactly
/// (`OptimalDiscriminator`), then μ̂⁽ᵗ⁺¹⁾ = μ̂⁽ᵗ⁾ − η_g ∇_μ L(μ̂⁽ᵗ⁾, l⁽ᵗ⁾, r⁽ᵗ⁾). By the envelope theorem that is a
/// gradient step on G(μ̂) = max_{l,r} L = 1 + TV(p_μ*, p_μ̂) wherever G is differentiable. G is not differentiable at
/// μ̂ = μ* (TV grows like |μ̂ − μ*|), so with a fixed step the iterates end in a small cycle around μ* whose size is
/// of the order of η_g times the gradient's magnitude near μ*.
module OptimalDynamics =

    /// The discriminator the rule uses at `means` (the maximiser) and the generator's gradient against it.
    let discriminatorAndGradient (trueMeans: float[]) (means: float[]) =
        let endpoints = OptimalDiscriminator.endpoints trueMeans means
        let meanGradient, _ = TwoGaussianGame.gradient trueMeans means endpoints
        endpoints, meanGradient

    /// One step: the maximising endpoints at `means` (state t's discriminator) and the next means.
    let step (trueMeans: float[]) (generatorStep: float) (means: float[]) =
        let endpoints, meanGradient = discriminatorAndGradient trueMeans means
        endpoints, Array.map2 (fun m g -> m - generatorStep * g) means meanGradient
