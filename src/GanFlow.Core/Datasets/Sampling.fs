namespace GanFlow.Core.Datasets

/// Seeded sampling from a `Distribution`. The caller owns the `System.Random`, so samples are a
/// function of the seed alone (a seeded `System.Random` gives the same stream on every platform).
module Sampling =

    /// A uniformly random permutation of 0 … n − 1 (Fisher-Yates, drawing from the last position down).
    let permutation (rng: System.Random) (n: int) : int[] =
        let order = Array.init n id
        for i in n - 1 .. -1 .. 1 do
            let j = rng.Next(i + 1)
            let t = order[i]
            order[i] <- order[j]
            order[j] <- t
        order

    /// One standard normal draw (Box-Muller, one of the pair).
    let standardNormal (rng: System.Random) =
        let u1 = 1.0 - rng.NextDouble() // in (0, 1]
        let u2 = rng.NextDouble()
        sqrt (-2.0 * log u1) * cos (2.0 * System.Math.PI * u2)

    let private pickComponent (rng: System.Random) (components: MixtureComponent list) =
        let total = components |> List.sumBy (fun c -> c.Weight)
        let u = rng.NextDouble() * total
        let rec walk acc (rest: MixtureComponent list) =
            match rest with
            | [ last ] -> last.Distribution
            | c :: tail -> if u < acc + c.Weight then c.Distribution else walk (acc + c.Weight) tail
            | [] -> invalidArg "components" "a mixture needs at least one component"
        walk 0.0 components

    /// Draws one sample into `into` (length = dimension).
    let rec private drawInto (rng: System.Random) distribution (into: float[]) =
        match distribution with
        | Distribution.Uniform(low, high) -> into[0] <- low + (high - low) * rng.NextDouble()
        | Distribution.Gaussian(mean, std) -> into[0] <- mean + std * standardNormal rng
        | Distribution.Mixture components -> drawInto rng (pickComponent rng components) into
        | Distribution.LocationScale(location, scale, inner) ->
            drawInto rng inner into
            for i in 0 .. into.Length - 1 do
                into[i] <- location + scale * into[i]
        | Distribution.TwoMoons noise ->
            let t = System.Math.PI * rng.NextDouble()
            let outer = rng.NextDouble() < 0.5
            let x, y = if outer then cos t, sin t else 1.0 - cos t, 0.5 - sin t
            into[0] <- x + noise * standardNormal rng
            into[1] <- y + noise * standardNormal rng
        | Distribution.IsotropicGaussian(mean, std) -> mean |> List.iteri (fun k m -> into[k] <- m + std * standardNormal rng)

    /// `count` samples as a row-major array of length count · dimension.
    let sample (rng: System.Random) distribution (count: int) : float[] =
        let d = Densities.dimension distribution
        let result = Array.zeroCreate (count * d)
        let one = Array.zeroCreate d
        for i in 0 .. count - 1 do
            drawInto rng distribution one
            Array.blit one 0 result (i * d) d
        result
