/// The bench's marginal training rate (`ganflow bench`): its rule checked against clocks whose rate is known in closed
/// form; no test here times anything.
module GanFlow.Tests.MarginalRateTests

open Expecto
open GanFlow.Cli

/// A clock for a run of n steps: `fixedSeconds` that do not grow with the steps plus n / `rate`; records every n asked.
let private clock (fixedSeconds: float) (rate: float) =
    let asked = ResizeArray<int>()
    asked, (fun (n: int) -> asked.Add n; fixedSeconds + float n / rate)

[<Tests>]
let tests =
    testList "bench marginal rate" [
        test "the fixed part cancels: a row at 40 steps/s over 50 and 100 steps is 40, from its first pair" {
            let asked, timed = clock 7.5 40.0
            let measured = MarginalRate.measure 1.0 50 timed
            Expect.floatClose Accuracy.high measured.StepsPerSecond 40.0 "steps per second"
            Expect.floatClose Accuracy.high measured.SecondsPerStep 0.025 "seconds per step"
            Expect.equal measured.Steps 50 "the first pair was long enough (1.25 s apart)"
            Expect.equal (List.ofSeq asked) [ 25; 50; 100 ] "a warm-up of half the steps, then the pair"
        }
        test "a fast row's steps are doubled until its two runs are a second apart" {
            // 240 steps/s from 10 steps: 10 steps are 0.042 s; 320 steps are the first to take a second.
            let asked, timed = clock 0.3 240.0
            let measured = MarginalRate.measure 1.0 10 timed
            Expect.equal measured.Steps 320 "10 doubled five times"
            Expect.floatClose Accuracy.high measured.StepsPerSecond 240.0 "the rate, not the fixed part"
            Expect.equal (List.ofSeq asked) [ 5; 10; 20; 20; 40; 40; 80; 80; 160; 160; 320; 320; 640 ] "each pair n, 2n"
        }
        test "the window is the difference of the two runs, not either run's length" {
            // 5 s of start and evaluation per run: each run alone is longer than the window from the first pair on.
            let _, timed = clock 5.0 240.0
            let measured = MarginalRate.measure 1.0 10 timed
            Expect.equal measured.Steps 320 "doubled until 2n and n steps are 1 s apart, as with a small fixed part"
            Expect.floatClose Accuracy.high measured.StepsPerSecond 240.0 "the rate"
        }
        test "the doubling stops after MaximumDoublings and gives the last pair's rate" {
            let _, timed = clock 0.1 1e6
            let measured = MarginalRate.measure 1.0 10 timed
            Expect.equal measured.Steps (10 <<< MarginalRate.MaximumDoublings) "64 times the steps asked for at most"
            Expect.floatClose Accuracy.medium measured.StepsPerSecond 1e6 "the last pair's rate"
        }
        test "with no minimum window the first pair is the measurement, and a longer run no slower gives NaN" {
            let asked, timed = clock 0.3 240.0
            let measured = MarginalRate.measure 0.0 10 timed
            Expect.equal measured.Steps 10 "no doubling"
            Expect.floatClose Accuracy.high measured.StepsPerSecond 240.0 "the rate"
            Expect.equal asked.Count 3 "warm-up and one pair"
            // A clock whose longer run came out faster (a burst of load during the shorter one).
            let noisyAsked = ResizeArray<int>()
            let noisy = MarginalRate.measure 0.0 10 (fun n -> noisyAsked.Add n; if n = 10 then 2.0 else 1.0)
            Expect.isTrue (System.Double.IsNaN noisy.StepsPerSecond && System.Double.IsNaN noisy.SecondsPerStep) "NaN, never a huge or negative rate"
            Expect.equal (noisy.Steps, List.ofSeq noisyAsked) (10, [ 5; 10; 20 ]) "no doubling on noise either: one pair, as the GAN and flow rows always had"
            let noisyEverywhere = MarginalRate.measure 1.0 10 (fun _ -> 1.0)
            Expect.isTrue (System.Double.IsNaN noisyEverywhere.StepsPerSecond) "still NaN after every doubling"
        }
        test "the warm-up takes at least 2 steps" {
            let asked, timed = clock 0.3 240.0
            MarginalRate.measure 0.0 1 timed |> ignore
            Expect.equal (List.ofSeq asked) [ 2; 1; 2 ] "warm-up max(2, 1/2), then 1 and 2"
        }
        test "steps below 1 are refused" {
            Expect.throwsT<System.ArgumentException> (fun () -> MarginalRate.measure 1.0 0 (fun _ -> 1.0) |> ignore) "steps 0"
        }
        testProperty "a bench figure prints in plain decimals, never an exponent, and reads back to at least 4 significant digits"
        <| fun (mantissa: FsCheck.NormalFloat) (exponent: int) ->
            let value = float mantissa * 10.0 ** float (exponent % 12)
            let text = BenchCommand.plainFigure value
            let back = System.Double.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            not (System.Double.IsFinite value)
            || (not (text.Contains "e" || text.Contains "E") && abs (back - value) <= 5e-4 * abs value + 1e-15)
        test "bench figures at the sizes the bench prints" {
            Expect.equal (BenchCommand.plainFigure 12345.6) "12346" "a large value: whole"
            Expect.equal (BenchCommand.plainFigure 12.3456) "12.35" "4 significant digits"
            Expect.equal (BenchCommand.plainFigure 0.000123456) "0.0001235" "a small value: no exponent"
            Expect.equal (BenchCommand.plainFigure 0.0) "0" "zero"
        }
    ]
