namespace GanFlow.Core.Metrics

/// A sample of n points in d dimensions, row-major: point i is `Values[i·d .. i·d + d − 1]`. The one shape every
/// sample metric takes (a run's model and data samples are already row-major arrays of this form).
type Points =
    { /// d, coordinates per point (>= 1).
      Dimension: int
      /// The n·d coordinates, point after point.
      Values: float[] }

    /// n, the number of points.
    member p.Count = p.Values.Length / p.Dimension

    /// Coordinate `k` of point `i`.
    member p.Item(i: int, k: int) = p.Values[i * p.Dimension + k]

/// Building, checking and transforming `Points`. Pure: every function returns a new value.
module Points =

    /// Points from a row-major array; rejects a dimension below 1, a length that is not a whole number of rows, and
    /// NaN or an infinity (naming the point and coordinate).
    let create (dimension: int) (values: float[]) : Points =
        if dimension < 1 then invalidArg "dimension" (sprintf "dimension = %d: must be >= 1" dimension)
        if values.Length % dimension <> 0 then
            invalidArg "values" (sprintf "%d values are not a whole number of %d-D points" values.Length dimension)
        match values |> Array.tryFindIndex (fun v -> not (System.Double.IsFinite v)) with
        | Some at -> invalidArg "values" (sprintf "point %d, coordinate %d is %g" (at / dimension) (at % dimension) values[at])
        | None -> { Dimension = dimension; Values = values }

    /// 1-D points, one per value.
    let ofValues (values: float[]) = create 1 values

    /// Points from rows of equal length (at least one row).
    let ofRows (rows: float[][]) =
        if rows.Length = 0 then invalidArg "rows" "no rows"
        let d = rows[0].Length
        if rows |> Array.exists (fun r -> r.Length <> d) then invalidArg "rows" "rows of different lengths"
        create d (Array.concat rows)

    /// Point `i` as an array of its coordinates.
    let row (p: Points) (i: int) = p.Values[i * p.Dimension .. i * p.Dimension + p.Dimension - 1]

    /// Squared Euclidean distance between point `i` of `a` and point `j` of `b`, summed over coordinates in order
    /// (every neighbour search computes exactly this, so their results agree to the last bit).
    let squaredDistance (a: Points) (i: int) (b: Points) (j: int) =
        let d = a.Dimension
        let mutable s = 0.0
        for k in 0 .. d - 1 do
            let diff = a.Values[i * d + k] - b.Values[j * d + k]
            s <- s + diff * diff
        s

    /// ⟨point i, direction⟩ for every point: the 1-D projection onto `direction` (d coordinates).
    let project (direction: float[]) (p: Points) : float[] =
        let d = p.Dimension
        Array.init p.Count (fun i ->
            let mutable s = 0.0
            for k in 0 .. d - 1 do
                s <- s + p.Values[i * d + k] * direction[k]
            s)

    /// The points `indices` of `p`, in that order.
    let pick (indices: int[]) (p: Points) =
        let d = p.Dimension
        let values = Array.zeroCreate (indices.Length * d)
        indices |> Array.iteri (fun r i -> Array.blit p.Values (i * d) values (r * d) d)
        { Dimension = d; Values = values }

    /// The points of `a` followed by those of `b` (same dimension).
    let append (a: Points) (b: Points) =
        if a.Dimension <> b.Dimension then invalidArg "b" (sprintf "%d-D and %d-D points cannot be pooled" a.Dimension b.Dimension)
        { Dimension = a.Dimension; Values = Array.append a.Values b.Values }

    /// At most `count` of the points: all of them (in order) when there are no more than `count`, otherwise a
    /// uniformly random subset without replacement drawn by `rng` (a partial Fisher-Yates shuffle), in drawn order.
    let atMost (rng: System.Random) (count: int) (p: Points) =
        let n = p.Count
        if n <= count then p
        else
            let order = Array.init n id
            for i in 0 .. count - 1 do
                let j = rng.Next(i, n)
                let kept = order[i]
                order[i] <- order[j]
                order[j] <- kept
            pick order[.. count - 1] p

    /// Every point moved by `offset` (d coordinates).
    let translate (offset: float[]) (p: Points) =
        { p with Values = p.Values |> Array.mapi (fun i v -> v + offset[i % p.Dimension]) }

    /// Every coordinate multiplied by `factor`.
    let scale (factor: float) (p: Points) = { p with Values = p.Values |> Array.map (fun v -> factor * v) }

    /// Every point multiplied by the d×d matrix `m` (row-major): y = M x, e.g. a rotation.
    let transform (m: float[]) (p: Points) =
        let d = p.Dimension
        { p with
            Values =
                Array.init p.Values.Length (fun at ->
                    let i, r = at / d, at % d
                    let mutable s = 0.0
                    for k in 0 .. d - 1 do
                        s <- s + m[r * d + k] * p.Values[i * d + k]
                    s) }
