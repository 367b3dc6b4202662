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

    /// <summary>Latent rows decoded per pass when many are decoded without a gradient (<see cref="InChunks"/>): at 2,048
    /// rows a 28 × 28 generator's transposed-convolution buffers outgrow what the C heap keeps (NativeAllocator's mmap
    /// threshold), and every pass maps, zero-fills and unmaps them again: seed 003's latent pictures took 125 s for a
    /// 12-image-wide test VAE at 2,048 rows a pass, 22 s at 256 (69 s at 512, 25 s at 64), with the same bytes.</summary>
    public const int ChunkRows = 256;

    /// <summary><paramref name="pass"/> (this module's <see cref="forward"/> or <see cref="Logits"/>) over the rows of
    /// <paramref name="z"/> [N, q], <see cref="ChunkRows"/> at a time, the outputs concatenated in order; for evaluation
    /// only (no gradient, batch norm in evaluation mode), where a row's output does not depend on the rows beside it, so the
    /// values are those of one pass over all rows.</summary>
    /// <exception cref="InvalidOperationException">The module is in training mode or gradients are on (batch norm would
    /// then normalise each chunk by its own statistics, and the values would depend on the chunking).</exception>
    public Tensor InChunks(Tensor z, Func<Tensor, Tensor> pass)
    {
        if (training || torch.is_grad_enabled())
            throw new InvalidOperationException("ConvGeneratorModule.InChunks is for evaluation: evaluation mode, no gradient");
        var rows = z.shape[0];
        if (rows <= ChunkRows) return pass(z);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < rows; start += ChunkRows)
            {
                // Each pass's intermediate tensors are freed before the next, so that their buffers are reused.
                using var scope = torch.NewDisposeScope();
                parts.Add(pass(z.narrow(0, start, Math.Min(ChunkRows, rows - start))).MoveToOuterDisposeScope());
            }
            return torch.cat(parts, 0);
        }
        finally
        {
            foreach (var part in parts) part.Dispose();
        }
    }
}
