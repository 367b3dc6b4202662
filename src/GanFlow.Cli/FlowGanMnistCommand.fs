/// `ganflow run seed001-mnist-… --data DIR --out OUT [--classifier FILE]`: seed 001's NICE Flow-GAN on MNIST, one run
/// or the tables study.
module GanFlow.Cli.FlowGanMnistCommand

open System
open System.IO
open GanFlow.Core.Experiments
open GanFlow.Core.Images
open GanFlow.Core.Specs
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Images
open GanFlow.Store

let private show (v: float) = v.ToString("0.000", Globalization.CultureInfo.InvariantCulture)

/// A declared run with the command line's overrides (pure): `--data`, `--seed`, `--steps` (noted in the description).
let withOverrides (data: string option) (seed: int option) (steps: int option) (e: FlowGanMnistExperiment) =
    let e = { e with Data = { e.Data with Folder = defaultArg data e.Data.Folder }; Seed = defaultArg seed e.Seed }
    match steps with
    | Some n when n <> e.Steps -> { e with Steps = n; Description = sprintf "%s [budget overridden on the command line: %d steps instead of %d]" e.Description n e.Steps }
    | _ -> e

let private progress (r: FlowGanMnistEvaluation) =
    eprintfn "step %6d  train NLL %s  validation NLL %s  %6.1f s" r.Step (show r.TrainNll) (show r.ValidationNll) r.WallSeconds

let private print (prefix: string) (s: FlowGanMnistSummary) =
    let opt name (v: float option) = v |> Option.iter (fun v -> printfn "%s%s = %s" prefix name (show v))
    printfn "%sstatus = %A" prefix s.Status
    printfn "%ssteps = %d" prefix s.StepsCompleted
    printfn "%sflow_parameters = %d" prefix s.FlowParameters
    s.BestStep |> Option.iter (printfn "%sbest_step = %d" prefix)
    opt "test_nll_nats" s.TestNll
    opt "test_bits_per_dim" s.TestBitsPerDim
    opt "mode_score" s.ModeScore
    opt "inception_score" s.InceptionScore
    opt "classifier_test_accuracy" s.ClassifierAccuracy
    s.Parzen |> Option.iter (fun p -> opt "kde_nll" (Some p.Nll); opt "exact_nll_kde_points" s.ExactNllParzenPoints)
    s.Ais |> Option.iter (fun a -> opt "ais_nll" (Some a.Nll); opt "exact_nll_ais_points" s.ExactNllAisPoints)
    s.Jacobian |> Option.iter (fun j -> opt "mean_log_abs_det" (Some j.MeanLogAbsDet); opt "mean_log10_condition" (Some j.MeanLog10ConditionNumber))
    printfn "%swall_seconds = %.1f" prefix s.WallSeconds

/// The bad-input checks every command does before loading anything: spec errors, the data folder, --threads, the
/// classifier file. Some message when refused.
let private refusal (errors: SpecError list) (data: string) (threads: int) (classifier: string option) =
    match errors with
    | _ :: _ -> Some(String.concat "\n" ("invalid spec:" :: (errors |> List.map (sprintf "  %O"))))
    | [] when not (Directory.Exists data) ->
        Some(sprintf "data.folder = %s: no such folder (give --data DIR with the MNIST IDX files; `ganflow data mnist --out DIR` writes them)" data)
    | [] when threads < 1 -> Some(sprintf "--threads %d: must be >= 1" threads)
    | [] ->
        match classifier with
        | Some f when not (File.Exists f) ->
            Some((try InputFile.Require("--classifier", f, "`ganflow data classifier --data DIR --out FILE` writes one") |> ignore; "" with :? RunFolderException as e -> e.Message))
        | _ -> None

let private exitCode (s: FlowGanMnistSummary) = RunCommand.exitCode s.Status

/// One run; returns the exit code (0 completed, 3 diverged, 1 failed, 2 bad input before any training).
let run (e: FlowGanMnistExperiment) (out: string) (device: string) (threads: int) (resume: bool) (fresh: bool) (classifier: string option) =
    match refusal (FlowGanMnist.errors e) e.Data.Folder threads classifier with
    | Some message ->
        eprintfn "error: %s: %s" e.Name message
        2
    | None ->
        let splits = MnistFolder.Load(e.Data.Folder, e.Data.Split)
        Validate.orRaise (FlowGanMnist.dataErrors e splits)
        let device = DeviceSelection.FromString device
        TorchSetup.Initialize threads
        eprintfn "running %s (%s) on %O, %d/%d/%d images -> %s" e.Name e.Objective.Short device splits.Train.Count splits.Validation.Count splits.Test.Count out
        let s = FlowGanMnistRunner.Run(e, splits, out, device, Option.toObj classifier, resume, Action<_> progress, Action<string>(eprintfn "%s"), fresh)
        print "" s
        if s.Status <> RunStatus.Completed then eprintfn "run %A: %s" s.Status s.Message
        exitCode s

