using GanFlow.Core.Models;
using GanFlow.Runtime.Flows;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// The one interpreter of a <see cref="Model"/> spec as modules: its generator (<see cref="GeneratorModule"/>: an MLP,
/// a flow, seed 003's conv generator, or a VAE's decoder and encoder), the critic when its objective has one (an MLP,
/// spectrally normalised when its constraints say so, or seed 003's conv discriminator; in the generator's precision), and the per-step randomness their dropout layers, an MLP generator's prior noise and the gradient
/// penalty's interpolation weights draw from.
/// </summary>
public sealed class ModelNetworks : IDisposable
{
    /// <summary>The generator.</summary>
    public GeneratorModule Generator { get; }
    /// <summary>The critic (data dimension → 1: a score, or a logit for the original GAN losses), or null when the
    /// objective has none.</summary>
    public Module<Tensor, Tensor>? Critic { get; }
    /// <summary>The adversarial game of the objective, or null (maximum likelihood).</summary>
    public Adversarial? Adversarial { get; }
    /// <summary>The critic's constraints, interpreted once (null without a critic).</summary>
    public CriticConstraints? Constraints { get; }
    /// <summary>CPU generator the trainer reseeds every step (see the class summary).</summary>
    public torch.Generator StepRandomness { get; }
    /// <summary>The device the networks live on.</summary>
    public Device Device { get; private set; }

    private ModelNetworks(GeneratorModule generator, Module<Tensor, Tensor>? critic, Adversarial? adversarial, CriticConstraints? constraints, torch.Generator randomness)
    {
        Generator = generator;
        Critic = critic;
        Adversarial = adversarial;
        Constraints = constraints;
        StepRandomness = randomness;
        Device = torch.CPU;
    }

    /// <summary>
    /// Builds the networks on the CPU with every initial weight drawn from a generator seeded with <paramref name="initSeed"/>
    /// (the generator's first, then the critic's), optionally loads a checkpoint there (<paramref name="beforeMove"/>),
    /// then moves them to <paramref name="device"/>. <paramref name="initialData"/> ([n, d]) places a Gaussianization flow's
    /// anchors and gives a standardized flow its statistics. With <paramref name="observation"/> (dequantized images) a
    /// flow models the data through that fixed map (<see cref="DequantizedLogitFlow"/>), built for the map's output and
    /// initialised on the mapped initial data.
    /// </summary>
    public static ModelNetworks Create(Model spec, int dataDimension, long initSeed, Device device, Tensor? initialData = null,
        Action<ModelNetworks>? beforeMove = null, GanFlow.Core.Images.ImagePreprocessing? observation = null)
    {
        using var init = new torch.Generator((ulong)initSeed);
        var masks = new torch.Generator((ulong)initSeed);
        GeneratorModule generator = spec.Generator switch
        {
            _ when spec.Objective is Objective.Elbo elbo => new VariationalGeneratorModule(spec.Generator, elbo.Item, dataDimension, init, masks),
            GeneratorSpec.Mlp m => new MlpGeneratorModule(m.Item,
                MlpBuilder.Build(m.Item.Network, m.Item.Prior.Dimension, dataDimension, LinearOptions.Plain, init, masks)),
            GeneratorSpec.Conv c => new ConvImageGenerator(c.Item, VariationalGeneratorModule.SideOf(dataDimension), init),
            GeneratorSpec.Flow f when observation is not null => new FlowGeneratorModule(new DequantizedLogitFlow(
                FlowBuilder.Build(f.Item, dataDimension, init, initialData is null ? null : Images.ImageTransform.FromUnitScale(observation, initialData.to_type(ScalarType.Float64)).Input),
                observation)),
            GeneratorSpec.Flow f => new FlowGeneratorModule(FlowBuilder.Build(f.Item, dataDimension, init, initialData)),
            _ => throw new NotSupportedException($"generator '{spec.Generator}' has no runtime interpretation"),
        };
        var adversarial = ModelModule.adversarial(spec)?.Value;
        Module<Tensor, Tensor>? critic = null;
        CriticConstraints? constraints = null;
        if (adversarial is not null)
        {
            constraints = CriticConstraints.Of(adversarial.Lipschitz);
            critic = adversarial.Critic switch
            {
                CriticNetwork.Mlp m => MlpBuilder.Build(m.Item, dataDimension, 1, constraints.Linear, init, masks),
                CriticNetwork.Conv c => new Images.FlatImageCritic(c.Item, VariationalGeneratorModule.SideOf(dataDimension), init),
                _ => throw new NotSupportedException($"critic '{adversarial.Critic}' has no runtime interpretation"),
            };
            if (generator.DType != ScalarType.Float32) critic.to(generator.DType);
        }
        var networks = new ModelNetworks(generator, critic, adversarial, constraints, masks);
        beforeMove?.Invoke(networks);
        generator.Module.to(device);
        critic?.to(device);
        networks.Device = device;
        return networks;
    }

    /// <summary>Every module by its checkpoint name: the generator's (<c>generator</c> or <c>flow</c>) and the critic's.</summary>
    public (string Name, Module Module)[] Modules =>
        Critic is null ? [(Generator.Name, Generator.Module)] : [(Generator.Name, Generator.Module), ("critic", Critic)];

    /// <summary>Training mode (dropout on, batch-norm statistics updated) or evaluation mode for every module.</summary>
    public void Train(bool on)
    {
        Generator.Module.train(on);
        Critic?.train(on);
    }

    /// <summary>Number of trainable scalars of a module (parameters with gradients), the one count of every model.</summary>
    public static int ParameterCount(Module module) =>
        (int)module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <inheritdoc />
    public void Dispose()
    {
        Generator.Dispose();
        Critic?.Dispose();
        StepRandomness.Dispose();
    }
}
