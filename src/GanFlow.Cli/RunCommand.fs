/// `ganflow run NAME --out DIR` (or `--spec FILE`): validate, train, write the run folder and its report.
module GanFlow.Cli.RunCommand

open System
open GanFlow.Core.Specs
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Store

let private show (value: float) = value.ToString("0.00000", Globalization.CultureInfo.InvariantCulture)

/// One progress line per evaluation: the metrics the model has.
let private progress (total: int) (record: EvaluationRecord) =
    let parts =
        [ match record.Samples.W1, record.Samples.W1Exact with
          | Some w1, Some exact -> sprintf "W1 %s  W1(exact) %s" (show w1) (show exact)
          | _ -> sprintf "energy %s" (show record.Samples.Energy)
          match record.Critic with
          | Some c -> sprintf "critic W1 %s" (show c.CriticW1)
          | None -> ()
          match record.Density with
          | Some d ->
              sprintf "NLL %s" (show d.Nll)
              match d.ValidationNll with
              | Some v -> sprintf "val NLL %s" (show v)
              | None -> ()
              sprintf "inverse error %s" (d.InverseError.ToString("0.00e+0", Globalization.CultureInfo.InvariantCulture))
              match d.FunctionEvaluations with
              | Some n -> sprintf "NFE %.0f" n
              | None -> ()
          | None -> ()
          match record.Modes with
          | Some m -> sprintf "MODE %.3f  modes %d" m.ModeScore m.ModesCovered
          | None -> () ]
    eprintfn "step %6d/%d  %s  %6.1f s" record.Step total (String.concat "  " parts) record.WallSeconds

/// The final metrics as `key = value` lines, the metrics the model has (named as the metrics.csv columns): counts as
/// integers (`MetricColumns.isCount`), inverse errors as `6.950e-14`, the rest with five decimals.
let finalLines (final: EvaluationRecord) =
    MetricColumns.ofRecord final
    |> List.filter (fun c -> not (List.contains c.Name [ "step"; "wall_seconds"; "generator_loss"; "critic_loss" ]))
    |> List.map (fun c ->
        let v = (c.Get final).Value
        let text =
            if MetricColumns.isCount c then sprintf "%.0f" v
            // "6.950e-14" (sprintf's %e writes a three-digit exponent, 6.950e-014).
            elif c.Name.EndsWith "inverse_error" then v.ToString("0.000e+0", Globalization.CultureInfo.InvariantCulture)
            else show v
        sprintf "%s = %s" c.Name text)

/// Whether `--threads` is refused (said on stderr): it must lie between 1 and the cores this process may use. Shared by
/// `run` and studies.
let threadsRefused (threads: int) =
    match Check.threads "--threads" Environment.ProcessorCount threads with
    | [] -> false
    | errors ->
        errors |> List.iter (eprintfn "error: %O")
        true

/// Applies the command-line overrides to a declared experiment (pure). A `--steps` override that changes
/// the budget is appended to the description, which may name the declared budget (a resume never compares
/// descriptions).
let withOverrides (seed: int option) (steps: int option) (experiment: Experiment) =
    let experiment = seed |> Option.fold (fun (e: Experiment) s -> { e with Seed = s }) experiment
    match steps with
    | Some n when n <> experiment.Budget.Steps || experiment.Budget.Epochs.IsSome ->
        { experiment with
            Budget = { experiment.Budget with Steps = n; Epochs = None }
            Description =
                sprintf "%s [budget overridden on the command line: %d steps instead of the declared %s]"
                    experiment.Description n
                    (match experiment.Budget.Epochs with
                     // A budget in epochs counts its steps from the training split when the data are read.
                     | Some e -> sprintf "%d epoch%s (batch %d)" e (if e = 1 then "" else "s") experiment.Budget.BatchSize
                     | None -> string experiment.Budget.Steps) }
    | _ -> experiment

/// Starts `experiment`'s generator from the VAE run in `folder` (`--vae`) instead of the declared one (RunFlags accepts the
/// flag only for experiments whose generator starts from a VAE).
let withVaeRun (folder: string option) (experiment: Experiment) =
    match folder with
    | Some folder -> { experiment with Model = { experiment.Model with Init = GanFlow.Core.Models.GeneratorInit.FromVae folder } }
    | None -> experiment

