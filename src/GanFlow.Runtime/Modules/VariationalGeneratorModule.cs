using GanFlow.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// The interpretation of an MLP generator trained by <see cref="Objective.Elbo"/>: a variational autoencoder
/// (Kingma &amp; Welling 2014; seed 003 eqs. 4 and 22–26) whose decoder is the generator's MLP G and whose encoder is
/// the objective's MLP, one module (<c>vae</c>: <c>decoder.*</c>, <c>encoder.*</c>) trained by the generator's optimiser.
/// Its loss (<see cref="LikelihoodLoss"/>) is the negative one-sample ELBO per point; its samples are draws of the
/// model's marginal, G(z) + σ·ε under the Gaussian likelihood. It has no exact density. Float32, like every MLP.
/// </summary>
public sealed class VariationalGeneratorModule : GeneratorModule
{
    private readonly MlpGenerator spec;
    private readonly double std;
    private readonly Pair networks;
    /// <summary>The reparameterisation noise ε of the ELBO, reseeded every step (<see cref="BeginStep"/>).</summary>
    private readonly torch.Generator epsilon = new(0);

    /// <summary>The decoder and the encoder as one module, so that checkpoints and the optimiser see both.</summary>
    private sealed class Pair : nn.Module
    {
        public readonly MlpModule decoder;
        public readonly MlpModule encoder;

        public Pair(MlpModule decoder, MlpModule encoder) : base("vae")
        {
            this.decoder = decoder;
            this.encoder = encoder;
            RegisterComponents();
        }
    }

    internal VariationalGeneratorModule(MlpGenerator spec, Elbo elbo, MlpModule decoder, MlpModule encoder)
    {
        this.spec = spec;
        std = elbo.Likelihood.std; // DecoderLikelihood.Gaussian, its one case
        networks = new Pair(decoder, encoder);
    }

    /// <inheritdoc />
    public override string Name => "vae";
    /// <inheritdoc />
    public override nn.Module Module => networks;
    /// <inheritdoc />
    public override ScalarType DType => ScalarType.Float32;
    /// <inheritdoc />
    public override int LatentDimension => spec.Prior.Dimension;

    /// <inheritdoc />
    public override void BeginStep(long noiseSeed, long latentSeed) => epsilon.manual_seed(latentSeed);

    /// <summary>G(z) + σ·ε for z from the prior and ε from <paramref name="noise"/>: a draw of the model's marginal.</summary>
    private Tensor Draw(long count, Generator noise, Device device)
    {
        var mean = networks.decoder.forward(PriorSampler.Sample(spec.Prior, count, noise, device));
        using var observation = torch.randn(mean.shape, generator: noise).to(device);
        return mean.Plus(observation.Times(std));
    }

    /// <inheritdoc />
    public override Tensor SampleForTraining(long count, Generator stepNoise, Device device) => Draw(count, stepNoise, device);

    /// <inheritdoc />
    public override (double[] Values, Tensor Tensor) SampleForEvaluation(int count, Generator noise, Device device)
    {
        var tensor = Draw(count, noise, device);
        return (tensor.cpu().data<float>().Select(v => (double)v).ToArray(), tensor);
    }

    /// <inheritdoc />
    public override Tensor SampleLatent(long count, Generator noise, Device device) => PriorSampler.Sample(spec.Prior, count, noise, device);

    /// <summary>The decoder's mean G(z).</summary>
    public override Tensor Decode(Tensor z) => networks.decoder.forward(z);

    /// <inheritdoc />
    public override Tensor LatentLogProb(Tensor z) => z.Squared().Times(-0.5).Minus(0.5 * Math.Log(2 * Math.PI)).sum(1);

    /// <summary>
    /// The negative one-sample ELBO per point of the batch <paramref name="x"/> ([n, d]) and the same value (it is the loss,
    /// not a NLL: the ELBO bounds log p(x) from below): with (μ, Σ) = encoder(x) split in halves and
    /// z = μ + e^{Σ/2}·ε, −ELBO = ‖x − G(z)‖²/(2σ²) + d·log σ + (d/2)·log 2π + ½ Σ_k (e^{Σ_k} + μ_k² − 1 − Σ_k).
    /// </summary>
    public override (Tensor Loss, Tensor Nll) LikelihoodLoss(Tensor x)
    {
        var d = x.shape[1];
        var parts = networks.encoder.forward(x).chunk(2, 1);
        var (mean, logVariance) = (parts[0], parts[1]);
        using var draw = torch.randn(mean.shape, generator: epsilon).to(mean.device);
        var z = mean.Plus(logVariance.Times(0.5).exp() * draw);
        var reconstruction = (x - networks.decoder.forward(z)).Squared().sum(1).Times(1.0 / (2 * std * std))
            .Plus(d * Math.Log(std) + 0.5 * d * Math.Log(2 * Math.PI));
        var kl = Images.VaeObjective.KlToPrior(mean, logVariance);
        var loss = reconstruction.Plus(kl).mean();
        return (loss, loss);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        networks.Dispose();
        epsilon.Dispose();
    }
}
