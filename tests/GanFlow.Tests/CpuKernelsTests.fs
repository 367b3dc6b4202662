/// libtorch's CPU convolutions run on its own kernels, not oneDNN's: oneDNN 3.7.1's float32 convolution backward reads
/// memory nobody wrote where it pads output channels to its 16-channel blocks: a freed block that held NaN turned later
/// gradients into NaN, and finite garbage made input gradients wrong (docs/platform.md).
module GanFlow.Tests.CpuKernelsTests

open Expecto
open TorchSharp
open GanFlow.Runtime.Devices

/// The input gradient of a 3×3 stride-1 convolution `inChannels` → `outChannels` (padding 1, 28×28 inputs, batch 16) of
/// sum(conv(x) ⊙ r), with weights, bias, x and r drawn in float64 from one seed and computed in `dtype`, as float64.
let private inputGradient (dtype: torch.ScalarType) (inChannels: int64) (outChannels: int64) =
    use scope = torch.NewDisposeScope()
    use generator = new torch.Generator(20261205UL)
    use conv = torch.nn.Conv2d(inChannels, outChannels, 3L, stride = 1L, padding = 1L, dtype = dtype)
    use half = (0.5).ToScalar()
    for p in conv.parameters () do
        use _ = torch.no_grad ()
        p.copy_(torch.rand(p.shape, dtype = torch.ScalarType.Float64, generator = generator).sub(half)) |> ignore
    let draw (shape: int64[]) = torch.rand(shape, dtype = torch.ScalarType.Float64, generator = generator).to_type(dtype)
    let x = (draw [| 16L; inChannels; 28L; 28L |]).requires_grad_(true)
    let y = conv.call x
    (y * draw y.shape).sum().backward()
    (nonNull x.grad).to_type(torch.ScalarType.Float64).detach().MoveToOuterDisposeScope()

/// max |a − b| / max |a| (NaN when either holds a NaN).
let private relativeGap (a: torch.Tensor) (b: torch.Tensor) =
    use scope = torch.NewDisposeScope()
    (a - b).abs().max().item<float>() / a.abs().max().item<float>()

/// Backward passes of a float32 convolution (`inChannels` → `outChannels`, 3×3, stride 1, padding 1, 28×28 inputs, batch
/// 64), each after tensors filled with NaN were freed; how many gave a NaN input gradient.
let private nanGradientsAfterFreedNaN (inChannels: int64) (outChannels: int64) (passes: int) =
    use scope = torch.NewDisposeScope()
    use generator = new torch.Generator(20261203UL)
    let conv = torch.nn.Conv2d(inChannels, outChannels, 3L, stride = 1L, padding = 1L)
    use nan = System.Double.NaN.ToScalar()
    let mutable withNaN = 0
    for _ in 1 .. passes do
        do
            use pass = torch.NewDisposeScope()
            let x = torch.rand([| 64L; inChannels; 28L; 28L |], generator = generator).requires_grad_(true)
            let y = conv.call x
            (y * torch.rand_like y).sum().backward()
            if (nonNull x.grad).isnan().any().item<bool>() then withNaN <- withNaN + 1
        do
            // Blocks of the sizes a convolution's buffers take, filled with NaN and freed at once.
            use poison = torch.NewDisposeScope()
            for _ in 1 .. 400 do torch.full([| 10_000L |], nan) |> ignore
    withNaN

[<Tests>]
let tests =
    testSequenced <| testList "cpu kernels" [
        test "oneDNN and NNPACK are off in this process (applied once, reported)" {
            let outcome = CpuKernels.Apply()
            Expect.equal outcome "native" "libtorch reports both switches off"
            Expect.equal (CpuKernels.Apply()) outcome "applied once: a second call reports the first outcome"
            Expect.isFalse (CpuKernels.OneDnnEnabled()) "libtorch's oneDNN path is off"
        }
        test "a float32 3x3 convolution's backward after NaN blocks were freed gives finite gradients (oneDNN's gave NaN in 15 of 20)" {
            CpuKernels.Apply() |> ignore
            for inChannels, outChannels in [ 1L, 4L; 4L, 8L ] do
                Expect.equal (nanGradientsAfterFreedNaN inChannels outChannels 20) 0
                    (sprintf "%d -> %d channels: no backward pass read a freed NaN" inChannels outChannels)
        }
        test "libtorch's own float32 convolution input gradients agree with float64 (in shapes where oneDNN 3.7.1's were wrong)" {
            CpuKernels.Apply() |> ignore
            for inChannels, outChannels in [ 1L, 4L; 3L, 17L; 32L, 1L; 32L, 64L ] do
                use exact = inputGradient torch.ScalarType.Float64 inChannels outChannels
                use native = inputGradient torch.ScalarType.Float32 inChannels outChannels
                let gap = relativeGap exact native
                // `<` is false for NaN, so a NaN gradient fails this (Expect.isLessThan would let it pass).
                Expect.isTrue (gap < 1e-5) (sprintf "%d -> %d channels: within float32 rounding of float64 (%.1e)" inChannels outChannels gap)
        }
    ]
