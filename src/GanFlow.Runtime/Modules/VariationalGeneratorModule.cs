using GanFlow.Core.Models;
using GanFlow.Runtime.Images;
using GanFlow.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// The interpretation of a generator trained by <see cref="Objective.Elbo"/>: a variational autoencoder (Kingma &amp;
/// Welling 2014; seed 003 eqs. 4 and 22–26) whose decoder is the generator's network (an MLP, or seed 003's conv
/// generator) and whose encoder is the objective's (an MLP, or seed 003's conv encoder), one module (<c>vae</c>:
/// <c>decoder.*</c>, <c>encoder.*</c>) trained by the generator's optimiser. Its loss (<see cref="LikelihoodLoss"/>) is
/// the negative one-sample ELBO per point under the likelihood: Gaussian N(x; G(z), σ²I), whose samples are draws of
/// the marginal G(z) + σ·ε; or Bernoulli with mean G(z) = σ(logits), whose samples are the means G(z) (seed 003 Fig. 9).
/// It has no exact density. Float32. With a conv decoder its final files are seed 003's pictures
/// (<see cref="ImagePictures"/>).
/// </summary>
public sealed class VariationalGeneratorModule : GeneratorModule
{
    private readonly Prior prior;
    private readonly DecoderLikelihood likelihood;
    private readonly Pair networks;
    private readonly int? side;
    /// <summary>The reparameterisation noise ε of the ELBO, reseeded every step (<see cref="BeginStep"/>).</summary>
    private readonly torch.Generator epsilon = new(0);

    /// <summary>The decoder and the encoder as one module, so that checkpoints and the optimiser see both.</summary>
    private sealed class Pair : nn.Module
    {
        public readonly nn.Module<Tensor, Tensor> decoder;
        public readonly nn.Module encoder;

        public Pair(nn.Module<Tensor, Tensor> decoder, nn.Module encoder) : base("vae")
        {
            this.decoder = decoder;
            this.encoder = encoder;
            RegisterComponents();
        }
    }

    /// <summary>The VAE of <paramref name="elbo"/> with the generator <paramref name="generator"/> on data of
    /// <paramref name="dimension"/> coordinates (square images when a network is conv), initial weights from
    /// <paramref name="init"/> (the decoder's first).</summary>
    internal VariationalGeneratorModule(GeneratorSpec generator, Elbo elbo, int dimension, torch.Generator init, torch.Generator masks)
    {
        likelihood = elbo.Likelihood;
        nn.Module<Tensor, Tensor> decoder;
        switch (generator)
        {
            case GeneratorSpec.Mlp m:
                prior = m.Item.Prior;
                decoder = MlpBuilder.Build(m.Item.Network, prior.Dimension, dimension, LinearOptions.Plain, init, masks);
                break;
            case GeneratorSpec.Conv c:
                prior = new Prior(PriorKind.StandardGaussian, c.Item.Latent);
                side = SideOf(dimension);
                decoder = new ConvGeneratorModule(c.Item, side.Value);
                ImageInitializer.Reset(decoder, init);
                break;
            default:
                throw new NotSupportedException($"generator '{generator}' cannot decode a VAE");
        }
        nn.Module encoder;
        switch (elbo.Encoder)
        {
            case EncoderNetwork.Mlp m:
                encoder = MlpBuilder.Build(m.Item, dimension, 2 * prior.Dimension, LinearOptions.Plain, init, masks);
                break;
            case EncoderNetwork.Conv c:
                encoder = new ConvEncoderModule(c.Item, SideOf(dimension));
                ImageInitializer.Reset(encoder, init);
                break;
            default:
                throw new NotSupportedException($"encoder '{elbo.Encoder}' has no runtime interpretation");
        }
        networks = new Pair(decoder, encoder);
    }

    /// <summary>The side of square images of <paramref name="dimension"/> pixels (validation refuses other shapes).</summary>
    internal static int SideOf(int dimension) => (int)Math.Round(Math.Sqrt(dimension));

    /// <inheritdoc />
    public override string Name => "vae";
    /// <inheritdoc />
    public override nn.Module Module => networks;
    /// <inheritdoc />
    public override ScalarType DType => ScalarType.Float32;
    /// <inheritdoc />
    public override int LatentDimension => prior.Dimension;

    /// <summary>The decoder's module (its state is what a VAE-initialised generator loads).</summary>
    public nn.Module Decoder => networks.decoder;

    /// <inheritdoc />
    public override void BeginStep(long noiseSeed, long latentSeed) => epsilon.manual_seed(latentSeed);

    /// <summary>A draw of the model: G(z) + σ·ε (Gaussian) or the mean G(z) (Bernoulli), z from the prior and ε from
    /// <paramref name="noise"/>; for an evaluation (no gradient) a conv decoder decodes
    /// <see cref="ConvGeneratorModule.ChunkRows"/> latent points at a time, with the same values.</summary>
    private Tensor Draw(long count, Generator noise, Device device, bool evaluation = false)
    {
        var z = PriorSampler.Sample(prior, count, noise, device);
        var mean = evaluation && networks.decoder is ConvGeneratorModule conv ? conv.InChunks(z, Decode) : Decode(z);
        if (likelihood is not DecoderLikelihood.Gaussian gaussian) return mean;
        using var observation = torch.randn(mean.shape, generator: noise).to(device);
        return mean.Plus(observation.Times(gaussian.std));
    }

