/// Short maximum-likelihood runs per flow family: the NLL must fall clearly below its initial value.
module GanFlow.Tests.FlowTrainingTests

open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Runtime.Flows
open GanFlow.Tests.FlowTestSupport

let private gaussian = Distribution.Gaussian(1.0, 0.5)

let private train name spec dataset steps batch margin =
    testCase (sprintf "%s: the NLL after %d steps is at least %.2f nats below the NLL at initialisation" name steps margin) (fun () ->
        useOneThread ()
        let result = FlowTrainer.Train(spec, dataset, steps, batch, 7, torch.CPU)
        printfn "%s: NLL %.4f -> %.4f nats in %d steps, %.2f s (%.1f ms/step)" name result.InitialNll result.FinalNll
            result.StepsCompleted result.WallSeconds (1000.0 * result.WallSeconds / float result.StepsCompleted)
        Expect.isFalse result.Diverged result.Message
        Expect.isLessThan result.FinalNll (result.InitialNll - margin) "NLL fell")

[<Tests>]
let tests =
    testList "Flow training" [
        train "Gaussianization flow on N(1, 0.5²)"
            { Flow.gaussianization1d with
                Architecture = FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 2; Anchors = 20; Bandwidth = BandwidthInit.Fixed 1.0 } }
            gaussian 150 256 0.3
        train "RealNVP on moons"
            { Flow.realNvpMoons with
                Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 4; Width = 32 }
                Optimizer = Flow.adam 3e-3 }
            NamedDatasets.moons 200 256 0.3
        train "NICE on moons"
            { Flow.niceLogistic with
                Architecture = FlowArchitecture.Nice { Nice.Default with Couplings = 4; Width = 32; Depth = 3 }
                Optimizer = Flow.adam 3e-3 }
            NamedDatasets.moons 200 256 0.3
        train "FFJORD on N(1, 0.5²)"
            { Flow.ffjord1d with
                Architecture = FlowArchitecture.Ffjord { Ffjord.Default with Hidden = [ 16; 16 ]; Solver = OdeSolver.Rk4 4 }
                Optimizer = Flow.adam 1e-2 }
            gaussian 60 256 0.2
        train "OT-Flow on moons" Flow.otFlowMoons NamedDatasets.moons 100 256 0.3
        testCase "training twice with the same seed gives the same NLL" (fun () ->
            useOneThread ()
            let spec =
                { Flow.realNvpMoons with
                    Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 8 }
                    Optimizer = Flow.adam 1e-2 }
            let run () = FlowTrainer.Train(spec, NamedDatasets.moons, 20, 64, 5, torch.CPU)
            let a, b = run (), run ()
            Expect.equal a.InitialNll b.InitialNll "initial NLL"
            Expect.equal a.FinalNll b.FinalNll "final NLL")
        testCase "a diverging run stops and reports it without throwing" (fun () ->
            useOneThread ()
            let spec =
                { Flow.gaussianization1d with
                    Architecture = FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 1; Anchors = 5 }
                    Optimizer = Flow.adam 1e12 }
            let result = FlowTrainer.Train(spec, gaussian, 50, 64, 3, torch.CPU)
            Expect.isTrue result.Diverged (sprintf "diverged (%s)" result.Message))
    ]
