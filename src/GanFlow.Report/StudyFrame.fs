namespace GanFlow.Report

open Deedle
open GanFlow.Core.Search
open GanFlow.Core.Specs

/// A search's results as Deedle frames, for analysis in a script:
/// `let trials = StudyFrame.load "runs/search"` then e.g. `trials |> Frame.filterRowsBy "status" "completed"`.
module StudyFrame =

    let private numeric (v: ParameterValue) =
        match v with
        | ParameterValue.Int i -> box (float i)
        | ParameterValue.Float f -> box f
        | ParameterValue.Bool b -> box (if b then 1.0 else 0.0)
        | ParameterValue.Text t -> box t

    /// One row per trial (keyed by trial id): `status`, `rung`, `steps`, `metric` (at the last milestone it reached),
    /// then one column per parameter of the space (numbers as floats, on/off as 1/0, names as text; missing where the
    /// parameter was inactive).
    let ofData (data: SearchData) : Frame<int, string> =
        let trials = data.Trials
        let assignmentOf (t: GanFlow.Store.TrialRow) = SpecJson.deserialize<Assignment> t.AssignmentJson
        let fixedColumns =
            [ "status", (trials |> List.map (fun t -> t.Trial, box t.Status) |> Series.ofObservations)
              "rung", (trials |> List.map (fun t -> t.Trial, box (float t.Rung)) |> Series.ofObservations)
              "steps", (trials |> List.map (fun t -> t.Trial, box (float t.Steps)) |> Series.ofObservations)
              "metric", (trials |> List.map (fun t -> t.Trial, box (t.Metric |> Option.ofNullable |> Option.defaultValue nan)) |> Series.ofObservations) ]
        let parameters =
            data.Record.Space
            |> List.map (fun p ->
                p.Name,
                trials
                |> List.choose (fun t -> SearchSpace.tryGet p.Name (assignmentOf t) |> Option.map (fun v -> t.Trial, numeric v))
                |> Series.ofObservations)
        Frame.ofColumns (fixedColumns @ parameters)

    /// Every evaluation of every trial: rows keyed by (trial, step), columns `w1`, `w1_exact`, `critic_w1`, `energy`,
    /// `nll`, `wall_seconds` and `metric` (the search's own metric, e.g. recall; missing in stores of layout 2).
    let reportsOf (data: SearchData) : Frame<int * int, string> =
        let column name (get: GanFlow.Store.TrialReport -> float) =
            name, (data.Reports |> List.map (fun r -> (r.Trial, r.Step), get r) |> Series.ofObservations)
        Frame.ofColumns
            [ column "w1" _.W1; column "w1_exact" _.W1Exact; column "critic_w1" _.CriticW1
              column "energy" _.Energy; column "nll" _.Nll; column "wall_seconds" _.WallSeconds; column "metric" _.Metric ]

    /// The trials frame of the search folder `directory` (see `ofData`); its store is its study.db, or the PostgreSQL
    /// store its store.json names (the password from `passwordFile`, PGPASSWORD or ~/.pgpass).
    let loadWith (directory: string) (passwordFile: string option) = ofData (SearchData.loadWith directory passwordFile)

    /// The trials frame of the search folder `directory` (see `loadWith`).
    let load (directory: string) = loadWith directory None
