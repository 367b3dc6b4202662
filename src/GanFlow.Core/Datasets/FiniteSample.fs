namespace GanFlow.Core.Datasets

open GanFlow.Core.Specs

/// A finite data set (seed 001 sec. 3: held-out likelihoods, the memorizing baseline, the best-validated checkpoint):
/// `Points` points drawn once from the distribution with `Seed`, then split in draw order into a training split (the
/// first `Points − ValidationPoints − TestPoints`), a validation split and a test split. Seed 001's MNIST split is
/// 50,000 / 10,000 / 10,000.
type FiniteSample =
    { /// m, every point drawn (more than ValidationPoints + TestPoints + 1, so the training split holds at least 2; at
      /// most 2,147,483,591 coordinates in all, one array; the run's memory estimate counts two float64 copies).
      Points: int
      /// Points of the validation split (>= 1): the bandwidth line search, the best-validated checkpoint.
      ValidationPoints: int
      /// Points of the test split (>= 1): the reported held-out NLL and the likelihood estimators.
      TestPoints: int
      /// Seed of the draw, apart from the experiment's seed, so that runs of several seeds (and the baseline) share one
      /// data set.
      Seed: int }

/// The three splits of a finite sample, row-major.
type Splits =
    { /// Coordinates of one point.
      Dimension: int
      /// The training split: what training draws its minibatches from.
      Train: float[]
      /// The validation split.
      Validation: float[]
      /// The test split.
      Test: float[] }

/// Drawing and using finite samples. Pure: the splits are a function of the dataset and the spec.
module FiniteSample =

    /// A finite sample of `points` points with `validation` and `test` of them held out, drawn with `seed`.
    let create points validation test seed = { Points = points; ValidationPoints = validation; TestPoints = test; Seed = seed }

    /// Points of the training split.
    let trainPoints (s: FiniteSample) = s.Points - s.ValidationPoints - s.TestPoints

    /// The splits of `s` drawn from `dataset` (stream 0 of `Seeds.random s.Seed 0`).
    let draw (dataset: Distribution) (s: FiniteSample) : Splits =
        let d = Densities.dimension dataset
        let all = Sampling.sample (Seeds.random s.Seed 0 0) dataset s.Points
        let train = trainPoints s
        { Dimension = d
          Train = all[.. train * d - 1]
          Validation = all[train * d .. (train + s.ValidationPoints) * d - 1]
          Test = all[(train + s.ValidationPoints) * d ..] }

    /// `count` training points drawn uniformly with replacement by `rng` (a minibatch), row-major.
    let batch (splits: Splits) (rng: System.Random) (count: int) =
        let d = splits.Dimension
        let n = splits.Train.Length / d
        let result = Array.zeroCreate (count * d)
        for i in 0 .. count - 1 do
            let row = rng.Next n
            Array.blit splits.Train (row * d) result (i * d) d
        result

    /// The most coordinates one sample can hold: every point is drawn into one array (`Array.MaxLength`).
    let maxValues = 2_147_483_591L

    /// The refusal of `count` points of `dimension` coordinates at `field` when they cannot be one array.
    let oneArray (field: string) (dimension: int) (count: int) =
        if int64 count * int64 (max 1 dimension) <= maxValues then []
        else
            Check.fail field count
                (sprintf "%d points of %d coordinates are %d values, more than one array holds (%d)" count dimension (int64 count * int64 dimension) maxValues)

    /// Boundary checks of a sample of `dimension`-dimensional points (None when the law is invalid, so its dimension is
    /// not known: the one-array bound is then left to the corrected spec), with field paths under `path`. The counts
    /// are compared in 64 bits, so that splits of 2 × 10⁹ points cannot wrap around to a valid-looking training split.
    let errors (path: string) (dimension: int option) (s: FiniteSample) =
        let held = int64 s.ValidationPoints + int64 s.TestPoints
        let train = int64 s.Points - held
        Check.atLeast (path + ".validationPoints") 1 s.ValidationPoints
        @ Check.atLeast (path + ".testPoints") 1 s.TestPoints
        @ (if train >= 2L then []
           else
               Check.fail (path + ".points") s.Points
                   (sprintf "must exceed validationPoints + testPoints (%d) by at least 2: the training split it feeds would hold %d points"
                       held train))
        @ (match dimension with
           | Some d -> oneArray (path + ".points") d s.Points
           | None -> [])
