/// OT-Flow's analytic ∇Φ and exact tr ∇²ₓΦ (OtFlowModule.GradientAndLaplacian, seed 003 sec. 3) against autograd of the
/// potential Φ itself: the dynamics, the log-determinant and the HJB penalty all come from these two hand-written
/// formulas, so they are checked directly, in 1-, 2- and 3-D, on several samples (the trace's J is computed for all
/// samples in one product, which a mix-up of samples would break), off the initialisation (w = 1, b = 0 there).
module GanFlow.Tests.OtFlowPotentialTests

open Expecto
open TorchSharp
open GanFlow.Core.Models
open GanFlow.Runtime.Flows
open GanFlow.Tests.FlowTestSupport

let private spec =
    { Flow.otFlowMoons with Architecture = FlowArchitecture.OtFlow { OtFlow.Default with Width = 8; Rank = 2 } }

let private potentialLaw d =
    useOneThread ()
    let flow = build spec d 81 :?> OtFlowModule
    perturb flow 82
    let n, t = 7, 0.3
    let x = (tensorOf d (gaussianPoints 83 n d)).requires_grad_(true)
    let struct (gradient, laplacian) = flow.GradientAndLaplacian(x, t)
    // Autograd of Φ: ∇ₓΦ, then each ∂²Φ/∂x_k² from the gradient's k-th column (samples are independent).
    let byAutograd = torch.autograd.grad([| flow.Potential(x, t).sum() |], [| x |], retain_graph = true, create_graph = true)[0]
    let trace =
        [ for k in 0 .. d - 1 ->
              let row = torch.autograd.grad([| byAutograd.select(1, int64 k).sum() |], [| x |], retain_graph = true)[0]
              valuesOf (row.select(1, int64 k)) ]
        |> List.reduce (Array.map2 (+))
    let analytic = valuesOf (gradient.detach())
    let expected = valuesOf (byAutograd.detach())
    for i in 0 .. n - 1 do
        for k in 0 .. d - 1 do
            Expect.floatClose { absolute = 1e-12; relative = 1e-12 } analytic[i * (d + 1) + k] expected[i * d + k]
                (sprintf "∂Φ/∂x_%d of sample %d" k i)
    let actual = valuesOf (laplacian.detach())
    for i in 0 .. n - 1 do
        Expect.floatClose { absolute = 1e-11; relative = 1e-11 } actual[i] trace[i] (sprintf "tr ∇²ₓΦ of sample %d" i)
    // ∂Φ/∂t (the HJB residual's first term) by a central difference, h = 1e-5: truncation and rounding ~1e-10.
    use _ = torch.no_grad ()
    let h = 1e-5
    let ahead, behind = valuesOf (flow.Potential(x, t + h)), valuesOf (flow.Potential(x, t - h))
    for i in 0 .. n - 1 do
        Expect.floatClose { absolute = 1e-7; relative = 1e-7 } analytic[i * (d + 1) + d] ((ahead[i] - behind[i]) / (2.0 * h))
            (sprintf "∂Φ/∂t of sample %d" i)

[<Tests>]
let tests =
    testList "OT-Flow potential" [
        for d in [ 1; 2; 3 ] ->
            testCase (sprintf "in %d-D: the analytic gradient and Hessian trace equal autograd's of Φ" d) (fun () -> potentialLaw d)
    ]
