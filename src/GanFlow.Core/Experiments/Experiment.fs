namespace GanFlow.Core.Experiments

open GanFlow.Core.Datasets
open GanFlow.Core.Models

/// How long a model trains and on how much data per step.
type Budget =
    { /// Generator (outer) steps. Default 2,000.
      Steps: int
      /// Data samples per step (fresh every step, or drawn from a finite training split). Default 256.
      BatchSize: int }

    static member Default = { Steps = 2_000; BatchSize = 256 }

/// One experiment: a dataset, a model, a budget, how it is scored, and a seed. The same
/// experiment and seed give the same numbers on CPU.
type Experiment =
    { /// Name used on the command line (`ganflow run NAME`): lower case, digits and dashes.
      Name: string
      /// One line shown by `ganflow list --verbose` and in the report.
      Description: string
      /// The data distribution (exact pdf/cdf in 1-D). No default.
      Dataset: Distribution
      /// The model and how it is trained. Default WGAN-GP.
      Model: Model
      /// A finite training set (m points drawn once, split train/validation/test) instead of fresh data every step.
      /// Training then draws its minibatches from the training split (uniformly, with replacement, seeded from (seed,
      /// step)); evaluations still score against fresh data from the distribution and add the NLL of the training and
      /// validation splits. Default None: fresh data every step (seed 000).
      TrainingSet: FiniteSample option
      /// Steps and batch size. Default `Budget.Default`.
      Budget: Budget
      /// Evaluation cadence and sizes. Default `Evaluation.Default`.
      Evaluation: Evaluation
      /// Seed of every random draw of the run (data, noise, initialisation). Default 1.
      Seed: int }

/// Building experiments.
module Experiment =
    /// An experiment with every default, on `dataset`.
    let create name description dataset =
        { Name = name
          Description = description
          Dataset = dataset
          Model = Model.Gan Gan.Default
          TrainingSet = None
          Budget = Budget.Default
          Evaluation = Evaluation.Default
          Seed = 1 }
