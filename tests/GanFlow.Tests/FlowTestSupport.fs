/// Shared helpers of the flow tests: small specs of every family and tensor plumbing.
module GanFlow.Tests.FlowTestSupport

open TorchSharp
open GanFlow.Core.Models
open GanFlow.Runtime.Flows
open GanFlow.Runtime.Modules

/// One intra-op thread: small models are dominated by per-op overhead (PLATFORM.md), and tests run in parallel.
let useOneThread () = GanFlow.Runtime.Devices.TorchSetup.Initialize 1

/// A flow spec small enough for the law tests, with the dimensions it is checked in.
type LawCase =
    { Name: string
      Spec: Flow
      Dimensions: int list
      /// Tolerance of the round trips g⁻¹(g(z)) ≈ z and g(g⁻¹(x)) ≈ x.
      InverseTolerance: float
      /// Tolerance of |logdet − log|det J|| (autograd Jacobian).
      LogDetTolerance: float
      /// Whether log|det| is a stochastic estimate (Hutchinson): then only the deterministic laws apply.
      Stochastic: bool
      /// Stages of `Trajectory x 4` in dimension d, x and z included: layers (+ rotations, + NICE's scaling) + 1,
      /// or 4 ODE intervals + 1.
      TrajectoryStages: int -> int }

let private withArchitecture architecture = { Flow.realNvpMoons with Architecture = architecture }

/// Every flow family, small.
let lawCases =
    [ { Name = "Gaussianization flow"
        Spec = withArchitecture (FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 3; Anchors = 12 })
        Dimensions = [ 1; 2 ]
        InverseTolerance = 1e-6
        LogDetTolerance = 1e-6
        Stochastic = false
        TrajectoryStages = fun d -> if d = 1 then 4 else 6 }
      { Name = "RealNVP"
        Spec = withArchitecture (FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 4; Width = 16 })
        Dimensions = [ 2 ]
        InverseTolerance = 1e-9
        LogDetTolerance = 1e-9
        Stochastic = false
        TrajectoryStages = fun _ -> 5 }
      { Name = "NICE"
        Spec =
          { withArchitecture (FlowArchitecture.Nice { Nice.Default with Couplings = 4; Width = 16; Depth = 3 }) with
              Base = BaseDistribution.StandardLogistic }
        Dimensions = [ 2 ]
        InverseTolerance = 1e-9
        LogDetTolerance = 1e-9
        Stochastic = false
        TrajectoryStages = fun _ -> 6 }
      { Name = "seed 001's NICE for MNIST at width 32"
        Spec = GanFlow.Core.Images.NiceMnist.withWidth 32
        Dimensions = [ GanFlow.Core.Images.NiceMnist.Dimension ]
        InverseTolerance = 1e-9
        LogDetTolerance = 1e-8
        Stochastic = false
        TrajectoryStages = fun _ -> 6 }
      { Name = "FFJORD"
        Spec = withArchitecture (FlowArchitecture.Ffjord { Ffjord.Default with Hidden = [ 16; 16 ]; Solver = OdeSolver.Rk4 16 })
        Dimensions = [ 1; 2 ]
        InverseTolerance = 1e-4
        LogDetTolerance = 1e-4
        Stochastic = false
        TrajectoryStages = fun _ -> 5 }
      { Name = "FFJORD with dopri5 and Hutchinson's trace"
        Spec =
          withArchitecture (
              FlowArchitecture.Ffjord
                  { Ffjord.Default with
                      Hidden = [ 16; 16 ]
                      Solver = OdeSolver.Dopri5(1e-6, 1e-6, 1000)
                      Trace = TraceEstimator.Hutchinson })
        Dimensions = [ 2 ]
        InverseTolerance = 1e-4
        LogDetTolerance = nan
        Stochastic = true
        TrajectoryStages = fun _ -> 5 }
      { Name = "OT-Flow"
        Spec = withArchitecture (FlowArchitecture.OtFlow { OtFlow.Default with Width = 8; Rank = 2; Solver = OdeSolver.Rk4 32 })
        Dimensions = [ 1; 2 ]
        InverseTolerance = 1e-4
        LogDetTolerance = 1e-4
        Stochastic = false
        TrajectoryStages = fun _ -> 5 }
      { Name = "neural spline flow"
        Spec = withArchitecture (FlowArchitecture.Spline { SplineFlow.Default with Layers = 2; Bins = 6; Width = 16; Bound = 2.0 })
        Dimensions = [ 1; 2; 3 ]
        InverseTolerance = 1e-8
        LogDetTolerance = 1e-8
        Stochastic = false
        // x, 2 spline layers
        TrajectoryStages = fun _ -> 3 }
      { Name = "RealNVP on standardized data"
        Spec = { withArchitecture (FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 8 }) with Standardize = true }
        Dimensions = [ 2 ]
        InverseTolerance = 1e-9
        LogDetTolerance = 1e-9
        Stochastic = false
        // x, standardized, 2 couplings
        TrajectoryStages = fun _ -> 4 }
      { Name = "Gaussianization flow on standardized data"
        Spec =
          { withArchitecture (FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 2; Anchors = 8 }) with
              Standardize = true }
        Dimensions = [ 1 ]
        InverseTolerance = 1e-4
        LogDetTolerance = 1e-4
        Stochastic = false
        // x, standardized, 2 marginal layers
        TrajectoryStages = fun _ -> 4 } ]

/// Row-major float64 samples as an [n, d] tensor.
let tensorOf (d: int) (values: float[]) = FlowTrainer.ToTensor(values, d)

/// The values of a tensor, row-major.
let valuesOf (t: torch.Tensor) : float[] = t.cpu().data<float>().ToArray()

/// n standard normal draws in d dimensions from a seeded generator, row-major.
let gaussianPoints (seed: int) (n: int) (d: int) =
    use g = new torch.Generator(uint64 seed)
    valuesOf (torch.randn([| int64 n; int64 d |], dtype = torch.float64, generator = g))

/// A flow built from `spec` with generator seed `seed`; Gaussianization anchors start on 500 N(0, I) points
/// (the flow's data-based initialisation, here with standard normal "data").
let build (spec: Flow) (d: int) (seed: int) =
    use g = new torch.Generator(uint64 seed)
    FlowBuilder.Build(spec, d, g, tensorOf d (gaussianPoints (seed + 1000) 500 d))

/// Adds N(0, 0.1²) noise to every parameter, so no stage is the identity it may be at initialisation (NICE's scaling,
/// OT-Flow's w = 1, b = 0).
let perturb (flow: NormalizingFlow) seed =
    use g = new torch.Generator(uint64 seed)
    use _ = torch.no_grad ()
    for p in flow.parameters () do
        let noise = torch.randn(p.shape, dtype = p.dtype, generator = g)
        p.copy_(HeldScalars.Plus(p, HeldScalars.Times(noise, 0.1))) |> ignore
