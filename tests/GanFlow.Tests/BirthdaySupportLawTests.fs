module GanFlow.Tests.BirthdaySupportLawTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Metrics

/// 2 to 300 values on a 1/8 grid with few distinct values (collisions happen) and a resolution on the same grid.
let private cases =
    gen {
        let! n = Gen.choose (2, 300)
        let! distinct = Gen.choose (1, 400)
        let! x = Gen.arrayOfLength n (Gen.choose (0, distinct) |> Gen.map (fun i -> float i / 8.0))
        let! delta = Gen.choose (1, 16) |> Gen.map (fun i -> float i / 16.0)
        let! seed = Gen.choose (0, 1_000)
        return x, delta, seed
    }
    |> Arb.fromGen

let private estimate (seed: int) (delta: float) (x: float[]) = BirthdaySupport.estimate (System.Random seed) delta 20 x

/// Two estimates agree in everything but δ (NaN equal to NaN).
let private same (a: BirthdayEstimate) (b: BirthdayEstimate) =
    let bits (v: float) = System.BitConverter.DoubleToInt64Bits v
    a.BatchSize = b.BatchSize && bits a.CollisionShare = bits b.CollisionShare && bits a.Support = bits b.Support && a.LowerBound = b.LowerBound

[<Tests>]
let tests =
    testList "birthday-paradox support (laws)" [
        testProperty "the estimate is the batch size squared, and the lower bound is n²" (
            Prop.forAll cases (fun (x, delta, seed) ->
                let e = estimate seed delta x
                e.LowerBound = float x.Length * float x.Length
                && (match e.BatchSize with
                    | Some s -> e.Support = float s * float s && s >= 2 && s <= x.Length && e.CollisionShare >= 0.5
                    | None -> System.Double.IsNaN e.Support)))
        testProperty "scaling the values and δ together changes nothing" (
            Prop.forAll cases (fun (x, delta, seed) ->
                same (estimate seed (4.0 * delta) (x |> Array.map ((*) 4.0))) (estimate seed delta x)))
        testProperty "a common translation changes nothing" (
            Prop.forAll cases (fun (x, delta, seed) -> same (estimate seed delta (x |> Array.map ((+) 3.5))) (estimate seed delta x)))
        testProperty "a constant sample collides at once: batch size 2, support 4" (
            Prop.forAll cases (fun (x, delta, seed) ->
                let e = estimate seed delta (Array.create x.Length 1.0)
                e.BatchSize = Some 2 && e.Support = 4.0))
    ]
