using GanFlow.Core.Models;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// The two players of a <see cref="Gan"/> spec, built by <see cref="MlpBuilder"/> and placed on a device,
/// plus the generator of per-step randomness that their dropout layers draw masks from.
/// </summary>
public sealed class GanNetworks : IDisposable
{
    /// <summary>Prior dimension → data dimension.</summary>
    public MlpModule Generator { get; }
    /// <summary>Data dimension → 1 (a score, or a logit for the original GAN objectives).</summary>
    public MlpModule Critic { get; }
    /// <summary>CPU generator the trainer reseeds every step: prior noise, interpolation weights and dropout masks of the step come from it.</summary>
    public torch.Generator StepRandomness { get; }
    /// <summary>The device both networks live on.</summary>
    public Device Device { get; }

    private GanNetworks(MlpModule generator, MlpModule critic, torch.Generator dropoutMasks, Device device)
    {
        Generator = generator;
        Critic = critic;
        StepRandomness = dropoutMasks;
        Device = device;
    }

    /// <summary>
    /// Builds both networks on the CPU with weights drawn from a generator seeded with
    /// <paramref name="initSeed"/>, optionally loads a checkpoint there (<paramref name="beforeMove"/>),
    /// then moves them to <paramref name="device"/>. Critic linears are spectrally normalised when the
    /// spec lists <see cref="LipschitzConstraint.SpectralNorm"/>.
    /// </summary>
    public static GanNetworks Create(Gan spec, int dataDimension, long initSeed, Device device, Action<GanNetworks>? beforeMove = null)
    {
        using var init = new torch.Generator((ulong)initSeed);
        var masks = new torch.Generator((ulong)initSeed);
        var criticLinear = LinearOptions.Plain;
        foreach (var constraint in spec.Lipschitz)
        {
            if (constraint is LipschitzConstraint.SpectralNorm sn) criticLinear = new LinearOptions(sn.powerIterations);
        }
        var generator = MlpBuilder.Build(spec.Generator, spec.Prior.Dimension, dataDimension, LinearOptions.Plain, init, masks);
        var critic = MlpBuilder.Build(spec.Critic, dataDimension, 1, criticLinear, init, masks);
        var networks = new GanNetworks(generator, critic, masks, torch.CPU);
        beforeMove?.Invoke(networks);
        generator.to(device);
        critic.to(device);
        return new GanNetworks(generator, critic, masks, device);
    }

    /// <summary>Both networks by their checkpoint names.</summary>
    public (string Name, Module Module)[] Modules => [("generator", Generator), ("critic", Critic)];

    /// <summary>Number of trainable scalars of a module.</summary>
    public static int ParameterCount(Module module) =>
        (int)module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <inheritdoc />
    public void Dispose()
    {
        Generator.Dispose();
        Critic.Dispose();
        StepRandomness.Dispose();
    }
}
