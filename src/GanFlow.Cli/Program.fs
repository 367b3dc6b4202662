module GanFlow.Cli.Program

open System
open Argu
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Experiments
open GanFlow.Cli.Arguments

let private describe (e: Experiment) =
    let model =
        match e.Model with
        | Model.Gan g -> sprintf "GAN %A %A" g.Objective g.Lipschitz
    sprintf "%s\t%s | %d-D data | %s | %d steps x batch %d | seed %d"
        e.Name e.Description (Densities.dimension e.Dataset) model e.Budget.Steps e.Budget.BatchSize e.Seed

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
        | Some experiment ->
            let experiment = RunCommand.withOverrides (args.TryGetResult RunArgs.Seed) (args.TryGetResult RunArgs.Steps) experiment
            RunCommand.run
                experiment
                (args.GetResult RunArgs.Out)
                (args.GetResult(RunArgs.Device, defaultValue = "auto"))
                (args.GetResult(RunArgs.Threads, defaultValue = 1))
                (args.Contains RunArgs.Resume)
    | Metric args ->
        MetricCommand.run (args.GetResult MetricArgs.X) (args.GetResult MetricArgs.Y) (args.GetResult(MetricArgs.Seed, defaultValue = 1))
    | Report args ->
        printfn "report = %s" (GanFlow.Report.RunReport.write (args.GetResult ReportArgs.Run_Folder))
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
