namespace GanFlow.Core.Images

open GanFlow.Core.Numerics
open GanFlow.Core.Datasets

/// Seed 003 Fig. 8: the structure of a 2-D VAE's latent space. The encoder's samples for every test image (the aggregate
/// posterior, ten draws per image in the paper) binned on a grid and compared with the prior N(0, I); the cells where the
/// prior has mass and the samples have little ("holes" the generator is rarely trained on); and how well the encoder
/// means cluster by label, measured by a nearest-neighbour vote. Pure functions on arrays.
module LatentStructure =

    let private cdf = Densities.cdf (Distribution.Gaussian(0.0, 1.0))

    /// The cell of `point` among `bins` × `bins` equal cells of the window (row-major, z₂ fastest), or None outside.
    let cellOf (window: LatentWindow) (bins: int) (z1: float, z2: float) =
        let c1, c2 = window.Centre
        let width = 2.0 * window.HalfWidth / float bins
        let i = floor ((z1 - (c1 - window.HalfWidth)) / width)
        let j = floor ((z2 - (c2 - window.HalfWidth)) / width)
        if i >= 0.0 && j >= 0.0 && i < float bins && j < float bins then Some(int i * bins + int j) else None

    /// The centre of cell `k`.
    let cellCentre (window: LatentWindow) (bins: int) (k: int) =
        let c1, c2 = window.Centre
        let width = 2.0 * window.HalfWidth / float bins
        c1 - window.HalfWidth + width * (float (k / bins) + 0.5), c2 - window.HalfWidth + width * (float (k % bins) + 0.5)

    /// Points per cell (`bins`² counts); points outside the window are not counted.
    let histogram (window: LatentWindow) (bins: int) (points: (float * float)[]) =
        let counts = Array.zeroCreate (bins * bins)
        for p in points do
            match cellOf window bins p with
            | Some k -> counts[k] <- counts[k] + 1
            | None -> ()
        counts

    /// The prior N(0, I)'s exact mass in every cell (a product of two differences of Φ).
    let priorMasses (window: LatentWindow) (bins: int) =
        let c1, c2 = window.Centre
        let width = 2.0 * window.HalfWidth / float bins
        let edges centre = Array.init (bins + 1) (fun i -> centre - window.HalfWidth + width * float i)
        let e1, e2 = edges c1, edges c2
        Array.init (bins * bins) (fun k ->
            let i, j = k / bins, k % bins
            (cdf e1[i + 1] - cdf e1[i]) * (cdf e2[j + 1] - cdf e2[j]))

    /// Total variation between the samples' cell shares and the prior's cell masses, the mass outside the window counted
    /// as one more cell: ½ Σ |p̂ − p|, in [0, 1]; 0 when the samples fill the cells as the prior does.
    let totalVariation (window: LatentWindow) (bins: int) (points: (float * float)[]) =
        let n = float points.Length
        let counts = histogram window bins points
        let prior = priorMasses window bins
        let inside = Array.map2 (fun c p -> abs (float c / n - p)) counts prior |> Array.sum
        let outsideSamples = 1.0 - float (Array.sum counts) / n
        let outsidePrior = 1.0 - Array.sum prior
        0.5 * (inside + abs (outsideSamples - outsidePrior))

    /// The `top` cells where the prior's mass exceeds the samples' share most, largest difference first (seed 003 takes
    /// the 2,000 such points and shows 64 of them).
    let holes (window: LatentWindow) (bins: int) (top: int) (points: (float * float)[]) =
        let n = float points.Length
        let counts = histogram window bins points
        priorMasses window bins
        |> Array.mapi (fun k p -> k, p - float counts[k] / n)
        |> Array.sortBy (fun (k, d) -> -d, k)
        |> Array.truncate top
        |> Array.map fst

    /// Leave-one-out k-nearest-neighbour accuracy of `labels` from the 2-D `points`: the share of points whose k nearest
    /// other points (Euclidean; ties by index) vote their own label (a tied vote goes to the label of the nearest among
    /// the tied). 1 when the labels form separated clusters; about the largest class's share when they do not cluster.
    let nearestNeighbourAccuracy (k: int) (points: (float * float)[]) (labels: byte[]) =
        let n = points.Length
        for (x1, x2) in points do
            Finite.require "a latent mean" x1 |> ignore
            Finite.require "a latent mean" x2 |> ignore
        if n < 2 then nan
        else
            let k = min k (n - 1)
            let correct =
                Array.Parallel.init n (fun i ->
                    let x1, x2 = points[i]
                    let neighbours =
                        Array.init n id
                        |> Array.filter ((<>) i)
                        |> Array.sortBy (fun j -> let y1, y2 = points[j] in (x1 - y1) * (x1 - y1) + (x2 - y2) * (x2 - y2), j)
                        |> Array.truncate k
                    let votes = neighbours |> Array.countBy (fun j -> labels[j])
                    let most = votes |> Array.map snd |> Array.max
                    let tied = votes |> Array.filter (fun (_, c) -> c = most) |> Array.map fst |> Set.ofArray
                    let winner = neighbours |> Array.find (fun j -> tied.Contains labels[j]) |> fun j -> labels[j]
                    if winner = labels[i] then 1 else 0)
                |> Array.sum
            float correct / float n
