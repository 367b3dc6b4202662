namespace GanFlow.Core.Dynamics

open MathNet.Numerics

/// Seed 002 sec. 2's game in closed form. The true distribution and the generator are equal-weight mixtures of
/// K unit-variance Gaussians, p_μ(x) = (1/K) Σ_i φ(x − μ_i) (K = 2 in the notes, K = 1 the single-Gaussian case);
/// the discriminator is D = Σ_k 1[l_k, r_k] over K ordered intervals, stored as one array
/// `endpoints = [| l1; r1; l2; r2 |]`. The loss is
///
///   L(μ, l, r) = E_{x∼G_μ*}[D(x)] + E_{x∼G_μ}[1 − D(x)]
///              = 1 + Σ_k [P_μ*(l_k, r_k) − P_μ(l_k, r_k)],   P_μ(a, b) = (1/K) Σ_i [Φ(b − μ_i) − Φ(a − μ_i)],
///
/// and its gradients are
///
///   ∂L/∂μ_i = (1/K) Σ_k [φ(r_k − μ_i) − φ(l_k − μ_i)],   ∂L/∂r_k = p_μ*(r_k) − p_μ(r_k),   ∂L/∂l_k = p_μ(l_k) − p_μ*(l_k).
///
/// Endpoints may be ±∞ (the optimal discriminator's half-lines): Φ and φ take their limits there. Pure, float64.
module TwoGaussianGame =

    let private inverseSqrtTwoPi = 1.0 / sqrt (2.0 * System.Math.PI)

    /// The standard normal density φ(z); 0 at ±∞.
    let phi (z: float) = inverseSqrtTwoPi * exp (-0.5 * z * z)

    /// The standard normal cdf Φ(z) = ½ erfc(−z/√2); 0 at −∞, 1 at +∞.
    let cdf (z: float) = 0.5 * SpecialFunctions.Erfc(-z / sqrt 2.0)

    /// Φ(b) − Φ(a) for a ≤ b, computed in the tail where it is small, so that intervals far to the right do not
    /// lose their mass to cancellation (1 − 1).
    let normalMass (a: float) (b: float) =
        if a > 0.0 then cdf -a - cdf -b else cdf b - cdf a

    /// The mixture density p_μ(x) = (1/K) Σ_i φ(x − μ_i).
    let density (means: float[]) (x: float) =
        let mutable total = 0.0
        for m in means do
            total <- total + phi (x - m)
        total / float means.Length

    /// P_μ([a, b]) = (1/K) Σ_i [Φ(b − μ_i) − Φ(a − μ_i)], the mixture's mass on [a, b] (0 when a ≥ b).
    let mass (means: float[]) (a: float) (b: float) =
        if not (a < b) then 0.0
        else
            let mutable total = 0.0
            for m in means do
                total <- total + normalMass (a - m) (b - m)
            total / float means.Length

    /// The mixture's mass on the discriminator's set Σ_k [l_k, r_k].
    let discriminatorMass (means: float[]) (endpoints: float[]) =
        let mutable total = 0.0
        for k in 0 .. endpoints.Length / 2 - 1 do
            total <- total + mass means endpoints[2 * k] endpoints[2 * k + 1]
        total

    /// The loss L(μ, l, r) = 1 + Σ_k [P_μ*(l_k, r_k) − P_μ(l_k, r_k)] (seed 002 sec. 2).
    let loss (trueMeans: float[]) (means: float[]) (endpoints: float[]) =
        1.0 + (discriminatorMass trueMeans endpoints - discriminatorMass means endpoints)

    /// Writes ∂L/∂μ into `meanGradient` (K values) and ∂L/∂(l1, r1, l2, r2) into `endpointGradient` (2K values),
    /// without allocating; the hot loop of the dynamics.
    let gradientInto (trueMeans: float[]) (means: float[]) (endpoints: float[]) (meanGradient: float[]) (endpointGradient: float[]) =
        let k = float means.Length
        for i in 0 .. meanGradient.Length - 1 do
            meanGradient[i] <- 0.0
        for j in 0 .. endpoints.Length - 1 do
            let e = endpoints[j]
            // +1 for a right endpoint r_k, −1 for a left endpoint l_k.
            let sign = if j % 2 = 1 then 1.0 else -1.0
            let mutable truth = 0.0
            for t in trueMeans do
                truth <- truth + phi (e - t)
            let mutable model = 0.0
            for i in 0 .. means.Length - 1 do
                let v = phi (e - means[i])
                model <- model + v
                meanGradient[i] <- meanGradient[i] + sign * v / k
            endpointGradient[j] <- sign * (truth - model) / k

    /// The gradient of L at (μ, l, r): ∂L/∂μ and ∂L/∂(l1, r1, l2, r2).
    let gradient (trueMeans: float[]) (means: float[]) (endpoints: float[]) =
        let meanGradient = Array.zeroCreate means.Length
        let endpointGradient = Array.zeroCreate endpoints.Length
        gradientInto trueMeans means endpoints meanGradient endpointGradient
        meanGradient, endpointGradient
