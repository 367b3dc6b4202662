/// Generators and numeric helpers shared by the metric tests.
module GanFlow.Tests.Samples

open FsCheck.FSharp

/// A value on a 0.01 grid in [−100, 100]: ties are frequent, overflow impossible.
let value = Gen.choose (-10_000, 10_000) |> Gen.map (fun i -> float i / 100.0)

/// A sample of 1 to 30 such values.
let sample =
    gen {
        let! n = Gen.choose (1, 30)
        return! Gen.arrayOfLength n value
    }

/// One sample, for properties.
let oneSample = Arb.fromGen sample

/// Two independent samples of independent sizes, for properties.
let twoSamples = Arb.fromGen (Gen.zip sample sample)

/// a and b agree to `tolerance`, relative to their size (absolute near zero).
let close (tolerance: float) (a: float) (b: float) = abs (a - b) <= tolerance * (1.0 + abs a + abs b)

/// Trapezoid rule for `f` on `points` equally spaced values over [low, high].
let trapezoid (f: float -> float) (low: float) (high: float) (points: int) =
    let step = (high - low) / float (points - 1)
    let mutable total = 0.5 * (f low + f high)
    for i in 1 .. points - 2 do
        total <- total + f (low + step * float i)
    total * step

/// A copy of `xs` in an order drawn from `seed`.
let shuffled (seed: int) (xs: float[]) =
    let rng = System.Random seed
    let copy = Array.copy xs
    for i in copy.Length - 1 .. -1 .. 1 do
        let j = rng.Next(i + 1)
        let kept = copy[i]
        copy[i] <- copy[j]
        copy[j] <- kept
    copy
