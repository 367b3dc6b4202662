using GanFlow.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>The interpretation of <see cref="MlpGenerator"/>: x = G(z), z from the prior, float32; no density.</summary>
public sealed class MlpGeneratorModule : GeneratorModule
{
    private readonly MlpGenerator spec;

    /// <summary>The network G.</summary>
    public MlpModule Network { get; }

    internal MlpGeneratorModule(MlpGenerator spec, MlpModule network)
    {
        this.spec = spec;
        Network = network;
    }

    /// <inheritdoc />
    public override string Name => "generator";
    /// <inheritdoc />
    public override nn.Module Module => Network;
    /// <inheritdoc />
    public override ScalarType DType => ScalarType.Float32;
    /// <inheritdoc />
    public override int LatentDimension => spec.Prior.Dimension;

    /// <inheritdoc />
    public override Tensor SampleForTraining(long count, Generator stepNoise, Device device) =>
        Network.forward(PriorSampler.Sample(spec.Prior, count, stepNoise, device));

    /// <inheritdoc />
    public override (double[] Values, Tensor Tensor) SampleForEvaluation(int count, Generator noise, Device device)
    {
        var tensor = Network.forward(PriorSampler.Sample(spec.Prior, count, noise, device));
        return (tensor.cpu().data<float>().Select(v => (double)v).ToArray(), tensor);
    }

    /// <inheritdoc />
    public override Tensor SampleLatent(long count, Generator noise, Device device) => PriorSampler.Sample(spec.Prior, count, noise, device);

    /// <inheritdoc />
    public override Tensor Decode(Tensor z) => Network.forward(z);

    /// <inheritdoc />
    public override Tensor LatentLogProb(Tensor z) =>
        spec.Prior.Kind.IsStandardGaussian
            ? PriorSampler.StandardGaussianLogProb(z)
            : throw new NotSupportedException($"the prior {spec.Prior.Kind} has no density everywhere");

    /// <inheritdoc />
    public override void Dispose() => Network.Dispose();
}
