namespace GanFlow.Core.Experiments

open GanFlow.Core.Specs

/// Whether the run a study cell's folder holds is the run the cell asks for, so that a study neither reports another
/// budget's numbers as its own nor calls a cell completed that is not: the same spec (apart from its description), the
/// cell's step budget, and, when completed, completed at that budget.
module StudyCellRun =

    /// The steps `wanted` trains: its budget's, or for a budget in epochs over the same data and batch size as the stored
    /// run's, the stored run's steps per epoch times its epochs (a cell in epochs resolves its steps from its data when it
    /// runs, `Budget.stepsOfEpochs`; its declared steps are a placeholder).
    let wantedSteps (stored: Experiment) (wanted: Experiment) =
        match wanted.Budget.Epochs, stored.Budget.Epochs with
        | Some w, Some s when s > 0 && wanted.Budget.BatchSize = stored.Budget.BatchSize && wanted.Data = stored.Data -> stored.Budget.Steps / s * w
        | _ -> wanted.Budget.Steps

    /// Why the run of `stored` that ended as `summary` is not `cell`'s result, in words; None when it is.
    let mismatch (cell: Experiment) (stored: Experiment) (summary: RunSummary) : string option =
        match SpecDiff.first [ "description"; "budget.steps" ] stored cell with
        | Some d -> Some(sprintf "its folder holds a run with %s = %s, the cell has %s" d.Field d.Left d.Right)
        | None ->
            let wanted = wantedSteps stored cell
            if stored.Budget.Steps <> wanted then
                Some(sprintf "its folder holds a run with budget.steps = %d, the cell has %d" stored.Budget.Steps wanted)
            elif RunSummary.isUnfinishedExtension wanted summary then
                Some(sprintf "its run completed %d steps; its extension to %d is unfinished" summary.StepsCompleted wanted)
            else None
