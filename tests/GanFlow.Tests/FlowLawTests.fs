/// zuko-style laws checked over every flow family: one loop over the specs of FlowTestSupport.
module GanFlow.Tests.FlowLawTests

open Expecto
open TorchSharp
open GanFlow.Core.Models
open GanFlow.Runtime.Flows
open GanFlow.Tests.FlowTestSupport

let private inverseLaw (case: LawCase) d =
    useOneThread ()
    let flow = build case.Spec d 11
    let z = gaussianPoints 12 64 d
    let x = FlowTrainer.Sample(flow, 64, new torch.Generator(13UL))
    let errors = FlowTrainer.InverseErrors(flow, x, z)
    Expect.isLessThan errors.LatentRoundTrip case.InverseTolerance "max ‖g⁻¹(g(z)) − z‖"
    Expect.isLessThan errors.DataRoundTrip case.InverseTolerance "max ‖g(g⁻¹(x)) − x‖"

/// Per-sample Jacobians ∂z/∂x by autograd, one output coordinate at a time (samples are independent), and
/// log|det| of each by LU (`slogdet`): d backward passes, so 784-D flows are checked too.
let private logAbsDetJacobian (flow: NormalizingFlow) (x: torch.Tensor) d =
    let x = x.detach().requires_grad_(true)
    let struct (z, logDet) = flow.Forward x
    let rows =
        [| for i in 0 .. d - 1 -> torch.autograd.grad([| z.select(1, int64 i).sum() |], [| x |], retain_graph = true)[0] |]
    // rows[i][k, j] = ∂z_i/∂x_j of sample k, stacked to [n, i, j].
    let struct (_, logAbsDet) = torch.linalg.slogdet(torch.stack(rows, 1L))
    valuesOf logAbsDet, valuesOf (logDet.detach())

let private logDetLaw (case: LawCase) d =
    useOneThread ()
    let flow = build case.Spec d 21
    // Off its initialisation, where some stages are the identity (NICE's scaling: log-det 0 = log 1).
    perturb flow 23
    let x = tensorOf d (gaussianPoints 22 6 d |> Array.map (fun v -> 0.8 * v))
    let expected, actual = logAbsDetJacobian flow x d
    for k in 0 .. expected.Length - 1 do
        Expect.floatClose { absolute = case.LogDetTolerance; relative = case.LogDetTolerance } actual[k] expected[k]
            (sprintf "log|det J| of sample %d" k)

let private gradientLaw (case: LawCase) d =
    useOneThread ()
    let flow = build case.Spec d 31
    let x = tensorOf d (gaussianPoints 32 16 d)
    let struct (loss, _) = flow.TrainingLoss x
    loss.backward ()
    for struct (name, p) in flow.named_parameters () do
        if not (flow.GaugeParameters |> Seq.contains name) then
            match p.grad with
            | null -> failtestf "parameter %s has no gradient" name
            | grad ->
                let g = valuesOf grad
                Expect.all g System.Double.IsFinite (sprintf "gradient of %s is finite" name)
                Expect.isTrue (g |> Array.exists (fun v -> v <> 0.0)) (sprintf "gradient of %s is not identically zero" name)

let private saveLoadLaw (case: LawCase) d =
    useOneThread ()
    let flow = build case.Spec d 41
    let path = TestFolders.fresh "flow-law" + ".bin"
    try
        FlowTrainer.Save(flow, path)
        let fresh = FlowTrainer.Load(build case.Spec d 42, path)
        let x = gaussianPoints 43 32 d
        if case.Stochastic then
            let z = tensorOf d x
            use _ = torch.no_grad ()
            Expect.sequenceEqual (valuesOf (fresh.Inverse z)) (valuesOf (flow.Inverse z)) "same samples after save/load"
        else
            Expect.sequenceEqual (FlowTrainer.LogDensity(fresh, x)) (FlowTrainer.LogDensity(flow, x)) "same log-prob after save/load"
    finally
        System.IO.File.Delete path

let private seedLaw (case: LawCase) d =
    useOneThread ()
    let x = gaussianPoints 61 16 d
    let z = tensorOf d x
    use _ = torch.no_grad ()
    let first, second = build case.Spec d 62, build case.Spec d 62
    Expect.sequenceEqual (valuesOf (second.Inverse z)) (valuesOf (first.Inverse z)) "same samples from the same seed"
    if not case.Stochastic then
        Expect.sequenceEqual (FlowTrainer.LogDensity(second, x)) (FlowTrainer.LogDensity(first, x)) "same log-prob from the same seed"
    let other = build case.Spec d 63
    Expect.notEqual (valuesOf (other.Inverse z)) (valuesOf (first.Inverse z)) "another seed gives another flow"

/// Whether the flow integrates an ODE with the adaptive solver, whose trajectory (one solve per interval) meets
/// Forward's z only to within the solver's tolerance; every other flow must reproduce it up to rounding.
let private adaptive (case: LawCase) =
    match case.Spec.Architecture with
    | FlowArchitecture.Ffjord { Solver = OdeSolver.Dopri5 _ }
    | FlowArchitecture.OtFlow { Solver = OdeSolver.Dopri5 _ } -> true
    | _ -> false

