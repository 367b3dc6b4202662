namespace GanFlow.Core.Images

open GanFlow.Core.Models

/// Seed 001's MNIST generator (Grover et al., Flow-GAN, sec. 5; NICE, Dinh et al. 2014, sec. 5.1 and its MNIST
/// architecture): on the 784 dequantized, logit-transformed pixels, 4 additive couplings with the even/odd pixel split
/// (coupling i keeps the pixels j with i + j odd and shifts the others by m_i of the kept ones), each coupling net of
/// 5 hidden layers of 1,000 ReLU units, then the diagonal scaling z = exp(s) ⊙ y, and a standard logistic prior.
/// `Flow.niceLogistic` already is this flow (`Nice.Default`, `BaseDistribution.StandardLogistic`); this module fixes
/// its dimension and preprocessing and states its size.
[<RequireQualifiedAccess>]
module NiceMnist =

    /// The flow's dimension: 28 × 28 pixels.
    [<Literal>]
    let Dimension = 784

    /// Seed 001's NICE for MNIST: `Flow.niceLogistic` (4 couplings, nets 784 → 1,000 ×5 → 784 with ReLU, the diagonal
    /// scaling, logistic prior; Adam 1e-3 for maximum-likelihood training).
    let flow : Flow = Flow.niceLogistic

    /// The same flow with coupling nets of `width` hidden units (everything else kept), for tests and budgets that must
    /// finish in minutes on 2 CPU cores.
    let withWidth (width: int) : Flow =
        match flow.Architecture with
        | FlowArchitecture.Nice nice -> { flow with Architecture = FlowArchitecture.Nice { nice with Width = width } }
        | other -> failwithf "NiceMnist.flow is not a NICE flow: %A" other

    /// Its inputs: seed 001's dequantization and logit with α = 1e-7 (`ImagePreprocessing.seed001`).
    let preprocessing = ImagePreprocessing.seed001

    /// Trainable parameters of the runtime's NICE in `d` dimensions. Its coupling nets take the whole masked input
    /// (d values, the shifted half set to zero) and return d values (the kept half discarded), as for RealNVP in
    /// seed 003: per net d·w + w + (depth − 2)(w² + w) + w·d + d, times the couplings, plus d log-scales. Seed 001's
    /// MNIST NICE: 4 · (785,000 + 4 · 1,001,000 + 784,784) + 784 = 4 · 5,573,784 + 784 = 22,295,920.
    let parameterCount (nice: Nice) (d: int) : int64 =
        let w, d64 = int64 nice.Width, int64 d
        let net = d64 * w + w + int64 (nice.Depth - 2) * (w * w + w) + w * d64 + d64
        int64 nice.Couplings * net + d64

    /// The parameters that are not identically unused: the nets' weights from the zeroed half of the input and
    /// towards the discarded half of the output get no gradient. Equal to the parameter count of NICE as its paper
    /// writes it (nets from the ⌈d/2⌉ or ⌊d/2⌋ kept pixels to the other half): for MNIST
    /// 4 · (392,000 + 1,000 + 4,004,000 + 392,000 + 392) + 784 = 19,158,352, i.e. 3,137,568 of the 22,295,920 are dead.
    let effectiveParameterCount (nice: Nice) (d: int) : int64 =
        let w = int64 nice.Width
        let hidden = int64 (nice.Depth - 2) * (w * w + w)
        let coupling i =
            // Coupling i keeps coordinates j with (i + j) odd.
            let kept = int64 (if i % 2 = 0 then d / 2 else d - d / 2)
            let shifted = int64 d - kept
            kept * w + w + hidden + w * shifted + shifted
        (List.init nice.Couplings coupling |> List.sum) + int64 d
