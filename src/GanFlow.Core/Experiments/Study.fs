namespace GanFlow.Core.Experiments

/// One cell of a study's table: the experiment whose final W1 fills it.
type StudyCell =
    { /// Row label, e.g. `with dropout`.
      Row: string
      /// Column label, e.g. `unimodal`.
      Column: string
      /// The experiment run for this cell; its name must be unique within the study.
      Experiment: Experiment }

/// A row cell of a study's table filled from a search's best trial instead of one experiment (e.g. seed 000 Table 2's
/// tuned baseline beside the hand-set one): the search runs in the study folder and the cell shows its best completed
/// trial's final W1.
type StudySearchCell =
    { /// Row label, e.g. `tuned baseline (ASHA search)`.
      Row: string
      /// Column label, e.g. `unimodal`.
      Column: string
      /// Name of a declared search (`ganflow list`); it runs in the study folder's sub-folder of that name.
      Search: string }

/// Several experiments run together and summarised as one table of final W1 values (rows ×
/// columns), e.g. seed 000's Table 2, with a density plot per cell (Figure 1 style).
type Study =
    { /// Name used on the command line (`ganflow run NAME`).
      Name: string
      /// One line shown by `ganflow list --verbose` and in the report.
      Description: string
      /// Row labels in display order.
      Rows: string list
      /// Column labels in display order.
      Columns: string list
      /// The cells; each (row, column) pair at most once.
      Cells: StudyCell list
      /// Reference values to print beside ours, e.g. the paper's Table 2, by (row, column).
      Reference: ((string * string) * float) list
      /// Cells filled from searches (run after the experiments, one after another, each with `Parallelism` workers).
      /// Default none.
      Searches: StudySearchCell list
      /// Trials run at once (each with one intra-op thread). Default 2 (the CI machine's cores).
      Parallelism: int }

/// What `ganflow list` shows: a single experiment or a study (`ganflow run`), a seed 002 dynamics experiment
/// (`ganflow run`), or a search (`ganflow search`).
[<RequireQualifiedAccess; NoEquality; NoComparison>]
type Declared =
    | Single of Experiment
    | Study of Study
    | Dynamics of GanFlow.Core.Dynamics.DynamicsExperiment
    | Search of GanFlow.Core.Search.Search

    member this.Name =
        match this with
        | Single e -> e.Name
        | Study s -> s.Name
        | Search s -> s.Name
        | Dynamics d -> d.Name

    member this.Description =
        match this with
        | Single e -> e.Description
        | Study s -> s.Description
        | Search s -> s.Description
        | Dynamics d -> d.Description

/// Checks on studies.
module StudyValidation =
    open GanFlow.Core.Specs

    /// Every error of a study: its own fields and every cell's experiment (paths prefixed by the
    /// cell's experiment name).
    let errors (study: Study) =
        let duplicates =
            study.Cells
            |> List.countBy (fun c -> c.Row, c.Column)
            |> List.filter (fun (_, n) -> n > 1)
            |> List.map (fun ((r, c), _) -> { Field = "cells"; Value = sprintf "(%s, %s)" r c; Reason = "a (row, column) pair may appear once" })
        let unknown =
            study.Cells
            |> List.collect (fun c ->
                (if List.contains c.Row study.Rows then [] else Check.fail "cells.row" c.Row "is not one of the study's rows")
                @ (if List.contains c.Column study.Columns then [] else Check.fail "cells.column" c.Column "is not one of the study's columns"))
        let names =
            study.Cells
            |> List.countBy (fun c -> c.Experiment.Name)
            |> List.filter (fun (_, n) -> n > 1)
            |> List.map (fun (name, _) -> { Field = "cells.experiment.name"; Value = name; Reason = "must be unique within the study" })
        let cells =
            study.Cells
            |> List.collect (fun c ->
                ExperimentValidation.errors c.Experiment
                |> List.map (fun e -> { e with Field = sprintf "cells[%s].%s" c.Experiment.Name e.Field }))
        let searches =
            study.Searches
            |> List.collect (fun c ->
                (if List.contains c.Row study.Rows then [] else Check.fail "searches.row" c.Row "is not one of the study's rows")
                @ (if List.contains c.Column study.Columns then [] else Check.fail "searches.column" c.Column "is not one of the study's columns")
                @ (if study.Cells |> List.exists (fun e -> e.Row = c.Row && e.Column = c.Column) then
                       Check.fail "searches" (sprintf "(%s, %s)" c.Row c.Column) "is also an experiment cell"
                   else []))
        Check.atLeast "parallelism" 1 study.Parallelism @ duplicates @ unknown @ names @ cells @ searches
