namespace GanFlow.Core.Datasets

open GanFlow.Core.Specs

/// A researcher's own sample file as a data source (`ganflow run NAME --data FILE`): its rows are the data points, split
/// once into training, validation and test splits by a seeded permutation, so that the same file and seed give the same
/// splits everywhere. Nothing about its law is known: evaluations score the model against the validation split, and the
/// test split gives the held-out numbers at the end of a run.
type SampleFileSource =
    { /// The file: CSV (with or without a header row), whitespace-separated text, or NumPy `.npy` (float32/float64,
      /// C order, 1-D or 2-D), one point per row. A relative path is relative to the working directory. No default.
      Path: string
      /// Coordinates of one point: the file's column count, checked when a run reads the file. `--data FILE` fills it
      /// in from the file.
      Dimension: int
      /// Share of the rows held out as the validation split (what every evaluation scores against; the best-validated
      /// checkpoint), in (0, 1).
      /// At least one row. Default 0.1.
      ValidationFraction: float
      /// Share of the rows held out as the test split (the held-out numbers at the end of a run), in (0, 1). At least one
      /// row. Default 0.1.
      TestFraction: float
      /// Seed of the permutation that splits the rows. Default 0.
      Seed: int }

/// Splitting a sample file's rows. Pure: the splits are a function of the rows and the spec.
module SampleFileSource =

    /// A source reading `path` (of `dimension` columns) with the default 80/10/10 split of seed 0.
    let create path dimension =
        { Path = path; Dimension = dimension; ValidationFraction = 0.1; TestFraction = 0.1; Seed = 0 }

    /// Rows of the test and validation splits for a file of `rows` rows: each its fraction of the rows, rounded, at
    /// least 1.
    let heldOutRows (s: SampleFileSource) (rows: int) =
        let count fraction = max 1 (int (System.Math.Round(fraction * float rows)))
        count s.TestFraction, count s.ValidationFraction

    /// The splits of `points` (row-major, `s.Dimension` coordinates per row): the rows in the order of a seeded
    /// Fisher–Yates permutation (stream 0 of `Seeds.random s.Seed 0`), the first ones the test split, the next ones
    /// the validation split, the rest the training split. Fails when the training split would hold fewer than 2 rows.
    let split (s: SampleFileSource) (points: float[]) : Splits =
        let d = s.Dimension
        let rows = points.Length / d
        let test, validation = heldOutRows s rows
        if rows - test - validation < 2 then
            invalidArg "points" (sprintf "%s holds %d rows: too few for a test split of %d, a validation split of %d and a training split of at least 2" s.Path rows test validation)
        let order = Array.init rows id
        let rng = Seeds.random s.Seed 0 0
        for i in rows - 1 .. -1 .. 1 do
            let j = rng.Next(i + 1)
            let t = order[i]
            order[i] <- order[j]
            order[j] <- t
        let take (first: int) (count: int) =
            let result = Array.zeroCreate (count * d)
            for r in 0 .. count - 1 do
                Array.blit points (order[first + r] * d) result (r * d) d
            result
        { Dimension = d
          Test = take 0 test
          Validation = take test validation
          Train = take (test + validation) (rows - test - validation) }

    /// Boundary checks, with field paths under `path`.
    let errors (path: string) (s: SampleFileSource) =
        (if System.String.IsNullOrWhiteSpace s.Path then Check.fail (path + ".path") s.Path "must name a sample file" else [])
        @ Check.atLeast (path + ".dimension") 1 s.Dimension
        @ Check.openUnit (path + ".validationFraction") s.ValidationFraction
        @ Check.openUnit (path + ".testFraction") s.TestFraction
        @ (if s.ValidationFraction + s.TestFraction < 1.0 then []
           else Check.fail (path + ".testFraction") s.TestFraction
                    (sprintf "plus validationFraction (%g) must be below 1: nothing would be left to train on" s.ValidationFraction))
