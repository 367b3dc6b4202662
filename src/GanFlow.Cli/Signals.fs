/// Stopping long commands (a study, a search) on SIGINT or SIGTERM without ending the process at once: the running
/// child processes are stopped with their trees, everything recorded stays, and a rerun continues.
module GanFlow.Cli.Signals

open System.Threading
open System.Runtime.InteropServices

/// Registers SIGINT (exit 130) and SIGTERM (exit 143): each cancels `cancel` and records its exit code in `signal`.
/// Dispose the registrations when the command ends.
let stopOn (cancel: CancellationTokenSource) (signal: int ref) =
    [ for s, code in [ PosixSignal.SIGINT, 130; PosixSignal.SIGTERM, 143 ] ->
          PosixSignalRegistration.Create(
              s,
              fun context ->
                  context.Cancel <- true
                  signal.Value <- code
                  cancel.Cancel()) ]
