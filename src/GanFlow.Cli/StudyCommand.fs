/// `ganflow run STUDY --out DIR`: every cell of a study, `Parallelism` at a time, each in its own process and run
/// folder `DIR/<experiment>/`, then the study's table and report. A rerun keeps the cells that already hold their
/// completed run, continues those with a checkpoint of the same spec, and runs the rest.
module GanFlow.Cli.StudyCommand

open System
open System.IO
open System.Threading
open System.Threading.Tasks
open GanFlow.Core.Specs
open GanFlow.Core.Experiments
open GanFlow.Runtime.Checkpoints
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Processes
open GanFlow.Report
open GanFlow.Store

/// Applies the overrides to every cell (pure); a `--steps` override is noted in the study's description too.
let withOverrides seed (steps: int option) (study: Study) =
    { study with
        Cells = study.Cells |> List.map (fun c -> { c with Experiment = RunCommand.withOverrides seed steps c.Experiment })
        Description =
            match steps with
            | Some n -> sprintf "%s [every cell's budget overridden on the command line: %d steps]" study.Description n
            | None -> study.Description }

/// Every cell with its data replaced by `ganflow run STUDY --data FILE|DIR` (as `RunCommand.withDataFile` does for one
/// experiment), or the first cell's refusal.
let withData (data: string option) (study: Study) : Result<Study, string> =
    match data with
    | None -> Ok study
    | Some _ ->
        let cells = study.Cells |> List.map (fun c -> RunCommand.withDataFile data c.Experiment |> Result.map (fun e -> { c with Experiment = e }))
        match cells |> List.tryPick (function Error e -> Some e | Ok _ -> None) with
        | Some message -> Error message
        | None -> Ok { study with Cells = cells |> List.map (function Ok c -> c | Error _ -> failwith "unreachable") }

/// The first cell that scores image samples with a digit classifier (`evaluation.classifier`), if any: the study trains
/// its classifier once, from that cell's spec and training split, and every such cell reads it.
let private classifierCell (study: Study) =
    study.Cells |> List.tryFind (fun c -> c.Experiment.Evaluation.Classifier.IsSome && c.Experiment.Data.IsImages)

/// What the study's shared classifier was made from (`classifier.json` beside `classifier.bin`): the declared network,
/// the images it learned from, and the SHA-256 of a given file's weights (None: trained here).
type private ClassifierInputs = { Classifier: GanFlow.Core.Images.DigitClassifier; Images: GanFlow.Core.Datasets.ImageSource; GivenSha256: string option }

let private sha256 (file: string) = Convert.ToHexString(Security.Cryptography.SHA256.HashData(File.ReadAllBytes file))

/// The study's shared classifier, `DIR/classifier.bin`: copied from `--classifier FILE`, or trained there from the
/// classifier cell's spec and training split (deterministic in the classifier's seed: the weights each cell would train
/// itself). A rerun keeps it while `classifier.json` says it was made from the same inputs, and makes it again otherwise.
/// Returns the file and the text of its inputs (part of every image baseline's inputs).
let private sharedClassifier (outDirectory: string) (given: string option) (cell: StudyCell) device =
    let file = Path.Combine(outDirectory, RunFiles.Classifier)
    let record = Path.Combine(outDirectory, RunFiles.StudyClassifierInputs)
    match cell.Experiment.Evaluation.Classifier, cell.Experiment.Data with
    | Some spec, GanFlow.Core.Datasets.DataSource.Images images ->
        let inputs = SpecJson.serialize { Classifier = spec; Images = images; GivenSha256 = given |> Option.map sha256 }
        let recorded = if File.Exists file && File.Exists record then Some(File.ReadAllText record) else None
        // Without --classifier, a classifier given to an earlier run of the study is kept (for the same network and images).
        let keep =
            match recorded, given with
            | Some r, Some _ -> r = inputs
            | Some r, None -> (try (let k = SpecJson.deserialize<ClassifierInputs> r in k.Classifier = spec && k.Images = images) with _ -> false)
            | None, _ -> false
        let inputs = if keep then recorded.Value else inputs
        if not keep then
            if File.Exists record then File.Delete record // written again once the new weights are in place
            match given with
            | Some g -> AtomicFile.Write(file, fun stream -> stream.Write(File.ReadAllBytes g))
            | None ->
                use network = GanFlow.Runtime.Images.RunClassifier.TrainInto(spec, images, file, device, Action<string>(eprintfn "%s"))
                ()
            AtomicFile.WriteAllText(record, inputs)
        file, inputs
    | _ -> invalidArg "cell" "the cell declares no classifier on images"

