/// Variational autoencoders on point data (`Objective.Elbo`): the ELBO bounds the model's exact log-likelihood from below
/// (computed here by quadrature over a 1-D latent), a VAE learns a known law, and validation refuses the combinations
/// that cannot work, naming both parts.
module GanFlow.Tests.VaeTests

open System
open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Modules
open GanFlow.Tests.TestRuns

let private gaussian = Distribution.Gaussian(2.0, 0.5)

let private vaeExperiment (model: Model) steps =
    { Experiment.create "vae" "" gaussian with
        Model = model
        Budget = { Steps = steps; BatchSize = 256; Epochs = None }
        Evaluation = { Evaluation.Default with Every = steps; Samples = 4_000; FinalSamples = 4_000 }
        Seed = 4 }

[<Tests>]
let tests =
    testList "variational autoencoders" [
        test "the negative ELBO of a point, averaged over ε, is at least its exact −log p(x) (Jensen), and within a few nats of it" {
            // An untrained 1-D VAE: its marginal p(x) = ∫ N(z; 0, 1) N(x; G(z), σ²) dz by the trapezoid rule on [−8, 8].
            let model = GeneratorObjectiveTests.smallVae 1
            use networks = ModelNetworks.Create(model, 1, 21L, torch.CPU)
            let vae = networks.Generator
            let sigma = 0.1
            let grid = Array.init 16_001 (fun i -> -8.0 + 16.0 * float i / 16_000.0)
            let decoded =
                use noGrad = torch.no_grad()
                use z = vae.DataTensor(grid, 1, torch.CPU)
                use x = vae.Decode z
                x.data<float32>().ToArray() |> Array.map float
            let exactNll (x: float) =
                let density =
                    Array.map2 (fun z g -> exp (-0.5 * z * z) / sqrt (2.0 * Math.PI) * exp (-0.5 * ((x - g) / sigma) ** 2.0) / (sigma * sqrt (2.0 * Math.PI))) grid decoded
                let h = grid[1] - grid[0]
                -log (h * (Array.sum density - 0.5 * (density[0] + density[density.Length - 1])))
            for x in [ decoded[8_000]; decoded[8_000] + 0.05; decoded[12_000]; decoded[3_000] - 0.1 ] do
                vae.BeginStep(0L, 99L)
                use noGrad = torch.no_grad()
                use batch = vae.DataTensor(Array.create 20_000 x, 1, torch.CPU)
                let struct (loss, _) = vae.LikelihoodLoss batch
                let negativeElbo = float (loss.item<float32> ())
                let nll = exactNll x
                Expect.isGreaterThanOrEqual negativeElbo (nll - 0.01) (sprintf "x = %.3f: −ELBO %.4f ≥ −log p %.4f" x negativeElbo nll)
                Expect.isLessThan negativeElbo (nll + 5.0) (sprintf "x = %.3f: −ELBO %.4f within 5 nats of −log p %.4f" x negativeElbo nll)
        }

        test "a VAE learns N(2, 0.5²): exact W1 below 0.1 and its negative ELBO just above the law's entropy" {
            let model = { GeneratorObjectiveTests.smallVae 1 with Optimizer = Flow.adam 3e-3 }
            let e = vaeExperiment model 800
            TorchSetup.Initialize 1
            let summary = ExperimentRunner.Run(e, RunContext(torch.CPU, scratchFolder "vae-gaussian"))
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let final = summary.Final.Value
            Expect.isLessThan final.Samples.W1Exact.Value 0.1 (sprintf "W1 to the truth %.4f" final.Samples.W1Exact.Value)
            // E[−ELBO] ≥ E[−log p_model] ≥ H(data) = ½ log(2πe · 0.25): the last batch's loss, up to its sampling noise.
            let entropy = 0.5 * log (2.0 * Math.PI * Math.E * 0.25)
            Expect.isGreaterThan final.GeneratorLoss (entropy - 0.15) (sprintf "−ELBO %.3f ≥ H %.3f" final.GeneratorLoss entropy)
            Expect.isLessThan final.GeneratorLoss (entropy + 0.5) (sprintf "−ELBO %.3f close to H %.3f" final.GeneratorLoss entropy)
            Expect.isNone final.Density "no exact density, so no NLL columns"
            Expect.isNone final.Critic "no critic"
        }

        test "validation refuses an ELBO on a flow, a prior other than N(0, I), and a non-positive σ, naming both parts" {
            let vae = GeneratorObjectiveTests.smallVae 2
            let errors (m: Model) = ExperimentValidation.errors { vaeExperiment m 10 with Data = DataSource.Law NamedDatasets.ring8 }
            let onFlow = { vae with Generator = (Model.Flow Flow.realNvpMoons).Generator }
            Expect.exists (errors onFlow) (fun e -> e.Field = "model.objective" && e.Value = "Elbo" && e.Reason.Contains "model.generator is a flow") "ELBO on a flow"
            let uniform =
                { vae with Generator = GeneratorSpec.Mlp { Prior = { Kind = PriorKind.SymmetricUniform; Dimension = 2 }; Network = Mlp.Default } }
            Expect.exists (errors uniform) (fun e -> e.Field = "model.generator.mlp.prior.kind" && e.Reason.Contains "Elbo") "a uniform prior"
            let noNoise = { vae with Objective = Objective.Elbo { Elbo.Default with Likelihood = DecoderLikelihood.Gaussian 0.0 } }
            Expect.exists (errors noNoise) (fun e -> e.Field = "model.objective.elbo.likelihood.std" && e.Value = "0") "σ = 0"
            let noEncoder = { vae with Objective = Objective.Elbo { Elbo.Default with Encoder = EncoderNetwork.Mlp { Mlp.Default with Width = 0 } } }
            Expect.exists (errors noEncoder) (fun e -> e.Field.StartsWith "model.objective.elbo.encoder") "an encoder of width 0"
            Expect.isEmpty (errors vae) "the VAE itself is valid"
        }
    ]
