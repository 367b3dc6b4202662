/// `ganflow run seed003-mnist-… --data DIR --out OUT [--vae VAE_RUN]`: seed 003's VAE, DCGAN and WGAN on MNIST.
module GanFlow.Cli.ImageCommand

open System
open System.IO
open GanFlow.Core.Experiments
open GanFlow.Core.Images
open GanFlow.Runtime.Devices
open GanFlow.Runtime.Images
open GanFlow.Store

let private show (v: float) = v.ToString("0.000", Globalization.CultureInfo.InvariantCulture)

/// A declared experiment with the command line's overrides (pure): `--data` the data folder, `--vae` the VAE run a
/// generator starts from, `--seed`, and `--steps` (the budget in steps, noted in the description).
let withOverrides (data: string option) (vae: string option) (seed: int option) (steps: int option) (e: ImageExperiment) =
    let init (i: GeneratorInit) =
        match i, vae with
        | GeneratorInit.FromVae _, Some folder -> GeneratorInit.FromVae folder
        | other, _ -> other
    let model =
        match e.Model with
        | ImageModel.Vae _ -> e.Model
        | ImageModel.Dcgan d -> ImageModel.Dcgan { d with Init = init d.Init }
        | ImageModel.Wgan w -> ImageModel.Wgan { w with Init = init w.Init }
    let e = { e with Model = model; Data = { e.Data with Folder = defaultArg data e.Data.Folder }; Seed = defaultArg seed e.Seed }
    match steps with
    | Some n when ImageBudget.Steps n <> e.Budget ->
        { e with Budget = ImageBudget.Steps n; Description = sprintf "%s [budget overridden on the command line: %d steps instead of %A]" e.Description n e.Budget }
    | _ -> e

let private progress (record: ImageEvaluationRecord) =
    let elbo = if Double.IsFinite record.TestElbo then sprintf "  test ELBO %s" (show record.TestElbo) else ""
    eprintfn "step %6d  energy %s%s  %6.1f s" record.Step (show record.Energy) elbo record.WallSeconds

/// Validates, loads the data, trains, writes the folder and its report; returns the exit code (0 completed, 3
/// diverged, 1 failed, 2 bad input before any training).
let run (experiment: ImageExperiment) (out: string) (device: string) (threads: int) (resume: bool) (fresh: bool) (writeReport: bool) =
    match ImageValidation.errors experiment with
    | _ :: _ as errors ->
        eprintfn "error: invalid spec for experiment %s:" experiment.Name
        errors |> List.iter (fun e -> eprintfn "  %O" e)
        2
    | [] when not (Directory.Exists experiment.Data.Folder) ->
        eprintfn "error: data.folder = %s: no such folder (give --data DIR with the MNIST IDX files; `ganflow data mnist --out DIR` writes them)" experiment.Data.Folder
        2
    | [] when threads < 1 ->
        eprintfn "error: --threads %d: must be >= 1" threads
        2
    | [] ->
        let splits = MnistFolder.Load(experiment.Data.Folder, experiment.Data.Split)
        let device = DeviceSelection.FromString device
        TorchSetup.Initialize threads
        eprintfn "running %s (%s) on %O, %d training and %d test images -> %s" experiment.Name experiment.Model.Family device splits.Train.Count splits.Test.Count out
        let summary = ImageRunner.Run(experiment, splits, ImageRunContext(device, out, resume, Action<ImageEvaluationRecord> progress, Action<string>(eprintfn "%s"), Fresh = fresh))
        printfn "status = %A" summary.Status
        printfn "steps = %d" summary.StepsCompleted
        printfn "generator_parameters = %d" summary.GeneratorParameters
        printfn "second_network_parameters = %d" summary.SecondNetworkParameters
        printfn "initial_energy = %s" (show summary.InitialEnergy)
        match summary.Final with
        | Some f ->
            printfn "energy = %s" (show f.Energy)
            if Double.IsFinite f.TestElbo then printfn "test_elbo = %s" (show f.TestElbo)
        | None -> ()
        printfn "wall_seconds = %.1f" summary.WallSeconds
        if writeReport && File.Exists(Path.Combine(out, RunFiles.Spec)) then
            printfn "report = %s" (GanFlow.Report.ImageReport.write out)
        if summary.Status <> RunStatus.Completed then eprintfn "run %A: %s" summary.Status summary.Message
        RunCommand.exitCode summary.Status
