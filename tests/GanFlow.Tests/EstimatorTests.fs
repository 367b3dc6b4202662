/// The likelihood estimators audited against exact densities: AIS on a linear-Gaussian generator against its closed-form
/// marginal likelihood, AIS and Parzen converging to a known density as their budgets grow, the bidirectional check,
/// the Jacobian spectrum of a linear generator, and the memorizing baseline's laws.
module GanFlow.Tests.EstimatorTests

open System
open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics
open GanFlow.Core.Baselines
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Estimators
open GanFlow.Runtime.Modules

/// A = R(30°) · diag(3, 0.5) · R(−70°): singular values 3 and 0.5; b = (1, −2).
let private a =
    let rotation (degrees: float) =
        let t = degrees * Math.PI / 180.0
        array2D [ [ cos t; -sin t ]; [ sin t; cos t ] ]
    let multiply (x: float[,]) (y: float[,]) = Array2D.init 2 2 (fun i j -> x[i, 0] * y[0, j] + x[i, 1] * y[1, j])
    multiply (multiply (rotation 30.0) (array2D [ [ 3.0; 0.0 ]; [ 0.0; 0.5 ] ])) (rotation -70.0)
let private b = [| 1.0; -2.0 |]

let private aTensor = FlowTestSupport.tensorOf 2 [| a[0, 0]; a[0, 1]; a[1, 0]; a[1, 1] |]
let private bTensor = FlowTestSupport.tensorOf 2 b

/// x = A z + b with z ~ N(0, I): a linear-Gaussian latent model.
let private linear =
    LatentModel(
        (fun (z: torch.Tensor) -> z.matmul(aTensor.t()).Plus(bTensor)),
        (fun (z: torch.Tensor) -> z.Squared().sum(1).Times(-0.5).Minus(log (2.0 * Math.PI))),
        (fun n g -> torch.randn([| n; 2L |], dtype = torch.ScalarType.Float64, generator = g)),
        torch.ScalarType.Float64,
        torch.CPU)

/// log N(x; b, AAᵀ + σ²I), the closed-form marginal likelihood.
let private exactLog (sigma: float) (x: float[]) =
    let c00 = a[0, 0] * a[0, 0] + a[0, 1] * a[0, 1] + sigma * sigma
    let c01 = a[0, 0] * a[1, 0] + a[0, 1] * a[1, 1]
    let c11 = a[1, 0] * a[1, 0] + a[1, 1] * a[1, 1] + sigma * sigma
    let det = c00 * c11 - c01 * c01
    let u, v = x[0] - b[0], x[1] - b[1]
    let quadratic = (c11 * u * u - 2.0 * c01 * u * v + c00 * v * v) / det
    -0.5 * quadratic - log (2.0 * Math.PI) - 0.5 * log det

/// Points from the model itself (with observation noise σ).
let private points (sigma: float) (count: int) =
    let rng = Random 12
    Array.init count (fun _ ->
        let z1, z2 = Sampling.standardNormal rng, Sampling.standardNormal rng
        [| a[0, 0] * z1 + a[0, 1] * z2 + b[0] + sigma * Sampling.standardNormal rng
           a[1, 0] * z1 + a[1, 1] * z2 + b[1] + sigma * Sampling.standardNormal rng |])

let private ais (sigma: float) (intermediates: int) (x: float[][]) =
    TorchSetup.Initialize 1
    let spec = { Ais.Default with ObservationStd = sigma; Intermediates = intermediates; Points = x.Length; SimulatedPoints = 0 }
    use noise = new torch.Generator(3UL)
    use tensor = FlowTestSupport.tensorOf 2 (Array.concat x)
    AnnealedImportanceSampling.Forward(linear, tensor, spec, noise)

