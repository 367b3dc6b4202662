using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// Channels-last layout for the wide convolutions of seed 003's encoder and generator (the VAE's, and the GANs'
/// generator). A [N, C, H, W] tensor whose memory runs channel
/// fastest (NHWC strides, the same values and shape) makes libtorch's own CPU convolution kernels copy whole runs of C
/// channels per kernel tap instead of strided rows per channel, and its output keeps the layout. TorchSharp 0.107 has
/// no <c>memory_format</c> argument, so the layout is made by permuting to NHWC, copying, and permuting the view back.
/// Measured on the 2-core AMD EPYC (batch 64, one thread, forward and backward, libtorch's kernels): seed 003's 32 → 64
/// convolution 16.1 → 9.8 ms and its 64 → 32 transposed one 15.6 → 9.7 ms; 12.4 → 7.6 and 11.0 → 8.1 ms with
/// <c>GANFLOW_MKL_DISPATCH=features</c>; in the modules, with the layout changes and the layers around them, the
/// encoder's two convolutions 17.5 → 12.8 ms and the generator's 19.4 → 15.5 ms. The thin layers stay in the usual
/// layout: a 1-channel input is the same either way, and the 32 → 1 transposed convolution is 2× slower channels-last
/// (1.6 → 2.7 ms), so the generator turns its wide convolution's output back (its batch norm is slower channels-last
/// too). The values differ from the usual layout's at the rounding level (another summation order). The
/// discriminator (<see cref="ConvDiscriminatorModule"/>) keeps the usual layout: its second convolution would gain as
/// much, but it is also seed 001's MNIST critic, whose recorded figures would all move. On CUDA the layout goes to cuDNN,
/// which takes it as well; its speed there was not measured.
/// </summary>
public static class ChannelsLast
{
    private static readonly long[] ToNhwc = [0, 2, 3, 1];
    private static readonly long[] ToNchw = [0, 3, 1, 2];

    /// <summary><paramref name="x"/> ([N, C, H, W]) with channels-last strides: the same shape and values.</summary>
    public static Tensor Of(Tensor x) => x.permute(ToNhwc).contiguous().permute(ToNchw);
}
