module GanFlow.Tests.ParzenWindowLawTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples
open GanFlow.Tests.PointSamples

/// Kernel centres and query points of one dimension, a grid offset and a bandwidth.
let private cases =
    gen {
        let! samples, points = twoSamplesBetween 1 15
        let! shift = offset samples.Dimension
        let! h = Gen.choose (1, 40) |> Gen.map (fun i -> float i / 8.0)
        return samples, points, shift, h
    }
    |> Arb.fromGen

let private logDensities (samples: Points) (h: float) (points: Points) = ParzenWindow.logDensities samples.Dimension samples.Values h points.Values

[<Tests>]
let tests =
    testList "Parzen window (laws)" [
        testProperty "the estimate ignores the order of the kernel centres" (
            Prop.forAll cases (fun (samples, points, _, h) ->
                Array.forall2 (close 1e-12) (logDensities (reorder 3 samples) h points) (logDensities samples h points)))
        testProperty "a common translation of centres and points leaves it unchanged" (
            Prop.forAll cases (fun (samples, points, shift, h) ->
                Array.forall2 (close 1e-10) (logDensities (Points.translate shift samples) h (Points.translate shift points)) (logDensities samples h points)))
        testProperty "scaling centres, points and bandwidth by c lowers log p̂ by d·log c" (
            Prop.forAll cases (fun (samples, points, _, h) ->
                let c = 3.0
                Array.forall2 (fun scaled plain -> close 1e-10 scaled (plain - float samples.Dimension * log c))
                    (logDensities (Points.scale c samples) (c * h) (Points.scale c points)) (logDensities samples h points)))
        testProperty "several bandwidths at once give each bandwidth's estimate" (
            Prop.forAll cases (fun (samples, points, _, h) ->
                let both = ParzenWindow.logDensitiesFor samples.Dimension samples.Values [| h; 2.0 * h |] points.Values
                both[0] = logDensities samples h points && both[1] = logDensities samples (2.0 * h) points))
        testProperty "log-spaced values run from low to high exactly, increasing with constant ratio" (
            Prop.forAll (Arb.fromGen (Gen.zip3 (Gen.choose (1, 1000)) (Gen.choose (1, 1000)) (Gen.choose (2, 50)))) (fun (a, b, count) ->
                let low, high = float a / 1000.0, float a / 1000.0 + float b
                let v = ParzenWindow.logSpaced low high count
                v[0] = low && v[count - 1] = high && Array.pairwise v |> Array.forall (fun (p, q) -> p < q && close 1e-9 (q / p) (v[1] / v[0]))))
        testProperty "at a lone centre the estimate is the Gaussian's peak, −(d/2)·log(2πh²)" (
            Prop.forAll cases (fun (samples, _, _, h) ->
                let one = Points.pick [| 0 |] samples
                close 1e-12 (logDensities one h one).[0] (-0.5 * float samples.Dimension * log (2.0 * System.Math.PI * h * h))))
        testProperty "the standard error is the sample standard deviation over √n, and scales with the values" (
            Prop.forAll (Arb.fromGen (Gen.zip (Gen.choose (2, 30)) (Gen.choose (1, 1000)))) (fun (n, seed) ->
                let random = System.Random seed
                let values = Array.init n (fun _ -> random.NextDouble() * 10.0 - 5.0)
                let mean, error = ParzenWindow.meanAndError values
                let m = Array.average values
                let s = sqrt ((values |> Array.sumBy (fun v -> (v - m) ** 2.0)) / float (n - 1))
                let scaledMean, scaledError = ParzenWindow.meanAndError (values |> Array.map (fun v -> 3.0 * v + 1.0))
                close 1e-12 mean m && close 1e-12 error (s / sqrt (float n))
                && close 1e-12 scaledMean (3.0 * m + 1.0) && close 1e-12 scaledError (3.0 * error)))
        test "one value has no standard error (NaN, not 0); two equal values have 0" {
            let mean, error = ParzenWindow.meanAndError [| 2.5 |]
            Expect.equal mean 2.5 "the mean of one value is the value"
            Expect.isTrue (System.Double.IsNaN error) "no spread to estimate an error from"
            Expect.equal (ParzenWindow.meanAndError [| 2.5; 2.5 |]) (2.5, 0.0) "two equal values: no spread, error 0"
        }
    ]
