namespace GanFlow.Core.Images

open GanFlow.Core.Specs

/// Seed 001's MNIST tables as one study (`ganflow run seed001-mnist-flowgan-tables… --data DIR --out DIR`): one run
/// folder per objective (MLE, ADV, Hybrid), one digit classifier trained once in the study folder and shared by every
/// cell, then the memorizing baseline (Fig. 6, `MnistMemorizingBaseline`), table.md/table.csv (Table 1: MODE score and
/// test NLL beside the paper's; Table 3: exact NLL vs KDE vs AIS; Fig. 4's Jacobian spread and mean log|det|) and
/// report.html (Fig. 2: train and validation NLL over training; Figs. 4 and 6).
type FlowGanMnistStudy =
    { /// Name on the command line; starts with `seed001-mnist`.
      Name: string
      /// One line for `ganflow list --verbose` and the report.
      Description: string
      /// The runs, one per objective, each in the subfolder named after its objective (`mle`, `adv`, `hybrid`).
      Cells: FlowGanMnistExperiment list
      /// Fig. 6's memorizing baseline; None: not computed. Default `MnistMemorizingBaseline.Default`.
      Baseline: MnistMemorizingBaseline option }

/// A declared seed 001 MNIST item: one run or the tables study.
[<RequireQualifiedAccess>]
type FlowGanMnistDeclared =
    | Run of FlowGanMnistExperiment
    | Tables of FlowGanMnistStudy

    member this.Name =
        match this with
        | Run e -> e.Name
        | Tables s -> s.Name

    member this.Description =
        match this with
        | Run e -> e.Description
        | Tables s -> s.Description

/// Validation of the study.
[<RequireQualifiedAccess>]
module FlowGanMnistStudy =
    /// Errors of the study and of every cell (paths prefixed by the cell's objective).
    let errors (s: FlowGanMnistStudy) : SpecError list =
        let objectives = s.Cells |> List.map (fun c -> c.Objective.Short)
        (if s.Name.StartsWith "seed001-mnist" then [] else Check.fail "name" s.Name "must start with seed001-mnist")
        @ (if List.isEmpty s.Cells then Check.fail "cells" "[]" "needs at least one run" else [])
        @ (if List.distinct objectives = objectives then [] else Check.fail "cells.objective" (String.concat "," objectives) "each objective may appear once")
        @ (match s.Baseline with
           | Some b ->
               (if List.isEmpty b.Sigmas then Check.fail "baseline.sigmas" "[]" "needs at least one bandwidth" else [])
               @ (b.Sigmas |> List.mapi (fun i v -> if v > 0.0 && v <= 1.0 then [] else Check.fail (sprintf "baseline.sigmas[%d]" i) v "must lie in (0, 1]") |> List.concat)
               @ Check.atLeast "baseline.points" 1 b.Points @ Check.atLeast "baseline.samples" 2 b.Samples
           | None -> [])
        @ (s.Cells |> List.collect (fun c -> FlowGanMnist.errors c |> List.map (fun e -> { e with Field = sprintf "cells[%s].%s" c.Objective.Short e.Field })))
