namespace GanFlow.Core.Experiments

open GanFlow.Core.Datasets
open GanFlow.Core.Models

/// How long a model trains and on how much data per step.
type Budget =
    { /// Generator (outer) steps. Default 2,000. With `Epochs` the runtime sets it from the epochs before the run starts.
      Steps: int
      /// Data samples per step (fresh every step, or drawn from a finite training split); >= 2, and with the data's
      /// dimension d at most 2,147,483,591 values (one array). Default 256.
      BatchSize: int
      /// The budget in epochs of a finite training split (a sample, a file or images; seed 003's VAE: 50 epochs): the
      /// run trains Epochs·⌊training points / BatchSize⌋ steps, as many points as that many passes (minibatches are still
      /// drawn with replacement) (at least one per epoch), `Steps` is set from it when the
      /// data are read, and `spec.json` holds both. `--steps N` and a search's milestones count steps (they set None).
      /// None: `Steps` as written. Default None.
      Epochs: int option }

    static member Default = { Steps = 2_000; BatchSize = 256; Epochs = None }

/// Budget arithmetic.
module Budget =
    /// Steps of `epochs` passes over `trainingPoints` in batches of `batchSize` (at least one step per epoch).
    let stepsOfEpochs (trainingPoints: int) (batchSize: int) (epochs: int) = epochs * max 1 (trainingPoints / batchSize)

    /// `budget` with its steps counted from its epochs over `trainingPoints`; unchanged without epochs.
    let resolve (trainingPoints: int) (budget: Budget) =
        match budget.Epochs with
        | Some epochs -> { budget with Steps = stepsOfEpochs trainingPoints budget.BatchSize epochs }
        | None -> budget

/// One experiment: a dataset, a model, a budget, how it is scored, and a seed. The same
/// experiment and seed give the same numbers on CPU.
type Experiment =
    { /// Name used on the command line (`ganflow run NAME`): lower case, digits and dashes.
      Name: string
      /// One line shown by `ganflow list --verbose` and in the report.
      Description: string
      /// Where the data come from: fresh draws of a known law (`Law`, seed 000), a finite sample of one split into
      /// training, validation and test (`Sample`, seed 001 sec. 3: minibatches from the training split, uniformly with
      /// replacement, seeded from (seed, step)), a researcher's own sample file (`File`) or a folder of MNIST images
      /// (`Images`), both split and scored against their validation split (their test split is kept for
      /// `heldout.json`). The data's dimension follows from it. No default.
      Data: DataSource
      /// The model and how it is trained. Default WGAN-GP.
      Model: Model
      /// Steps and batch size. Default `Budget.Default`.
      Budget: Budget
      /// Evaluation cadence and sizes. Default `Evaluation.Default`.
      Evaluation: Evaluation
      /// Seed of every random draw of the run (data, noise, initialisation). Default 1.
      Seed: int }

    /// The law the data come from, when it is known (not for a sample file).
    member e.Law = DataSource.law e.Data

    /// Coordinates of one data point.
    member e.Dimension = DataSource.dimension e.Data

/// Building experiments.
module Experiment =
    /// An experiment with every default, on fresh draws of `dataset`.
    let create name description dataset =
        { Name = name
          Description = description
          Data = DataSource.Law dataset
          Model = Model.Gan Gan.Default
          Budget = Budget.Default
          Evaluation = Evaluation.Default
          Seed = 1 }
