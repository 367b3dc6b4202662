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
        let model = Model.describe e.Model
        let budget =
            match e.Budget.Epochs with
            | Some epochs -> sprintf "%d epochs" epochs
            | None -> sprintf "%d steps" e.Budget.Steps
        sprintf "%s\t%s | %d-D data | %s | %s x batch %d | seed %d"
            e.Name e.Description e.Dimension model budget e.Budget.BatchSize e.Seed
    | Declared.Study s ->
        let searches =
            match s.Searches with
            | [] -> ""
            | cells -> sprintf " and %d search(es), %s, at their declared budgets" cells.Length (cells |> List.map _.Search |> String.concat ", ")
        sprintf "%s\t%s | study of %d runs%s" s.Name s.Description s.Cells.Length searches
    | Declared.Search s ->
        let scheduler =
            match s.Scheduler.Scheduler with
            | GanFlow.Core.Search.Scheduler.Asha a -> sprintf "ASHA (grace %d, max %d, η %d)" a.MinSteps a.MaxSteps a.ReductionFactor
            | GanFlow.Core.Search.Scheduler.SuccessiveHalving h -> sprintf "successive halving (grace %d, max %d, η %d)" h.MinSteps h.MaxSteps h.ReductionFactor
            | GanFlow.Core.Search.Scheduler.Hyperband(h, b) -> sprintf "asynchronous Hyperband (%d brackets, grace %d, max %d, η %d)" b h.MinSteps h.MaxSteps h.ReductionFactor
            | GanFlow.Core.Search.Scheduler.RandomSearch steps -> sprintf "random search to %d steps" steps
        sprintf "%s\t%s | search of %d trials, %s, milestones %s" s.Name s.Description s.Trials scheduler
            (GanFlow.Core.Search.Rungs.milestones s.Scheduler.Scheduler |> List.map string |> String.concat ", ")
    | Declared.Dynamics d -> sprintf "%s\t%s | seed 002 dynamics lab (no training)" d.Name d.Description

