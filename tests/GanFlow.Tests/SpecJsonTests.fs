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
        test "a run summary survives a JSON round trip, absent metrics absent and a NaN value NaN" {
            let record = { GanFlow.Tests.Records.ganRecord 10 0.5 nan -0.1 0.01 1.0 -2.0 3.5 with Density = None }
            let summary =
                { Experiment = "x"; Seed = 3; Status = RunStatus.Diverged; Message = "NaN at step 10"
                  StepsCompleted = 10; WallSeconds = 4.0; Device = "cpu"; GeneratorParameters = 7
                  CriticParameters = 9; Final = Some record; Splits = Some { Train = 80; Validation = 10; Test = 10 } }
            let back = SpecJson.deserialize<RunSummary> (SpecJson.serialize summary)
            Expect.equal back.Status RunStatus.Diverged "status"
            Expect.isTrue (System.Double.IsNaN back.Final.Value.W1Exact) "NaN survives"
            Expect.isNone back.Final.Value.Density "no density scores appear"
            Expect.equal back.Final.Value.Critic record.Critic "the critic's scores"
            Expect.equal { back with Final = None } { summary with Final = None } "other fields"
            // summary.json of an earlier version has no splits: it reads, without them.
            let node = System.Text.Json.Nodes.JsonNode.Parse(SpecJson.serialize summary) |> nonNull
            Expect.isTrue (node.AsObject().Remove "splits") "the key is written"
            Expect.isNone (SpecJson.deserialize<RunSummary> (node.ToJsonString())).Splits "an earlier summary.json reads without splits"
        }
        test "a spec.json written before the critic and the encoder were unions, before a model had init and a budget epochs, reads as the same model" {
            let older (e: Experiment) =
                // The earlier form: the MLP's fields directly under "critic" and "encoder", no "init".
                let node = System.Text.Json.Nodes.JsonNode.Parse(SpecJson.serialize e) |> nonNull
                let rec rewrite (n: System.Text.Json.Nodes.JsonNode | null) =
                    match n with
                    | :? System.Text.Json.Nodes.JsonObject as o ->
                        if o.ContainsKey "schedule" then o.Remove "init" |> ignore
                        if o.ContainsKey "batchSize" && o.ContainsKey "steps" then o.Remove "epochs" |> ignore
                        for key in [ "critic"; "encoder" ] do
                            match o[key] with
                            | :? System.Text.Json.Nodes.JsonObject as u when u.ContainsKey "Mlp" ->
                                let wrapper = u["Mlp"] |> nonNull
                                let inner = wrapper["item"] |> nonNull
                                (wrapper :?> System.Text.Json.Nodes.JsonObject).Remove "item" |> ignore
                                o[key] <- inner
                            | _ -> ()
                        for kv in List.ofSeq o do rewrite kv.Value
                    | _ -> ()
                rewrite node
                node.ToJsonString()
            for e in [ GanFlow.Experiments.WganGpUnimodalDemo.experiment; GanFlow.Experiments.VariationalAutoencoders.ring; GanFlow.Experiments.Seed001FlowGan.study.Cells.Head.Experiment ] do
                let text = older e
                Expect.isFalse (text.Contains "\"init\":\"Random\"") "the older form has no model init"
                Expect.isTrue (SpecJson.isLegacy text) "recognised as an older form"
                Expect.equal (SpecJson.deserialize<Experiment> text) e (sprintf "%s reads as the same experiment" e.Name)
        }
        test "a spec.json written before models were a generator and an objective reads as the same model" {
            let demo = GanFlow.Experiments.WganGpUnimodalDemo.experiment
            let gan = { GanFlow.Core.Models.Gan.WganGp with Lipschitz = [ GanFlow.Core.Models.LipschitzConstraint.GradientPenalty 0.1 ]; CriticSteps = 10 }
            let flow = GanFlow.Core.Models.Flow.realNvpMoons
            for legacy, model in
                [ System.Text.Json.JsonSerializer.SerializeToNode(Map [ "Gan", Map [ "item", gan ] ], SpecJson.options), GanFlow.Core.Models.Model.Gan gan
                  System.Text.Json.JsonSerializer.SerializeToNode(Map [ "Flow", Map [ "item", flow ] ], SpecJson.options), GanFlow.Core.Models.Model.Flow flow ] do
                let node = System.Text.Json.Nodes.JsonNode.Parse(SpecJson.serialize demo) |> nonNull
                node["model"] <- legacy
                let back = SpecJson.deserialize<Experiment> (node.ToJsonString())
                Expect.equal back { demo with Model = model } "the legacy model as a generator and an objective"
        }
        test "an evaluation in summary.json is one flat object of the metrics the model has" {
            let json = SpecJson.serialize (GanFlow.Tests.Records.ganRecord 10 0.5 0.4 -0.1 0.01 1.0 -2.0 3.5)
            Expect.stringContains json "\"criticW1\"" "the critic's estimate"
            Expect.isFalse (json.Contains "nll") "no density field"
            Expect.isFalse (json.Contains "NaN") "no NaN filler"
        }
        test "the JSON names union cases and record fields readably" {
            let json = SpecJson.serialize GanFlow.Experiments.WganGpUnimodalDemo.experiment
            Expect.stringContains json "\"GradientPenalty\"" "union case by name"
            Expect.stringContains json "\"criticSteps\"" "camelCase field"
        }
    ]
