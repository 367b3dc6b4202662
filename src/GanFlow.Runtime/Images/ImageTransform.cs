using GanFlow.Core.Images;
using GanFlow.Runtime.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// The one interpretation of <see cref="ImagePreprocessing"/>: bytes → the [0, 1]-scaled image x → the model's input
/// y, with log|det ∂y/∂x| per image, and back. Likelihoods are reported on x: log p(x) = log p_Y(y) + log|det ∂y/∂x|,
/// NLL in nats per image (<see cref="NllOnUnitScale"/>), bits/dim from it by <c>ImagePreprocessing.bitsPerDim8Bit</c>.
/// Tensors are [n, D] float64 (images flattened row-major); log-determinants are [n].
/// </summary>
public static class ImageTransform
{
    /// <summary>
    /// The [0, 1]-scaled images of <paramref name="pixels"/> ([n, D] bytes 0…255, any dtype): b/255 for
    /// <c>Scaled01</c>; (b + u)/256 with a fresh u ~ U(0, 1) per pixel from <paramref name="generator"/> for
    /// <c>DequantizedLogit</c> (each value in [b/256, (b + 1)/256)).
    /// </summary>
    public static Tensor UnitScale(ImagePreprocessing preprocessing, Tensor pixels, Generator? generator)
    {
        using var scope = NewDisposeScope();
        var bytes = pixels.to_type(ScalarType.Float64);
        var x = preprocessing switch
        {
            { IsScaled01: true } => bytes.Times(1.0 / 255.0),
            ImagePreprocessing.DequantizedLogit => bytes.Plus(rand(bytes.shape, ScalarType.Float64, bytes.device, generator: generator)).Times(1.0 / 256.0),
            _ => throw new NotSupportedException($"ImageTransform has no interpretation for {preprocessing}"),
        };
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// x ([n, D] on the [0, 1] scale) → (y, log|det ∂y/∂x|): y = x and 0 for <c>Scaled01</c>; for
    /// <c>DequantizedLogit α</c> y = logit(p), p = α + (1 − 2α)x, and Σᵢ [log(1 − 2α) − log pᵢ − log(1 − pᵢ)] (the
    /// Jacobian is diagonal, ∂yᵢ/∂xᵢ = (1 − 2α)/(pᵢ(1 − pᵢ))). Differentiable in x.
    /// </summary>
    public static (Tensor Input, Tensor LogDet) FromUnitScale(ImagePreprocessing preprocessing, Tensor x)
    {
        using var scope = NewDisposeScope();
        switch (preprocessing)
        {
            case { IsScaled01: true }:
                return (x.alias().MoveToOuterDisposeScope(), zeros(x.shape[0], ScalarType.Float64, x.device).MoveToOuterDisposeScope());
            case ImagePreprocessing.DequantizedLogit { Alpha: var alpha }:
                var p = x.Times(1 - 2 * alpha).Plus(alpha);
                var logP = p.log();
                var logOneMinusP = p.neg().log1p();
                var y = logP.Minus(logOneMinusP);
                var logDet = logP.Plus(logOneMinusP).neg().Plus(Math.Log(1 - 2 * alpha)).sum(1);
                return (y.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
            default:
                throw new NotSupportedException($"ImageTransform has no interpretation for {preprocessing}");
        }
    }

    /// <summary>The inverse of <see cref="FromUnitScale"/>: y → x = (sigmoid(y) − α)/(1 − 2α), or x = y for
    /// <c>Scaled01</c> (a generator's samples back on the [0, 1] scale, e.g. for pictures).</summary>
    public static Tensor ToUnitScale(ImagePreprocessing preprocessing, Tensor y)
    {
        using var scope = NewDisposeScope();
        var x = preprocessing switch
        {
            { IsScaled01: true } => y.alias(),
            ImagePreprocessing.DequantizedLogit { Alpha: var alpha } => y.sigmoid().Minus(alpha).Times(1.0 / (1 - 2 * alpha)),
            _ => throw new NotSupportedException($"ImageTransform has no interpretation for {preprocessing}"),
        };
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Bytes → (the model's input y, log|det ∂y/∂x|, the [0, 1]-scaled x): <see cref="UnitScale"/> then
    /// <see cref="FromUnitScale"/>.</summary>
    public static (Tensor Input, Tensor LogDet, Tensor UnitScaled) Forward(ImagePreprocessing preprocessing, Tensor pixels, Generator? generator)
    {
        var x = UnitScale(preprocessing, pixels, generator);
        var (y, logDet) = FromUnitScale(preprocessing, x);
        return (y, logDet, x);
    }

    /// <summary>NLL in nats per image on the [0, 1] scale, −(log p_Y(y) + log|det ∂y/∂x|), from the model's
    /// log-density of its input and the transform's log-determinant (both [n]).</summary>
    public static Tensor NllOnUnitScale(Tensor inputLogProb, Tensor logDet) => inputLogProb.Plus(logDet).neg();
}
