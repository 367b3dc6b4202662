namespace GanFlow.Core.Images

/// Seed 001 sec. 3.4 and Fig. 6 on MNIST: the memorizing baseline p_σ(x) = (1/m) Σᵢ N(x; xᵢ, σ²I) on the m
/// dequantized training images ([0, 1] scale), its NLL and the MODE score of its samples against σ, σ chosen as the
/// grid value of lowest validation NLL (`GanFlow.Core.Baselines.MemorizingMixture` on arrays).
type MnistMemorizingBaseline =
    { /// The bandwidths of the curve (each in (0, 1]). Default 12 log-spaced values from 0.01 to 1.
      Sigmas: float list
      /// Validation and test images scored (the first of each split). Default 1,000.
      Points: int
      /// Samples per σ whose classifier posteriors give the MODE score. Default 1,000.
      Samples: int }

    static member Default =
        { Sigmas = List.init 12 (fun i -> 10.0 ** (-2.0 + 2.0 * float i / 11.0)); Points = 1_000; Samples = 1_000 }
