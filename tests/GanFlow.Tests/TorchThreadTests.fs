/// The process's intra-op thread count reaches the thread a run trains on: OpenMP's and MKL's counts are per thread, and
/// a search worker trains on a thread of its own.
module GanFlow.Tests.TorchThreadTests

open System.Runtime.InteropServices
open System.Threading
open Expecto
open GanFlow.Runtime.Devices
open GanFlow.Tests.TestRuns

/// MKL's thread count for products called on this thread.
[<DllImport("libtorch_cpu", EntryPoint = "MKL_Get_Max_Threads", ExactSpelling = true)>]
extern int private mklMaxThreads()

/// Sets MKL's thread count for this thread only; returns the previous one.
[<DllImport("libtorch_cpu", EntryPoint = "MKL_Set_Num_Threads_Local", ExactSpelling = true)>]
extern int private mklSetThreadsLocal(int threads)

/// Runs `work` on a fresh thread (as a worker's job runs) and returns its result.
let private onFreshThread (work: unit -> 'T) =
    let mutable result = Unchecked.defaultof<'T>
    let thread = Thread(fun () -> result <- work ())
    thread.Start()
    thread.Join()
    result

[<Tests>]
let tests =
    testSequenced <| testList "torch threads" [
        test "a run gives the thread it trains on the process's intra-op thread count before anything else (MKL's count is per thread)" {
            TorchSetup.Initialize 1
            let before, after =
                onFreshThread (fun () ->
                    // A fresh thread's own count, as on a 3-core machine (a search worker's job thread starts so).
                    mklSetThreadsLocal 3 |> ignore
                    let before = mklMaxThreads ()
                    // Refused by validation, before any torch operation could set the count as a side effect.
                    let refused = { gaussianExperiment smallWganGp 4 2 with Budget = { Steps = 0; BatchSize = 128; Epochs = None } }
                    let context = GanFlow.Runtime.Devices.RunContext(TorchSharp.torch.CPU, scratchFolder "torch-threads", null, false)
                    Expect.throwsT<GanFlow.Core.Specs.SpecValidationException> (fun () -> GanFlow.Runtime.ExperimentRunner.Run(refused, context) |> ignore) "refused"
                    before, mklMaxThreads ())
            Expect.equal before 3 "the thread's own count before the run"
            Expect.equal after 1 "Initialize's count once the run began"
        }
    ]
