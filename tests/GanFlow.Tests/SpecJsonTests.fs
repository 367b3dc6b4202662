module GanFlow.Tests.SpecJsonTests

open Expecto
open GanFlow.Core.Specs
open GanFlow.Core.Experiments

let private declaredExperiments =
    GanFlow.Experiments.Catalog.all
    |> List.collect (function
        | Declared.Single e -> [ e ]
        | Declared.Study s -> s.Cells |> List.map (fun c -> c.Experiment)
        | Declared.Search s -> [ s.Base; GanFlow.Core.Search.Search.trialExperiment s 0 ]
        | Declared.Dynamics _ -> [])

[<Tests>]
let tests =
    testList "spec json" [
        test "every declared experiment survives a JSON round trip unchanged" {
            for e in declaredExperiments do
                let back = SpecJson.deserialize<Experiment> (SpecJson.serialize e)
                Expect.equal back e (sprintf "round trip of %s" e.Name)
        }
        test "a run summary with NaN metrics survives a JSON round trip" {
            let record =
                { Step = 10; W1 = 0.5; W1Exact = nan; CriticW1 = -0.1; Energy = 0.01
                  GeneratorLoss = 1.0; CriticLoss = -2.0; WallSeconds = 3.5; Nll = nan; InverseError = nan; FunctionEvaluations = nan; LatentInverseError = nan }
            let summary =
                { Experiment = "x"; Seed = 3; Status = RunStatus.Diverged; Message = "NaN at step 10"
                  StepsCompleted = 10; WallSeconds = 4.0; Device = "cpu"; GeneratorParameters = 7
                  CriticParameters = 9; Final = Some record }
            let back = SpecJson.deserialize<RunSummary> (SpecJson.serialize summary)
            Expect.equal back.Status RunStatus.Diverged "status"
            Expect.isTrue (System.Double.IsNaN back.Final.Value.W1Exact) "NaN survives"
            Expect.equal { back with Final = None } { summary with Final = None } "other fields"
        }
        test "the JSON names union cases and record fields readably" {
            let json = SpecJson.serialize GanFlow.Experiments.WganGpUnimodalDemo.experiment
            Expect.stringContains json "\"GradientPenalty\"" "union case by name"
            Expect.stringContains json "\"criticSteps\"" "camelCase field"
        }
    ]
