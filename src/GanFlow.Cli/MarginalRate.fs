/// The bench's training rates: a marginal rate over two run lengths, the run lengths doubled until the difference is
/// long enough for the machine's noise not to decide it. Pure given the clock it is handed (`timed`), so its rule is tested
/// with closed-form clocks.
module GanFlow.Cli.MarginalRate

/// What one measurement found: the training rate (steps per second, NaN when unresolved) and the shorter run's steps it
/// settled on (the longer run took twice as many).
type Measured =
    { StepsPerSecond: float
      Steps: int }
    /// Seconds per step: the rate's reciprocal (NaN when the rate is).
    member m.SecondsPerStep = 1.0 / m.StepsPerSecond

/// The most times the run lengths are doubled after the first pair (so the shorter run takes at most 64× the steps
/// asked for, the longer 128×).
[<Literal>]
let MaximumDoublings = 6

/// `timed n` is the seconds a run of n steps took (through the real runner: start, evaluation, files). After a warm-up
/// run of max(2, steps/2) steps (the JIT's first compilations fall in neither timed run; its tiered recompilation of a
/// method after about 30 calls can still fall in the shorter one), times runs of n and 2n steps,
/// n = `steps` first, and returns n over their difference, so that what does not grow with the steps cancels. While the
/// difference is below `minimumWindow` seconds (a row so fast that its timed part is shorter than the machine's
/// scheduling noise) the pair is taken again at twice the steps, at most `MaximumDoublings` times; out of doublings, the
/// last pair's rate however short its window. With `minimumWindow` 0 the first pair is the measurement. A longer run no
/// slower than the shorter one is noise, not a rate: NaN, never a huge number.
let measure (minimumWindow: float) (steps: int) (timed: int -> float) : Measured =
    if steps < 1 then invalidArg (nameof steps) (sprintf "steps must be >= 1, got %d" steps)
    timed (max 2 (steps / 2)) |> ignore
    let rec pair n doublings =
        let short = timed n
        let long = timed (2 * n)
        let window = long - short
        let resolved = window > 0.0 && window >= minimumWindow
        if not resolved && minimumWindow > 0.0 && doublings < MaximumDoublings then pair (2 * n) (doublings + 1)
        else { StepsPerSecond = (if window > 0.0 then float n / window else nan); Steps = n }
    pair steps 0
