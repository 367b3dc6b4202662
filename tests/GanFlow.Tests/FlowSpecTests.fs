/// The F# flow specs: named defaults are valid, bad values are rejected with their field path, JSON round-trips.
module GanFlow.Tests.FlowSpecTests

open Expecto
open GanFlow.Core.Specs
open GanFlow.Core.Models
open GanFlow.Core.Experiments

let private named =
    [ "realNvpMoons", Flow.realNvpMoons
      "otFlowMoons", Flow.otFlowMoons
      "gaussianization1d", Flow.gaussianization1d
      "ffjord1d", Flow.ffjord1d
      "niceLogistic", Flow.niceLogistic ]

let private fields errors = errors |> List.map (fun (e: SpecError) -> e.Field)

[<Tests>]
let tests =
    testList "Flow specs" [
        testCase "every named flow spec is valid" (fun () ->
            for name, spec in named do
                Expect.isEmpty (ExperimentValidation.flowErrors spec) name)
        testCase "an experiment with a flow model validates through the model.generator.flow path" (fun () ->
            let e = { Experiment.create "flow-moons" "RealNVP on moons" GanFlow.Core.Datasets.NamedDatasets.moons with Model = Model.Flow Flow.realNvpMoons }
            Expect.isOk (ExperimentValidation.validate e) "valid experiment"
            let bad = { e with Model = Model.Flow { Flow.realNvpMoons with Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 0 } } }
            match ExperimentValidation.validate bad with
            | Ok _ -> failtest "zero couplings must be rejected"
            | Error errors -> Expect.contains (fields errors) "model.generator.flow.architecture.realNvp.couplings" "field path")
        testCase "a step-decay schedule outside (0, 1] or with no period is rejected naming the field" (fun () ->
            let errors schedule = ExperimentValidation.flowErrors { Flow.gaussianization1d with Schedule = schedule } |> fields
            Expect.equal (errors (GanFlow.Core.Training.LearningRateSchedule.StepDecay(1.5, 100))) [ "model.schedule.factor" ] "factor > 1"
            Expect.equal (errors (GanFlow.Core.Training.LearningRateSchedule.StepDecay(0.5, 0))) [ "model.schedule.every" ] "every = 0"
            Expect.isEmpty (errors (GanFlow.Core.Training.LearningRateSchedule.StepDecay(0.5, 10_000))) "the GF reference's halving")
        testCase "bad flow values are rejected naming the field" (fun () ->
            let check architecture expectedField =
                let errors = ExperimentValidation.flowErrors { Flow.realNvpMoons with Architecture = architecture }
                Expect.contains (fields errors) expectedField expectedField
            check (FlowArchitecture.Gaussianization { GaussianizationFlow.Default with Layers = 0 }) "model.generator.flow.architecture.gaussianization.layers"
            check (FlowArchitecture.Gaussianization { GaussianizationFlow.Default with CdfClamp = 0.5 }) "model.generator.flow.architecture.gaussianization.cdfClamp"
            check (FlowArchitecture.Nice { Nice.Default with Width = 0 }) "model.generator.flow.architecture.nice.width"
            check (FlowArchitecture.Ffjord { Ffjord.Default with Hidden = [ 64; 0 ] }) "model.generator.flow.architecture.ffjord.hidden[1]"
            check (FlowArchitecture.Ffjord { Ffjord.Default with Solver = OdeSolver.Dopri5(0.0, 1e-5, 100) }) "model.generator.flow.architecture.ffjord.solver.rtol"
            check (FlowArchitecture.OtFlow { OtFlow.Default with Solver = OdeSolver.Rk4 0 }) "model.generator.flow.architecture.otFlow.solver.steps"
            check (FlowArchitecture.OtFlow { OtFlow.Default with Rank = 0 }) "model.generator.flow.architecture.otFlow.rank"
            check (FlowArchitecture.Spline { SplineFlow.Default with Bins = 1 }) "model.generator.flow.architecture.spline.bins"
            check (FlowArchitecture.Spline { SplineFlow.Default with Bins = 1_000 }) "model.generator.flow.architecture.spline.bins"
            check (FlowArchitecture.Spline { SplineFlow.Default with Bound = 0.0 }) "model.generator.flow.architecture.spline.bound"
            check (FlowArchitecture.Spline { SplineFlow.Default with Layers = 0 }) "model.generator.flow.architecture.spline.layers"
            check (FlowArchitecture.Spline { SplineFlow.Default with Depth = 0 }) "model.generator.flow.architecture.spline.depth")
        testCase "flow specs survive a JSON round trip" (fun () ->
            for name, spec in named do
                let json = SpecJson.serialize (Model.Flow spec)
                Expect.equal (SpecJson.deserialize<Model> json) (Model.Flow spec) name)
    ]