/// Trains `experiment`'s model on `path` (`--data`) instead of its declared data. A folder is a folder of MNIST files:
/// the images replace the data (an image experiment keeps its split and preprocessing, any other takes seed 001's), and
/// are loaded here so that a missing or malformed file is an error naming it before any compute. A file is a sample file:
/// read here (its dimension becomes the data's; errors name the file and the line) and split by
/// `SampleFileSource.create`'s default rule. Paths are kept absolute, so a resume from another working directory reads
/// the same data. None: the experiment as declared.
let withDataFile (path: string option) (experiment: Experiment) : Result<Experiment, string> =
    match path with
    | None -> Ok experiment
    | Some path when IO.Directory.Exists path ->
        let folder = IO.Path.GetFullPath path
        let data =
            match experiment.Data with
            | GanFlow.Core.Datasets.DataSource.Images images -> GanFlow.Core.Datasets.DataSource.Images { images with Data = { images.Data with Folder = folder } }
            | _ -> GanFlow.Core.Datasets.DataSource.mnist folder
        try
            let e = { experiment with Data = data }
            GanFlow.Runtime.Training.DataSplits.Of e |> ignore
            match experiment.Data with
            | GanFlow.Core.Datasets.DataSource.Images _ -> Ok e
            | _ -> Ok { e with Description = sprintf "%s [data: the MNIST images in %s instead of the declared data]" experiment.Description path }
        with :? RunFolderException as e -> Error e.Message
    | Some path when experiment.Data.IsImages && not (IO.File.Exists path) ->
        Error(sprintf "--data %s: no such folder (%s reads a folder of the four MNIST files: docs/mnist-data.md)" path experiment.Name)
    | Some path when experiment.Data.IsImages ->
        Error(sprintf "--data %s: %s reads images and takes only a folder of the four MNIST files (docs/mnist-data.md); a sample file of points trains a point experiment, e.g. nsf-moons (docs/bring-your-own-data.md)" path experiment.Name)
    | Some path ->
        try
            let points = SampleFile.ReadFileOnDisk(InputFile.Require("--data", path), "--data")
            let source = GanFlow.Core.Datasets.SampleFileSource.create (IO.Path.GetFullPath path) points.Dimension
            GanFlow.Runtime.Training.DataSplits.Split source |> ignore
            Ok
                { experiment with
                    Data = GanFlow.Core.Datasets.DataSource.File source
                    Description = sprintf "%s [data: the file %s (%d points, %d-D) instead of the declared data]" experiment.Description path points.Count points.Dimension }
        with
        | :? SampleFileException as e -> Error e.Message
        | :? RunFolderException as e -> Error e.Message

/// The experiment or study of a `--spec` file (`-`: the standard input; a study is recognised by its `cells`), or the
/// error naming the file and the line.
let readSpec (path: string) : Result<Declared, string> =
    try
        let source, text =
            if path = "-" then "the standard input (--spec -)", Console.In.ReadToEnd()
            else path, RunStore.ReadText(InputFile.Require("--spec", path))
        let isStudy =
            try
                use document = Text.Json.JsonDocument.Parse text
                document.RootElement.ValueKind = Text.Json.JsonValueKind.Object
                && (let mutable cells = Unchecked.defaultof<Text.Json.JsonElement> in document.RootElement.TryGetProperty("cells", &cells))
            with :? Text.Json.JsonException -> false
        // Validation errors name the field's line in the file when the file sets that field.
        let properties = SpecFileJson.Properties text
        let invalid name (errors: SpecError list) =
            let line (e: SpecError) =
                match SpecFileJson.LineOfField(properties, e.Field) |> Option.ofNullable with
                | Some n -> sprintf "  %s line %d: %O" source n e
                | None -> sprintf "  %O" e
            let named = if String.IsNullOrWhiteSpace name then "(its name is empty)" else name
            Error(sprintf "invalid spec for experiment %s:\n%s" named (errors |> List.map line |> String.concat "\n"))
        if isStudy then
            let study = SpecFileJson.Parse<Study>(text, source)
            match StudyValidation.errors study with
            | [] -> Ok(Declared.Study study)
            | errors -> invalid study.Name errors
        else
            let experiment = SpecFileJson.Parse<Experiment>(text, source)
            // The memory refusal too (the run checks it again), so that it names the size's line in the file.
            match ExperimentValidation.errors experiment with
            | [] ->
                match GanFlow.Core.Experiments.MemoryEstimate.errors (GanFlow.Runtime.ExperimentRunner.MachineMemoryBytes()) experiment with
                | [] -> Ok(Declared.Single experiment)
                | errors -> invalid experiment.Name errors
            | errors -> invalid experiment.Name errors
    with :? RunFolderException as e -> Error e.Message

/// `text` as one word for a POSIX shell: as it is when it holds nothing the shell reads specially, else in single quotes.
let shellQuoted (text: string) =
    if text <> "" && not (text |> Seq.exists (fun c -> Char.IsWhiteSpace c || "'\"$`\\;&|<>()*?!#~".Contains c)) then text
    else "'" + text.Replace("'", "'\\''") + "'"

/// The exit code of a run's status: 0 completed (or paused where asked), 3 diverged, 1 failed.
let exitCode (status: RunStatus) =
    match status with
    | RunStatus.Completed
    | RunStatus.Paused -> 0
    | RunStatus.Diverged -> 3
    | _ -> 1

