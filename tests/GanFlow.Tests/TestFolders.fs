/// Where the tests write: one folder per test process under the temporary directory. `Main` removes it after a run in
/// which every test passed, and names it after a failure, so that a red run's folders can be read.
module GanFlow.Tests.TestFolders

open System
open System.IO

/// This process's folder: `TMP/ganflow-tests/run-PID-GUID`.
let root = Path.Combine(Path.GetTempPath(), "ganflow-tests", sprintf "run-%d-%s" Environment.ProcessId (Guid.NewGuid().ToString "N"))

/// A fresh, not yet existing path under `root`, `LABEL-GUID`; its parent exists.
let fresh (label: string) =
    Directory.CreateDirectory root |> ignore
    Path.Combine(root, sprintf "%s-%s" label (Guid.NewGuid().ToString "N"))

/// A fresh, empty file under `root`.
let emptyFile (label: string) =
    let path = fresh label
    File.WriteAllBytes(path, [||])
    path

/// The repository's root (the folder of GanFlowFunctional.sln above the tests' binaries), for the tests that read its
/// launch files and docs.
let repository =
    let rec up (d: DirectoryInfo | null) =
        match d with
        | null -> failwith "GanFlowFunctional.sln not found above the test binaries"
        | d when File.Exists(Path.Combine(d.FullName, "GanFlowFunctional.sln")) -> d.FullName
        | d -> up d.Parent
    up (DirectoryInfo AppContext.BaseDirectory)

/// Removes `root` and everything in it (only this process's test files are there).
let remove () =
    if Directory.Exists root then Directory.Delete(root, true)