    /// <inheritdoc />
    public override Tensor SampleForTraining(long count, Generator stepNoise, Device device) => Draw(count, stepNoise, device);

    /// <inheritdoc />
    public override (double[] Values, Tensor Tensor) SampleForEvaluation(int count, Generator noise, Device device)
    {
        var tensor = Draw(count, noise, device, evaluation: true);
        return (tensor.cpu().data<float>().Select(v => (double)v).ToArray(), tensor);
    }

    /// <inheritdoc />
    public override Tensor SampleLatent(long count, Generator noise, Device device) => PriorSampler.Sample(prior, count, noise, device);

    /// <summary>The decoder's mean G(z), [n, D].</summary>
    public override Tensor Decode(Tensor z) => networks.decoder.forward(z).flatten(1);

    /// <summary>The decoder's logits (Bernoulli: G(z) = σ(logits)), [n, D].</summary>
    private Tensor Logits(Tensor z) => ((ConvGeneratorModule)networks.decoder).Logits(z).flatten(1);

    /// <summary>Mean and log-variance of q_ψ(z | x), each [n, q], for flat points [n, D].</summary>
    public (Tensor Mean, Tensor LogVariance) Encode(Tensor x)
    {
        if (networks.encoder is ConvEncoderModule conv) return conv.Encode(x.view(-1, 1, side ?? SideOf((int)x.shape[1]), side ?? SideOf((int)x.shape[1])));
        var parts = ((MlpModule)networks.encoder).forward(x).chunk(2, 1);
        return (parts[0], parts[1]);
    }

    /// <inheritdoc />
    public override Tensor LatentLogProb(Tensor z) => PriorSampler.StandardGaussianLogProb(z);

    /// <summary>log p(x | z) of each row of <paramref name="x"/> [n, D] given latents <paramref name="z"/> [n, q] → [n].</summary>
    public Tensor LogLikelihood(Tensor x, Tensor z)
    {
        if (likelihood is DecoderLikelihood.Gaussian gaussian)
        {
            var d = x.shape[1];
            var std = gaussian.std;
            return (x - Decode(z)).Squared().sum(1).Times(-1.0 / (2 * std * std)).Minus(d * Math.Log(std) + 0.5 * d * Math.Log(2 * Math.PI));
        }
        var logits = Logits(z);
        return (x * nn.functional.logsigmoid(logits)).Plus(x.SubtractedFrom(1.0) * nn.functional.logsigmoid(logits.neg())).sum(1);
    }

    /// <summary>The one-draw ELBO of every row of <paramref name="x"/> → [n] (ε from <paramref name="noise"/>): with
    /// (μ, Σ) = encoder(x) and z = μ + e^{Σ/2}·ε, log p(x | z) − KL(N(μ, diag e^Σ) ‖ N(0, I)).</summary>
    public Tensor Elbo(Tensor x, torch.Generator noise)
    {
        var (mean, logVariance) = Encode(x);
        using var draw = torch.randn(mean.shape, generator: noise).to(mean.device);
        var z = mean.Plus(logVariance.Times(0.5).exp() * draw);
        return LogLikelihood(x, z).Minus(VaeObjective.KlToPrior(mean, logVariance));
    }

    /// <summary>The negative one-sample ELBO per point of the batch <paramref name="x"/> ([n, d]), twice (it is the loss,
    /// not a NLL: the ELBO bounds log p(x) from below).</summary>
    public override (Tensor Loss, Tensor Nll) LikelihoodLoss(Tensor x)
    {
        var loss = Elbo(x, epsilon).mean().neg();
        return (loss, loss);
    }

    /// <inheritdoc />
    public override void WriteFinalFiles(RunStore store, GanFlow.Core.Experiments.Experiment experiment, double[] data)
    {
        networks.train(false);
        try
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var dimension = experiment.Dimension;
            var x = DataTensor(data, dimension, networks.decoder.parameters().First().device);
            ImagePictures.WriteElbo(this, x, experiment.Seed, store.Directory);
            if (networks.decoder is ConvGeneratorModule conv)
            {
                ImagePictures.WriteInterpolation(conv, side!.Value, prior.Dimension, store.Directory);
                if (prior.Dimension == 2 && likelihood.IsBernoulli)
                    ImagePictures.WriteLatentPictures(experiment, this, conv, x, GanFlow.Runtime.Training.DataSplits.EvaluationLabels(experiment, (int)x.shape[0]), store.Directory);
            }
        }
        finally
        {
            networks.train(true);
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        networks.Dispose();
        epsilon.Dispose();
    }
}