let private trajectoryLaw (case: LawCase) d =
    useOneThread ()
    let flow = build case.Spec d 71
    perturb flow 73
    let values = gaussianPoints 72 16 d |> Array.map (fun v -> 0.8 * v)
    let x = tensorOf d values
    use _ = torch.no_grad ()
    let struct (z, _) = flow.Forward x
    let trajectory = flow.Trajectory(x, 4)
    let stages = trajectory.States.Count
    Expect.equal stages (case.TrajectoryStages d) "stages: x, every layer (or 4 ODE intervals)"
    Expect.equal trajectory.Labels.Count stages "one label per stage"
    for state in trajectory.States do
        Expect.sequenceEqual state.shape [| 16L; int64 d |] "every stage holds every point"
    Expect.sequenceEqual (valuesOf trajectory.States[0]) values "the first stage is x"
    let tolerance = if adaptive case then case.InverseTolerance else 1e-10
    let last, expected = valuesOf trajectory.States[stages - 1], valuesOf z
    for k in 0 .. expected.Length - 1 do
        Expect.floatClose { absolute = tolerance; relative = 0.0 } last[k] expected[k] (sprintf "last stage = Forward(x).Z, value %d" k)

/// Trapezoid rule of the density on [−L, L] (4,001 points in 1-D, 161² in 2-D), L = max(10, 8 × the largest
/// coordinate standard deviation of 2,000 flow samples): the box adapts to flows that spread the base at init.
let private integralLaw (case: LawCase) d =
    useOneThread ()
    let flow = build case.Spec d 51
    let samples = FlowTrainer.Sample(flow, 2000, new torch.Generator(52UL))
    let spread =
        [ for j in 0 .. d - 1 ->
              let column = Array.init 2000 (fun i -> samples[i * d + j])
              let mean = Array.average column
              sqrt (column |> Array.averageBy (fun v -> (v - mean) ** 2.0)) ]
        |> List.max
    let a, b = -(max 10.0 (8.0 * spread)), max 10.0 (8.0 * spread)
    let integral =
        if d = 1 then
            let n = 4001
            let h = (b - a) / float (n - 1)
            let grid = Array.init n (fun i -> a + h * float i)
            let p = FlowTrainer.DensityOnGrid(flow, grid)
            h * (Array.sum p - 0.5 * (p[0] + p[n - 1]))
        else
            let n = 161
            let h = (b - a) / float (n - 1)
            let grid = [| for i in 0 .. n - 1 do for j in 0 .. n - 1 do yield! [| a + h * float i; a + h * float j |] |]
            let p = FlowTrainer.DensityOnGrid(flow, grid)
            let weight i = if i = 0 || i = n - 1 then 0.5 else 1.0
            h * h * Seq.sum (seq { for i in 0 .. n - 1 do for j in 0 .. n - 1 -> weight i * weight j * p[i * n + j] })
    Expect.floatClose { absolute = 3e-3; relative = 0.0 } integral 1.0 (sprintf "∫ p = 1 on [%g, %g]^%d" a b d)

[<Tests>]
let tests =
    testList "Flow laws" [
        for case in lawCases do
            for d in case.Dimensions do
                let named law = sprintf "%s in %d-D: %s" case.Name d law
                testCase (named "inverse of forward is the identity") (fun () -> inverseLaw case d)
                testCase (named "every parameter gets a finite gradient from the loss") (fun () -> gradientLaw case d)
                testCase (named "log-prob is unchanged by save and load into a fresh module") (fun () -> saveLoadLaw case d)
                testCase (named "the same seed builds the same flow") (fun () -> seedLaw case d)
                testCase (named "a trajectory starts at x and ends at Forward(x).Z") (fun () -> trajectoryLaw case d)
                if not case.Stochastic then
                    testCase (named "log-det equals log|det| of the autograd Jacobian") (fun () -> logDetLaw case d)
                    // A grid integral is only feasible in 1-D and 2-D.
                    if d <= 2 then testCase (named "the density integrates to one") (fun () -> integralLaw case d)
    ]

[<Tests>]
let standardizedTests =
    testList "Standardized flows" [
        test "m and s are the initial data's column mean and standard deviation, and log p(x) = log p_inner((x − m)/s) − Σ log s" {
            useOneThread ()
            let data = gaussianPoints 5 400 2 |> Array.mapi (fun i v -> if i % 2 = 0 then 5.0 + 3.0 * v else -2.0 + 0.5 * v)
            let spec = { Flow.realNvpMoons with Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 8 }; Standardize = true }
            use g = new torch.Generator(7UL)
            use flow = FlowBuilder.Build(spec, 2, g, tensorOf 2 data)
            let wrapper = flow :?> StandardizedFlow
            let column k = data |> Array.indexed |> Array.filter (fun (i, _) -> i % 2 = k) |> Array.map snd
            let mean k = Array.average (column k)
            let std k = sqrt ((column k |> Array.sumBy (fun v -> (v - mean k) ** 2.0)) / float ((column k).Length - 1))
            let struct (m, s) = StandardizedFlow.Statistics(tensorOf 2 data)
            let ms, ss = valuesOf m, valuesOf s
            Expect.floatClose Accuracy.veryHigh ms[0] (mean 0) "m₁"
            Expect.floatClose Accuracy.veryHigh ss[1] (std 1) "s₂"
            let x = tensorOf 2 data
            let y = StandardizedFlow.Apply(x, m, s)
            let expected = valuesOf (wrapper.Inner.LogProb y) |> Array.map (fun v -> v - log (std 0) - log (std 1))
            let actual = valuesOf (flow.LogProb x)
            for i in 0 .. 9 do
                Expect.floatClose Accuracy.high actual[i] expected[i] (sprintf "log p of point %d" i)
            let struct (z, _) = flow.Forward x
            let back = valuesOf (flow.Inverse z)
            Expect.floatClose Accuracy.high back[0] data[0] "round trip in data units"
        }
        test "standardizing data without spread is refused, naming the field and the dimension" {
            let constant = Array.init 20 (fun i -> if i % 2 = 0 then float i else 3.0)
            let error = Expect.throwsC (fun () -> StandardizedFlow.Statistics(tensorOf 2 constant) |> ignore) id
            Expect.stringContains error.Message "flow.standardize" "field"
            Expect.stringContains error.Message "dimension 1" "dimension"
        }
    ]
