/// Every declared experiment, by name. `ganflow list` prints these names.
module GanFlow.Experiments.Catalog

open GanFlow.Core.Experiments

let all: Experiment list = [ WganGpUnimodalDemo.experiment ]

/// The experiment called `name`, if declared.
let tryFind (name: string) = all |> List.tryFind (fun e -> e.Name = name)