/// A study's cells with the overrides applied.
let studyWithOverrides (data: string option) (seed: int option) (steps: int option) (s: FlowGanMnistStudy) =
    { s with Cells = s.Cells |> List.map (withOverrides data seed steps) }

/// The tables study: the classifier trained once into OUT/classifier.bin (unless --classifier), each cell in
/// OUT/<objective>, then table.md, table.csv and report.html in OUT. Exit 0 when every cell completed, 3 when one
/// diverged (its row says so), 1 when one failed, 2 for bad input before any training.
let runStudy (s: FlowGanMnistStudy) (out: string) (device: string) (threads: int) (resume: bool) (fresh: bool) (classifier: string option) =
    let data = match s.Cells with c :: _ -> c.Data.Folder | [] -> ""
    match refusal (FlowGanMnistStudy.errors s) data threads classifier with
    | Some message ->
        eprintfn "error: %s: %s" s.Name message
        2
    | None ->
        let first = List.head s.Cells
        let splits = MnistFolder.Load(data, first.Data.Split)
        s.Cells |> List.iter (fun c -> Validate.orRaise (FlowGanMnist.dataErrors c splits))
        let device = DeviceSelection.FromString device
        TorchSetup.Initialize threads
        use folder = OwnedFolder.Open(out, FolderKind.Study)
        let classifierFile =
            match classifier with
            | Some f -> f
            | None ->
                let path = Path.Combine(folder.Directory, FlowGanMnistRunner.ClassifierFile)
                if not (resume && File.Exists path) then
                    eprintfn "training the digit classifier on the %d training images -> %s" splits.Train.Count path
                    use model = DigitClassifierTrainer.Train(first.Classifier, splits.Train, device)
                    AtomicFile.Write(path, fun stream ->
                        use writer = new BinaryWriter(stream, Text.Encoding.UTF8, true)
                        model.save writer |> ignore)
                path
        AtomicFile.WriteAllText(Path.Combine(folder.Directory, RunFiles.Study), SpecJson.serialize s)
        let runs =
            s.Cells
            |> List.map (fun c ->
                let cellFolder = Path.Combine(folder.Directory, c.Objective.Short)
                eprintfn "running %s -> %s" c.Name cellFolder
                // --resume continues the cells that hold a run and starts the others.
                let cellResume = resume && (File.Exists(Path.Combine(cellFolder, RunFiles.Spec)) || CheckpointFolders.Any cellFolder)
                let summary = FlowGanMnistRunner.Run(c, splits, cellFolder, device, classifierFile, cellResume, Action<_> progress, Action<string>(eprintfn "%s"), fresh)
                print (c.Objective.Short + ".") summary
                c.Objective.Short, cellFolder, summary)
        let summaries = runs |> List.map (fun (_, _, summary) -> summary)
        let accuracy = summaries |> List.tryPick (fun x -> x.ClassifierAccuracy)
        let baseline =
            match s.Baseline with
            | Some b ->
                eprintfn "memorizing baseline on the %d training images at %d bandwidths" splits.Train.Count b.Sigmas.Length
                use model = DigitClassifierNetwork.Load(first.Classifier, splits.Train.Rows, classifierFile)
                model.eval()
                try
                    MemorizingBaselineRunner.Run(b, first.Preprocessing, splits, model, first.Seed, folder.Directory) |> List.ofSeq
                with :? GanFlow.Core.Numerics.NonFiniteException as e ->
                    eprintfn "memorizing baseline: not computed (%s); the table and report are written without it" e.Message
                    []
            | None -> []
        let table =
            GanFlow.Report.FlowGanMnistTables.markdown s.Name accuracy summaries
            + (if List.isEmpty baseline then "" else GanFlow.Report.FlowGanMnistTables.baselineMarkdown baseline)
        AtomicFile.WriteAllText(Path.Combine(folder.Directory, RunFiles.StudyTable), table)
        AtomicFile.WriteAllText(Path.Combine(folder.Directory, RunFiles.StudyTableCsv), GanFlow.Report.FlowGanMnistTables.csv summaries)
        printfn "table = %s" (Path.Combine(folder.Directory, RunFiles.StudyTable))
        printfn "report = %s" (GanFlow.Report.FlowGanMnistTables.writeReport folder.Directory s.Name table runs baseline)
        summaries |> List.map exitCode |> List.sortBy (function 0 -> 0 | 3 -> 1 | 1 -> 2 | _ -> 3) |> List.last
