module GanFlow.Cli.Program

open System
open Argu
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Experiments
open GanFlow.Cli.Arguments

let private describe (declared: Declared) =
    match declared with
    | Declared.Single e ->
        let model =
            match e.Model with
            | Model.Gan g -> sprintf "GAN %A %A" g.Objective g.Lipschitz
            | Model.Flow f -> sprintf "flow %A" f.Architecture
        sprintf "%s\t%s | %d-D data | %s | %d steps x batch %d | seed %d"
            e.Name e.Description (Densities.dimension e.Dataset) model e.Budget.Steps e.Budget.BatchSize e.Seed
    | Declared.Study s -> sprintf "%s\t%s | study of %d runs" s.Name s.Description s.Cells.Length
    | Declared.Dynamics d -> sprintf "%s\t%s | seed 002 dynamics lab (no training)" d.Name d.Description

let private execute (command: ParseResults<Command>) =
    match command.GetSubCommand() with
    | List args ->
        for e in GanFlow.Experiments.Catalog.all do
            printfn "%s" (if args.Contains ListArgs.Verbose then describe e else e.Name)
        0
    | Run args ->
        let name = args.GetResult RunArgs.Experiment
        match GanFlow.Experiments.Catalog.tryFind name with
        | None ->
            eprintfn "error: no experiment named %s; `ganflow list` shows the declared ones" name
            2
        | Some declared ->
            let seed, steps = args.TryGetResult RunArgs.Seed, args.TryGetResult RunArgs.Steps
            let out, device, resume = args.GetResult RunArgs.Out, args.GetResult(RunArgs.Device, defaultValue = "auto"), args.Contains RunArgs.Resume
            match declared with
            | Declared.Single experiment ->
                RunCommand.run (RunCommand.withOverrides seed steps experiment) out device (args.GetResult(RunArgs.Threads, defaultValue = 1)) resume
            | Declared.Study study -> StudyCommand.run (StudyCommand.withOverrides seed steps study) out device resume
            | Declared.Dynamics dynamics -> DynamicsCommand.runExperiment (DynamicsCommand.withOverrides seed steps dynamics) out
    | Metric args ->
        MetricCommand.run (args.GetResult MetricArgs.X) (args.GetResult MetricArgs.Y) (args.GetResult(MetricArgs.Seed, defaultValue = 1)) (args.TryGetResult MetricArgs.Delta)
    | Dynamics args ->
        DynamicsCommand.runOnce (args.GetResult DynamicsArgs.True_Means) (args.GetResult DynamicsArgs.Mu) (args.TryGetResult DynamicsArgs.Intervals)
            (args.TryGetResult DynamicsArgs.Eta_G) (args.TryGetResult DynamicsArgs.Eta_D) (args.TryGetResult DynamicsArgs.Steps) (args.TryGetResult DynamicsArgs.Dynamics)
    | Bench args ->
        if not (args.Contains BenchArgs.Dynamics_Only) then
            BenchCommand.metrics ()
            BenchCommand.gan (args.GetResult(BenchArgs.Steps, defaultValue = 200))
            BenchCommand.flows (args.GetResult(BenchArgs.Flow_Steps, defaultValue = 40))
        BenchCommand.dynamics ()
        0
    | Report args ->
        let folder = args.GetResult ReportArgs.Run_Folder
        match GanFlow.Report.StudyReport.tryReadSpec folder with
        | None when (GanFlow.Report.DynamicsFolder.tryReadSpec folder).IsSome ->
            DynamicsCommand.writeFile folder GanFlow.Report.DynamicsFolder.reportFile (GanFlow.Report.DynamicsReport.render folder)
            printfn "report = %s" (IO.Path.Combine(folder, GanFlow.Report.DynamicsFolder.reportFile))
        | Some study ->
            printfn "%s" (GanFlow.Report.StudyReport.write folder study)
            printfn "report = %s" (IO.Path.Combine(folder, GanFlow.Report.RunFolder.reportFile))
        | None -> printfn "report = %s" (GanFlow.Report.RunReport.write folder)
        0

[<EntryPoint>]
let main argv =
    let parser = ArgumentParser.Create<Command>(programName = "ganflow")
    try
        execute (parser.ParseCommandLine(argv, raiseOnUsage = true))
    with
    | :? ArguParseException as e ->
        // --help lands here too: Argu formats usage as an exception message.
        let isHelp = e.ErrorCode = ErrorCode.HelpText
        (if isHelp then stdout else stderr).WriteLine e.Message
        if isHelp then 0 else 2
    | GanFlow.Core.Specs.SpecValidationException errors ->
        eprintfn "error: invalid spec:"
        errors |> List.iter (fun e -> eprintfn "  %O" e)
        2
    | :? IO.FileNotFoundException as e ->
        // `ganflow report` on a folder that is neither a run folder nor a study folder.
        eprintfn "error: %s" e.Message
        2
    | :? ArgumentException as e ->
        // Bad option values the runtime rejects, e.g. an unknown --device.
        eprintfn "error: %s" e.Message
        2
    | :? InvalidOperationException as e when e.Message.Contains "CUDA" ->
        eprintfn "error: %s" e.Message
        2
