/// Evaluation records written by hand, as a GAN on 1-D data would record them.
module GanFlow.Tests.Records

open GanFlow.Core.Experiments

/// The evaluation of an MLP generator with a critic on 1-D data (sample and critic scores, no density).
let ganRecord step w1 w1Exact criticW1 energy generatorLoss criticLoss wallSeconds =
    { Step = step
      GeneratorLoss = generatorLoss
      WallSeconds = wallSeconds
      Samples = { W1 = Some w1; W1Exact = Some w1Exact; Energy = energy }
      Critic = Some { CriticW1 = criticW1; CriticLoss = criticLoss }
      Density = None
      Modes = None }
