/// Seed 000 Table 2 as one declared study: the baseline WGAN and four variants (uniform prior,
/// cyclic learning rate, dropout, ResNet blocks) on both datasets, at a reduced budget that
/// finishes in under 30 minutes on 2 CPU cores. The paper tuned for weeks (2,048-sample batches,
/// 50,000 iterations, up to 100 critic steps); see docs/results-seed000.md, Table 2, for the budget.
module GanFlow.Experiments.Seed000Table2

open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Core.Experiments

/// Budget of every cell (generator steps × batch).
let budget = { Steps = 3_000; BatchSize = 512; Epochs = None }

let private evaluation = { Evaluation.Default with Every = 250; Samples = 20_000; FinalSamples = 100_000 }

let private adam lr = Optimizer.Adam { Adam.Default with LearningRate = lr }

/// Unimodal baseline: the best unimodal WGAN of the reference search (ReLU, width 64, one
/// hidden layer, 1-D prior, spectral norm, no penalty), with a learning rate and critic steps
/// scaled to the reduced budget.
let unimodalBaseline =
    { Gan.WganSpectralNorm with
        Generator = { Mlp.Default with Width = 64; Depth = 1 }
        Critic = { Mlp.Default with Width = 64; Depth = 1 }
        Lipschitz = [ LipschitzConstraint.SpectralNorm 1 ]
        CriticSteps = 10
        GeneratorOptimizer = adam 1e-3
        CriticOptimizer = adam 1e-3 }

/// Multimodal baseline: gradient penalty (the paper's best there), wider and deeper nets.
let multimodalBaseline =
    { Gan.WganGp with
        Prior = { Prior.Default with Dimension = 5 }
        Generator = { Mlp.Default with Width = 128; Depth = 3 }
        Critic = { Mlp.Default with Width = 128; Depth = 3 }
        Lipschitz = [ LipschitzConstraint.GradientPenalty 1.0 ]
        CriticSteps = 5
        GeneratorOptimizer = adam 1e-3
        CriticOptimizer = adam 1e-3 }

/// The paper's row labels and how each row changes a baseline.
let variants: (string * string * (Gan -> Gan)) list =
    [ "baseline", "baseline", id
      "with uniform prior", "uniform-prior", (fun g -> { g with Prior = { g.Prior with Kind = PriorKind.SymmetricUniform } })
      "with cyclic LR", "cyclic-lr",
      (fun g ->
          let lr = g.GeneratorOptimizer.LearningRate
          { g with Schedule = LearningRateSchedule.CyclicTriangular(lr / 4.0, 500) })
      "with dropout", "dropout",
      (fun g -> { g with Generator = { g.Generator with Dropout = 0.5 }; Critic = { g.Critic with Dropout = 0.5 } })
      "with ResNet", "resnet",
      (fun g ->
          { g with
              Generator = { g.Generator with Residual = true; Depth = 3 }
              Critic = { g.Critic with Residual = true; Depth = 3 } }) ]

let private datasets = [ "unimodal", NamedDatasets.unimodal, unimodalBaseline; "multimodal", NamedDatasets.multimodal, multimodalBaseline ]

/// The row filled from seed 000's WGAN search at the reduced scale (the best trial's final W1), beside the paper's tuned
/// baseline: the paper's Table 2 baseline is the best of such a search.
let tunedRow = "tuned baseline (ASHA search, reduced)"

let study =
    { Name = "seed000-table2"
      Description = "Seed 000 Table 2: WGAN baseline and four variants on the unimodal and multimodal sets (reduced budget)"
      Rows = (variants |> List.map (fun (row, _, _) -> row)) @ [ tunedRow ]
      Columns = datasets |> List.map (fun (column, _, _) -> column)
      Cells =
        [ for column, dataset, baseline in datasets do
              for row, slug, change in variants ->
                  { Row = row
                    Column = column
                    Experiment =
                      { Experiment.create (sprintf "table2-%s-%s" column slug) (sprintf "Seed 000 Table 2, %s, %s" column row) dataset with
                          Model = Model.Gan(change baseline)
                          Budget = budget
                          Evaluation = evaluation } } ]
      Reference =
        [ ("baseline", "unimodal"), 0.0087
          ("baseline", "multimodal"), 0.4814
          ("with uniform prior", "unimodal"), 0.0490
          ("with uniform prior", "multimodal"), 0.6648
          ("with cyclic LR", "unimodal"), 0.0491
          ("with cyclic LR", "multimodal"), 0.7664
          ("with dropout", "unimodal"), 0.1171
          ("with dropout", "multimodal"), 1.0461
          ("with ResNet", "unimodal"), 0.1827
          ("with ResNet", "multimodal"), 0.7238
          (tunedRow, "unimodal"), 0.0087
          (tunedRow, "multimodal"), 0.4814 ]
      Searches =
        [ { Row = tunedRow; Column = "unimodal"; Search = "seed000-search-unimodal-reduced" }
          { Row = tunedRow; Column = "multimodal"; Search = "seed000-search-multimodal-reduced" } ]
      Parallelism = 2
      Table = None }
