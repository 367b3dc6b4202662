using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// Batch normalisation over the channels (dimension 1) of a [N, C] or [N, C, L] input (<c>spatialDimensions</c> 0 or 1,
/// TorchSharp's BatchNorm1d) or a [N, C, H, W] input (2, BatchNorm2d): the same computation, parameters, buffers and
/// state-dict names (<c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>) as
/// TorchSharp's modules, without their Scalar race: TorchSharp 0.107's BatchNorm counts batches with
/// <c>num_batches_tracked.add_(1)</c>, two implicit Scalars per training forward that a garbage collection can free
/// mid-call. Here the count uses process-lifetime Scalars.
/// </summary>
public sealed class BatchNormLayer : nn.Module<Tensor, Tensor>
{
    private static readonly Scalar One = 1.ToScalar();
#pragma warning disable IDE1006 // the state-dict names of TorchSharp's (and PyTorch's) batch norm
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
    private readonly Tensor num_batches_tracked;
#pragma warning restore IDE1006
    private readonly int inputRank;
    private readonly double momentum;
    private readonly double eps;

    /// <summary>Batch norm over <paramref name="features"/> channels of inputs with <paramref name="spatialDimensions"/>
    /// spatial dimensions (0: [N, C]; 2: [N, C, H, W]); running statistics with <paramref name="momentum"/>, variance
    /// floor <paramref name="eps"/> (PyTorch's defaults 0.1 and 1e-5).</summary>
    public BatchNormLayer(long features, int spatialDimensions, double momentum = 0.1, double eps = 1e-5) : base("BatchNorm")
    {
        if (spatialDimensions is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(spatialDimensions), spatialDimensions, "must be 0, 1 or 2");
        inputRank = spatialDimensions + 2;
        this.momentum = momentum;
        this.eps = eps;
        weight = new Parameter(torch.ones(features));
        bias = new Parameter(torch.zeros(features));
        running_mean = torch.zeros(features);
        running_var = torch.ones(features);
        num_batches_tracked = torch.tensor(0L);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (input.dim() != inputRank && !(inputRank == 2 && input.dim() == 3))
            throw new ArgumentException($"batch norm expects a {inputRank}-D input, got {input.dim()}-D");
        if (training)
            using (torch.no_grad())
                num_batches_tracked.add_(One, One);
        return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps);
    }
}