let private execute (command: ParseResults<Command>) =
    match command.GetSubCommand() with
    | List args ->
        // One line per entry; a study's cells (each runnable on its own with `ganflow run CELL`) indented under it.
        let verbose = args.Contains ListArgs.Verbose
        let line (indent: string) (d: Declared) = printfn "%s%s" indent (if verbose then describe d else d.Name)
        let cells (d: Declared) =
            match d with
            | Declared.Study s -> s.Cells |> List.map (fun c -> Declared.Single c.Experiment)
            | _ -> []
        let listedUnderAStudy = GanFlow.Experiments.Catalog.all |> List.collect cells |> List.map (fun c -> c.Name) |> Set.ofList
        for e in GanFlow.Experiments.Catalog.all do
            if not (listedUnderAStudy.Contains e.Name) then
                line "" e
                cells e |> List.iter (line "  ")
        0
    | Run args ->
        let seed, steps = args.TryGetResult RunArgs.Seed, args.TryGetResult RunArgs.Steps
        let out, device, resume = args.GetResult RunArgs.Out, args.GetResult(RunArgs.Device, defaultValue = "auto"), args.Contains RunArgs.Resume
        let threads = args.GetResult(RunArgs.Threads, defaultValue = 1)
        let fresh = args.Contains RunArgs.Fresh
        let declared =
            match args.TryGetResult RunArgs.Experiment, args.TryGetResult RunArgs.Spec with
            | Some _, Some _ -> Error "give an experiment name or --spec, not both"
            | None, None -> Error "name an experiment or study (see `ganflow list`), or give --spec FILE"
            | None, Some path -> RunCommand.readSpec path
            | Some name, None ->
                match GanFlow.Experiments.Catalog.tryFind name with
                | Some declared -> Ok declared
                | None -> Error(sprintf "no experiment named %s; `ganflow list` shows the declared ones" name)
        let name = match args.TryGetResult RunArgs.Experiment with Some n -> n | None -> "the --spec file's experiment"
        let declared =
            declared
            |> Result.bind (fun d -> match RunFlags.refusal name d args with Some refusal -> Error refusal | None -> Ok d)
            |> Result.bind (fun d -> if resume && fresh then Error "give --resume (continue the folder's run) or --fresh (replace it), not both" else Ok d)
        match declared with
        | Error message ->
            eprintfn "error: %s" message
            2
        | Ok(Declared.Single experiment) ->
            match RunCommand.withDataFile (args.TryGetResult RunArgs.Data) (RunCommand.withOverrides seed steps experiment |> RunCommand.withVaeRun (args.TryGetResult RunArgs.Vae)) with
            | Error message ->
                eprintfn "error: %s" message
                2
            | Ok experiment ->
            RunCommand.run experiment out device threads resume fresh (args.TryGetResult RunArgs.Until) (not (args.Contains RunArgs.No_Report)) (args.Contains RunArgs.Tensorboard) (args.TryGetResult RunArgs.Classifier)
        | Ok(Declared.Study study) ->
            match StudyCommand.withData (args.TryGetResult RunArgs.Data) (StudyCommand.withOverrides seed steps study) with
            | Error message ->
                eprintfn "error: %s" message
                2
            | Ok study ->
                // The command that continues the study: this one, with the same flags, without --fresh.
                let again = args.GetAllResults() |> List.filter (function RunArgs.Fresh -> false | _ -> true)
                let rerun = "ganflow run " + (args.Parser.PrintCommandLineArguments again |> Array.map RunCommand.shellQuoted |> String.concat " ")
                StudyCommand.run study out device threads resume fresh (args.TryGetResult RunArgs.Classifier) rerun
        | Ok(Declared.Dynamics dynamics) ->
            let dynamics = DynamicsCommand.withOverrides seed steps dynamics
            match DynamicsCommand.overrideErrors seed steps dynamics with
            | [] -> DynamicsCommand.runExperiment dynamics out fresh
            | errors ->
                eprintfn "error: invalid spec for experiment %s:" dynamics.Name
                errors |> List.iter (eprintfn "  %O")
                2
        | Ok(Declared.Search s) ->
            eprintfn "error: %s is a search: run it with `ganflow search %s --out DIR`" s.Name s.Name
            2
    | Metric args ->
        let options: MetricCommand.MetricOptions =
            { X = args.GetResult MetricArgs.X
              Y = args.TryGetResult MetricArgs.Y
              Truth = args.TryGetResult MetricArgs.Truth
              Train = args.TryGetResult MetricArgs.Train
              Seed = args.GetResult(MetricArgs.Seed, defaultValue = 1)
              Projections = args.GetResult(MetricArgs.Projections, defaultValue = GanFlow.Core.Metrics.SlicedWasserstein.DefaultProjections)
              Bandwidth = None
              Model = args.TryGetResult MetricArgs.Model
              Delta = None }
        MetricCommand.run options (args.TryGetResult MetricArgs.Bandwidth) (args.TryGetResult MetricArgs.Delta) (args.Contains MetricArgs.Json)
    | Dynamics args ->
        DynamicsCommand.runOnce (args.GetResult DynamicsArgs.True_Means) (args.GetResult DynamicsArgs.Mu) (args.TryGetResult DynamicsArgs.Intervals)
            (args.TryGetResult DynamicsArgs.Eta_G) (args.TryGetResult DynamicsArgs.Eta_D) (args.TryGetResult DynamicsArgs.Steps) (args.TryGetResult DynamicsArgs.Dynamics)
    | Bench args ->
        // A training group's device is resolved (Some) whenever a training group is chosen; the other groups take none.
        let groups: (string * (TorchSharp.torch.Device option -> unit)) list =
            [ "metrics", (fun _ -> BenchCommand.metrics ())
              "gans", (fun device -> BenchCommand.gan (Option.get device) (args.GetResult(BenchArgs.Steps, defaultValue = 100)))
              "flows", (fun device -> BenchCommand.flows (Option.get device) (args.GetResult(BenchArgs.Flow_Steps, defaultValue = 40)))
              "images", (fun device -> BenchCommand.images (Option.get device) (args.GetResult(BenchArgs.Image_Steps, defaultValue = 50)))
              "checkpoints", (fun _ -> BenchCommand.checkpoints ())
              "search", (fun _ -> BenchCommand.search (args.TryGetResult BenchArgs.Search_Store) (args.TryGetResult BenchArgs.Store_Password_File))
              "estimators", (fun _ -> BenchCommand.estimators ())
              "dynamics", (fun _ -> BenchCommand.dynamics ()) ]
        let trainingGroups = [ "gans"; "flows"; "images" ]
        // The groups to time, or the bad input: a flag that sets another group's runs does not apply to --only G
        // (refused, not ignored).
        let chosen =
            match args.TryGetResult BenchArgs.Only with
            | None -> Ok groups
            | Some only ->
                let flagsOf (group: string) =
                    match group with
                    | "gans" -> [ "--steps"; "--device" ]
                    | "flows" -> [ "--flow-steps"; "--device" ]
                    | "images" -> [ "--image-steps"; "--device" ]
                    | "search" -> [ "--search-store"; "--store-password-file" ]
                    | _ -> []
                let given =
                    [ if args.Contains BenchArgs.Steps then "--steps"
                      if args.Contains BenchArgs.Flow_Steps then "--flow-steps"
                      if args.Contains BenchArgs.Image_Steps then "--image-steps"
                      if args.Contains BenchArgs.Device then "--device"
                      if args.Contains BenchArgs.Search_Store then "--search-store"
                      if args.Contains BenchArgs.Store_Password_File then "--store-password-file" ]
                let group = only.ToLowerInvariant()
                match groups |> List.tryFind (fun (name, _) -> name = group), given |> List.filter (fun f -> not (List.contains f (flagsOf group))) with
                | Some _, flag :: _ -> Error(sprintf "error: bench %s does not apply to --only %s" flag only)
                | Some chosen, [] -> Ok [ chosen ]
                | None, _ -> Error(sprintf "error: bench --only: unknown group '%s' (one of %s)" only (groups |> List.map fst |> String.concat ", "))
        // The training groups' device, resolved before anything is timed and only when one of them runs: an unknown
        // name or a missing CUDA is bad input.
        let device (chosen: (string * _) list) =
            if chosen |> List.exists (fun (name, _) -> List.contains name trainingGroups) then
                let requested = args.GetResult(BenchArgs.Device, defaultValue = "auto")
                GanFlow.Runtime.Devices.TorchSetup.Initialize 1 // libtorch's settings before its first call
                try
                    Ok(Some(GanFlow.Runtime.Devices.DeviceSelection.FromString requested))
                with :? ArgumentException | :? InvalidOperationException as e ->
                    Error(sprintf "error: bench --device %s: %s" requested e.Message)
            else
                Ok None // no training group runs: the others ignore the device, and libtorch is not loaded for them
        // The step counts and the PostgreSQL store, checked before anything is timed: a count below 1, a store that is
        // not PostgreSQL's or cannot be reached is bad input (exit 2), not a failure after a minute of figures.
        let checkedInputs (chosen: (string * _) list) =
            let runs group = chosen |> List.exists (fun (name, _) -> name = group)
            let counts =
                [ "--steps", args.TryGetResult BenchArgs.Steps, "gans"
                  "--flow-steps", args.TryGetResult BenchArgs.Flow_Steps, "flows"
                  "--image-steps", args.TryGetResult BenchArgs.Image_Steps, "images" ]
                |> List.choose (fun (flag, given, group) ->
                    match given with
                    | Some n when n < 1 && runs group -> Some(sprintf "error: bench %s %d: must be a whole number from 1 (the shorter of the two timed runs)" flag n)
                    | _ -> None)
            match counts, args.TryGetResult BenchArgs.Search_Store with
            | problem :: _, _ -> Error problem
            | [], None when args.Contains BenchArgs.Store_Password_File ->
                Error "error: bench --store-password-file: applies to --search-store postgresql://…, which was not given"
            | [], Some url when runs "search" && not (url.StartsWith "postgresql://" || url.StartsWith "postgres://") ->
                Error(sprintf "error: bench --search-store %s: must be a PostgreSQL store, postgresql://USER@HOST:PORT/DATABASE (the SQLite figures need no store)" url)
            | [], Some url when runs "search" ->
                try
                    match GanFlow.Store.SearchStoreLocation.Parse(url, null) with
                    | :? GanFlow.Store.SearchStoreLocation.Postgres as location ->
                        BenchCommand.checkSearchStore location (args.TryGetResult BenchArgs.Store_Password_File)
                        Ok chosen
                    | _ -> Error(sprintf "error: bench --search-store %s: must be a PostgreSQL store" url)
                with :? GanFlow.Store.RunFolderException as e -> Error(sprintf "error: bench --search-store: %s" e.Message)
            | [], _ -> Ok chosen
        match chosen |> Result.bind checkedInputs |> Result.bind (fun c -> device c |> Result.map (fun d -> c, d)) with
        | Error message ->
            eprintfn "%s" message
            2
        | Ok(chosen, device) ->
            chosen |> List.iter (fun (_, run) -> run device)
            0
    | Report args -> ReportCommand.runWith (args.GetResult ReportArgs.Run_Folder) (args.TryGetResult ReportArgs.Store_Password_File)
    | Search args ->
        let name = args.GetResult SearchArgs.Search
        let options =
            match args.TryGetResult SearchArgs.Quota |> Option.map SearchCommand.parseQuota,
                  args.TryGetResult SearchArgs.Rung_Value |> Option.map SearchCommand.parseRungValue,
                  args.TryGetResult SearchArgs.Metric |> Option.map SearchCommand.parseMetric with
            | Some(Error e), _, _
            | _, Some(Error e), _
            | _, _, Some(Error e) -> Error e
            | quota, rungValue, metric ->
                Ok(Option.bind Result.toOption quota, Option.bind Result.toOption rungValue, Option.bind Result.toOption metric)
        match GanFlow.Experiments.Catalog.tryFind name, options with
        | _, Error message ->
            eprintfn "error: %s" message
            2
        | Some(Declared.Search search), Ok(quota, rungValue, metric) ->
            let brackets = args.TryGetResult SearchArgs.Brackets
            match GanFlow.Core.Search.Search.bracketsRefusal brackets search with
            | Some refusal ->
                eprintfn "error: %s" refusal
                2
            | None ->
                let overrides search =
                    GanFlow.Core.Search.Search.withOverrides (args.TryGetResult SearchArgs.Trials) (args.TryGetResult SearchArgs.Seed)
                        (args.TryGetResult SearchArgs.Grace) (args.TryGetResult SearchArgs.Max_Steps) search
                    |> GanFlow.Core.Search.Search.withSchedulerOptions quota rungValue metric brackets
                SearchCommand.run search overrides (args.GetResult SearchArgs.Out) (args.TryGetResult SearchArgs.Store) (args.TryGetResult SearchArgs.Store_Password_File)
                    (args.TryGetResult SearchArgs.Workers) (args.Contains SearchArgs.Resume) (args.Contains SearchArgs.Fresh)
                    (args.GetResult(SearchArgs.Device, defaultValue = "auto")) (args.TryGetResult SearchArgs.Lease_Seconds)
        | Some _, _ ->
            eprintfn "error: %s is not a search (names contain `search`); run it with `ganflow run %s --out DIR`" name name
            2
        | None, _ ->
            eprintfn "error: no search named %s; `ganflow list` shows the declared ones" name
            2
    | Worker args ->
        SearchCommand.worker (args.GetResult WorkerArgs.Store) (args.GetResult WorkerArgs.Search) (args.TryGetResult WorkerArgs.Store_Password_File)
            (args.GetResult(WorkerArgs.Device, defaultValue = "auto")) (args.GetResult(WorkerArgs.Threads, defaultValue = 1)) (args.TryGetResult WorkerArgs.Idle_Exit)
            (args.Contains WorkerArgs.No_Report)
    | Data args ->
        match args.GetSubCommand() with
        | DataArgs.Mnist mnist -> DataCommand.mnist (mnist.GetResult MnistDataArgs.Out) (mnist.TryGetResult MnistDataArgs.From)
        | DataArgs.Classifier c ->
            DataCommand.classifier (c.GetResult ClassifierArgs.Data) (c.GetResult ClassifierArgs.Out) (c.TryGetResult ClassifierArgs.Epochs) (c.TryGetResult ClassifierArgs.Seed)
    | Search_Status args ->
        SearchCommand.status (args.TryGetResult SearchStatusArgs.Search_Folder) (args.TryGetResult SearchStatusArgs.Store)
            (args.TryGetResult SearchStatusArgs.Search) (args.TryGetResult SearchStatusArgs.Store_Password_File)