/// Seed 001 Fig. 6 on every image column of a Flow-GAN study: the memorizing baseline of the column's training images,
/// scored by the shared classifier, into `DIR/baseline-COLUMN.json`; kept by a rerun while its inputs are the same. A
/// baseline that cannot be computed is reported and left out: the table is written without it.
let private imageBaselines (outDirectory: string) (study: Study) (classifier: (string * string) option) =
    match study.Table with
    | Some(StudyTable.FlowGan tables) ->
        for column in study.Columns do
            match study.Cells |> List.tryFind (fun c -> c.Column = column) with
            | Some({ Experiment = { Data = GanFlow.Core.Datasets.DataSource.Images images } } as cell) ->
                let file = Path.Combine(outDirectory, RunFiles.StudyBaseline column)
                let inputs = SpecJson.serialize (images, tables.Baseline, classifier |> Option.map snd)
                let current = try (if File.Exists file then Some(SpecJson.deserialize<GanFlow.Core.Baselines.ImageBaseline> (File.ReadAllText file)) else None) with _ -> None
                if current |> Option.forall (fun b -> b.Inputs <> inputs) then
                    eprintfn "memorizing baseline of column %s: %d bandwidths" column tables.Baseline.Sigmas.Length
                    if File.Exists file then File.Delete file // never a stale baseline beside new cells
                    try
                        let splits = MnistFolder.Load(images.Data.Folder, images.Data.Split)
                        use network: GanFlow.Runtime.Images.DigitClassifierNetwork | null =
                            match classifier, cell.Experiment.Evaluation.Classifier with
                            | Some(f, _), Some spec -> GanFlow.Runtime.Images.RunClassifier.LoadChecked(spec, images.Side, f)
                            | _ -> null
                        let curve = GanFlow.Runtime.Images.MemorizingBaselineRunner.Run(tables.Baseline, images.Preprocessing, splits, network)
                        AtomicFile.WriteAllText(file, SpecJson.serialize ({ Inputs = inputs; Curve = curve }: GanFlow.Core.Baselines.ImageBaseline))
                    with error ->
                        eprintfn "memorizing baseline of column %s: not computed (%s); the table leaves it out" column error.Message
            | _ -> ()
    | _ -> ()

/// What a rerun does with one cell's folder.
[<RequireQualifiedAccess>]
type CellPlan =
    /// The folder holds this cell's run, completed: kept as it is.
    | Keep
    /// The folder holds no run of the cell yet: run it from step 0.
    | Start
    /// Run the cell with `--resume`: continue (or extend) its checkpoint.
    | Resume
    /// The folder holds a run of another spec, or this cell's run finished on data files written again since: run
    /// the cell afresh, replacing it.
    | Replace of SpecDifference
    /// `--fresh`: run the cell from step 0, replacing whatever its folder holds.
    | Fresh

/// The summary of `cell`'s run in `folder`, or why there is none: no finished run, an unreadable folder, or a run that
/// is not the cell's (`StudyCellRun.mismatch`: another spec or budget, an unfinished extension).
let private cellResult (folder: string) (cell: StudyCell) : Result<RunSummary, string> =
    StudyReport.cellRun folder cell |> Result.map _.Summary

