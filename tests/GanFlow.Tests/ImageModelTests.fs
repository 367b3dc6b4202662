/// Seed 003's convolutional networks: parameter counts derived by hand, shapes, and the spec's pure count beside the
/// runtime's modules.
module GanFlow.Tests.ImageModelTests

open Expecto
open TorchSharp
open GanFlow.Core.Models
open GanFlow.Runtime.Images

let private count (m: torch.nn.Module) = GanFlow.Runtime.Modules.ModelNetworks.ParameterCount m

[<Tests>]
let tests =
    testList "Image models" [
        testCase "seed 003's generator on 28×28 has the paper's 42,913 weights" (fun () ->
            // linear 2 → 64·7·7: 2·3,136 + 3,136 = 9,408; batch norm over 64 channels: 128;
            // transposed conv 64 → 32, 4×4: 64·32·16 + 32 = 32,800; batch norm over 32: 64;
            // transposed conv 32 → 1, 4×4: 32·16 + 1 = 513. Total 42,913 (seed 003 Example 2's N_θ).
            use g = new ConvGeneratorModule(ConvGenerator.Default, 28)
            Expect.equal (count g) 42_913 "generator weights"
            Expect.equal (ImageParameters.generator 28 ConvGenerator.Default) 42_913 "the core's count")
        testCase "seed 003's encoder on 28×28 has the paper's 45,924 weights" (fun () ->
            // conv 1 → 32, 4×4: 16·32 + 32 = 544; conv 32 → 64: 32·64·16 + 64 = 32,832; padding 1 keeps 28 → 14 → 7,
            // so each head maps 64·7·7 = 3,136 → 2: 6,272 + 2 = 6,274, two heads 12,548. Total 45,924. Without biases
            // it would be 45,824; without padding (28 → 13 → 5) 39,780; the ReLUs have no weights.
            use e = new ConvEncoderModule(ConvEncoder.Default, 28)
            Expect.equal (count e) 45_924 "encoder weights"
            Expect.equal (ImageParameters.encoder 28 ConvEncoder.Default) 45_924 "the core's count")
        testCase "seed 003's discriminator on 28×28 has 36,705 weights, 36,513 without batch norm" (fun () ->
            // conv 544 + batch norm 64 + conv 32,832 + batch norm 128 + linear 3,136 + 1 = 36,705; the two batch norms
            // hold 192 of them.
            use d = new ConvDiscriminatorModule(ConvDiscriminator.Default, 28)
            Expect.equal (count d) 36_705 "discriminator weights"
            use plain = new ConvDiscriminatorModule({ ConvDiscriminator.Default with BatchNorm = false }, 28)
            Expect.equal (count plain) 36_513 "without batch norm"
            Expect.equal (ImageParameters.discriminator 28 { ConvDiscriminator.Default with BatchNorm = false }) 36_513 "the core's count")
        testCase "the modules' shapes fit any side divisible by 4 and the core counts them" (fun () ->
            for side in [ 8; 12; 28 ] do
                let gSpec: ConvGenerator = { Latent = 3; FirstChannels = 5; SecondChannels = 4 }
                let eSpec: ConvEncoder = { Latent = 3; FirstChannels = 4; SecondChannels = 6 }
                use g = new ConvGeneratorModule(gSpec, side)
                use e = new ConvEncoderModule(eSpec, side)
                use d = new ConvDiscriminatorModule({ ConvDiscriminator.Default with FirstChannels = 4; SecondChannels = 6 }, side)
                // Seeded weights and latent draws: nothing comes from TorchSharp's global generator.
                GanFlow.Runtime.Images.ImageInitializer.Reset(g, 11L)
                GanFlow.Runtime.Images.ImageInitializer.Reset(e, 12L)
                GanFlow.Runtime.Images.ImageInitializer.Reset(d, 13L)
                g.eval ()
                use draws = new torch.Generator(14UL)
                use z = torch.randn([| 7L; 3L |], generator = draws)
                use x = g.forward z
                Expect.sequenceEqual x.shape [| 7L; 1L; int64 side; int64 side |] "generator output shape"
                let struct (mean, logVariance) = e.Encode x
                Expect.sequenceEqual mean.shape [| 7L; 3L |] "mean shape"
                Expect.sequenceEqual logVariance.shape [| 7L; 3L |] "log-variance shape"
                use scores = d.forward x
                Expect.sequenceEqual scores.shape [| 7L |] "one score per image"
                Expect.isTrue ((x.min().item<float32>()) >= 0.0f && (x.max().item<float32>()) <= 1.0f) "sigmoid output in [0, 1]"
                Expect.equal (count g) (ImageParameters.generator side gSpec) (sprintf "generator at side %d" side)
                Expect.equal (count e) (ImageParameters.encoder side eSpec) (sprintf "encoder at side %d" side)
                Expect.equal (count d) (ImageParameters.discriminator side { ConvDiscriminator.Default with FirstChannels = 4; SecondChannels = 6 }) (sprintf "discriminator at side %d" side))
        testCase "the same seed draws the same initial weights, another seed others" (fun () ->
            let weights seed =
                use n = GanFlow.Runtime.Modules.ModelNetworks.Create(GanFlow.Experiments.Seed003Mnist.vae, 784, seed, torch.CPU)
                n.Generator.Module.parameters() |> Seq.collect (fun p -> p.data<float32>().ToArray()) |> Array.ofSeq
            Expect.sequenceEqual (weights 5L) (weights 5L) "same seed"
            Expect.notEqual (weights 5L) (weights 6L) "another seed")
        testCase "channels-last keeps shape and values with NHWC strides, and the encoder and generator compute what their layers do in the usual layout" (fun () ->
            use _ = torch.NewDisposeScope()
            torch.manual_seed 11L |> ignore
            let x = torch.randn(3L, 5L, 4L, 6L)
            let laid = ChannelsLast.Of x
            Expect.sequenceEqual laid.shape x.shape "same shape"
            Expect.sequenceEqual (laid.stride()) [| 5L * 4L * 6L; 1L; 6L * 5L; 5L |] "channels run fastest"
            Expect.isTrue (torch.equal(laid, x).all().item<bool>()) "same values"
            // The modules' own layers, called one by one on tensors in the usual layout, are the reference.
            let layer (m: torch.nn.Module) (name: string) =
                m.named_children() |> Seq.find (fun struct (n, _) -> n = name) |> fun struct (_, c) -> c :?> torch.nn.Module<torch.Tensor, torch.Tensor>
            let close (actual: torch.Tensor) (expected: torch.Tensor) what =
                Expect.sequenceEqual actual.shape expected.shape (what + ": shape")
                Expect.isTrue (actual.is_contiguous ()) (what + ": returned in the usual layout")
                let error = (actual - expected).abs().max().item<float32>()
                let scale = expected.abs().max().item<float32>()
                Expect.isLessThan error (1e-5f * max 1.0f scale) (sprintf "%s: largest difference %g on values up to %g" what error scale)
            use e = new ConvEncoderModule(ConvEncoder.Default, 28)
            let images = torch.rand(16L, 1L, 28L, 28L)
            let struct (mean, logVariance) = e.Encode images
            let features =
                let h = torch.nn.functional.relu((layer e "first").forward images)
                torch.nn.functional.relu((layer e "second").forward h).flatten(1L)
            close mean ((layer e "mean").forward features) "the encoder's mean"
            close logVariance ((layer e "logVariance").forward features) "the encoder's log-variance"
            use g = new ConvGeneratorModule(ConvGenerator.Default, 28)
            let z = torch.randn(16L, 2L)
            let logits = g.Logits z
            let expected =
                let h = (layer g "project").forward(z).view(-1L, 64L, 7L, 7L)
                let h = torch.nn.functional.relu((layer g "firstNorm").forward h)
                let h = torch.nn.functional.relu((layer g "secondNorm").forward((layer g "up").forward h))
                (layer g "output").forward h
            close logits expected "the generator's logits")
        testCase "the generator decodes many latent points in chunks with one pass's values, in order" (fun () ->
            // Evaluation decodes ChunkRows latent points at a time (seed 003's pictures: 2,048 at once took 5.8× as long,
            // its buffers mapped and unmapped at every pass); in evaluation mode a row's output does not depend on its
            // neighbours, so the chunks' outputs, put together, are one pass's.
            use _ = torch.NewDisposeScope()
            torch.manual_seed 12L |> ignore
            use g = new ConvGeneratorModule(ConvGenerator.Default, 28)
            g.train false
            use _ = torch.no_grad()
            let rows = 2 * ConvGeneratorModule.ChunkRows + 37
            let z = torch.randn(int64 rows, 2L)
            let whole = g.forward z
            let chunked = g.InChunks(z, fun part -> g.forward part)
            Expect.sequenceEqual chunked.shape whole.shape "same shape"
            let error = (chunked - whole).abs().max().item<float32>()
            Expect.isLessThan error 1e-6f (sprintf "largest difference %g" error)
            let single = g.forward(z.narrow(0L, int64 (rows - 1), 1L))
            Expect.isLessThan ((chunked.narrow(0L, int64 (rows - 1), 1L) - single).abs().max().item<float32>()) 1e-6f "the last row is the last point's image"
            Expect.isTrue (g.InChunks(z.narrow(0L, 0L, 5L), fun part -> g.forward part).shape.[0] = 5L) "fewer rows than a chunk: one pass"
            // In training mode batch norm normalises each chunk by its own statistics: refused, not silently different.
            g.train true
            Expect.throwsT<System.InvalidOperationException> (fun () -> g.InChunks(z, fun part -> g.forward part) |> ignore) "refused in training mode")
    ]
