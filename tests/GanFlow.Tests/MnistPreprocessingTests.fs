/// The preprocessing specs and their one runtime interpretation (GanFlow.Runtime.Images.ImageTransform): the
/// log-determinant against autograd, the inverse, the dequantization's range, the likelihood units.
module GanFlow.Tests.MnistPreprocessingTests

open Expecto
open TorchSharp
open GanFlow.Core.Images
open GanFlow.Runtime.Images
open GanFlow.Tests.FlowTestSupport

/// `n` random images of `d` bytes as a [n, d] byte tensor, with the values 0 and 255 present (the logit's edges).
let private pixels (seed: int) n d =
    let rng = System.Random seed
    let bytes = Array.init (n * d) (fun _ -> byte (rng.Next 256))
    bytes[0] <- 0uy
    bytes[1] <- 255uy
    torch.tensor(bytes, System.ReadOnlySpan<int64>([| int64 n; int64 d |]))

let private unitScaled (p: ImagePreprocessing) seed n d =
    ImageTransform.UnitScale(p, pixels seed n d, new torch.Generator(uint64 seed))

[<Tests>]
let tests =
    testList "Mnist preprocessing" [
        test "the dequantized logit's log-det equals the sum of log|∂yᵢ/∂xᵢ| by autograd at 784-D" {
            useOneThread ()
            let x = (unitScaled ImagePreprocessing.seed001 1 5 784).requires_grad_(true)
            let struct (y, logDet) = ImageTransform.FromUnitScale(ImagePreprocessing.seed001, x)
            // The Jacobian is diagonal, so the gradient of Σᵢ yᵢ holds ∂yᵢ/∂xᵢ in coordinate i.
            let diagonal = torch.autograd.grad([| y.sum() |], [| x |])[0]
            let expected = valuesOf (diagonal.abs().log().sum(1L))
            let actual = valuesOf (logDet.detach())
            for k in 0..4 do
                Expect.floatClose { absolute = 1e-8; relative = 1e-10 } (actual[k]) (expected[k]) (sprintf "image %d" k)
            Expect.isGreaterThan (actual[0]) (784.0 * log 4.0) "each ∂y/∂x ≥ 4 (at p = 1/2), so the log-det exceeds 784 ln 4"
        }
        test "the transform's full Jacobian at 6-D is diagonal and its log|det| is the log-det" {
            useOneThread ()
            let d = 6
            let p = ImagePreprocessing.DequantizedLogit 0.05
            let x = (unitScaled p 2 3 d).requires_grad_(true)
            let struct (y, logDet) = ImageTransform.FromUnitScale(p, x)
            let jacobian =
                Array.init d (fun i -> valuesOf (torch.autograd.grad([| y.select(1, int64 i).sum() |], [| x |], retain_graph = true)[0]))
            for k in 0..2 do
                for i in 0 .. d - 1 do
                    for j in 0 .. d - 1 do
                        if i <> j then Expect.equal (jacobian[i][k * d + j]) 0.0 (sprintf "∂y%d/∂x%d of image %d" i j k)
                let logAbsDet = [ for i in 0 .. d - 1 -> log (abs (jacobian[i][k * d + i])) ] |> List.sum
                Expect.floatClose { absolute = 1e-10; relative = 1e-10 } ((valuesOf (logDet.detach()))[k]) logAbsDet (sprintf "image %d" k)
        }
        test "the inverse gives back the [0, 1]-scaled image, also at the edges 0 and 255" {
            useOneThread ()
            for p in [ ImagePreprocessing.seed001; ImagePreprocessing.DequantizedLogit 0.05; ImagePreprocessing.Scaled01 ] do
                let x = unitScaled p 3 8 784
                let struct (y, _) = ImageTransform.FromUnitScale(p, x)
                let back = ImageTransform.ToUnitScale(p, y)
                let error = (back - x).abs().max().item<float>()
                Expect.isLessThan error 1e-8 (sprintf "max |x − g⁻¹(g(x))| for %A" p)
                Expect.isTrue (valuesOf y |> Array.forall System.Double.IsFinite) "finite inputs"
        }
        test "dequantized values lie in [b/256, (b+1)/256) and average (b + 1/2)/256; Scaled01 is b/255 with log-det 0" {
            useOneThread ()
            let bytes = pixels 4 200 50
            let b = valuesOf (bytes.to_type torch.float64)
            let draws: float[] list = [ for s in 1..20 -> valuesOf (ImageTransform.UnitScale(ImagePreprocessing.seed001, bytes, new torch.Generator(uint64 s))) ]
            for x in draws do
                Expect.all (Array.zip x b) (fun (x, b) -> x >= b / 256.0 && x < (b + 1.0) / 256.0) "each value in its byte's interval"
            let offset = [| for x in draws do for i in 0 .. b.Length - 1 -> x[i] * 256.0 - b[i] |] |> Array.average
            Expect.floatClose { absolute = 0.005; relative = 0.0 } offset 0.5 "the mean of u ~ U(0, 1)"
            Expect.notEqual draws[0] draws[1] "fresh noise per generator"
            Expect.equal (valuesOf (ImageTransform.UnitScale(ImagePreprocessing.seed001, bytes, new torch.Generator(1UL)))) draws[0] "seeded"
            let struct (y, logDet, x) = ImageTransform.Forward(ImagePreprocessing.Scaled01, bytes, null)
            Expect.all (Array.zip (valuesOf x) b) (fun (x, b) -> abs (x - b / 255.0) < 1e-15) "b/255"
            Expect.equal (valuesOf y) (valuesOf x) "the model sees x"
            Expect.equal (valuesOf logDet) (Array.zeroCreate 200) "no change of variables"
        }
        test "NLL on the [0, 1] scale subtracts the log-det, and bits/dim follow in both conventions" {
            useOneThread ()
            let nll = ImageTransform.NllOnUnitScale(torch.tensor [| -10.0; 2.0 |], torch.tensor [| 3.0; 1.0 |])
            Expect.equal (valuesOf nll) [| 7.0; -3.0 |] "−(log p_Y + log-det)"
            Expect.equal (ImagePreprocessing.bitsPerDim8Bit 0.0 784) 8.0 "uniform on the unit cube: 8 bits per pixel"
            Expect.floatClose Accuracy.veryHigh (ImagePreprocessing.bitsPerDimOnUnitScale (784.0 * log 2.0) 784) 1.0 "NLL / (D ln 2)"
            Expect.floatClose Accuracy.veryHigh (ImagePreprocessing.bitsPerDim8Bit -3334.56 784) (8.0 - 3334.56 / (784.0 * log 2.0)) "seed 001's MLE NLL"
        }
        test "alpha outside (0, 0.5) is refused naming the field and the value" {
            Expect.isEmpty (ImagePreprocessing.validate "preprocessing" ImagePreprocessing.seed001) "1e-7 is valid"
            Expect.isEmpty (ImagePreprocessing.validate "preprocessing" ImagePreprocessing.Scaled01) "nothing to check"
            for alpha in [ 0.0; 0.5; -1e-7; nan ] do
                match ImagePreprocessing.validate "preprocessing" (ImagePreprocessing.DequantizedLogit alpha) with
                | [ e ] -> Expect.equal e.Field "preprocessing.alpha" (sprintf "field for %g" alpha)
                | other -> failtestf "alpha %g: %A" alpha other
        }
    ]
