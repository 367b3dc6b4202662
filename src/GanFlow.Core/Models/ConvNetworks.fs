namespace GanFlow.Core.Models

/// Seed 003's generator (eq. 5): a linear layer from the latent space to `FirstChannels` images of side/4 × side/4
/// (batch norm, ReLU), a 4×4 stride-2 transposed convolution to `SecondChannels` images of side/2 × side/2 (batch norm,
/// ReLU), a 4×4 stride-2 transposed convolution to one side × side image and a sigmoid, so every pixel lies in (0, 1).
/// Both transposed convolutions pad by 1, which doubles the side exactly ((s − 1)·2 − 2 + 4 = 2s).
type ConvGenerator =
    { /// Latent dimension q. Default 2 (seed 003 Example 2).
      Latent: int
      /// Channels of the first layer's side/4 images. Default 64 (64·7·7 on MNIST).
      FirstChannels: int
      /// Channels of the side/2 images. Default 32 (32·14·14 on MNIST).
      SecondChannels: int }

    static member Default = { Latent = 2; FirstChannels = 64; SecondChannels = 32 }

/// Seed 003's VAE encoder (eqs. 27-28): two 4×4 stride-2 convolutions with padding 1 (side → side/2 → side/4), ReLU
/// after each, then two linear heads from the flattened features: the mean μ_ψ(x) and the log-variance diag Σ_ψ(x)
/// of the Gaussian approximate posterior (eq. 24).
type ConvEncoder =
    { /// Latent dimension q (each head's outputs). Default 2.
      Latent: int
      /// Channels of the first convolution. Default 32.
      FirstChannels: int
      /// Channels of the second convolution. Default 64.
      SecondChannels: int }

    static member Default = { Latent = 2; FirstChannels = 32; SecondChannels = 64 }

/// Seed 003's DCGAN discriminator (eq. 33) and, without its sigmoid, the WGAN potential f_φ: two 4×4 stride-2
/// convolutions with padding 1, each followed by batch norm and a leaky ReLU, then one linear output from the
/// flattened features. The runtime returns the logit; the DCGAN loss applies the sigmoid inside its cross-entropy.
type ConvDiscriminator =
    { /// Channels of the first convolution. Default 32 (the structure of C_VAE^(1)).
      FirstChannels: int
      /// Channels of the second convolution. Default 64.
      SecondChannels: int
      /// Batch normalisation after each convolution (eq. 33's N). Default true.
      BatchNorm: bool
      /// Negative slope of the leaky ReLU. Default 0.2 (eq. 33).
      LeakySlope: float }

    static member Default = { FirstChannels = 32; SecondChannels = 64; BatchNorm = true; LeakySlope = 0.2 }

/// Trainable parameter counts of the image networks on side × side images (weights and biases; batch norm's scale
/// and shift, not its running statistics). The runtime's modules are tested against these.
module ImageParameters =
    /// Weights and biases of a k×k convolution (or transposed convolution) from `input` to `output` channels.
    let convolution (kernel: int) (input: int) (output: int) = kernel * kernel * input * output + output

    /// Weights and biases of a linear layer.
    let linear (input: int) (output: int) = input * output + output

    /// Scale and shift of a batch norm over `channels`.
    let batchNorm (channels: int) = 2 * channels

    /// Seed 003's generator on side × side images: linear q → c₁·(s/4)², batch norm over the c₁ channels, transposed
    /// convolutions c₁ → c₂ and c₂ → 1 (4×4), batch norm over c₂. MNIST defaults: 9,408 + 128 + 32,800 + 64 + 513 =
    /// 42,913, the paper's N_θ (Example 2).
    let generator (side: int) (g: ConvGenerator) =
        let quarter = side / 4
        linear g.Latent (g.FirstChannels * quarter * quarter)
        + batchNorm g.FirstChannels
        + convolution 4 g.FirstChannels g.SecondChannels
        + batchNorm g.SecondChannels
        + convolution 4 g.SecondChannels 1

    /// Seed 003's encoder: convolutions 1 → c₁ → c₂ (4×4) and two linear heads c₂·(s/4)² → q. MNIST defaults:
    /// 544 + 32,832 + 2 · 6,274 = 45,924, the paper's count (sec. 4).
    let encoder (side: int) (e: ConvEncoder) =
        let quarter = side / 4
        convolution 4 1 e.FirstChannels
        + convolution 4 e.FirstChannels e.SecondChannels
        + 2 * linear (e.SecondChannels * quarter * quarter) e.Latent

    /// Seed 003's discriminator: convolutions 1 → c₁ → c₂ (4×4), a batch norm after each when asked, and one linear
    /// output from c₂·(s/4)². MNIST defaults: 544 + 64 + 32,832 + 128 + 3,137 = 36,705.
    let discriminator (side: int) (d: ConvDiscriminator) =
        let quarter = side / 4
        convolution 4 1 d.FirstChannels
        + convolution 4 d.FirstChannels d.SecondChannels
        + (if d.BatchNorm then batchNorm d.FirstChannels + batchNorm d.SecondChannels else 0)
        + linear (d.SecondChannels * quarter * quarter) 1
