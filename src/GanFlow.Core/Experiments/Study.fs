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

/// The memorizing baseline of a Flow-GAN study (seed 001 sec. 3.4, Figs. 3 and 6), computed per column from the
/// column's training split: a finite sample of a law (the report computes it) or images (the study runner computes it
/// with the cells' digit classifier, into `baseline-COLUMN.json`).
type MemorizingBaseline =
    { /// The bandwidths σ of the curves against σ, each in (0, 1]. Default 30 log-spaced values from 0.001 to 1.
      Sigmas: float list
      /// Samples drawn at each σ for its mode scores and, at the line search's σ, its Parzen estimate (>= 1; with the
      /// columns' dimension d at most 2,147,483,591 values, one array). Default 10,000.
      Samples: int
      /// Seed of those draws (a `System.Random` seed: >= 0). Default 1.
      Seed: int
      /// Validation and test points scored, the first of each split (image columns, where every point is scored against
      /// every training image in 784 dimensions); None: every point. Default None.
      Points: int option }

    static member Default =
        { Sigmas = [ for i in 0..29 -> exp (log 1e-3 + (log 1.0 - log 1e-3) * float i / 29.0) ]
          Samples = 10_000
          Seed = 1
          Points = None }

/// One row of a paper's table, for printing beside ours.
type PaperRow =
    { /// The objective, e.g. `MLE`.
      Objective: string
      /// The values, in the table's column order.
      Values: float list }

/// Seed 001's tables as a study presents them: rows are objectives, columns datasets; every cell is a Flow-GAN run on
/// the column's finite training set or images with exact NLL, AIS and Parzen estimates and the Jacobian spectrum.
type FlowGanTables =
    { /// The memorizing baseline computed per column.
      Baseline: MemorizingBaseline
      /// The row whose model is the adversarial one the baseline is compared with (Fig. 3), e.g. `ADV`.
      AdversarialRow: string
      /// The paper's Table 1 (MNIST): MODE score, test NLL in nats, per objective.
      PaperTable1: PaperRow list
      /// The paper's Table 3 (MNIST): Flow-GAN NLL, AIS, KDE, per objective.
      PaperTable3: PaperRow list }

/// What a study's table summarises.
[<RequireQualifiedAccess>]
type StudyTable =
    /// The final W1 (eq. 8) of every cell, rows × columns (seed 000's Tables 1 and 2).
    | FinalW1
    /// Seed 001's Tables 1 and 3 per column, with the memorizing baseline and Figs. 2-4.
    | FlowGan of FlowGanTables

/// Several experiments run together and summarised as one table (rows × columns): by default of final W1 values, e.g.
/// seed 000's Table 2, with a density plot per cell (Figure 1 style); or seed 001's Flow-GAN tables.
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
      /// Cells filled from searches (run after the experiments, one after another, each with `Parallelism` workers);
      /// empty for a study of runs only.
      Searches: StudySearchCell list
      /// Cells run at once, each its own process with one intra-op thread (and a search cell's workers). The declared
      /// studies give 2, the CI machine's cores.
      Parallelism: int
      /// What the table summarises; None: the final W1 of every cell.
      Table: StudyTable option }

/// What `ganflow list` shows: a single experiment or a study (`ganflow run`), a seed 002 dynamics experiment
/// (`ganflow run`), or a search (`ganflow search`).
[<RequireQualifiedAccess; NoEquality; NoComparison>]
type Declared =
    /// One experiment: `ganflow run NAME` trains it.
    | Single of Experiment
    /// A study of cells: `ganflow run NAME` runs them all and writes the table.
    | Study of Study
    /// A seed 002 dynamics experiment: `ganflow run NAME` draws its figure.
    | Dynamics of GanFlow.Core.Dynamics.DynamicsExperiment
    /// A search: `ganflow search NAME`.
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
        let table =
            match study.Table with
            | Some(StudyTable.FlowGan t) ->
                (t.Baseline.Sigmas
                 |> List.mapi (fun i s -> if s > 0.0 && s <= 1.0 then [] else Check.fail (sprintf "table.flowGan.baseline.sigmas[%d]" i) s "must lie in (0, 1] (seed 001's line search)")
                 |> List.concat)
                @ (if List.isEmpty t.Baseline.Sigmas then Check.fail "table.flowGan.baseline.sigmas" "[]" "needs at least one bandwidth" else [])
                @ Check.atLeast "table.flowGan.baseline.samples" 1 t.Baseline.Samples
                @ Check.randomSeed "table.flowGan.baseline.seed" t.Baseline.Seed
                // The baseline's samples are drawn into one array of samples × d values per column.
                @ (study.Cells
                   |> List.choose (fun c -> match GanFlow.Core.Datasets.DataSource.errors "data" c.Experiment.Data with
                                             | [] -> Some(GanFlow.Core.Datasets.DataSource.dimension c.Experiment.Data)
                                             | _ -> None)
                   |> List.distinct
                   |> List.collect (fun d -> GanFlow.Core.Datasets.FiniteSample.oneArray "table.flowGan.baseline.samples" d t.Baseline.Samples)
                   |> List.distinct)
                @ (match t.Baseline.Points with
                   | Some p -> Check.atLeast "table.flowGan.baseline.points" 1 p
                   | None -> [])
                @ (if List.contains t.AdversarialRow study.Rows then [] else Check.fail "table.flowGan.adversarialRow" t.AdversarialRow "is not one of the study's rows")
                @ (study.Columns
                   |> List.collect (fun column ->
                       match study.Cells |> List.filter (fun c -> c.Column = column) |> List.map (fun c -> c.Experiment.Data) |> List.distinct with
                       | [ GanFlow.Core.Datasets.DataSource.Sample _ ] | [ GanFlow.Core.Datasets.DataSource.Images _ ] | [] -> []
                       | [ other ] ->
                           Check.fail (sprintf "cells[column %s].data" column) (sprintf "%A" other |> fun t -> t.Split('\n').[0])
                               "a Flow-GAN table needs a finite sample of a known law (data = Sample) or images (data = Images) in every column (its baseline memorizes the training split)"
                       | _ -> Check.fail (sprintf "cells[column %s]" column) column "every cell of a column must share its data source"))
            | _ -> []
        let classifiers =
            match study.Cells |> List.choose (fun c -> c.Experiment.Evaluation.Classifier |> Option.map (fun k -> k, c.Experiment.Data)) |> List.distinct with
            | [] | [ _ ] -> []
            | several ->
                Check.fail "cells.evaluation.classifier" (sprintf "%d different" several.Length)
                    "every cell that scores with a digit classifier must declare the same classifier on the same images (the study trains one and shares it)"
        Check.atLeast "parallelism" 1 study.Parallelism @ duplicates @ unknown @ names @ cells @ searches @ table @ classifiers
