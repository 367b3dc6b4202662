/// `ganflow run NAME --out DIR` (or `--spec FILE`): validate, train, write the run folder and its report.
module GanFlow.Cli.RunCommand

open System
open GanFlow.Core.Specs
open GanFlow.Core.Experiments
open GanFlow.Runtime
open GanFlow.Runtime.Devices
open GanFlow.Store

let private show (value: float) = value.ToString("0.00000", Globalization.CultureInfo.InvariantCulture)

/// One progress line per evaluation.
let private progress (total: int) (record: EvaluationRecord) =
    if Double.IsNaN record.Nll then
        eprintfn
            "step %6d/%d  W1 %s  W1(exact) %s  critic W1 %s  %6.1f s"
            record.Step total (show record.W1) (show record.W1Exact) (show record.CriticW1) record.WallSeconds
    else
        let evaluations = if Double.IsNaN record.FunctionEvaluations then "" else sprintf "  NFE %.0f" record.FunctionEvaluations
        eprintfn
            "step %6d/%d  W1 %s  W1(exact) %s  NLL %s  inverse error %.2e%s  %6.1f s"
            record.Step total (show record.W1) (show record.W1Exact) (show record.Nll) record.InverseError evaluations record.WallSeconds

/// Applies the command-line overrides to a declared experiment (pure). A `--steps` override that changes
/// the budget is appended to the description, which may name the declared budget (a resume never compares
/// descriptions).
let withOverrides (seed: int option) (steps: int option) (experiment: Experiment) =
    let experiment = seed |> Option.fold (fun e s -> { e with Seed = s }) experiment
    match steps with
    | Some n when n <> experiment.Budget.Steps ->
        { experiment with
            Budget = { experiment.Budget with Steps = n }
            Description =
                sprintf "%s [budget overridden on the command line: %d steps instead of the declared %d]"
                    experiment.Description n experiment.Budget.Steps }
    | _ -> experiment

/// The experiment or study of a `--spec` file (`-`: the standard input; a study is recognised by its `cells`), or the
/// error naming the file and the line.
let readSpec (path: string) : Result<Declared, string> =
    try
        let source, text =
            if path = "-" then "the standard input (--spec -)", Console.In.ReadToEnd()
            elif not (IO.File.Exists path) then raise (RunFolderException(sprintf "--spec %s: no such file" path))
            else path, RunStore.ReadText path
        let isStudy =
            try
                use document = Text.Json.JsonDocument.Parse text
                document.RootElement.ValueKind = Text.Json.JsonValueKind.Object
                && (let mutable cells = Unchecked.defaultof<Text.Json.JsonElement> in document.RootElement.TryGetProperty("cells", &cells))
            with :? Text.Json.JsonException -> false
        if isStudy then Ok(Declared.Study(RunStore.ParseJson<Study>(text, source)))
        else Ok(Declared.Single(RunStore.ParseJson<Experiment>(text, source)))
    with :? RunFolderException as e -> Error e.Message

/// The exit code of a run's status: 0 completed (or paused where asked), 3 diverged, 1 failed.
let exitCode (status: RunStatus) =
    match status with
    | RunStatus.Completed
    | RunStatus.Paused -> 0
    | RunStatus.Diverged -> 3
    | _ -> 1

/// Returns the exit code: 0 when the run completed, 3 when it diverged, 2 on bad input (the spec, the folder, a
/// resume that does not match), 1 when it failed otherwise.
let run (experiment: Experiment) (outDirectory: string) (device: string) (threads: int) (resume: bool) (until: int option) (writeReport: bool) (tensorBoard: bool) =
    match ExperimentValidation.errors experiment with
    | _ :: _ as errors ->
        eprintfn "error: invalid spec for experiment %s:" experiment.Name
        errors |> List.iter (fun e -> eprintfn "  %O" e)
        2
    | [] when threads < 1 ->
        eprintfn "error: --threads %d: must be >= 1" threads
        2
    | [] ->
        let device = DeviceSelection.FromString device
        TorchSetup.Initialize threads
        let context =
            RunContext(device, outDirectory, Action<EvaluationRecord>(progress experiment.Budget.Steps), resume, Action<string>(eprintfn "%s"),
                       StopAtStep = Option.toNullable until, TensorBoard = tensorBoard)
        eprintfn "running %s on %O, %d steps, seed %d -> %s" experiment.Name device experiment.Budget.Steps experiment.Seed outDirectory
        match (try Ok(ExperimentRunner.Run(experiment, context)) with :? RunFolderException as e -> Error e.Message) with
        | Error message ->
            eprintfn "error: %s" message
            2
        | Ok summary ->
            let report = if writeReport then Some(GanFlow.Report.RunReport.write outDirectory) else None
            match summary.Final with
            | Some final ->
                printfn "status = %A" summary.Status
                printfn "w1 = %s" (show final.W1)
                printfn "w1_exact = %s" (show final.W1Exact)
                printfn "critic_w1 = %s" (show final.CriticW1)
                if not (Double.IsNaN final.Nll) then
                    printfn "nll = %s" (show final.Nll)
                    printfn "inverse_error = %.3e" final.InverseError
                    printfn "latent_inverse_error = %.3e" final.LatentInverseError
                if not (Double.IsNaN final.FunctionEvaluations) then
                    printfn "nfe = %.0f" final.FunctionEvaluations
            | None -> printfn "status = %A" summary.Status
            printfn "steps = %d" summary.StepsCompleted
            printfn "wall_seconds = %.1f" summary.WallSeconds
            report |> Option.iter (printfn "report = %s")
            if summary.Status <> RunStatus.Completed && summary.Status <> RunStatus.Paused then eprintfn "run %A: %s" summary.Status summary.Message
            exitCode summary.Status
