module GanFlow.Tests.CatalogTests

open Expecto
open GanFlow.Core.Experiments
open GanFlow.Experiments

[<Tests>]
let tests =
    testList "catalog" [
        test "every declared experiment and study is valid" {
            for declared in Catalog.all do
                let errors =
                    match declared with
                    | Declared.Single e -> ExperimentValidation.errors e
                    | Declared.Study s -> StudyValidation.errors s
                    | Declared.Search s -> GanFlow.Core.Search.SearchValidation.errors s
                    | Declared.Dynamics d -> GanFlow.Core.Dynamics.DynamicsValidation.experimentErrors d
                Expect.isEmpty errors (sprintf "%s: %A" declared.Name errors)
        }
        test "declared names are unique, including study cells" {
            let names =
                Catalog.all
                |> List.collect (function
                    | Declared.Single e -> [ e.Name ]
                    | Declared.Study s -> s.Name :: (s.Cells |> List.map (fun c -> c.Experiment.Name))
                    | Declared.Search s -> [ s.Name ]
                    | Declared.Dynamics d -> [ d.Name ])
            Expect.equal (List.distinct names) names "no duplicates"
        }
        test "seed 000's WGAN search ships for both datasets at the paper's scale and a reduced one, names containing search" {
            let searches = Catalog.all |> List.choose (function Declared.Search s -> Some s | _ -> None)
            for name in [ "seed000-search-unimodal"; "seed000-search-multimodal"; "seed000-search-unimodal-reduced"; "seed000-search-multimodal-reduced" ] do
                Expect.exists searches (fun s -> s.Name = name) name
            let paper = searches |> List.find (fun s -> s.Name = "seed000-search-unimodal")
            Expect.equal paper.Trials 100 "100 trials"
            Expect.equal paper.Scheduler.Scheduler (GanFlow.Core.Search.Scheduler.Asha GanFlow.Core.Search.Halving.Seed000) "grace 5,000, max 50,000, η 4"
            Expect.equal paper.Base.Budget.BatchSize 2_048 "batch 2,048"
            Expect.equal (paper.Space |> List.map _.Name |> List.length) 18 "the reference's 15 knobs, with depth and the cyclic schedule's parts conditional"
            Expect.all searches (fun s -> s.Name.Contains "search") "names contain search"
        }
        test "a study cell can be run by its own name" {
            match Catalog.tryFind "table2-unimodal-baseline" with
            | Some(Declared.Single e) -> Expect.equal e.Name "table2-unimodal-baseline" "found"
            | other -> failtestf "expected the cell, got %A" other
        }
        test "seed 000 Table 2 has five rows of experiments, a tuned row from the searches, two columns and the paper's values" {
            let s = Seed000Table2.study
            Expect.equal s.Rows.Length 6 "rows"
            Expect.equal (s.Searches |> List.map (fun c -> c.Row, c.Column, c.Search))
                [ Seed000Table2.tunedRow, "unimodal", "seed000-search-unimodal-reduced"; Seed000Table2.tunedRow, "multimodal", "seed000-search-multimodal-reduced" ] "the tuned row's searches"
            Expect.isEmpty (StudyValidation.errors s) "valid"
            Expect.equal s.Columns [ "unimodal"; "multimodal" ] "columns"
            Expect.equal s.Cells.Length 10 "cells"
            Expect.equal (s.Reference |> List.find (fun (k, _) -> k = ("baseline", "multimodal")) |> snd) 0.4814 "paper value"
        }
        test "a study with a repeated cell is rejected naming the cell" {
            let s = Seed000Table2.study
            let bad = { s with Cells = s.Cells.Head :: s.Cells }
            let errors = StudyValidation.errors bad
            Expect.exists errors (fun e -> e.Field = "cells" && e.Value.Contains "baseline") "duplicate cell named"
        }
    ]
