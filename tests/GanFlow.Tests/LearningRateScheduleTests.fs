module GanFlow.Tests.LearningRateScheduleTests

open Expecto
open GanFlow.Core.Training

let private cyclic = LearningRateSchedule.CyclicTriangular(2e-5, 100)
let private at step = LearningRateSchedule.at cyclic 1e-4 step

[<Tests>]
let tests =
    testList "learning-rate schedule" [
        test "the cyclic schedule starts at its base rate" { Expect.floatClose Accuracy.veryHigh (at 0) 2e-5 "step 0" }
        test "the cyclic schedule peaks at the optimiser's rate after stepSizeUp steps" { Expect.floatClose Accuracy.veryHigh (at 100) 1e-4 "step 100" }
        test "the cyclic schedule is back at its base after two stepSizeUp" { Expect.floatClose Accuracy.veryHigh (at 200) 2e-5 "step 200" }
        test "the cyclic schedule is linear in between" {
            Expect.floatClose Accuracy.veryHigh (at 25) (2e-5 + 0.25 * 8e-5) "rising, a quarter up"
            Expect.floatClose Accuracy.veryHigh (at 150) (2e-5 + 0.5 * 8e-5) "falling, half way"
        }
        test "the cyclic schedule repeats every two stepSizeUp" {
            for step in 0 .. 199 do
                Expect.floatClose Accuracy.veryHigh (at (step + 200)) (at step) (sprintf "step %d" step)
        }
        test "step decay halves the rate every `every` steps and holds it in between (seed 000's GF: every 10,000)" {
            let decay = LearningRateSchedule.StepDecay(0.5, 10_000)
            let at step = LearningRateSchedule.at decay 1e-2 step
            Expect.equal (at 0) 1e-2 "start"
            Expect.equal (at 9_999) 1e-2 "just before the first halving"
            Expect.floatClose Accuracy.veryHigh (at 10_000) 5e-3 "first halving"
            Expect.floatClose Accuracy.veryHigh (at 49_999) (1e-2 / 16.0) "four halvings by step 49,999"
        }
        test "the constant schedule is the optimiser's rate at every step" {
            for step in [ 0; 1; 1_000; 49_999 ] do
                Expect.equal (LearningRateSchedule.at LearningRateSchedule.Constant 1e-4 step) 1e-4 (sprintf "step %d" step)
        }
    ]
