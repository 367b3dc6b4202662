namespace GanFlow.Core.Specs

/// Seeds derived from seeds: pure functions of their inputs (SplitMix64 finalisers), so that a step's or a trial's
/// randomness never depends on what ran before it, and a resumed run or search repeats an uninterrupted one exactly.
module Seeds =

    /// The SplitMix64 finaliser of `z` (Steele, Lea & Flood 2014).
    let mix (z: uint64) =
        let z = z + 0x9E3779B97F4A7C15UL
        let z = (z ^^^ (z >>> 30)) * 0xBF58476D1CE4E5B9UL
        let z = (z ^^^ (z >>> 27)) * 0x94D049BB133111EBUL
        z ^^^ (z >>> 31)

    /// A 63-bit seed for (seed, index, stream): e.g. (experiment seed, step, stream) or (search seed, trial, stream).
    let derive (seed: int) (index: int) (stream: int) : int64 =
        int64 (mix (mix (mix (uint64 (uint32 seed)) ^^^ uint64 (uint32 index)) ^^^ uint64 stream) >>> 1)

    /// A `System.Random` seeded from `derive` (its sequence is the same on every platform).
    let random (seed: int) (index: int) (stream: int) = System.Random(int (derive seed index stream &&& int64 System.Int32.MaxValue))

    /// `System.Random seed` for a seed >= 0 (what every recorded figure used); for a negative one, whose magnitude
    /// `System.Random` would take (−s repeating s's numbers), the derived stream `random seed 0 0`. For a run's own
    /// seed, which may be negative (`ganflow run --seed -3`), where the report draws with it.
    let systemRandom (seed: int) = if seed >= 0 then System.Random seed else random seed 0 0
