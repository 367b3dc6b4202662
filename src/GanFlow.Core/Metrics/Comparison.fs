namespace GanFlow.Core.Metrics

open GanFlow.Core.Specs

/// How `Comparison.compare` scores two samples: the seed and every size and cap, each with its default.
type ComparisonSettings =
    { /// Seed of every random choice (directions, subsamples, permutations, splits, truth draws). Default 1.
      Seed: int
      /// L, the random directions of sliced W1. Default 1,000.
      Projections: int
      /// h of MMD²'s Gaussian kernel, in data units; None: the median heuristic. Default None.
      Bandwidth: float option
      /// Relabellings of MMD²'s permutation test. Default 200.
      Permutations: int
      /// Points of each sample MMD² uses (a seeded subsample beyond it): it holds the (n + m)² kernel matrix.
      /// Default 2,000.
      MmdPoints: int
      /// Points of each sample the d-dimensional energy distance uses (a seeded subsample beyond it): it sums over
      /// (n + m)² pairs. The 1-D energy distance is O(n log n) and always uses every point. Default 10,000.
      EnergyPoints: int
      /// Points of each sample the classifier two-sample test uses. Default 10,000.
      ClassifierPoints: int }

    /// The defaults above.
    static member Default =
        { Seed = 1
          Projections = SlicedWasserstein.DefaultProjections
          Bandwidth = None
          Permutations = Mmd.DefaultPermutations
          MmdPoints = 2_000
          EnergyPoints = 10_000
          ClassifierPoints = ClassifierTwoSample.DefaultMaxPoints }

/// Every two-sample score of model samples X against data samples Y.
type Comparison =
    { /// n, model samples.
      CountX: int
      /// m, data samples.
      CountY: int
      /// d, coordinates per sample.
      Dimension: int
      /// 1-D: W1 (seed 000 eq. 8), exact.
      W1: float option
      /// Sliced W1 and its standard error.
      Sliced: SlicedW1
      /// Energy distance (V-statistic).
      Energy: float
      /// MMD², its bandwidth and p-value.
      Mmd: MmdTest
      /// The classifier two-sample test.
      Classifier: ClassifierTest
      /// Precision, recall, density and coverage.
      PrecisionRecall: PrecisionRecall }

/// The scores `ganflow metric` prints, from two samples already read; pure apart from the parallelism inside the
/// searches (which does not change any number).
module Comparison =

    /// Seed streams of the subsamples, so that each score's draws are its own.
    let private energyStream, mmdStream = 31, 32

    /// The fewest points X and Y need: the k-th neighbours of precision, recall, density and coverage.
    let pointsNeeded =
        PrecisionRecall.pointsNeeded PrecisionRecall.PrecisionRecallK,
        PrecisionRecall.pointsNeeded (max PrecisionRecall.PrecisionRecallK PrecisionRecall.DensityCoverageK)

    /// Every score of model samples `x` against data samples `y` (same dimension, enough points: `pointsNeeded`).
    let compare (search: NeighbourSearch) (settings: ComparisonSettings) (x: Points) (y: Points) : Comparison =
        if x.Dimension <> y.Dimension then invalidArg "y" (sprintf "%d-D and %d-D samples" x.Dimension y.Dimension)
        let capped (stream: int) (count: int) (p: Points) = Points.atMost (Seeds.random settings.Seed 0 stream) count p
        let energy =
            if x.Dimension = 1 then EnergyDistance.ofPoints x y
            else EnergyDistance.ofPoints (capped energyStream settings.EnergyPoints x) (capped (energyStream + 100) settings.EnergyPoints y)
        { CountX = x.Count
          CountY = y.Count
          Dimension = x.Dimension
          W1 = (if x.Dimension = 1 then Some(Wasserstein.w1 x.Values y.Values) else None)
          Sliced = SlicedWasserstein.estimate settings.Seed settings.Projections x y
          Energy = energy
          Mmd =
            Mmd.test settings.Seed settings.Permutations settings.Bandwidth
                (capped mmdStream settings.MmdPoints x) (capped (mmdStream + 100) settings.MmdPoints y)
          Classifier = ClassifierTwoSample.test search settings.Seed settings.ClassifierPoints x y
          PrecisionRecall = PrecisionRecall.compute search y x }
