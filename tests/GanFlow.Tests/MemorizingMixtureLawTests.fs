module GanFlow.Tests.MemorizingMixtureLawTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Baselines
open GanFlow.Tests.Samples

/// Splits of 1-D or 2-D points on a 1/8 grid, the training points distinct.
let private splits =
    gen {
        let! d = Gen.choose (1, 2)
        let! n = Gen.choose (2, 30)
        let! train = Gen.arrayOfLength (n * d) (Gen.choose (-400, 400)) |> Gen.map (Array.map (fun i -> float i / 8.0))
        let! test = Gen.arrayOfLength (5 * d) (Gen.choose (-400, 400)) |> Gen.map (Array.map (fun i -> float i / 8.0 + 1.0 / 16.0))
        let rows = train |> Array.chunkBySize d |> Array.distinct
        return { Dimension = d; Train = Array.concat rows; Validation = test; Test = test }
    }
    |> Gen.filter (fun s -> s.Train.Length / s.Dimension >= 2)
    |> Arb.fromGen

[<Tests>]
let tests =
    testList "memorizing mixture (laws)" [
        testProperty "below the training points' spacing, the training NLL falls as σ shrinks" (
            Prop.forAll splits (fun s ->
                // Grid points are at least 1/8 apart; σ ≤ 1/80 keeps every point on its own kernel.
                MemorizingMixture.nll s 0.001 s.Train < MemorizingMixture.nll s 0.005 s.Train
                && MemorizingMixture.nll s 0.005 s.Train < MemorizingMixture.nll s 0.0125 s.Train))
        testProperty "the held-out NLL rises without bound as σ shrinks (held-out points are off the grid)" (
            Prop.forAll splits (fun s -> MemorizingMixture.nll s 0.001 s.Test > MemorizingMixture.nll s 0.01 s.Test))
        testProperty "the NLL ignores the order of the training points" (
            Prop.forAll splits (fun s ->
                let rows = s.Train |> Array.chunkBySize s.Dimension
                let reversed = { s with Train = Array.concat (Array.rev rows) }
                close 1e-10 (MemorizingMixture.nll reversed 0.3 s.Test) (MemorizingMixture.nll s 0.3 s.Test)))
        testProperty "at a tiny σ its samples are training points up to 10σ" (
            Prop.forAll splits (fun s ->
                let sigma = 1e-6
                let rows = s.Train |> Array.chunkBySize s.Dimension
                MemorizingMixture.sample s sigma (System.Random 1) 50
                |> Array.chunkBySize s.Dimension
                |> Array.forall (fun p -> rows |> Array.exists (fun r -> Array.forall2 (fun a b -> abs (a - b) <= 10.0 * sigma) p r))))
        testProperty "the line search's σ lies in (0, 1] and no grid σ has a lower validation NLL" (
            Prop.forAll splits (fun s ->
                let best = MemorizingMixture.lineSearch s
                let nll = MemorizingMixture.nll s best s.Validation
                best > 0.0 && best <= 1.0 && MemorizingMixture.sigmas |> Array.forall (fun g -> nll <= MemorizingMixture.nll s g s.Validation + 1e-9)))
    ]
