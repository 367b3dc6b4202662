namespace GanFlow.Core.Metrics

/// Grid arithmetic of the density files and plots: equally spaced axes over a padded range and 2-D grids in the order
/// `density.csv` lists them. Pure.
module Grid =

    /// `count` (>= 2) equally spaced points from `low` to `high`, both included.
    let linspace (low: float) (high: float) (count: int) =
        if count < 2 then invalidArg "count" (sprintf "a grid needs at least 2 points, got %d" count)
        Array.init count (fun i -> low + (high - low) * float i / float (count - 1))

    /// `count` points over [low, high] widened by `pad` (a share of its width) on either side.
    let padded (pad: float) (low: float) (high: float) (count: int) =
        if count < 2 then invalidArg "count" (sprintf "a grid needs at least 2 points, got %d" count)
        let margin = pad * (high - low)
        Array.init count (fun i -> low - margin + (high - low + 2.0 * margin) * float i / float (count - 1))

    /// The smallest and largest value of coordinate `k` of row-major `points`, `dimension` wide.
    let bounds (dimension: int) (k: int) (points: float[]) =
        let mutable low, high = infinity, -infinity
        for i in 0 .. points.Length / dimension - 1 do
            let v = points[i * dimension + k]
            low <- min low v
            high <- max high v
        low, high

    /// The points of the grid xs × ys, row-major (x, y) pairs with x varying fastest: row j of a heatmap is y = ys[j].
    let points2d (xs: float[]) (ys: float[]) =
        let result = Array.zeroCreate (xs.Length * ys.Length * 2)
        for j in 0 .. ys.Length - 1 do
            for i in 0 .. xs.Length - 1 do
                result[(j * xs.Length + i) * 2] <- xs[i]
                result[(j * xs.Length + i) * 2 + 1] <- ys[j]
        result
