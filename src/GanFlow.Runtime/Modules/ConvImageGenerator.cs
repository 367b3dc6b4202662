using GanFlow.Core.Models;
using GanFlow.Runtime.Images;
using GanFlow.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// The interpretation of <see cref="GeneratorSpec.Conv"/>: seed 003's generator (eq. 5) from a standard Gaussian latent
/// to side × side images in (0, 1), float32, its samples flattened to [n, side²] as every model's are. Samples only, no
/// density. Its final file: the latent interpolation (seed 003 Fig. 10, <see cref="ImagePictures"/>).
/// </summary>
public sealed class ConvImageGenerator : GeneratorModule
{
    private readonly Prior prior;
    private readonly int side;

    /// <summary>The network g_θ.</summary>
    public ConvGeneratorModule Network { get; }

    internal ConvImageGenerator(ConvGenerator spec, int side, torch.Generator init)
    {
        this.side = side;
        Network = new ConvGeneratorModule(spec, side);
        ImageInitializer.Reset(Network, init);
        prior = new Prior(PriorKind.StandardGaussian, spec.Latent);
    }

    /// <inheritdoc />
    public override string Name => "generator";
    /// <inheritdoc />
    public override nn.Module Module => Network;
    /// <inheritdoc />
    public override ScalarType DType => ScalarType.Float32;
    /// <inheritdoc />
    public override int LatentDimension => prior.Dimension;

    /// <inheritdoc />
    public override Tensor SampleForTraining(long count, Generator stepNoise, Device device) => Decode(SampleLatent(count, stepNoise, device));

    /// <inheritdoc />
    public override (double[] Values, Tensor Tensor) SampleForEvaluation(int count, Generator noise, Device device)
    {
        var tensor = Network.InChunks(SampleLatent(count, noise, device), Decode);
        return (tensor.cpu().data<float>().Select(v => (double)v).ToArray(), tensor);
    }

    /// <inheritdoc />
    public override Tensor SampleLatent(long count, Generator noise, Device device) => PriorSampler.Sample(prior, count, noise, device);

    /// <inheritdoc />
    public override Tensor Decode(Tensor z) => Network.forward(z).flatten(1);

    /// <inheritdoc />
    public override Tensor LatentLogProb(Tensor z) => PriorSampler.StandardGaussianLogProb(z);

    /// <inheritdoc />
    public override void WriteFinalFiles(RunStore store, GanFlow.Core.Experiments.Experiment experiment, double[] data)
    {
        Network.train(false);
        try
        {
            ImagePictures.WriteInterpolation(Network, side, prior.Dimension, store.Directory);
        }
        finally
        {
            Network.train(true);
        }
    }

    /// <inheritdoc />
    public override void Dispose() => Network.Dispose();
}
