/// Dimensions in which a sample has no spread: every point holds the same value there, so its standard deviation is 0
/// and a map that divides by it (`Flow.Standardize`'s x ↦ (x − m)/s) is not defined. Pure.
module GanFlow.Core.Datasets.ConstantDimensions

/// The first dimension (0-based) in which every point of `values` (row-major, `dimension` coordinates per point) holds
/// the same value, with that value; None when every dimension varies, or when there are fewer than 2 points.
let first (dimension: int) (values: float[]) : (int * float) option =
    let points = if dimension < 1 then 0 else values.Length / dimension
    if points < 2 then None
    else
        let constant k =
            let v = values[k]
            let mutable same = true
            let mutable i = 1
            while same && i < points do
                same <- values[i * dimension + k] = v
                i <- i + 1
            same
        seq { 0 .. dimension - 1 } |> Seq.tryFind constant |> Option.map (fun k -> k, values[k])

/// Whether every point of `values` holds `value` in dimension `k` (true for no points).
let holds (dimension: int) (k: int) (value: float) (values: float[]) =
    let points = values.Length / dimension
    Seq.forall (fun i -> values[i * dimension + k] = value) (seq { 0 .. points - 1 })
