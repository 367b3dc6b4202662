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

/// Removes `root` and everything in it (only this process's test files are there).
let remove () =
    if Directory.Exists root then Directory.Delete(root, true)