/// How a rerun treats the folder of `cell`: a completed run of the same spec (apart from its description) on the same
/// data files (`data.json`) is kept;
/// one with a smaller step budget, or an unfinished one of the same spec, is resumed (a run is extended, never
/// shortened); another spec, or a larger step budget, is replaced (which `checkCells` refuses where the folder holds
/// work: a checkpoint or a finished run); with `fresh`, every cell runs again from step 0.
let planCell (fresh: bool) (folder: string) (cell: StudyCell) =
    let store = RunStore folder
    if fresh then CellPlan.Fresh else
    match (if Directory.Exists folder then Option.ofObj (store.ReadSpec()) else None) with
    | None when not (Directory.Exists folder) || not (CheckpointFolders.Any folder) -> CellPlan.Start
    | None -> CellPlan.Resume // a checkpoint without a spec: the run refuses it, naming the folder
    | Some stored ->
        let wanted = StudyCellRun.wantedSteps stored cell.Experiment
        match SpecDiff.first (List.ofSeq ResumePolicy.ResumableFields) stored cell.Experiment with
        | Some difference -> CellPlan.Replace difference
        | None when stored.Budget.Steps > wanted ->
            CellPlan.Replace { Field = "budget.steps"; Left = string stored.Budget.Steps; Right = string wanted }
        | None ->
            match Option.ofObj (store.ReadSummary()) with
            | Some s when s.Status = RunStatus.Completed && s.StepsCompleted = wanted ->
                // Kept only on the data it ran on: a data file written again since makes its numbers another data set's.
                match DataFingerprint.FinishedOnOtherData(folder, DataFingerprint.Of cell.Experiment) with
                | null -> CellPlan.Keep
                | d -> CellPlan.Replace { Field = d.Field; Left = d.Then; Right = d.Now }
            | _ -> CellPlan.Resume

/// What a rerun does with a search cell's folder: resume the same search (a finished one stays as it is), or replace
/// another one (`None` when the folder holds no search yet).
let planSearch (folder: string) (search: GanFlow.Core.Search.Search) =
    if not (File.Exists(Path.Combine(folder, SqliteSearchStore.FileName))) then None
    else
        let data = SearchData.load folder
        SpecDiff.first [ "trials"; "description" ] data.Record (GanFlow.Core.Search.Search.record search)

/// Whether a cell's folder holds work a replacement would throw away: a checkpoint, an evaluation (a row of metrics.csv
/// below its header), the final samples or held-out scores, or a summary.
let private holdsWork (folder: string) =
    let at (file: string) = Path.Combine(folder, file)
    Directory.Exists folder
    && (CheckpointFolders.Any folder
        || [ RunFiles.Summary; RunFiles.Samples; RunFiles.HeldOut ] |> List.exists (at >> File.Exists)
        || (File.Exists(at RunFiles.Metrics) && File.ReadLines(at RunFiles.Metrics) |> Seq.filter (fun l -> l.Trim() <> "") |> Seq.truncate 2 |> Seq.length > 1))

/// Whether a completed cell's report.html is there and no older than its summary.json.
let private reportCurrent (folder: string) =
    let report, summary = Path.Combine(folder, RunFiles.Report), Path.Combine(folder, RunFiles.Summary)
    File.Exists report && File.GetLastWriteTimeUtc report >= File.GetLastWriteTimeUtc summary