[<Tests>]
let tests =
    testList "likelihood estimators" [
        test "AIS on a linear-Gaussian generator matches the closed-form marginal likelihood within its reported error" {
            let sigma = 0.2
            let x = points sigma 20
            let result = ais sigma 300 x
            let exact = x |> Array.map (exactLog sigma)
            let mean, spread = ParzenWindow.meanAndError result.LogLikelihoods
            let chain = sqrt (result.ChainErrors |> Array.sumBy (fun e -> e * e)) / float result.ChainErrors.Length
            let error = sqrt (spread * spread + chain * chain)
            // The estimate and the truth on the same points differ by the estimator's error alone: compare pointwise.
            let bias = Array.map2 (-) result.LogLikelihoods exact |> Array.average
            Expect.isLessThan (abs bias) (3.0 * chain + 0.02) (sprintf "mean error %.4f nats (chain error %.4f, reported %.4f)" bias chain error)
            Expect.isTrue (result.AcceptanceRate > 0.3 && result.AcceptanceRate < 0.95) (sprintf "acceptance %.3f adapted towards 0.65" result.AcceptanceRate)
            ignore mean
        }
        test "AIS converges to the exact log-likelihood as its intermediate distributions grow" {
            let sigma = 0.2
            let x = points sigma 20
            let exact = x |> Array.map (exactLog sigma) |> Array.average
            let errors = [ for t in [ 5; 50; 1_000 ] -> abs (Array.average (ais sigma t x).LogLikelihoods - exact) ]
            Expect.isTrue (errors[2] < errors[1] && errors[1] < errors[0]) (sprintf "errors %A shrink" errors)
            Expect.isLessThan errors[2] 0.1 (sprintf "within 0.1 nats at 1,000 distributions (%A)" errors)
        }
        test "the bidirectional check brackets the truth on simulated data: lower bound below, upper bound above, a small gap" {
            TorchSetup.Initialize 1
            let sigma = 0.2
            let spec = { Ais.Default with ObservationStd = sigma; Intermediates = 500; SimulatedPoints = 0 }
            use noise = new torch.Generator(4UL)
            let z = torch.randn([| 10L; 2L |], dtype = torch.ScalarType.Float64, generator = noise)
            let x = linear.Decode.Invoke(z).Plus(torch.randn([| 10L; 2L |], dtype = torch.ScalarType.Float64, generator = noise).Times(sigma))
            let lower = AnnealedImportanceSampling.Forward(linear, x, spec, noise)
            let upper = AnnealedImportanceSampling.Reverse(linear, x, z, spec, noise, lower.FinalStepSize)
            let exact = x.data<float>().ToArray() |> Array.chunkBySize 2 |> Array.map (exactLog sigma)
            let gap = Array.map2 (-) upper lower.LogLikelihoods |> Array.average
            // At 500 distributions both directions have met: the gap (upper − lower) is within the chains' noise of 0.
            Expect.isTrue (abs gap < 0.25) (sprintf "gap %.4f nats" gap)
            Expect.isLessThan (Array.average lower.LogLikelihoods) (Array.average exact + 0.15) "the lower bound"
            Expect.isGreaterThan (Array.average upper) (Array.average exact - 0.15) "the upper bound"
            // With few distributions the bounds are loose, and the gap says so.
            let short = { spec with Intermediates = 5 }
            let lowerShort = AnnealedImportanceSampling.Forward(linear, x, short, noise)
            let upperShort = AnnealedImportanceSampling.Reverse(linear, x, z, short, noise, lowerShort.FinalStepSize)
            Expect.isGreaterThan (Array.average upperShort - Array.average lowerShort.LogLikelihoods) 1.0 "a wide gap at 5 distributions"
        }
        test "the Parzen estimate converges to the exact log-likelihood of a known model as its samples grow" {
            let truth = Distribution.IsotropicGaussian([ 0.0; 0.0 ], 1.0)
            let test = Sampling.sample (Random 1) truth 500
            let validation = Sampling.sample (Random 2) truth 500
            let exact = -(test |> Array.chunkBySize 2 |> Array.averageBy (Densities.logDensity truth))
            let errors =
                [ for n in [ 30; 300; 10_000 ] ->
                      let samples = Sampling.sample (Random (10 + n)) truth n
                      abs ((ParzenWindow.estimate 2 samples 1.0 20 validation test).Nll - exact) ]
            Expect.isTrue (errors[2] < errors[1] && errors[1] < errors[0]) (sprintf "errors %A shrink" errors)
            Expect.isLessThan errors[2] 0.05 "within 0.05 nats at 10,000 samples"
        }
        test "the Jacobian singular values of a linear generator are the matrix's, at every latent point" {
            let z = torch.randn([| 64L; 2L |], dtype = torch.ScalarType.Float64, generator = new torch.Generator(5UL))
            let values = JacobianSpectrumComputation.SingularValues(linear.Decode, z)
            Expect.hasLength values 64 "64 draws"
            for v in values do
                Expect.floatClose Accuracy.veryHigh v[0] 3.0 "largest"
                Expect.floatClose Accuracy.veryHigh v[1] 0.5 "smallest"
        }
        test "the Jacobian of a flow generator has log|det| equal to minus the flow's log-determinant at the image" {
            let initial = FlowTestSupport.tensorOf 2 (Sampling.sample (Random 1) NamedDatasets.moons 500)
            use networks = ModelNetworks.Create(GanFlow.Core.Models.Model.Flow GanFlow.Core.Models.Flow.realNvpMoons, 2, 3L, torch.CPU, initial)
            networks.Train false
            let flow = (networks.Generator :?> FlowGeneratorModule).Flow
            use noise = new torch.Generator(6UL)
            let z = networks.Generator.SampleLatent(16L, noise, torch.CPU)
            let values = JacobianSpectrumComputation.SingularValues((fun t -> networks.Generator.Decode t), z)
            let struct (_, logDet) = flow.Forward(flow.Inverse(z))
            let expected = logDet.data<float>().ToArray() |> Array.map (~-)
            for v, e in Array.zip values expected do
                Expect.floatClose Accuracy.medium (v |> Array.sumBy log) e "log|det ∂g/∂z| = −log|det ∂g⁻¹/∂x|"
        }
        test "the memorizing baseline's NLL on its own training points is finite at tiny σ, and its validation NLL has an interior minimum" {
            let splits = FiniteSample.draw NamedDatasets.ring8 (FiniteSample.create 1_500 500 500 3)
            let train = MemorizingMixture.nll splits 1e-6 splits.Train
            Expect.isTrue (Double.IsFinite train) (sprintf "training NLL %g at σ = 1e-6" train)
            let curve = MemorizingMixture.sigmas |> Array.map (fun s -> MemorizingMixture.nll splits s splits.Validation)
            let best = Array.findIndex ((=) (Array.min curve)) curve
            Expect.isTrue (best > 0 && best < curve.Length - 1) (sprintf "the minimum at σ = %g is interior" MemorizingMixture.sigmas[best])
            let sigma = MemorizingMixture.lineSearch splits
            Expect.isTrue (sigma > 0.0 && sigma <= 1.0) "the line search stays in (0, 1]"
            Expect.isLessThanOrEqual (MemorizingMixture.nll splits sigma splits.Validation) curve[best] "it refines the grid's best"
            let small = MemorizingMixture.at NamedDatasets.ring8 splits 2_000 1 1e-3
            Expect.isGreaterThan small.Modes.Value.HighQuality 0.99 "small σ reproduces the training points: high-quality samples"
        }
        test "the annealing schedules run from 0 to 1, increasing" {
            for schedule in [ AnnealingSchedule.Linear; AnnealingSchedule.Sigmoid 4.0 ] do
                let betas = Annealing.betas schedule 100
                Expect.equal (betas[0], betas[100]) (0.0, 1.0) "ends"
                Expect.isTrue (Array.pairwise betas |> Array.forall (fun (u, v) -> v > u)) "increasing"
        }
    ]
