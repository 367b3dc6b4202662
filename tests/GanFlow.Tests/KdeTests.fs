module GanFlow.Tests.KdeTests

open Expecto
open FsCheck.FSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples

/// The textbook O(n · points) Gaussian KDE, written out here.
let bruteForce (sample: float[]) (bandwidth: float) (points: float[]) =
    let norm = 1.0 / (float sample.Length * bandwidth * sqrt (2.0 * System.Math.PI))
    points |> Array.map (fun t -> norm * (sample |> Array.sumBy (fun x -> let u = (t - x) / bandwidth in exp (-0.5 * u * u))))

let private sampleOf seed distribution count = Sampling.sample (System.Random seed) distribution count

let private grid (low: float) (high: float) (count: int) = Array.init count (fun i -> low + (high - low) * float i / float (count - 1))

[<Tests>]
let tests =
    testList "kernel density estimate" [
        test "the binned KDE integrates to one on a wide grid" {
            let x = sampleOf 1 NamedDatasets.unimodal 5_000
            let h = 0.02
            let points = grid (Array.min x - 10.0 * h) (Array.max x + 10.0 * h) 20_001
            let f = Kde.density x h points
            let step = points[1] - points[0]
            let integral = step * (Array.sum f - 0.5 * (f[0] + f[f.Length - 1]))
            Expect.floatClose { absolute = 1e-3; relative = 0.0 } integral 1.0 "trapezoid over the support"
        }
        test "the binned KDE matches the brute-force KDE on a small sample" {
            let x = sampleOf 2 NamedDatasets.twoGaussiansDefault 300
            for h in [ 0.05; 0.3; 1.0 ] do
                let points = grid (Array.min x - 3.0) (Array.max x + 3.0) 997
                let exact = bruteForce x h points
                let binned = Kde.density x h points
                let worst = Array.map2 (fun a b -> abs (a - b)) exact binned |> Array.max
                // Binning and interpolation each err by at most (1/16)²/8 of the kernel's peak.
                Expect.isLessThan worst (2e-3 * Array.max exact) (sprintf "largest gap at bandwidth %g" h)
        }
        testPropertyWithConfig { FsCheckConfig.defaultConfig with maxTest = 30 } "the binned KDE matches the brute-force KDE on random samples and bandwidths" (
            Prop.forAll (Arb.fromGen (Gen.zip sample (Gen.choose (1, 500)))) (fun (x, h100) ->
                let h = float h100 / 100.0
                let points = grid (Array.min x - 5.0 * h) (Array.max x + 5.0 * h) 301
                let exact = bruteForce x h points
                let binned = Kde.density x h points
                // Binning and interpolation each err by at most (1/16)²/8 of one kernel's peak 1/(h√2π).
                let bound = 1.5e-3 / (h * sqrt (2.0 * System.Math.PI))
                Array.forall2 (fun a b -> abs (a - b) <= bound) exact binned))
        test "the KDE is zero far from every sample value" {
            Expect.sequenceEqual (Kde.density [| 0.0; 1.0 |] 0.1 [| -5.0; 6.0; 1e9 |]) [| 0.0; 0.0; 0.0 |] "beyond 8 bandwidths"
        }
        test "the KDE rejects a bandwidth that is not positive" {
            Expect.throwsT<System.ArgumentException> (fun () -> Kde.density [| 0.0 |] 0.0 [| 0.0 |] |> ignore) "zero bandwidth"
        }
        test "the binned KDE of 100,000 samples with the 500-per-band bandwidth follows the true density" {
            let distribution = Distribution.Gaussian(0.0, 1.0)
            let x = sampleOf 3 distribution 100_000
            let h = Kde.samplesPerBandBandwidth 500 x
            let points = grid -3.0 3.0 1_000
            let estimate = Kde.density x h points
            let worst = Array.map2 (fun t f -> abs (f - Densities.pdf distribution t)) points estimate |> Array.max
            // Pointwise standard deviation ≈ √(f / (2√π n h)) ≈ 0.005; bias ≈ h²/2·|f''| < 0.001.
            Expect.isLessThan worst 0.03 "largest gap to the N(0,1) pdf"
        }
        testProperty "the samples-per-band rule gives count · (max − min) / n" (
            Prop.forAll (Arb.fromGen (Gen.zip sample (Gen.choose (1, 1000)))) (fun (x, count) ->
                close 1e-12 (Kde.samplesPerBandBandwidth count x) (float count * (Array.max x - Array.min x) / float x.Length)))
        test "seed 000's rule gives 500 · range / 100,000 on a 100,000-value sample" {
            let x = Array.init 100_000 (fun i -> 2.0 + 8.0 * float i / 99_999.0)
            Expect.floatClose Accuracy.veryHigh (Kde.samplesPerBandBandwidth 500 x) 0.04 "500 · 8 / 100,000"
        }
        test "the held-out rule picks a smaller bandwidth for sharper data" {
            let narrow = sampleOf 4 (Distribution.Gaussian(0.0, 0.1)) 20_000
            let wide = sampleOf 5 (Distribution.Gaussian(0.0, 1.0)) 20_000
            let unimodal = sampleOf 6 NamedDatasets.unimodal 20_000
            let pick sample = Kde.heldOutBandwidth 20 (System.Random 9) sample
            Expect.isLessThan (pick narrow) (pick wide) "N(0, 0.1²) against N(0, 1)"
            Expect.isLessThan (pick unimodal) (pick wide) "unimodal dataset against N(0, 1)"
        }
        test "the held-out rule lands near the best bandwidth for a Gaussian" {
            let x = sampleOf 7 (Distribution.Gaussian(0.0, 1.0)) 20_000
            let h = Kde.heldOutBandwidth 20 (System.Random 9) x
            // Likelihood cross-validation for a Gaussian tracks Silverman's 1.06·σ·n^(−1/5) ≈ 0.146.
            Expect.isGreaterThan h 0.05 "not far below Silverman's value"
            Expect.isLessThan h 0.4 "not far above Silverman's value"
        }
        test "bandwidthFor dispatches on the evaluation's bandwidth rule" {
            let x = sampleOf 8 NamedDatasets.unimodal 5_000
            Expect.equal (Kde.bandwidthFor (BandwidthRule.Fixed 0.3) (System.Random 1) x) 0.3 "fixed"
            Expect.equal (Kde.bandwidthFor (BandwidthRule.SamplesPerBand 50) (System.Random 1) x) (Kde.samplesPerBandBandwidth 50 x) "samples per band"
            Expect.equal (Kde.bandwidthFor (BandwidthRule.HeldOutLikelihood 7) (System.Random 1) x) (Kde.heldOutBandwidth 7 (System.Random 1) x) "held out"
        }
        test "bandwidthFor gives a constant sample a narrow positive bandwidth" {
            let h = Kde.bandwidthFor (BandwidthRule.SamplesPerBand 500) (System.Random 1) (Array.create 100 4.0)
            Expect.floatClose Accuracy.veryHigh h 0.004 "1e-3 · |4|"
            Expect.isGreaterThan (Kde.density (Array.create 100 4.0) h [| 4.0 |]).[0] 50.0 "a tall spike at the value"
        }
    ]
