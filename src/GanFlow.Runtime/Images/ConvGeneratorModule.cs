using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// Seed 003's generator (eq. 5): linear q → c₁·(s/4)², batch norm over the c₁ channels, ReLU; 4×4 stride-2 transposed
/// convolution to c₂·(s/2)², batch norm, ReLU; 4×4 stride-2 transposed convolution to 1·s², sigmoid. Input [N, q],
/// output [N, 1, s, s] in (0, 1).
/// </summary>
public sealed class ConvGeneratorModule : nn.Module<Tensor, Tensor>
{
    private readonly Linear project;
    private readonly BatchNormLayer firstNorm;
    private readonly ConvTranspose2d up;
    private readonly BatchNormLayer secondNorm;
    private readonly ConvTranspose2d output;
    private readonly long firstChannels;
    private readonly long quarter;

    /// <summary>The generator of <paramref name="spec"/> for <paramref name="side"/> × <paramref name="side"/> images (side divisible by 4).</summary>
    public ConvGeneratorModule(ConvGenerator spec, int side) : base("generator")
    {
        firstChannels = spec.FirstChannels;
        quarter = side / 4;
        project = nn.Linear(spec.Latent, spec.FirstChannels * quarter * quarter);
        firstNorm = new BatchNormLayer(spec.FirstChannels, 2);
        up = nn.ConvTranspose2d(spec.FirstChannels, spec.SecondChannels, 4, stride: 2, padding: 1);
        secondNorm = new BatchNormLayer(spec.SecondChannels, 2);
        output = nn.ConvTranspose2d(spec.SecondChannels, 1, 4, stride: 2, padding: 1);
        RegisterComponents();
    }

    /// <summary>The pre-sigmoid values K⁽³⁾w⁽²⁾ + β (the Bernoulli likelihood's logits), [N, 1, s, s].</summary>
    public Tensor Logits(Tensor z)
    {
        var h = project.forward(z).view(-1, firstChannels, quarter, quarter);
        // The wide transposed convolution runs channels-last; its output goes back to the usual layout for the batch
        // norm and the 1-channel output convolution, both slower channels-last (ChannelsLast).
        h = ChannelsLast.Of(nn.functional.relu(firstNorm.forward(h)));
        h = nn.functional.relu(secondNorm.forward(up.forward(h).contiguous()));
        return output.forward(h);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor z) => torch.sigmoid(Logits(z));
}
