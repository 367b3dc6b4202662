using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// Miyato et al. 2018: an affine layer whose weight is divided by its largest singular value σ,
/// estimated by power iteration. The left singular vector estimate <c>u</c> is a buffer (saved in
/// checkpoints); in training mode each forward pass runs the power iterations and updates
/// <c>u</c> without gradient, in evaluation mode <c>u</c> is only read.
/// </summary>
public sealed class SpectralNormLinear : Module<Tensor, Tensor>
{
    private const double Epsilon = 1e-12;

    // Field names equal the registered names, so TorchSharp's device moves keep them in sync.
    private Parameter weight;
    private Parameter bias;
    private Tensor u;
    private readonly int powerIterations;

    internal SpectralNormLinear(Tensor initialWeight, Tensor initialBias, Tensor initialU, int powerIterations)
        : base(nameof(SpectralNormLinear))
    {
        if (powerIterations < 1) throw new ArgumentOutOfRangeException(nameof(powerIterations), powerIterations, "must be >= 1");
        weight = new Parameter(initialWeight);
        bias = new Parameter(initialBias);
        u = Normalize(initialU);
        this.powerIterations = powerIterations;
        register_parameter(nameof(weight), weight);
        register_parameter(nameof(bias), bias);
        register_buffer(nameof(u), u);
    }

    private static Tensor Normalize(Tensor t)
    {
        // Scalar held explicitly: TorchSharp 0.107 does not keep implicit ones alive (see ParameterOptimizer).
        using var epsilon = Epsilon.ToScalar();
        return t / t.norm().clamp_min(epsilon);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        Tensor uUsed, vUsed;
        using (torch.no_grad())
        {
            var w = weight.detach();
            if (training)
            {
                for (var i = 0; i < powerIterations; i++)
                {
                    var v = Normalize(w.t().matmul(u));
                    u.copy_(Normalize(w.matmul(v)));
                }
            }
            // Clones: autograd keeps them for σ's backward while later passes update u in place.
            uUsed = u.clone();
            vUsed = Normalize(w.t().matmul(uUsed));
        }
        var sigma = uUsed.dot(weight.matmul(vUsed));
        return functional.linear(input, weight / sigma, bias);
    }
}
