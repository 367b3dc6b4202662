module GanFlow.Tests.ModeCoverageLawTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics
open GanFlow.Tests.Samples

/// 1 to 200 values across seed 000's multimodal range.
let private values = Gen.choose (1, 200) |> Gen.bind (fun n -> Gen.arrayOfLength n (Gen.choose (-200, 1_200) |> Gen.map (fun i -> float i / 10.0))) |> Arb.fromGen

let private dataset = NamedDatasets.multimodal

[<Tests>]
let tests =
    testList "mode coverage (laws)" [
        testProperty "the mode shares are in [0, 1] and sum to 1" (
            Prop.forAll values (fun x ->
                let s = ModeCoverage.shares dataset x
                Array.forall (fun v -> v >= 0.0 && v <= 1.0) s && close 1e-12 (Array.sum s) 1.0))
        testProperty "the shares and the mass off support ignore the order of the sample" (
            Prop.forAll values (fun x ->
                ModeCoverage.shares dataset (shuffled 4 x) = ModeCoverage.shares dataset x
                && ModeCoverage.massOutsideSupport dataset (shuffled 5 x) = ModeCoverage.massOutsideSupport dataset x))
        testProperty "the mass off support is in [0, 1]: 0 for points at the modes' centres, 1 far from every mode" (
            Prop.forAll values (fun x ->
                let m = ModeCoverage.massOutsideSupport dataset x
                m >= 0.0 && m <= 1.0
                && ModeCoverage.massOutsideSupport dataset (x |> Array.map (fun v -> 10.0 * float (1 + abs (int v) % 8))) = 0.0
                && ModeCoverage.massOutsideSupport dataset (x |> Array.map (fun v -> 1e4 + abs v)) = 1.0))
        testProperty "points at one mode's centre all go to that mode" (
            Prop.forAll (Arb.fromGen (Gen.zip (Gen.choose (1, 8)) (Gen.choose (1, 50)))) (fun (k, n) ->
                let s = ModeCoverage.shares dataset (Array.create n (10.0 * float k))
                s[k - 1] = 1.0))
        test "draws of the dataset lie on its support and share its modes by their weights" {
            let x = Sampling.sample (System.Random 1) dataset 80_000
            Expect.isLessThan (ModeCoverage.massOutsideSupport dataset x) 1e-3 "on support"
            Expect.all (ModeCoverage.shares dataset x) (fun s -> abs (s - 0.125) < 0.01) "1/8 each"
        }
    ]
