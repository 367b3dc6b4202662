/// The launch files of deploy/: the Slurm array's script run as it is (its worker command, its restart loop, its signal
/// path), and the Kubernetes manifests' ganflow command lines, which must parse as the CLI's and name what the other
/// manifests define. `.ci/slurm-lane` runs the array end to end on a one-node Slurm cluster.
module GanFlow.Tests.DeployTests

open System
open System.Diagnostics
open System.IO
open System.Text.RegularExpressions
open Expecto
open Argu
open GanFlow.Store
open GanFlow.Report

/// The repository's root.
let private root = TestFolders.repository

let private sbatch = Path.Combine(root, "deploy", "slurm", "ganflow-workers.sbatch")

/// Starts the Slurm script with bash, outside Slurm, as a task would run it.
let private startScript (env: (string * string) list) (log: string) =
    let start = ProcessStartInfo("bash", [ sbatch ], RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    start.Environment["GANFLOW"] <- sprintf "dotnet %s" (Path.Combine(AppContext.BaseDirectory, "ganflow.dll"))
    for k, v in env do start.Environment[k] <- v
    let p = nonNull (Process.Start start)
    p.OutputDataReceived.Add(fun e -> match e.Data with null -> () | line -> lock log (fun () -> File.AppendAllText(log, line + "\n")))
    p.ErrorDataReceived.Add(fun e -> match e.Data with null -> () | line -> lock log (fun () -> File.AppendAllText(log, line + "\n")))
    p.BeginOutputReadLine()
    p.BeginErrorReadLine()
    p

/// The `args: [...]` lists of a manifest (flow style, JSON strings), in order.
let private argsOf (manifest: string) =
    Regex.Matches(File.ReadAllText(Path.Combine(root, "deploy", "kubernetes", manifest)), @"(?m)^\s*args:\s*(\[.*\])\s*$")
    |> Seq.map (fun m -> Text.Json.JsonSerializer.Deserialize<string[]> m.Groups[1].Value |> nonNull)
    |> List.ofSeq

[<Tests>]
let tests =
    testSequenced
    <| testList "deploy" [
        test "the Slurm array's script runs a worker to the end of a search (outside Slurm, as a task runs it)" {
            let folder = TestFolders.fresh "slurm-script"
            let log = folder + ".log"
            Expect.equal (fst (ReportInputTests.ganflowInProcess [ "search"; "closed-form-search"; "--out"; folder; "--trials"; "4"; "--workers"; "0" ])) 0 "recorded"
            let url = "sqlite:" + SqliteSearchStore.FileOf folder
            use script = startScript [ "GANFLOW_STORE", url; "GANFLOW_SEARCH", "closed-form-search"; "GANFLOW_DEVICE", "cpu" ] log
            script.WaitForExit()
            Expect.equal script.ExitCode 0 (sprintf "the task ends with 0 once the search is over (%s)" (File.ReadAllText log))
            use store = SqliteSearchStore.OpenFolder folder
            Expect.isTrue (SearchData.isFinished (SearchData.read store)) "the search is over"
        }

        test "the Slurm array's script, signalled mid-job, has its worker give the job back and ends the task for a requeue" {
            let folder = TestFolders.fresh "slurm-signal"
            let log = folder + ".log"
            Expect.equal
                (fst (ReportInputTests.ganflowInProcess [ "search"; "closed-form-search"; "--out"; folder; "--trials"; "2"; "--grace"; "40"; "--max-steps"; "160"; "--workers"; "0"; "--lease-seconds"; "300" ]))
                0 "recorded"
            let url = "sqlite:" + SqliteSearchStore.FileOf folder
            use script = startScript [ "GANFLOW_STORE", url; "GANFLOW_SEARCH", "closed-form-search"; "GANFLOW_DEVICE", "cpu" ] log
            let attempts () =
                use store = SqliteSearchStore.OpenFolder folder
                store.ReadAttempts() |> List.ofSeq
            let checkpointed () =
                attempts ()
                |> List.exists (fun a -> isNull a.Ended && File.Exists(Path.Combine(folder, "trials", sprintf "%04d" a.Trial, RunFiles.Checkpoint, CheckpointFolders.ManifestFile)))
            ProcessTests.waitWhileRunning script "a job past its first checkpoint" checkpointed
            use kill = Process.Start("kill", [ "-TERM"; string script.Id ])
            kill.WaitForExit()
            script.WaitForExit()
            Expect.equal script.ExitCode 0 "the task ends (and would requeue itself under Slurm)"
            Expect.stringContains (File.ReadAllText log) "stopped by a signal" "says why"
            Expect.exists (attempts ()) (fun a -> a.Outcome = "released") "the worker gave its job back"
            Expect.isEmpty (attempts () |> List.filter (fun a -> isNull a.Ended)) "no lease is left held"
        }

        test "the Kubernetes manifests' ganflow command lines parse, name a declared search, and use the Secret, the Service and the PVC they define" {
            let parser = ArgumentParser.Create<GanFlow.Cli.Arguments.Command>(programName = "ganflow")
            let secret = File.ReadAllText(Path.Combine(root, "deploy", "kubernetes", "secret.yaml"))
            let url = Regex.Match(secret, @"(?m)^\s*url:\s*""([^""]+)""").Groups[1].Value
            Expect.isFalse (url.Contains ":" && Regex.IsMatch(url, @"//[^/@]+:[^/@]+@")) "the Secret's URL holds no password"
            let location = SearchStoreLocation.Parse(url, null) :?> SearchStoreLocation.Postgres
            Expect.equal location.Host "postgres" "the URL reaches PostgreSQL as the Service postgres"
            Expect.stringContains (File.ReadAllText(Path.Combine(root, "deploy", "kubernetes", "postgres.yaml"))) "name: postgres" "which postgres.yaml defines"
            for manifest, expected in [ "create-search-job.yaml", "search"; "workers-job.yaml", "worker" ] do
                let text = File.ReadAllText(Path.Combine(root, "deploy", "kubernetes", manifest))
                for key in Regex.Matches(text, @"secretKeyRef:\s*\{\s*name:\s*ganflow-store,\s*key:\s*(\w+)\s*\}") |> Seq.map (fun m -> m.Groups[1].Value) do
                    Expect.isTrue (Regex.IsMatch(secret, sprintf @"(?m)^\s*%s:" key)) (sprintf "%s: the Secret has the key %s" manifest key)
                Expect.stringContains text "claimName: ganflow-shared" (sprintf "%s mounts the shared PVC" manifest)
                Expect.stringContains text "name: PGPASSWORD" (sprintf "%s reads the password from the Secret as PGPASSWORD" manifest)
                for args in argsOf manifest do
                    let line = args |> Array.map (fun a -> a.Replace("$(GANFLOW_STORE)", url))
                    let parsed = parser.ParseCommandLine(line, raiseOnUsage = true)
                    match parsed.GetSubCommand() with
                    | GanFlow.Cli.Arguments.Command.Worker w ->
                        Expect.equal expected "worker" manifest
                        Expect.isSome (GanFlow.Experiments.Catalog.tryFind (w.GetResult GanFlow.Cli.Arguments.WorkerArgs.Search)) "a declared search"
                    | GanFlow.Cli.Arguments.Command.Search s ->
                        Expect.equal expected "search" manifest
                        Expect.equal (s.GetResult GanFlow.Cli.Arguments.SearchArgs.Workers) 0 "records the search, starts no worker"
                    | other -> failtestf "%s: unexpected command %A" manifest other
            Expect.stringContains (File.ReadAllText(Path.Combine(root, "deploy", "kubernetes", "workers-job.yaml"))) "completionMode: Indexed" "an Indexed Job"
        }
    ]
