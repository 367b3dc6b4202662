using GanFlow.Core.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// The one interpretation of an <see cref="ImageModel"/> as modules: the generator every family trains and its second
/// network (the VAE's encoder, the DCGAN's discriminator, the WGAN's critic), initialised from the run's seed and
/// moved to the device. A model case without an interpretation here is an error.
/// </summary>
public sealed class ImageNetworks : IDisposable
{
    /// <summary>The generator g_θ.</summary>
    public ConvGeneratorModule Generator { get; }
    /// <summary>The VAE's encoder, or null.</summary>
    public ConvEncoderModule? Encoder { get; }
    /// <summary>The DCGAN's discriminator or the WGAN's critic, or null.</summary>
    public ConvDiscriminatorModule? Critic { get; }

    /// <summary>The second network's checkpoint name: <c>encoder</c>, <c>discriminator</c> or <c>critic</c>.</summary>
    public string SecondName { get; }

    /// <summary>The second network.</summary>
    public nn.Module SecondNetwork => (nn.Module?)Encoder ?? Critic!;

    private ImageNetworks(ConvGeneratorModule generator, ConvEncoderModule? encoder, ConvDiscriminatorModule? critic, string secondName)
    {
        Generator = generator;
        Encoder = encoder;
        Critic = critic;
        SecondName = secondName;
    }

    /// <summary>The networks of <paramref name="model"/> for <paramref name="side"/> × <paramref name="side"/> images, their
    /// weights drawn from <paramref name="seed"/>, on <paramref name="device"/>.</summary>
    public static ImageNetworks Create(ImageModel model, int side, long seed, Device device)
    {
        var generator = new ConvGeneratorModule(model.Generator, side);
        ImageInitializer.Reset(generator, seed);
        ImageNetworks networks = model switch
        {
            ImageModel.Vae v => new(generator, Initialised(new ConvEncoderModule(v.Item.Encoder, side), seed + 1), null, "encoder"),
            ImageModel.Dcgan d => new(generator, null, Initialised(new ConvDiscriminatorModule(d.Item.Discriminator, side), seed + 1), "discriminator"),
            ImageModel.Wgan w => new(generator, null, Initialised(new ConvDiscriminatorModule(w.Item.Critic, side), seed + 1), "critic"),
            _ => throw new NotSupportedException($"image model '{model}' has no runtime interpretation"),
        };
        networks.Generator.to(device);
        networks.SecondNetwork.to(device);
        return networks;
    }

    private static T Initialised<T>(T module, long seed) where T : nn.Module
    {
        ImageInitializer.Reset(module, seed);
        return module;
    }

    /// <summary>Trainable parameters of a module.</summary>
    public static int ParameterCount(nn.Module module) => (int)module.parameters().Where(p => p.requires_grad).Sum(p => p.numel());

    /// <summary>Switches both networks between training mode (batch statistics) and evaluation mode (running statistics).</summary>
    public void Train(bool training)
    {
        Generator.train(training);
        SecondNetwork.train(training);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Generator.Dispose();
        SecondNetwork.Dispose();
    }
}
