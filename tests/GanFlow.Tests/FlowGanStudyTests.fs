/// A seed 001 study folder becomes Tables 1 and 3, the memorizing baseline, Figs. 2-4 and the claims.
module GanFlow.Tests.FlowGanStudyTests

open System.IO
open Expecto
open TorchSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Report
open GanFlow.Store
open GanFlow.Tests.TestRuns

let private flow = { Flow.realNvpMoons with Architecture = FlowArchitecture.RealNvp { RealNvp.Default with Couplings = 2; Width = 16 }; Optimizer = Flow.adam 3e-3 }
let private game = { Adversarial.WganGp with Critic = CriticNetwork.Mlp { Mlp.Default with Width = 16 }; CriticSteps = 1 }
let private tables =
    { Baseline = { MemorizingBaseline.Default with Sigmas = [ 0.01; 0.1; 0.5 ]; Samples = 500 }
      AdversarialRow = "ADV"
      PaperTable1 = [ { Objective = "MLE"; Values = [ 7.42; -3334.56 ] } ]
      PaperTable3 = [ { Objective = "MLE"; Values = [ -3287.69; -2584.40; -167.10 ] } ] }

let private study =
    let cell row slug objective =
        let model = if objective = Objective.MaximumLikelihood then Model.Flow flow else Model.FlowGan(flow, objective)
        { Row = row
          Column = "ring"
          Experiment =
            { Experiment.create (sprintf "tiny-%s" slug) "" (NamedDatasets.ring 8 2.0 0.2) with
                Model = model
                Data = DataSource.Sample(NamedDatasets.ring 8 2.0 0.2, FiniteSample.create 400 100 100 1)
                Budget = { Steps = 20; BatchSize = 64; Epochs = None }
                Evaluation =
                    { Evaluation.Default with
                        Every = 10
                        Samples = 300
                        FinalSamples = 300
                        Ais = Some { Ais.Default with Intermediates = 10; Chains = 2; Points = 5; SimulatedPoints = 2 }
                        Parzen = Some { Parzen.Default with Samples = 300; Points = 100 }
                        Jacobian = Some { Draws = 8 } } } }
    { Name = "tiny-flowgan"
      Description = ""
      Rows = [ "MLE"; "ADV"; "Hybrid (λ = 1)" ]
      Columns = [ "ring" ]
      Cells = [ cell "MLE" "mle" Objective.MaximumLikelihood; cell "ADV" "adv" (Objective.Adversarial game); cell "Hybrid (λ = 1)" "hybrid" (Objective.Hybrid(game, 1.0)) ]
      Reference = []
      Searches = []
      Parallelism = 1
      Table = Some(StudyTable.FlowGan tables) }

[<Tests>]
let tests =
    testList "Flow-GAN study" [
        test "a Flow-GAN study folder gives Tables 1 and 3 with the baseline, the paper's values, the claims, a CSV and a report" {
            let folder = scratchFolder "flowgan-study"
            TorchSetup.Initialize 1
            for c in study.Cells do
                let summary = ExperimentRunner.Run(c.Experiment, RunContext(torch.CPU, StudyReport.cellFolder folder c))
                Expect.equal summary.Status RunStatus.Completed summary.Message
            let table = StudyReport.write folder study
            for expected in [ "Table 1"; "Table 3"; "memorizing mixture"; "MLE"; "ADV"; "Hybrid (λ = 1)"; "Claims"; "AIS misranks"; "-3334.56" ] do
                Expect.stringContains table expected expected
            let csv = File.ReadAllLines(Path.Combine(folder, RunFiles.StudyTableCsv))
            Expect.hasLength csv 5 "a header, three objectives and the baseline"
            let html = File.ReadAllText(Path.Combine(folder, RunFiles.Report))
            for figure in [ "Fig. 2"; "Fig. 3"; "Fig. 4" ] do Expect.stringContains html figure figure
            Expect.stringContains html "every model's final precision against recall" "the precision–recall plane"
            Expect.stringContains (File.ReadAllText(Path.Combine(folder, RunFiles.StudyTable))) "| precision / recall | ring |" "the precision / recall table"
            let recall = File.ReadAllLines(Path.Combine(folder, RunFiles.StudyPrecisionRecall))
            Expect.hasLength recall 4 "a header and the three objectives"
            for line in recall[1..] do
                let fields = line.Split(',')
                let value (k: int) = System.Double.Parse(fields[k], System.Globalization.CultureInfo.InvariantCulture)
                Expect.isTrue ([ 2; 3; 5 ] |> List.forall (fun k -> value k >= 0.0 && value k <= 1.0)) (sprintf "precision, recall, coverage in [0, 1]: %s" line)
        }
        test "baseline bandwidths outside (0, 1] and a column without a finite training set are rejected naming the field" {
            let bad = { study with Table = Some(StudyTable.FlowGan { tables with Baseline = { tables.Baseline with Sigmas = [ 0.5; 1.5 ] } }) }
            Expect.exists (StudyValidation.errors bad) (fun e -> e.Field = "table.flowGan.baseline.sigmas[1]" && e.Value = "1.5") "σ = 1.5"
            let fresh = { study with Cells = study.Cells |> List.map (fun c -> { c with Experiment = { c.Experiment with Data = DataSource.Law c.Experiment.Law.Value } }) }
            Expect.exists (StudyValidation.errors fresh) (fun e -> e.Field = "cells[column ring].data") "no finite training set"
        }
    ]
