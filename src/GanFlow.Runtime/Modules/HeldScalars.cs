using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// Tensor–number arithmetic with every <see cref="Scalar"/> held in a <c>using</c> variable for the
/// length of the native call. TorchSharp 0.107 converts a bare number (<c>t * 0.5</c>, <c>t.clamp(1e-12, …)</c>,
/// <c>1 - t</c>) to a Scalar it does not keep alive, so a garbage collection on another thread can finalise it
/// mid-call ("Unknown scalar type", wrong numbers; dotnet/TorchSharp PRs #1434, #1496; see ParameterOptimizer).
/// The flows and ODE solvers use these instead of the operators.
/// </summary>
public static class HeldScalars
{
    /// <summary>The alpha of tensor + tensor and tensor − tensor. TorchSharp's <c>a + b</c> is <c>a.add(b, 1)</c> with an
    /// implicit Scalar 1 (seen crashing in add_Tensor); this one lives for the whole process, so it is never finalised.</summary>
    private static readonly Scalar One = 1.ToScalar();

    /// <summary>The exponent of <see cref="Squared"/>: TorchSharp's <c>square()</c> is <c>pow(2)</c> with an implicit Scalar 2.</summary>
    private static readonly Scalar Two = 2.ToScalar();

    /// <summary>t², elementwise: the same <c>pow(2)</c> as TorchSharp's <c>square()</c>, with a held exponent.</summary>
    public static Tensor Squared(this Tensor t) => t.pow(Two);

    /// <summary>The leaky ReLU max(x, 0) + slope·min(x, 0) with a held slope (TorchSharp's
    /// <c>nn.functional.leaky_relu(x, slope)</c> converts the slope behind the caller's back).</summary>
    public static Tensor LeakyRelu(this Tensor x, double slope)
    {
        using var s = slope.ToScalar();
        return x.leaky_relu(s);
    }

    /// <summary>The value of a one-element tensor of any floating dtype as a double (TorchSharp's <c>ToDouble()</c> goes
    /// through a Scalar it does not hold).</summary>
    public static double ItemAsDouble(this Tensor t) =>
        t.dtype switch
        {
            ScalarType.Float64 => t.item<double>(),
            ScalarType.Float32 => t.item<float>(),
            _ => t.to_type(ScalarType.Float64).item<double>(),
        };

    /// <summary>a + b with a held alpha.</summary>
    public static Tensor Plus(this Tensor a, Tensor b) => a.add(b, One);

    /// <summary>a − b (TorchSharp's sub(Tensor) takes no alpha; kept beside <see cref="Plus(Tensor, Tensor)"/> for symmetry).</summary>
    public static Tensor Minus(this Tensor a, Tensor b) => a.sub(b);

    /// <summary>t · c.</summary>
    public static Tensor Times(this Tensor t, double c)
    {
        using var s = c.ToScalar();
        return t.mul(s);
    }

    /// <summary>t + c. (The one-argument <c>add</c> makes an implicit alpha = 1 Scalar too, so alpha is held as well.)</summary>
    public static Tensor Plus(this Tensor t, double c)
    {
        using var s = c.ToScalar();
        return t.add(s, One);
    }

    /// <summary>t − c.</summary>
    public static Tensor Minus(this Tensor t, double c)
    {
        using var s = c.ToScalar();
        return t.sub(s);
    }

    /// <summary>c − t.</summary>
    public static Tensor SubtractedFrom(this Tensor t, double c)
    {
        using var s = c.ToScalar();
        return t.neg().add(s, One);
    }

    /// <summary>t clamped into [low, high].</summary>
    public static Tensor ClampTo(this Tensor t, double low, double high)
    {
        using var lo = low.ToScalar();
        using var hi = high.ToScalar();
        return t.clamp(lo, hi);
    }

    /// <summary>max(t, low).</summary>
    public static Tensor ClampAtLeast(this Tensor t, double low)
    {
        using var lo = low.ToScalar();
        return t.clamp_min(lo);
    }

    /// <summary>The boolean tensor t &lt; c.</summary>
    public static Tensor LessThan(this Tensor t, double c)
    {
        using var s = c.ToScalar();
        return t.lt(s);
    }

    /// <summary>The boolean tensor t ≥ c.</summary>
    public static Tensor AtLeast(this Tensor t, double c)
    {
        using var s = c.ToScalar();
        return t.ge(s);
    }

    /// <summary>The boolean tensor t ≤ c.</summary>
    public static Tensor AtMost(this Tensor t, double c)
    {
        using var s = c.ToScalar();
        return t.le(s);
    }

    /// <summary>A tensor shaped, typed and placed like <paramref name="like"/>, filled with <paramref name="value"/>.</summary>
    public static Tensor FilledLike(Tensor like, double value)
    {
        using var s = value.ToScalar();
        return torch.full_like(like, s);
    }

    /// <summary>log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), stable for any x (TorchSharp's softplus makes implicit Scalars).</summary>
    public static Tensor Softplus(Tensor x) => nn.functional.relu(x).Plus(x.abs().neg().exp().log1p());

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    public static Tensor Filled(long[] shape, double value, ScalarType dtype, Device? device = null)
    {
        using var s = value.ToScalar();
        return torch.full(shape, s, dtype: dtype, device: device);
    }
}
