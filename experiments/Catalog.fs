/// Every declared experiment, study and search, by name. `ganflow list` prints these names.
module GanFlow.Experiments.Catalog

open GanFlow.Core.Experiments

let all: Declared list =
    [ Declared.Single WganGpUnimodalDemo.experiment
      Declared.Study Seed000Table2.study
      Declared.Study Seed000Table1.study
      Declared.Single Seed003Moons.realNvp
      Declared.Single Seed003Moons.otFlow ]
    @ (NeuralSplineFlows.all |> List.map Declared.Single)
    @ (VariationalAutoencoders.all |> List.map Declared.Single)
    @ (MnistFlows.all |> List.map Declared.Single)
    @ [ Declared.Search MnistFlows.search ]
    @ (DemoSearch.search :: ClosedFormSearch.search :: Seed000Search.all |> List.map Declared.Search)
    @ (Seed002Dynamics.all |> List.map Declared.Dynamics)
    @ [ Declared.Study Seed001FlowGan.study ]
    @ (Seed003Mnist.all |> List.map Declared.Single)
    @ Seed001Mnist.all

/// The experiment, study or search called `name`, if declared; a study's cells are reachable by their own names too.
let tryFind (name: string) =
    match all |> List.tryFind (fun d -> d.Name = name) with
    | Some found -> Some found
    | None ->
        all
        |> List.tryPick (function
            | Declared.Study s -> s.Cells |> List.tryFind (fun c -> c.Experiment.Name = name) |> Option.map (fun c -> Declared.Single c.Experiment)
            | Declared.Single _
            | Declared.Search _
            | Declared.Dynamics _ -> None)
