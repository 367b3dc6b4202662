module GanFlow.Tests.NeighbourSearchTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Metrics
open GanFlow.Tests.PointSamples

/// Queries, references (enough for a tree with inner nodes), a k and per-reference squared radii, on the 1/8 grid.
let private searchCase =
    gen {
        let! d = Gen.choose (1, 4)
        let! n = Gen.choose (1, 120)
        let! m = Gen.choose (1, 60)
        let! references = pointsOf d n
        let! queries = pointsOf d m
        let! k = Gen.choose (1, n)
        let! radii = Gen.arrayOfLength n (Gen.choose (0, 400) |> Gen.map (fun i -> float i / 16.0))
        return queries, references, k, radii
    }
    |> Arb.fromGen

let private config = { FsCheckConfig.defaultConfig with maxTest = 200 }

[<Tests>]
let tests =
    testList "neighbour searches" [
        testPropertyWithConfig config "the k-d tree's k nearest neighbours are the brute-force ones, ties by index" (
            Prop.forAll searchCase (fun (queries, references, k, _) -> NeighbourSearches.kdTree.Nearest queries references k = bruteNearest queries references k))
        testPropertyWithConfig config "the blocked scan's k nearest neighbours are the brute-force ones, ties by index" (
            Prop.forAll searchCase (fun (queries, references, k, _) -> NeighbourSearches.blocked.Nearest queries references k = bruteNearest queries references k))
        testPropertyWithConfig config "the k-d tree's and the blocked scan's ball counts are the brute-force ones" (
            Prop.forAll searchCase (fun (queries, references, _, radii) ->
                let expected = bruteBallCounts queries references radii
                NeighbourSearches.kdTree.BallCounts queries references radii false = expected
                && NeighbourSearches.blocked.BallCounts queries references radii false = expected))
        testPropertyWithConfig config "counting up to the first ball says whether any ball holds the query" (
            Prop.forAll searchCase (fun (queries, references, _, radii) ->
                let expected = bruteBallCounts queries references radii |> Array.map (min 1)
                NeighbourSearches.kdTree.BallCounts queries references radii true = expected
                && NeighbourSearches.blocked.BallCounts queries references radii true = expected))
        testPropertyWithConfig config "ball incidence from the k-d tree and from the one-pass blocked scan is the brute-force one" (
            Prop.forAll searchCase (fun (queries, references, _, radii) ->
                let queryRadii = Array.init queries.Count (fun i -> radii[i % radii.Length] / 2.0)
                let expected: BallIncidence =
                    let inBall (i: int) (j: int) (r: float) = Points.squaredDistance queries i references j <= r
                    { QueryCounts = [| Array.init queries.Count (fun i -> Seq.init references.Count id |> Seq.filter (fun j -> inBall i j radii[j]) |> Seq.length) |]
                      ReferenceHolds = [| Array.init references.Count (fun j -> Seq.init queries.Count id |> Seq.exists (fun i -> inBall i j radii[j])) |]
                      ReferenceHeld = [| Array.init references.Count (fun j -> Seq.init queries.Count id |> Seq.exists (fun i -> inBall i j queryRadii[i])) |] }
                NeighbourSearches.kdTree.Incidence queries references [| radii |] [| queryRadii |] = expected
                && NeighbourSearches.blocked.Incidence queries references [| radii |] [| queryRadii |] = expected))
        test "in 10-D and 20-D both searches agree with brute force on Gaussian samples, to the last bit" {
            for d in [ 10; 20 ] do
                let references = gaussian 1 d 700 (Array.zeroCreate d) 1.0
                let queries = gaussian 2 d 150 (Array.zeroCreate d) 1.0
                let expected = bruteNearest queries references 6
                Expect.equal (NeighbourSearches.kdTree.Nearest queries references 6) expected (sprintf "k-d tree, %d-D" d)
                Expect.equal (NeighbourSearches.blocked.Nearest queries references 6) expected (sprintf "blocked scan, %d-D" d)
                Expect.equal (NeighbourSearches.exact.Nearest queries references 6) expected (sprintf "the exact choice, %d-D" d)
                let radii = Neighbours.kthSquared 3 (bruteNearest references references 3)
                let counts = bruteBallCounts queries references radii
                Expect.equal (NeighbourSearches.kdTree.BallCounts queries references radii false) counts (sprintf "k-d tree balls, %d-D" d)
                Expect.equal (NeighbourSearches.blocked.BallCounts queries references radii false) counts (sprintf "blocked balls, %d-D" d)
        }
        test "the blocked scan stays exact at tiny scales: 8-D samples times 2⁻⁶⁰ … 2⁻¹⁴⁰ have the unscaled neighbours, balls and incidence" {
            // A power of two scales every squared distance exactly (doubles keep their precision down to ~1e-308), while
            // single precision, the scan's filter, runs out of normal range near 1e-38: scale 2⁻⁷⁶ skipped pairs before
            // its error bound had an absolute term.
            let references = gaussian 6 8 300 (Array.zeroCreate 8) 1.0
            let queries = gaussian 7 8 300 (Array.zeroCreate 8) 1.0
            let radii = Neighbours.kthSquared 6 (bruteNearest references references 6)
            let queryRadii = Neighbours.kthSquared 4 (bruteNearest queries queries 4)
            let nearest = NeighbourSearches.blocked.Nearest queries references 6
            let counts = NeighbourSearches.blocked.BallCounts queries references radii false
            let incidence = NeighbourSearches.blocked.Incidence queries references [| radii |] [| queryRadii |]
            Expect.equal counts (bruteBallCounts queries references radii) "unscaled ball counts are the brute-force ones"
            for e in [ 60 .. 2 .. 80 ] @ [ 100; 140 ] do
                let c = System.Math.Pow(2.0, float -e)
                let squared = c * c
                let q, r = Points.scale c queries, Points.scale c references
                let scaled = NeighbourSearches.blocked.Nearest q r 6
                Expect.equal scaled.Indices nearest.Indices (sprintf "neighbours at 2^-%d" e)
                Expect.equal scaled.SquaredDistances (nearest.SquaredDistances |> Array.map (fun v -> v * squared)) (sprintf "distances at 2^-%d" e)
                let scaledRadii, scaledQueryRadii = radii |> Array.map (fun v -> v * squared), queryRadii |> Array.map (fun v -> v * squared)
                Expect.equal (NeighbourSearches.blocked.BallCounts q r scaledRadii false) counts (sprintf "ball counts at 2^-%d" e)
                Expect.equal (NeighbourSearches.blocked.Incidence q r [| scaledRadii |] [| scaledQueryRadii |]) incidence (sprintf "incidence at 2^-%d" e)
        }
        test "within its own sample a point is its own nearest neighbour, at distance zero" {
            let p = gaussian 3 3 500 [| 0.0; 0.0; 0.0 |] 1.0
            let n = NeighbourSearches.exact.Nearest p p 2
            Expect.all [ 0 .. p.Count - 1 ] (fun i -> n.Indices[2 * i] = i && n.SquaredDistances[2 * i] = 0.0) "self first"
            Expect.all [ 0 .. p.Count - 1 ] (fun i -> n.SquaredDistances[2 * i + 1] > 0.0) "then another point"
        }
        test "a k beyond the references, or samples of two dimensions, are refused" {
            let p = gaussian 4 2 10 [| 0.0; 0.0 |] 1.0
            Expect.throwsT<System.ArgumentException> (fun () -> NeighbourSearches.exact.Nearest p p 11 |> ignore) "k > n"
            Expect.throwsT<System.ArgumentException> (fun () -> NeighbourSearches.exact.Nearest (gaussian 5 3 4 [| 0.0; 0.0; 0.0 |] 1.0) p 1 |> ignore) "3-D against 2-D"
        }
    ]