/// Checks every cell's folder before any cell starts: a path that cannot hold a run folder, a foreign folder, or a cell
/// whose folder holds work of another spec or a larger budget (a mistyped `--steps` or `--seed` would throw away every
/// cell; only `--fresh` replaces work, as for one run) is an error naming the cell.
let private checkCells (outDirectory: string) (study: Study) (resume: bool) (fresh: bool) =
    let cellProblems =
        study.Cells
        |> List.choose (fun cell ->
            let folder = StudyReport.cellFolder outDirectory cell
            try
                OwnedFolder.CheckPath(folder, "cell folder") |> ignore
                if Directory.Exists folder && isNull (FolderMarker.Read folder) then
                    match OwnedFolder.ForeignEntries folder |> Seq.tryHead with
                    | Some foreign -> failwithf "%s holds files ganflow did not write (first: %s)" folder foreign
                    | None -> ()
                match planCell fresh folder cell with
                | CellPlan.Replace d when resume ->
                    Some(sprintf "cell %s: its folder holds a run with %s = %s, the study's cell has %s (--resume never replaces a cell)" cell.Experiment.Name d.Field d.Left d.Right)
                | CellPlan.Replace d when holdsWork folder ->
                    Some(sprintf "cell %s: its folder holds a run with %s = %s, the study's cell has %s; a rerun does not replace a cell's work (to replace it: remove %s, or give --fresh to run every cell again)"
                        cell.Experiment.Name d.Field d.Left d.Right folder)
                | _ -> None
            with
            | :? RunFolderException as e -> Some(sprintf "cell %s: %s" cell.Experiment.Name e.Message)
            | Failure message -> Some(sprintf "cell %s: %s" cell.Experiment.Name message))
    // Cells that read a sample file or a folder of images: data that cannot be read are refused before any cell starts.
    let dataProblems =
        study.Cells
        |> List.distinctBy (fun c -> c.Experiment.Data)
        |> List.choose (fun cell ->
            GanFlow.Runtime.Training.DataSplits.Problem cell.Experiment |> Option.ofObj |> Option.map (sprintf "cell %s: %s" cell.Experiment.Name))
    let searchProblems =
        study.Searches
        |> List.choose (fun cell ->
            let folder = StudyReport.searchFolder outDirectory cell
            match GanFlow.Experiments.Catalog.tryFind cell.Search with
            | Some(Declared.Search search) ->
                try
                    OwnedFolder.CheckPath(folder, "search folder") |> ignore
                    match (if Directory.Exists folder then Option.ofObj (FolderMarker.Read folder) else None) with
                    | Some marker when marker.Kind <> FolderKind.Search -> Some(sprintf "search %s: %s is a %A folder, not a search folder" cell.Search folder marker.Kind)
                    | None when Directory.Exists folder && not (Seq.isEmpty (OwnedFolder.ForeignEntries folder)) ->
                        Some(sprintf "search %s: %s holds files ganflow did not write" cell.Search folder)
                    | _ ->
                        match (if fresh then None else planSearch folder search) with
                        | Some d when resume ->
                            Some(sprintf "search %s: its folder holds a search with %s = %s, the declared one has %s (--resume never replaces a search)" cell.Search d.Field d.Left d.Right)
                        | Some d ->
                            Some(sprintf "search %s: its folder holds a search with %s = %s, the declared one has %s; a rerun does not replace a search's work (to replace it: remove %s, or give --fresh to run every cell and search again)"
                                cell.Search d.Field d.Left d.Right folder)
                        | None -> None
                with :? RunFolderException as e -> Some(sprintf "search %s: %s" cell.Search e.Message)
            | _ -> Some(sprintf "searches: %s is not a declared search (`ganflow list`)" cell.Search))
    cellProblems @ dataProblems @ searchProblems

