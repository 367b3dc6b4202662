/// Evaluation records written by hand, as a GAN on 1-D data would record them.
module GanFlow.Tests.Records

open GanFlow.Core.Experiments

/// The evaluation of an MLP generator with a critic on 1-D data (sample and critic scores, no density).
let ganRecord step w1 w1Exact criticW1 energy generatorLoss criticLoss wallSeconds =
    { Step = step
      GeneratorLoss = generatorLoss
      WallSeconds = wallSeconds
      // Precision, recall, density and coverage follow from W1 so that records of different steps differ in them too.
      Samples = { W1 = Some w1; W1Exact = Some w1Exact; Energy = energy
                  PrecisionRecall = { Precision = 1.0 - w1 / 4.0; Recall = 1.0 - w1 / 2.0; Density = 1.0 + w1; Coverage = 1.0 - w1 / 3.0 } }
      Critic = Some { CriticW1 = criticW1; CriticLoss = criticLoss }
      Density = None
      Modes = None }
