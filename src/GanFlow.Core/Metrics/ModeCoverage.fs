namespace GanFlow.Core.Metrics

open GanFlow.Core.Numerics
open GanFlow.Core.Datasets

/// Where a model puts its mass relative to a mixture dataset's modes (seed 000 sec. 5.1:
/// WGANs recover the modes but misrepresent their relative masses).
module ModeCoverage =

    /// The modes of a dataset: the top-level components of a mixture (one mode otherwise),
    /// with their weights normalised to sum 1.
    let modes (distribution: Distribution) =
        match distribution with
        | Distribution.Mixture components ->
            let total = components |> List.sumBy (fun c -> c.Weight)
            components |> List.map (fun c -> c.Weight / total, c.Distribution) |> Array.ofList
        | other -> [| 1.0, other |]

    /// The mode a point belongs to: the one with the largest weighted density there (a point where every mode has
    /// zero density goes to the nearest mode by its range).
    let private modeOf (modes: (float * Distribution)[]) (x: float) =
        // The first largest weighted density, without an array per point (truthShares asks for a million points).
        let mutable best, bestScore = 0, -1.0
        for i in 0 .. modes.Length - 1 do
            let w, d = modes[i]
            let score = w * Densities.pdf d x
            if not (System.Double.IsFinite score) then Finite.requireAll "a weighted mode density" [| score |] |> ignore
            if score > bestScore then
                best <- i
                bestScore <- score
        if bestScore > 0.0 then best
        else
            modes
            |> Array.mapi (fun i (_, d) ->
                let low, high = Densities.range d
                i, (if x < low then low - x elif x > high then x - high else 0.0))
            |> Array.minBy snd
            |> fst

    /// Share of `sample` assigned to each mode, a point belonging to the mode with the largest weighted density there.
    /// Compare with `truthShares`, the truth's own shares under the same rule (not with `modes`' weights, which they
    /// equal only when the modes do not overlap).
    let shares (distribution: Distribution) (sample: float[]) =
        let modes = modes distribution
        let counts = Array.zeroCreate modes.Length
        for x in Finite.requireAll "a model sample" sample do
            let best = modeOf modes x
            counts[best] <- counts[best] + 1
        counts |> Array.map (fun c -> float c / float (max 1 sample.Length))

    /// Cells of `truthShares`' midpoint rule, for all modes together (each mode's at most 100,000): the cost is the
    /// cells times the modes' densities, so a mixture of many modes gets fewer cells each.
    let private truthCells = 1_000_000

    /// The truth's own share of each mode under `shares`' rule, ∫ p(x) 1[x belongs to mode k] dx: what the shares of a
    /// perfect model's samples converge to. Each mode's weighted density is integrated over its own range by the
    /// midpoint rule (100,000 cells for up to 10 modes, fewer beyond; a narrow mode is resolved on its own scale) and credited to the mode each point
    /// belongs to. It equals `modes`' weights only when the modes do not overlap: the unimodal set's uniform lies under
    /// its Gaussian, so its truth gives 84.2% / 15.8%, not its weights' 75% / 25%.
    let truthShares (distribution: Distribution) =
        let modes = modes distribution
        let mass = Array.zeroCreate modes.Length
        let cells = min 100_000 (max 1_000 (truthCells / modes.Length))
        for weight, mode in modes do
            let low, high = Densities.range mode
            let width = (high - low) / float cells
            for i in 0 .. cells - 1 do
                let x = low + (float i + 0.5) * width
                let k = modeOf modes x
                mass[k] <- mass[k] + weight * Densities.pdf mode x * width
        let total = Array.sum mass
        mass |> Array.map (fun m -> m / total)

    /// The dataset's effective support: the union of its leaves' ranges (a uniform's exact
    /// interval, a Gaussian's mean ± 5.5 std, which holds all but ~4e-8 of its mass), merged
    /// into disjoint sorted intervals.
    let support (distribution: Distribution) =
        let rec leaves d =
            match d with
            | Distribution.Mixture components -> components |> List.collect (fun c -> leaves c.Distribution)
            | Distribution.LocationScale(location, scale, inner) ->
                leaves inner |> List.map (fun (low, high) -> location + scale * low, location + scale * high)
            | leaf -> [ Densities.range leaf ]
        leaves distribution
        |> List.sortBy fst
        |> List.fold
            (fun merged (low, high) ->
                match merged with
                | (l, h) :: rest when low <= h -> (l, max h high) :: rest
                | _ -> (low, high) :: merged)
            []
        |> List.rev
        |> Array.ofList

    /// Share of `sample` outside the dataset's effective support (`support`).
    let massOutsideSupport (distribution: Distribution) (sample: float[]) =
        let intervals = support distribution
        let outside =
            sample |> Array.filter (fun x -> not (intervals |> Array.exists (fun (l, h) -> x >= l && x <= h)))
        float outside.Length / float (max 1 sample.Length)