/// Returns the exit code: 0 when every cell completed, 3 when any diverged, 1 when any failed, 2 on bad input
/// (nothing started), 130/143 when stopped by SIGINT/SIGTERM (`rerun`, the command line that started it without
/// `--fresh`, continues it and is said then).
let run (study: Study) (outDirectory: string) (device: string) (threads: int) (resume: bool) (fresh: bool) (classifier: string option) (rerun: string) =
    match StudyValidation.errors study with
    | _ :: _ as errors ->
        eprintfn "error: invalid study %s:" study.Name
        errors |> List.iter (fun e -> eprintfn "  %O" e)
        2
    | [] when RunCommand.threadsRefused threads -> 2
    | [] when (match classifier, classifierCell study with
               | Some f, Some cell ->
                   match GanFlow.Runtime.Images.RunClassifier.Problem(cell.Experiment, f) with
                   | null -> false
                   | problem ->
                       eprintfn "error: %s" problem
                       true
               | _ -> false) -> 2
    | [] ->
        DeviceSelection.FromString device |> ignore // reject a bad --device before starting anything
        use folder = OwnedFolder.Open(outDirectory, FolderKind.Study)
        match checkCells outDirectory study resume fresh with
        | _ :: _ as problems ->
            eprintfn "error: the study cannot start; nothing was run:"
            problems |> List.iter (eprintfn "  %s")
            2
        | [] ->
            StudyReport.writeSpec outDirectory study
            let started = Diagnostics.Stopwatch.StartNew()
            use cancel = new CancellationTokenSource()
            let signal = ref 0
            let registrations = Signals.stopOn cancel signal
            eprintfn "running study %s: %d cells, %d at a time (one process each, %d intra-op thread(s))%s -> %s"
                study.Name study.Cells.Length study.Parallelism threads
                (match study.Searches with
                 | [] -> ""
                 | searches ->
                     // --steps and --seed set the cells only: a search keeps its declared trials and budgets.
                     sprintf ", then %d search(es) at their declared budgets (%s)" searches.Length (searches |> List.map _.Search |> String.concat ", "))
                outDirectory
            let command = GanflowCommand.Of(Reflection.Assembly.GetExecutingAssembly().Location)
            let shared =
                classifierCell study
                |> Option.map (fun cell ->
                    TorchSetup.Initialize threads
                    sharedClassifier outDirectory classifier cell (DeviceSelection.FromString device))
            let classifierFile = shared |> Option.map fst
            // Cells whose process failed in this invocation: what their folders hold is not this invocation's result.
            let failed = Collections.Concurrent.ConcurrentDictionary<string, string>()
            let runCell (cell: StudyCell) =
                let folder = StudyReport.cellFolder outDirectory cell
                let e = cell.Experiment
                let plan = planCell fresh folder cell
                match plan with
                | CellPlan.Keep when reportCurrent folder -> eprintfn "%-36s kept: completed earlier with the same spec" e.Name
                | CellPlan.Keep ->
                    // The cell's process was stopped after its summary.json, before its report.html (missing, or an
                    // earlier budget's before an extension): write the report now. A report that cannot be written is
                    // said, never fatal to the study.
                    try
                        use _lock = FolderLock.Acquire folder
                        RunReport.write folder |> ignore
                        eprintfn "%-36s kept: completed earlier with the same spec (its %s written, which was missing or older than its result)" e.Name RunFiles.Report
                    with error ->
                        eprintfn "%-36s kept: completed earlier with the same spec (its %s could not be written: %s)" e.Name RunFiles.Report (FailureText.Of error)
                | _ ->
                    // The study owns its cells' folders: a new one is marked before its log is opened in it.
                    Directory.CreateDirectory folder |> ignore
                    if isNull (FolderMarker.Read folder) then FolderMarker.For(FolderKind.Run).Write folder
                    match plan with
                    | CellPlan.Replace d -> eprintfn "%-36s replacing its earlier run (%s was %s, is now %s)" e.Name d.Field d.Left d.Right
                    | CellPlan.Fresh when File.Exists(Path.Combine(folder, RunFiles.Spec)) -> eprintfn "%-36s --fresh: replacing its earlier run" e.Name
                    | _ -> ()
                    let arguments =
                        [ "run"; "--spec"; "-"; "--out"; folder; "--device"; device; "--threads"; string threads ]
                        @ (match classifierFile with
                           | Some file when e.Evaluation.Classifier.IsSome -> [ "--classifier"; file ]
                           | _ -> [])
                        @ (match plan with
                           | CellPlan.Resume -> [ "--resume" ]
                           | CellPlan.Replace _
                           | CellPlan.Fresh -> [ "--fresh" ]
                           | CellPlan.Start
                           | CellPlan.Keep -> [])
                    // Each cell sees its share of the cores, and at least the --threads it was given (checked against the
                    // machine's cores above), which the cell's own `run` checks against what it sees.
                    let cores = max threads (WorkerProcess.CoreShare(min study.Parallelism study.Cells.Length))
                    use child = WorkerProcess.Start(command, arguments, SpecJson.serialize e, Path.Combine(folder, RunFiles.Log), threads, cores)
                    try
                        let exit = child.WaitForExit cancel.Token
                        let log = Path.Combine(folder, RunFiles.Log)
                        // Exit 0 is a completed (or kept) run, 3 a diverged one; anything else failed, whatever an earlier
                        // run's summary.json still says, and a summary counts only when it is this cell's run.
                        let status =
                            match cellResult folder cell with
                            | Ok summary when exit = 0 || exit = 3 -> sprintf "%A in %.0f s" summary.Status summary.WallSeconds
                            | Ok _ -> sprintf "failed (exit code %d, see %s)" exit log
                            | Error reason -> sprintf "no result: %s (exit code %d, see %s)" reason exit log
                        if exit <> 0 && exit <> 3 then failed[e.Name] <- sprintf "failed in this run of the study (exit code %d, see %s)" exit log
                        eprintfn "%-36s %s" e.Name status
                    with :? OperationCanceledException -> eprintfn "%-36s stopped" e.Name
            /// A search cell: `ganflow search NAME --out DIR/NAME` (`--resume` once it holds the search: a finished one is kept).
            let runSearch (cell: StudySearchCell) =
                let folder = StudyReport.searchFolder outDirectory cell
                Directory.CreateDirectory folder |> ignore
                if isNull (FolderMarker.Read folder) then FolderMarker.For(FolderKind.Search).Write folder
                let replace =
                    match GanFlow.Experiments.Catalog.tryFind cell.Search with
                    | Some(Declared.Search search) -> planSearch folder search
                    | _ -> None
                replace |> Option.iter (fun d -> eprintfn "%-36s replacing its earlier search (%s was %s, is now %s)" cell.Search d.Field d.Left d.Right)
                let held = File.Exists(SqliteSearchStore.FileOf folder)
                if fresh && held && replace.IsNone then eprintfn "%-36s --fresh: replacing its earlier search" cell.Search
                let arguments =
                    [ "search"; cell.Search; "--out"; folder ]
                    @ (if held && (fresh || replace.IsSome) then [ "--fresh" ] elif held then [ "--resume" ] else [])
                    @ [ "--workers"; string study.Parallelism; "--device"; device ]
                use child = WorkerProcess.Start(command, arguments, null, Path.Combine(folder, RunFiles.Log))
                try
                    let exit = child.WaitForExit cancel.Token
                    eprintfn "%-36s %s" cell.Search (if exit = 0 then "search finished" else sprintf "search ended with exit code %d (see %s)" exit (Path.Combine(folder, RunFiles.Log)))
                with :? OperationCanceledException -> eprintfn "%-36s stopped" cell.Search
            try
                Parallel.ForEach(study.Cells, ParallelOptions(MaxDegreeOfParallelism = study.Parallelism, CancellationToken = cancel.Token), runCell)
                |> ignore
                for cell in study.Searches do
                    if not cancel.IsCancellationRequested then runSearch cell
            with :? OperationCanceledException -> ()
            registrations |> List.iter (fun r -> r.Dispose())
            if signal.Value = 0 then imageBaselines outDirectory study shared
            let searchesDone = study.Searches |> List.forall (fun c -> (StudyReport.searchValue outDirectory c) |> function Result.Ok _ -> true | Result.Error _ -> false)
            let summaries =
                study.Cells
                |> List.map (fun c -> if failed.ContainsKey c.Experiment.Name then None else cellResult (StudyReport.cellFolder outDirectory c) c |> Result.toOption)
            let table = StudyReport.writeWithout (failed |> Seq.map (fun kv -> kv.Key, kv.Value) |> Map.ofSeq) outDirectory study
            printfn "%s" table
            printfn "wall_seconds = %.1f" started.Elapsed.TotalSeconds
            printfn "report = %s" (Path.Combine(outDirectory, RunFiles.Report))
            if signal.Value <> 0 then
                eprintfn "study stopped by a signal: rerun `%s` to continue the unfinished cells%s" rerun
                    (if fresh then " (the cells and searches this --fresh run had not reached still hold their earlier runs, which that keeps; add --fresh to redo every one)" else "")
                signal.Value
            elif searchesDone && summaries |> List.forall (function Some s -> s.Status = RunStatus.Completed | None -> false) then 0
            elif summaries |> List.exists (function Some s -> s.Status = RunStatus.Diverged | None -> false) then 3
            else 1
