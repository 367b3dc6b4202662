/// Generators and helpers for the metrics of points in any dimension: coordinates on a 1/8 grid (so that sums of
/// squares, translations by grid values and the signed permutations below are exact in floating point, and ties are
/// frequent), seeded Gaussian samples, and exact rotations.
module GanFlow.Tests.PointSamples

open FsCheck.FSharp
open GanFlow.Core.Datasets
open GanFlow.Core.Metrics

/// A coordinate on the 1/8 grid in [−8, 8].
let coordinate = Gen.choose (-64, 64) |> Gen.map (fun i -> float i / 8.0)

/// `count` points of `dimension` grid coordinates.
let pointsOf (dimension: int) (count: int) =
    Gen.arrayOfLength (count * dimension) coordinate |> Gen.map (Points.create dimension)

/// A dimension from 1 to 4 and two samples of it with `least` to `most` points each.
let twoSamplesBetween (least: int) (most: int) =
    gen {
        let! d = Gen.choose (1, 4)
        let! n = Gen.choose (least, most)
        let! m = Gen.choose (least, most)
        let! x = pointsOf d n
        let! y = pointsOf d m
        return x, y
    }

/// A signed permutation matrix (row-major d × d): an exact rotation or reflection.
let signedPermutation (dimension: int) =
    gen {
        let! keys = Gen.arrayOfLength dimension (Gen.choose (0, 1_000_000))
        let! signs = Gen.arrayOfLength dimension (Gen.elements [ -1.0; 1.0 ])
        let order = Array.init dimension id |> Array.sortBy (fun i -> keys[i], i)
        return Array.init (dimension * dimension) (fun at -> if order[at / dimension] = at % dimension then signs[at / dimension] else 0.0)
    }

/// A grid offset of `dimension` coordinates.
let offset (dimension: int) = Gen.arrayOfLength dimension coordinate

/// `count` draws of N(mean, std² I) in `dimension` dimensions from `seed`.
let gaussian (seed: int) (dimension: int) (count: int) (mean: float[]) (std: float) =
    let rng = System.Random seed
    Points.create dimension (Array.init (count * dimension) (fun i -> mean[i % dimension] + std * Sampling.standardNormal rng))

/// The points in an order drawn from `seed`.
let reorder (seed: int) (p: Points) = Points.pick (Sampling.permutation (System.Random seed) p.Count) p

/// Brute-force k nearest neighbours of every query by (squared distance, index), written out here.
let bruteNearest (queries: Points) (references: Points) (k: int) : Neighbours =
    let rows =
        Array.init queries.Count (fun q ->
            Array.init references.Count (fun j -> Points.squaredDistance queries q references j, j) |> Array.sort |> Array.truncate k)
    { K = k; SquaredDistances = rows |> Array.collect (Array.map fst); Indices = rows |> Array.collect (Array.map snd) }

/// Brute-force ball counts, written out here.
let bruteBallCounts (queries: Points) (references: Points) (squaredRadii: float[]) =
    Array.init queries.Count (fun q ->
        Seq.init references.Count id |> Seq.filter (fun j -> Points.squaredDistance queries q references j <= squaredRadii[j]) |> Seq.length)
