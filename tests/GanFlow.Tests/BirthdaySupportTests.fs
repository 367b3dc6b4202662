module GanFlow.Tests.BirthdaySupportTests

open Expecto
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics
open GanFlow.Core.Dynamics

/// n draws from the uniform distribution over `points` distinct values.
let private uniformOver (seed: int) (points: int) (n: int) =
    let rng = System.Random seed
    Array.init n (fun _ -> float (rng.Next points) * 0.37)

[<Tests>]
let tests =
    testList "birthday-paradox support" [
        test "a uniform over N points is estimated within a factor of 2 of N" {
            for points, seed in [ 100, 1; 1_000, 2; 10_000, 3; 100_000, 4 ] do
                let e = BirthdaySupport.estimate (System.Random seed) 0.1 200 (uniformOver seed points 200_000)
                Expect.isTrue (e.BatchSize.IsSome) "found"
                Expect.isGreaterThan e.Support (float points / 2.0) (sprintf "N = %d: %g" points e.Support)
                Expect.isLessThan e.Support (2.0 * float points) (sprintf "N = %d: %g" points e.Support)
                Expect.isGreaterThanOrEqual e.CollisionShare 0.5 "half the batches collide"
        }
        test "a continuous distribution at resolution delta is estimated within a factor of 2 of 1.39 / (2 delta ∫p²)" {
            // For N(0, 1), ∫p² = 1/(2√π); near-duplicates at distance < δ occur with probability ≈ 2δ∫p² per pair.
            let delta = 1e-4
            let expected = 2.0 * log 2.0 / (2.0 * delta / (2.0 * sqrt System.Math.PI))
            let e = BirthdaySupport.estimate (System.Random 5) delta 200 (Sampling.sample (System.Random 6) (Distribution.Gaussian(0.0, 1.0)) 100_000)
            Expect.isGreaterThan e.Support (expected / 2.0) (sprintf "%g vs %g" e.Support expected)
            Expect.isLessThan e.Support (2.0 * expected) (sprintf "%g vs %g" e.Support expected)
        }
        test "a sample too small to show a collision gives a lower bound, not an estimate" {
            let e = BirthdaySupport.estimate (System.Random 1) 1e-9 50 (Array.init 100 float)
            Expect.isNone e.BatchSize "no collision"
            Expect.isTrue (System.Double.IsNaN e.Support) "no estimate"
            Expect.equal e.LowerBound 10_000.0 "n²"
        }
        test "the same seed gives the same estimate" {
            let sample = uniformOver 9 5_000 50_000
            Expect.equal (BirthdaySupport.estimate (System.Random 1) 0.1 100 sample) (BirthdaySupport.estimate (System.Random 1) 0.1 100 sample) "deterministic"
        }
        test "memorizers are estimated near their training-set size and far below the truth at the same delta" {
            let rows = SupportSizes.run { SupportSizesSpec.Default with Samples = 50_000; TrainingSizes = [ 1_000 ] } |> List.map fst
            let row name = rows |> List.find (fun r -> r.Model = name)
            let memorizer = row "memorizer-1000"
            Expect.isGreaterThan memorizer.Estimate.Support 500.0 "within a factor 2 of m"
            Expect.isLessThan memorizer.Estimate.Support 2_000.0 "within a factor 2 of m"
            Expect.isGreaterThan (row "two-gaussians").Estimate.Support (10.0 * memorizer.Estimate.Support) "the truth's support is far larger"
            Expect.isLessThan (row "mode-collapse").Estimate.Support (row "two-gaussians").Estimate.Support "the collapsed generator's is smaller"
        }
        test "bad arguments are refused" {
            Expect.throwsT<System.ArgumentException> (fun () -> BirthdaySupport.estimate (System.Random 1) 0.0 10 [| 1.0; 2.0 |] |> ignore) "delta"
            Expect.throwsT<System.ArgumentException> (fun () -> BirthdaySupport.estimate (System.Random 1) 0.1 10 [| 1.0 |] |> ignore) "one value"
        }
    ]