[<EntryPoint>]
let main argv =
    // Before libtorch allocates anything: the C allocator keeps tensor-sized blocks in the heap (GANFLOW_MALLOC=default turns it off).
    GanFlow.Runtime.Devices.NativeAllocator.Apply() |> ignore
    // Before libtorch's first matrix product: MKL's kernels chosen by vendor (the default) or by instruction set
    // (GANFLOW_MKL_DISPATCH=features); nothing is loaded for the default.
    GanFlow.Runtime.Devices.MklDispatch.Apply() |> ignore
    GanFlow.Runtime.Processes.ParentWatch.StartIfChild()
    let parser = ArgumentParser.Create<Command>(programName = "ganflow")
    let refusal =
        [ GanFlow.Runtime.Devices.NativeAllocator.InvalidSetting(); GanFlow.Runtime.Devices.MklDispatch.InvalidSetting() ]
        |> List.tryFind (isNull >> not) |> Option.toObj
    let empty = ArgumentErrors.emptyArgument argv
    let unknown = if isNull refusal && empty.IsNone then ArgumentErrors.unknownOption parser argv else None
    if not (isNull refusal) then
        eprintfn "error: %s" refusal
        2
    elif empty.IsSome then
        eprintfn "error: %s" empty.Value
        2
    elif unknown.IsSome then
        eprintfn "error: %s" unknown.Value
        2
    else
        try
            execute (parser.ParseCommandLine(argv, raiseOnUsage = true))
        with
        | :? ArguParseException as e ->
            // --help lands here too: Argu formats usage as an exception message.
            if e.ErrorCode = ErrorCode.HelpText then
                stdout.WriteLine e.Message
                0
            else
                eprintfn "error: %s" (ArgumentErrors.describe parser argv e)
                2
        | GanFlow.Core.Specs.SpecValidationException errors ->
            eprintfn "error: invalid spec:"
            errors |> List.iter (fun e -> eprintfn "  %O" e)
            2
        | :? GanFlow.Store.RunFolderException as e ->
            // A folder or file the command cannot use: foreign, in use, corrupt, a resume that does not match.
            eprintfn "error: %s" e.Message
            2
        | :? GanFlow.Store.SampleFileException as e ->
            // A sample file that cannot be read as one (named with its line).
            eprintfn "error: %s" e.Message
            2
        | :? ArgumentException as e ->
            // Bad option values the runtime rejects, e.g. an unknown --device.
            eprintfn "error: %s" e.Message
            2
        | :? InvalidOperationException as e when e.Message.Contains "CUDA" ->
            eprintfn "error: %s" e.Message
            2
        | e ->
            // Anything else is a failure of the tool, not of the input: exit 1 with the reason, no stack trace.
            eprintfn "error: %s" (GanFlow.Store.FailureText.Of e)
            1
