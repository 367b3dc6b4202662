/// Repeated points in a sample. A sample of a continuous law has none; a sample with them (rows written twice, values
/// rounded to a grid) gives k-nearest-neighbour balls of radius 0 around any point with k copies besides itself, which
/// precision and recall (Kynkäänniemi et al. 2019, closed balls, k = 3) read as that one point and density and coverage
/// (Naeem et al. 2020, open balls, k = 5) as empty: against 1,250 N(0, 1) draws each written 4 times, fresh draws score
/// precision 0 where 0.985 is right; against draws rounded to 2 decimals, density 0.166 and coverage 0.097 where 1.0
/// and 0.97 are right (docs/metrics.md).
module GanFlow.Core.Metrics.RepeatedPoints

open System.Collections.Generic

/// The smallest k of the four scores (precision and recall, k = 3): a point with this many copies besides itself has a
/// k-NN ball of radius 0.
[<Literal>]
let SmallestK = 3

/// (points equal, coordinate for coordinate, to an earlier point; points with at least `SmallestK` copies besides
/// themselves).
let count (p: Points) =
    let copies = Dictionary<float[], int>(HashIdentity.Structural)
    for i in 0 .. p.Count - 1 do
        let row = Points.row p i
        copies[row] <- (match copies.TryGetValue row with | true, c -> c + 1 | _ -> 1)
    let repeats = p.Count - copies.Count
    let inLargeGroups = copies.Values |> Seq.filter (fun c -> c > SmallestK) |> Seq.sum
    repeats, inLargeGroups

/// A note for a sample `name` that holds repeated points, or None.
let note (name: string) (p: Points) =
    match count p with
    | 0, _ -> None
    | repeats, 0 ->
        Some(
            sprintf "%s holds repeated points: %d of %d repeat an earlier one (none has %d copies besides itself, so no k-nearest-neighbour ball has radius 0, but repeats shrink the balls of precision, recall, density and coverage; a sample of a continuous law has none)"
                name repeats p.Count SmallestK)
    | repeats, inLargeGroups ->
        Some(
            sprintf "%s holds repeated points: %d of %d repeat an earlier one, and %d have %d or more copies besides themselves, whose k-nearest-neighbour balls have radius 0 (k = 3); precision and recall read such a ball as that one point, density and coverage (k = 5, open balls) as empty from 5 copies on (a sample of a continuous law has no repeats: score distinct points, e.g. jittered below the data's resolution)"
                name repeats p.Count inLargeGroups SmallestK)
