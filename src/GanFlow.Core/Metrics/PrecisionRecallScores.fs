namespace GanFlow.Core.Metrics

/// Precision and recall of a model's samples against data samples, in the two k-nearest-neighbour forms.
type PrecisionRecall =
    { /// Improved precision (Kynkäänniemi et al. 2019, eq. 1 with k = 3): the share of model samples inside the data
      /// manifold, the union of the closed balls around the data points reaching their k-th nearest data point. In [0, 1].
      Precision: float
      /// Improved recall (eq. 1 with the roles swapped): the share of data samples inside the model manifold. In [0, 1].
      Recall: float
      /// Density (Naeem et al. 2020, eq. 3 with k = 5): (1/(kM)) Σⱼ Σᵢ 1[Yⱼ ∈ B(Xᵢ, NND_k(Xᵢ))], X the N data points,
      /// Y the M model samples: how many data balls hold a model sample on average, over k. The balls are open (‖Yⱼ − Xᵢ‖
      /// < NND_k(Xᵢ)), as in the authors' code (`prdc`), so a sample scored against itself gets 1, not (k+1)/k.
      /// Expectation 1 when the two laws agree; > 1 where the model crowds the data's dense regions. >= 0.
      Density: float
      /// Coverage (Naeem et al. 2020, eq. 4 with k = 5): (1/N) Σᵢ 1[∃ j: Yⱼ ∈ B(Xᵢ, NND_k(Xᵢ))], the share of data
      /// balls (open, as for density) holding at least one model sample. Expectation 1 − (N−1)⋯(N−k) / ((M+N−1)⋯(M+N−k)) when the laws agree
      /// (1 − 2⁻ᵏ for M = N large). In [0, 1].
      Coverage: float }

    /// No scores: NaN in each (an evaluation with too few samples, or a file written before runs recorded them).
    static member Missing = { Precision = nan; Recall = nan; Density = nan; Coverage = nan }
