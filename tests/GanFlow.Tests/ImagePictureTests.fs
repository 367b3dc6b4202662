/// The pure pieces behind the image pictures: the latent grid's evidence and posterior against closed forms, the tiles,
/// and the PNG writer's bytes.
module GanFlow.Tests.ImagePictureTests

open System
open System.IO
open System.IO.Compression
open Expecto
open GanFlow.Core.Images
open GanFlow.Store

let private bigEndian (bytes: byte[]) (at: int) =
    (int bytes[at] <<< 24) ||| (int bytes[at + 1] <<< 16) ||| (int bytes[at + 2] <<< 8) ||| int bytes[at + 3]

/// The chunks of a PNG as (type, data), checking every CRC.
let private chunks (png: byte[]) =
    let mutable at = 8
    [ while at < png.Length do
          let length = bigEndian png at
          let typeAndData = png[at + 4 .. at + 7 + length]
          let crc = uint32 (bigEndian png (at + 8 + length))
          Expect.equal crc (PngFile.Crc32 typeAndData) "chunk CRC"
          yield Text.Encoding.ASCII.GetString(typeAndData, 0, 4), typeAndData[4..]
          at <- at + 12 + length ]

[<Tests>]
let tests =
    testList "Image pictures" [
        testCase "the grid evidence of a Gaussian likelihood matches the closed form N(x; 0, 1 + σ²)" (fun () ->
            // p(x|z) = N(x; z₁, σ²), z ~ N(0, I): p(x) = N(x; 0, 1 + σ²).
            let sigma, x = 0.3, 0.7
            let grid = LatentGrid.points (LatentWindow.Centred 6.0) 241
            let logLikelihood = grid |> Array.map (fun (z1, _) -> -0.5 * log (2.0 * Math.PI * sigma * sigma) - (x - z1) ** 2.0 / (2.0 * sigma * sigma))
            let exact = -0.5 * log (2.0 * Math.PI * (1.0 + sigma * sigma)) - x * x / (2.0 * (1.0 + sigma * sigma))
            Expect.floatClose { absolute = 1e-6; relative = 0.0 } (LatentGrid.logEvidence (LatentWindow.Centred 6.0) 241 logLikelihood) exact "log p(x)"
            let posterior = LatentGrid.posterior (LatentWindow.Centred 6.0) 241 logLikelihood
            Expect.floatClose Accuracy.high (Array.sum posterior) 1.0 "posterior masses sum to 1"
            // The posterior mean of z₁ is x / (1 + σ²).
            let mean = Array.map2 (fun (z1, _) p -> z1 * p) grid posterior |> Array.sum
            Expect.floatClose { absolute = 1e-6; relative = 0.0 } mean (x / (1.0 + sigma * sigma)) "posterior mean")
        testCase "a narrow posterior off centre: the search grid finds it, the focused window resolves it, the edge mass flags a cut-off grid" (fun () ->
            // p(x|z) = N(x; z, σ²I) with σ = 0.04 and x = (1.3, −0.7): p(z|x) has sd ≈ 0.04 and p(x) = N(x; 0, (1 + σ²)I).
            let sigma, x1, x2 = 0.04, 1.3, -0.7
            let likelihood grid = grid |> Array.map (fun (z1, z2) -> -log (2.0 * Math.PI * sigma * sigma) - ((x1 - z1) ** 2.0 + (x2 - z2) ** 2.0) / (2.0 * sigma * sigma))
            let exact = -log (2.0 * Math.PI * (1.0 + sigma * sigma)) - (x1 * x1 + x2 * x2) / (2.0 * (1.0 + sigma * sigma))
            let search = LatentWindow.Centred 4.0
            let wide = LatentGrid.posterior search 81 (likelihood (LatentGrid.points search 81))
            Expect.isLessThan (LatentGrid.edgeMass 81 wide) 1e-12 "the posterior is well inside [−4, 4]²"
            let window = LatentGrid.focus search 81 1e-8 wide
            let c1, c2 = window.Centre
            Expect.isLessThan (abs (c1 - x1 / (1.0 + sigma * sigma)) + abs (c2 - x2 / (1.0 + sigma * sigma))) (LatentGrid.spacing search 81) "window centred on the posterior"
            Expect.isLessThan window.HalfWidth 1.0 "the window zooms in"
            let focused = LatentGrid.logEvidence window 161 (likelihood (LatentGrid.points window 161))
            let coarse = LatentGrid.logEvidence search 81 (likelihood (LatentGrid.points search 81))
            Expect.floatClose { absolute = 1e-6; relative = 0.0 } focused exact "log p(x) on the focused window"
            Expect.isGreaterThan (abs (coarse - exact)) (100.0 * abs (focused - exact)) "the focused window is far more accurate than the search grid"
            let cut = LatentWindow.Centred 1.0
            let cutMass = LatentGrid.posterior cut 81 (likelihood (LatentGrid.points cut 81))
            Expect.isGreaterThan (LatentGrid.edgeMass 81 cutMass) 0.1 "a grid that ends before the posterior holds its mass at the edge")
        testCase "the aggregate histogram: prior cell masses are exact, prior draws are close to the prior, a narrow cloud is not, and its holes lie where it has no mass" (fun () ->
            let window = LatentWindow.Centred 4.0
            let prior = LatentStructure.priorMasses window 40
            // (Φ(4) − Φ(−4))² = 0.99987...
            Expect.floatClose { absolute = 1e-9; relative = 0.0 } (Array.sum prior) (0.9999366575163338 ** 2.0) "mass inside [−4, 4]²"
            let rng = Random 7
            let gaussian () = sqrt (-2.0 * log (1.0 - rng.NextDouble())) * cos (2.0 * Math.PI * rng.NextDouble())
            let priorDraws = Array.init 200_000 (fun _ -> gaussian (), gaussian ())
            Expect.equal (Array.sum (LatentStructure.histogram window 40 priorDraws)) (priorDraws |> Array.filter (fun (a, b) -> abs a < 4.0 && abs b < 4.0) |> Array.length) "every point inside is counted once"
            let tvPrior = LatentStructure.totalVariation window 40 priorDraws
            Expect.isLessThan tvPrior 0.03 "draws from the prior are close to it (sampling noise only)"
            // Only the right half-plane, squeezed: far from the prior, and the holes are on the left.
            let right = Array.init 50_000 (fun _ -> abs (gaussian ()) * 0.5, gaussian () * 0.5)
            Expect.isGreaterThan (LatentStructure.totalVariation window 40 right) 0.5 "a squeezed half-plane is far from the prior"
            for k in LatentStructure.holes window 40 50 right do
                let z1, _ = LatentStructure.cellCentre window 40 k
                Expect.isLessThan z1 0.0 "holes lie where the cloud has no mass"
            Expect.equal (LatentStructure.cellOf window 40 (LatentStructure.cellCentre window 40 123)) (Some 123) "a cell's centre lies in the cell"
            Expect.equal (LatentStructure.cellOf window 40 (4.5, 0.0)) None "outside")
        testCase "the nearest-neighbour label accuracy is 1 for separated clusters and near chance for shuffled labels" (fun () ->
            let rng = Random 3
            let points = Array.init 500 (fun i -> float (i % 5) * 10.0 + rng.NextDouble(), rng.NextDouble())
            let labels = Array.init 500 (fun i -> byte (i % 5))
            Expect.equal (LatentStructure.nearestNeighbourAccuracy 5 points labels) 1.0 "separated clusters"
            let shuffled = Array.init 500 (fun _ -> byte (rng.Next 5))
            let chance = LatentStructure.nearestNeighbourAccuracy 5 points shuffled
            Expect.isLessThan chance 0.35 (sprintf "labels unrelated to the points score near chance (0.2), got %g" chance))
        testCase "the encoder's Gaussian on the grid holds its mass and peaks at its mean" (fun () ->
            let masses = LatentGrid.gaussianMasses (LatentWindow.Centred 5.0) 201 (1.0, -0.5) (log 0.04, log 0.09)
            Expect.floatClose { absolute = 1e-6; relative = 0.0 } (Array.sum masses) 1.0 "mass 1"
            let peak = LatentGrid.points (LatentWindow.Centred 5.0) 201 |> Array.item (Array.findIndex ((=) (Array.max masses)) masses)
            Expect.equal peak (1.0, -0.5) "peak at the mean")
        testCase "tiles place each image, scaled, in its cell of a grey-bordered grid" (fun () ->
            let width, height, pixels = ImageTiles.grid 2 2 2 1 [| [| 1.0; 0.0; 0.0; 1.0 |]; [| 0.0; 0.0; 0.0; 0.5 |]; [| 0.2; 0.2; 0.2; 0.2 |] |]
            Expect.equal (width, height) (11, 11) "2 columns and 2 rows of 4-pixel cells with 1-pixel gaps"
            Expect.equal pixels[0] 128uy "border"
            Expect.equal pixels[1 * width + 1] 255uy "first image's top-left pixel"
            Expect.equal pixels[2 * width + 2] 255uy "scaled by 2"
            Expect.equal pixels[1 * width + 3] 0uy "first image's top-right pixel"
            Expect.equal pixels[4 * width + 9] 128uy "second image's bottom-right pixel 0.5"
            Expect.equal pixels[6 * width + 1] 51uy "third image in the second row")
        testCase "a PNG holds the signature, an 8-bit grey header and the rows with filter 0, every CRC right" (fun () ->
            let pixels = [| 0uy; 50uy; 100uy; 150uy; 200uy; 255uy |]
            let png = PngFile.Encode(3, 2, pixels)
            Expect.sequenceEqual png[..7] [| 137uy; 80uy; 78uy; 71uy; 13uy; 10uy; 26uy; 10uy |] "signature"
            match chunks png with
            | [ ("IHDR", header); ("IDAT", data); ("IEND", [||]) ] ->
                Expect.equal (bigEndian header 0, bigEndian header 4) (3, 2) "width and height"
                Expect.equal (header[8], header[9]) (8uy, 0uy) "8-bit grey"
                use zlib = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress)
                use rows = new MemoryStream()
                zlib.CopyTo rows
                Expect.sequenceEqual (rows.ToArray()) [| 0uy; 0uy; 50uy; 100uy; 0uy; 150uy; 200uy; 255uy |] "filter byte and pixels per row"
            | other -> failtestf "chunks %A" (other |> List.map fst)
            Expect.throwsT<ArgumentException> (fun () -> PngFile.Encode(3, 3, pixels) |> ignore) "pixel count must match")
    ]
