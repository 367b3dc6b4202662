namespace GanFlow.Core.Images

open GanFlow.Core.Specs

/// How an image's bytes b ∈ {0, …, 255}^D become a model's input. Every likelihood is reported on the [0, 1]-scaled
/// image x (nats per image), whatever the model sees; the runtime's `GanFlow.Runtime.Images.ImageTransform` is the one
/// place the transform and its log-determinant are computed.
[<RequireQualifiedAccess>]
type ImagePreprocessing =
    /// Seed 003 (Ruthotto & Haber, sec. 4, eqs. 22-26): x = b/255 ∈ [0, 1], the input of a Bernoulli likelihood
    /// p(x | z) = Π xᵢ^{g_i} (1 − xᵢ)^{1−g_i} (the decoder's output g as the pixel's mean). No change of variables:
    /// the model sees x itself (log-det 0).
    | Scaled01
    /// Seed 001 (Grover et al., Flow-GAN, sec. 5, as in its reference code, after Dinh et al., RealNVP sec. 4.1):
    /// dequantize x = (b + u)/256 with u ~ U(0, 1)^D (so x ∈ (0, 1)), then y = logit(α + (1 − 2α)x), the flow's input.
    /// log|det ∂y/∂x| = Σᵢ [log(1 − 2α) − log pᵢ − log(1 − pᵢ)], pᵢ = α + (1 − 2α)xᵢ, so
    /// log p(x) = log p_Y(y) + log|det ∂y/∂x| (nats per image on the [0, 1] scale).
    | DequantizedLogit of Alpha: float

/// The preprocessing specs' defaults, validation and the likelihood units derived from them.
[<RequireQualifiedAccess>]
module ImagePreprocessing =

    /// Seed 001's α: 1e-7 (its reference code), keeping the logit finite at x = 0 and x = 1.
    [<Literal>]
    let Seed001Alpha = 1e-7

    /// Seed 001's preprocessing: `DequantizedLogit 1e-7`.
    let seed001 = ImagePreprocessing.DequantizedLogit Seed001Alpha

    /// Seed 003's preprocessing (the default): `Scaled01`.
    let seed003 = ImagePreprocessing.Scaled01

    /// Errors of a preprocessing spec at `path`: α must lie in (0, 0.5) (at 0.5 the transform collapses).
    let validate (path: string) (preprocessing: ImagePreprocessing) : SpecError list =
        match preprocessing with
        | ImagePreprocessing.Scaled01 -> []
        | ImagePreprocessing.DequantizedLogit alpha ->
            if System.Double.IsFinite alpha && alpha > 0.0 && alpha < 0.5 then []
            else Check.fail (path + ".alpha") alpha "must lie in (0, 0.5)"

    /// Bits per dimension of an NLL in nats per image on the [0, 1] scale: NLL / (D · ln 2). Negative for a density
    /// above 1 on the unit cube (`bits_per_dim` on point data; on dequantized images `bitsPerDim8Bit`).
    let bitsPerDimOnUnitScale (nll: float) (dimensions: int) = nll / (float dimensions * log 2.0)

    /// Bits per dimension in the 8-bit convention of the flow literature (seed 001's CIFAR-10 numbers, RealNVP):
    /// 8 + NLL / (D · ln 2), the NLL of the dequantized image on [0, 256)^D. The reported MNIST bits/dim are these.
    /// A uniform density on [0, 1]^D (NLL 0) gives 8 bits/dim, the cost of storing raw bytes.
    let bitsPerDim8Bit (nll: float) (dimensions: int) = 8.0 + bitsPerDimOnUnitScale nll dimensions