/// Returns the exit code: 0 when the run completed, 3 when it diverged, 2 on bad input (the spec, the folder, a
/// resume that does not match), 1 when it failed otherwise.
let run (experiment: Experiment) (outDirectory: string) (device: string) (threads: int) (resume: bool) (fresh: bool) (until: int option) (writeReport: bool) (tensorBoard: bool) (classifier: string option) =
    match ExperimentValidation.errors experiment with
    | _ :: _ as errors ->
        eprintfn "error: invalid spec for experiment %s:" experiment.Name
        errors |> List.iter (fun e -> eprintfn "  %O" e)
        2
    | [] when threadsRefused threads -> 2
    | [] when (match classifier |> Option.bind (fun f -> Option.ofObj (GanFlow.Runtime.Images.RunClassifier.Problem(experiment, f))) with
               | Some problem ->
                   eprintfn "error: %s" problem
                   true
               | None -> false) -> 2
    | [] when (match GanFlow.Runtime.Training.DataSplits.Problem experiment with
               | null -> false
               | problem ->
                   // A spec that names a file or a folder: read now, so that missing or malformed data are bad input.
                   eprintfn "error: %s" problem
                   true) -> 2
    | [] ->
        let experiment = GanFlow.Runtime.Training.DataSplits.ResolveBudget experiment
        let device = DeviceSelection.FromString device
        TorchSetup.Initialize threads
        let context =
            RunContext(device, outDirectory, Action<EvaluationRecord>(progress experiment.Budget.Steps), resume, Action<string>(eprintfn "%s"),
                       StopAtStep = Option.toNullable until, TensorBoard = tensorBoard, Fresh = fresh, ClassifierFile = Option.toObj (classifier |> Option.map IO.Path.GetFullPath),
                       OnStart = Action(fun () ->
                           // MKL's kernels chosen by instruction set change the numbers at the rounding level: said when not the default.
                           let mkl = match MklDispatch.Apply() with "vendor" -> "" | other -> sprintf " (%s=%s: %s)" MklDispatch.SwitchVariable (Environment.GetEnvironmentVariable MklDispatch.SwitchVariable) other
                           eprintfn "running %s on %O%s, %d steps, seed %d -> %s" experiment.Name device mkl experiment.Budget.Steps experiment.Seed outDirectory))
        // Ctrl-C or SIGTERM still ends the run at once (exit 130 / 143; a kill at any moment loses at most one checkpoint
        // interval, and the folder's lock is taken over by the next run); a run the user started also says how to
        // continue it. A study's cell or a search's trial (started with the parent's id) says nothing: rerunning the
        // study or the search is what continues those.
        let startedByUser = String.IsNullOrEmpty(Environment.GetEnvironmentVariable GanFlow.Runtime.Processes.WorkerProcess.ParentVariable)
        let interrupted =
            Action<Runtime.InteropServices.PosixSignalContext>(fun _ ->
                let folder = IO.Path.GetFullPath outDirectory
                eprintfn "interrupted: %s keeps the run up to its newest checkpoint; `ganflow run --spec %s --out %s --resume` continues it"
                    folder (shellQuoted (IO.Path.Combine(folder, RunFiles.Spec))) (shellQuoted folder))
        let onSignal signal = if startedByUser then Runtime.InteropServices.PosixSignalRegistration.Create(signal, interrupted) :> IDisposable |> Some else None
        let registrations = [ Runtime.InteropServices.PosixSignal.SIGINT; Runtime.InteropServices.PosixSignal.SIGTERM ] |> List.choose onSignal
        use _registrations = { new IDisposable with member _.Dispose() = for r in registrations do r.Dispose() }
        let outcome =
            try Ok(ExperimentRunner.Run(experiment, context)) with
            | :? RunFolderException as e -> Error e.Message
            | SpecValidationException errors ->
                Error(sprintf "invalid spec for experiment %s:\n%s" experiment.Name (errors |> List.map (sprintf "  %O") |> String.concat "\n"))
        match outcome with
        | Error message ->
            eprintfn "error: %s" message
            2
        | Ok summary ->
            let report =
                if not writeReport then None
                else
                    try Some(GanFlow.Report.RunReport.write outDirectory)
                    with e ->
                        // The run's own outcome (below) is what matters; a report that cannot be written is said, not thrown.
                        eprintfn "report.html not written: %s" (FailureText.Of e)
                        None
            match summary.Final with
            | Some final ->
                printfn "status = %A" summary.Status
                finalLines final |> List.iter (printfn "%s")
            | None -> printfn "status = %A" summary.Status
            printfn "steps = %d" summary.StepsCompleted
            printfn "wall_seconds = %.1f" summary.WallSeconds
            report |> Option.iter (printfn "report = %s")
            if summary.Status <> RunStatus.Completed && summary.Status <> RunStatus.Paused then eprintfn "run %A: %s" summary.Status summary.Message
            exitCode summary.Status
