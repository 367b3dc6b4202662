/// RK4 and Dopri5 against closed forms.
module GanFlow.Tests.OdeSolverTests

open Expecto
open TorchSharp
open GanFlow.Runtime.Solvers
open GanFlow.Tests.FlowTestSupport

let private scalar (v: float) = torch.tensor([| v |], dtype = torch.float64)

/// y' = −y, y(0) = 1 on [0, 1].
let private decay = OdeFunction(fun _ state -> [| -state[0] |])

/// y' = A y with A = [[0, 1], [−1, 0]]: y(t) = (cos t + sin t, cos t − sin t) from y(0) = (1, 1).
let private rotation =
    let a = tensorOf 2 [| 0.0; 1.0; -1.0; 0.0 |]
    OdeFunction(fun _ state -> [| state[0].matmul(a.t()) |])

let private rotationError (result: OdeResult) t =
    let y = valuesOf result.State[0]
    max (abs (y[0] - (cos t + sin t))) (abs (y[1] - (cos t - sin t)))

let private first (t: torch.Tensor) = (valuesOf t)[0]

let private decayError (result: OdeResult) = abs (first result.State[0] - exp -1.0)

[<Tests>]
let tests =
    testList "ODE solvers" [
        testCase "rk4 solves y' = −y to 1e-8 with 50 steps" (fun () ->
            let r = OdeSolvers.Rk4(decay, [| scalar 1.0 |], 0.0, 1.0, 50)
            Expect.isLessThan (decayError r) 1e-8 "error at t = 1"
            Expect.equal r.FunctionEvaluations 200 "4 evaluations per step")
        testCase "rk4's error falls about 16-fold when the steps double" (fun () ->
            let e10 = decayError (OdeSolvers.Rk4(decay, [| scalar 1.0 |], 0.0, 1.0, 10))
            let e20 = decayError (OdeSolvers.Rk4(decay, [| scalar 1.0 |], 0.0, 1.0, 20))
            let r1 = rotationError (OdeSolvers.Rk4(rotation, [| torch.ones(1L, 2L, dtype = torch.float64) |], 0.0, 2.0, 10)) 2.0
            let r2 = rotationError (OdeSolvers.Rk4(rotation, [| torch.ones(1L, 2L, dtype = torch.float64) |], 0.0, 2.0, 20)) 2.0
            Expect.isTrue (e10 / e20 > 13.0 && e10 / e20 < 19.0) (sprintf "decay error ratio %g" (e10 / e20))
            Expect.isTrue (r1 / r2 > 13.0 && r1 / r2 < 19.0) (sprintf "rotation error ratio %g" (r1 / r2)))
        testCase "rk4 and dopri5 match exp(At) for a linear rotation system" (fun () ->
            let y0 () = [| torch.ones(1L, 2L, dtype = torch.float64) |]
            Expect.isLessThan (rotationError (OdeSolvers.Rk4(rotation, y0 (), 0.0, 2.0, 100)) 2.0) 1e-8 "rk4"
            Expect.isLessThan (rotationError (OdeSolvers.Dopri5(rotation, y0 (), 0.0, 2.0, 1e-9, 1e-9, 10_000)) 2.0) 1e-7 "dopri5")
        testCase "dopri5 meets its tolerance and needs fewer evaluations when the tolerance is looser" (fun () ->
            let tight = OdeSolvers.Dopri5(decay, [| scalar 1.0 |], 0.0, 1.0, 1e-8, 1e-8, 10_000)
            let loose = OdeSolvers.Dopri5(decay, [| scalar 1.0 |], 0.0, 1.0, 1e-3, 1e-3, 10_000)
            Expect.isLessThan (decayError tight) 1e-7 "tight error"
            Expect.isLessThan (decayError loose) 1e-2 "loose error"
            Expect.isLessThan loose.FunctionEvaluations tight.FunctionEvaluations "evaluations")
        testCase "a tuple state is integrated jointly and backwards in time" (fun () ->
            // y' = −y, ℓ' = y: ℓ(1) = 1 − e⁻¹; then back from t = 1 to 0 recovers y(0) = 1.
            let f = OdeFunction(fun _ s -> [| -s[0]; s[0] |])
            let r = OdeSolvers.Dopri5(f, [| scalar 1.0; scalar 0.0 |], 0.0, 1.0, 1e-9, 1e-9, 10_000)
            Expect.floatClose Accuracy.high (first r.State[1]) (1.0 - exp -1.0) "ℓ(1)"
            let back = OdeSolvers.Rk4(decay, [| r.State[0] |], 1.0, 0.0, 100)
            Expect.floatClose Accuracy.high (first back.State[0]) 1.0 "y(0)")
        testCase "gradients flow through the solver steps" (fun () ->
            // y' = −a y: y(1) = e⁻ᵃ, dy(1)/da = −e⁻ᵃ.
            let a = scalar(1.0).requires_grad_(true)
            let f = OdeFunction(fun _ s -> [| -(a * s[0]) |])
            for result in [ OdeSolvers.Rk4(f, [| scalar 1.0 |], 0.0, 1.0, 50); OdeSolvers.Dopri5(f, [| scalar 1.0 |], 0.0, 1.0, 1e-9, 1e-9, 1000) ] do
                let g = torch.autograd.grad([| result.State[0].sum() |], [| a |])
                Expect.floatClose Accuracy.medium (first g[0]) (-(exp -1.0)) "dy(1)/da")
        testCase "a path of rk4 keeps the state at equally spaced times and ends where the one-piece solve ends" (fun () ->
            let y0 () = [| torch.ones(1L, 2L, dtype = torch.float64) |]
            let path = OdeSolvers.SolvePath(GanFlow.Core.Models.OdeSolver.Rk4 16, rotation, y0 (), 0.0, 2.0, 4)
            Expect.sequenceEqual path.Times [| 0.0; 0.5; 1.0; 1.5; 2.0 |] "times"
            Expect.equal path.States.Length 5 "one state per time"
            Expect.sequenceEqual (valuesOf (path.States[0].[0])) [| 1.0; 1.0 |] "the first state is y0"
            Expect.equal path.FunctionEvaluations 64 "the 16 steps of one solve, 4 per interval"
            for k in 1 .. 4 do
                Expect.isLessThan (rotationError (OdeResult(path.States[k], 0, 0, 0)) path.Times[k]) 1e-5 (sprintf "y(%g), rk4 with h = 1/8" path.Times[k])
            let whole = valuesOf ((OdeSolvers.Rk4(rotation, y0 (), 0.0, 2.0, 16)).State[0])
            let last = valuesOf (path.States[4].[0])
            for k in 0 .. 1 do
                Expect.floatClose { absolute = 1e-14; relative = 1e-14 } last[k] whole[k] "same steps as the one-piece solve")
        testCase "a path of rk4 spreads uneven steps over the intervals and uses no more intervals than steps" (fun () ->
            let y0 () = [| scalar 1.0 |]
            let uneven = OdeSolvers.SolvePath(GanFlow.Core.Models.OdeSolver.Rk4 10, decay, y0 (), 0.0, 1.0, 4)
            Expect.equal uneven.States.Length 5 "4 intervals"
            Expect.equal uneven.FunctionEvaluations 40 "10 steps in all (2 + 3 + 2 + 3)"
            Expect.isLessThan (abs (first (uneven.States[4].[0]) - exp -1.0)) 1e-6 "y(1)"
            let few = OdeSolvers.SolvePath(GanFlow.Core.Models.OdeSolver.Rk4 3, decay, y0 (), 0.0, 1.0, 8)
            Expect.equal few.Times.Length 4 "one interval per step"
            Expect.equal few.FunctionEvaluations 12 "3 steps")
        testCase "a path of dopri5 solves each interval to its tolerance, backwards too" (fun () ->
            let path = OdeSolvers.SolvePath(GanFlow.Core.Models.OdeSolver.Dopri5(1e-9, 1e-9, 1000), decay, [| scalar 1.0 |], 1.0, 0.0, 5)
            Expect.equal path.Times.Length 6 "5 intervals"
            Expect.equal path.Times[5] 0.0 "ends exactly at t1"
            for k in 0 .. 5 do
                Expect.floatClose { absolute = 1e-8; relative = 0.0 } (first (path.States[k].[0])) (exp (1.0 - path.Times[k])) (sprintf "y(%g)" path.Times[k])
            Expect.throwsT<System.ArgumentOutOfRangeException>
                (fun () -> OdeSolvers.SolvePath(GanFlow.Core.Models.OdeSolver.Rk4 4, decay, [| scalar 1.0 |], 0.0, 1.0, 0) |> ignore)
                "at least one interval")
        testCase "dopri5 stops with an exception when it runs out of steps" (fun () ->
            Expect.throwsT<OdeStepLimitException>
                (fun () -> OdeSolvers.Dopri5(decay, [| scalar 1.0 |], 0.0, 1.0, 1e-12, 1e-12, 3) |> ignore)
                "step limit")
    ]
