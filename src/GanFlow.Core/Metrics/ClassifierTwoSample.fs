namespace GanFlow.Core.Metrics

open GanFlow.Core.Specs

/// A classifier two-sample test's outcome.
type ClassifierTest =
    { /// Held-out accuracy of the k-NN classifier telling model samples from data samples: 0.5 when it cannot,
      /// 1 when it always can.
      Accuracy: float
      /// One-sided p-value of that accuracy under "same law": P(Binomial(t, ½) >= correct), t the test points.
      PValue: float
      /// k of the classifier.
      Neighbours: int
      /// t, the held-out points it was scored on.
      TestPoints: int }

/// The classifier two-sample test (C2ST; Lopez-Paz & Oquab 2017, "Revisiting classifier two-sample tests"): label
/// model samples 0 and data samples 1, use the same number of each (a seeded subsample of the larger, at most
/// `maxPoints`), train a classifier on half of each, and score it on the other half; under "same law" its correct
/// predictions are Binomial(t, ½). The classifier is k-nearest neighbours (majority vote, k the largest odd number
/// <= √(training points)), so training is free and the cost is one nearest-neighbour question.
module ClassifierTwoSample =

    /// Default cap on the points used from each sample.
    [<Literal>]
    let DefaultMaxPoints = 10_000

    /// The largest odd k <= √n (at least 1).
    let neighboursFor (training: int) =
        let root = int (floor (sqrt (float training)))
        max 1 (if root % 2 = 0 then root - 1 else root)

    /// The test of model samples `x` against data samples `y` (at least 2 points each), the subsample and split drawn
    /// from `seed`.
    let test (search: NeighbourSearch) (seed: int) (maxPoints: int) (x: Points) (y: Points) : ClassifierTest =
        if x.Dimension <> y.Dimension then invalidArg "y" (sprintf "%d-D and %d-D samples" x.Dimension y.Dimension)
        let n = min maxPoints (min x.Count y.Count)
        if n < 2 then invalidArg "x" "a classifier two-sample test needs at least two points in each sample"
        // Shuffled subsamples of n points each; the first half of each trains, the rest tests.
        let shuffled (stream: int) (p: Points) = Points.pick (GanFlow.Core.Datasets.Sampling.permutation (Seeds.random seed 0 stream) p.Count).[.. n - 1] p
        let xs, ys = shuffled 1 x, shuffled 2 y
        let half = n / 2
        let rows (p: Points) (from: int) (until: int) = Points.pick [| from .. until - 1 |] p
        let train = Points.append (rows xs 0 half) (rows ys 0 half)
        let trainLabels = Array.init (2 * half) (fun i -> if i < half then 0 else 1)
        let testPoints = Points.append (rows xs half n) (rows ys half n)
        let testLabels = Array.init (2 * (n - half)) (fun i -> if i < n - half then 0 else 1)
        let k = neighboursFor train.Count
        let neighbours = search.Nearest testPoints train k
        let mutable correct = 0
        for q in 0 .. testLabels.Length - 1 do
            let mutable ones = 0
            for j in 0 .. k - 1 do
                ones <- ones + trainLabels[neighbours.Indices[q * k + j]]
            let predicted = if 2 * ones > k then 1 else 0
            if predicted = testLabels[q] then correct <- correct + 1
        let t = testLabels.Length
        { Accuracy = float correct / float t
          // P(Bin(t, ½) >= c) = I_½(c, t − c + 1), the regularised incomplete beta (exact in the far tail).
          PValue = if correct = 0 then 1.0 else MathNet.Numerics.SpecialFunctions.BetaRegularized(float correct, float (t - correct + 1), 0.5)
          Neighbours = k
          TestPoints = t }
