/// Parameter counts of the papers' flow configurations (PAPER-NOTES.md).
module GanFlow.Tests.FlowParameterCountTests

open Expecto
open GanFlow.Core.Models
open GanFlow.Runtime.Flows
open GanFlow.Tests.FlowTestSupport

let private count spec d = FlowBuilder.ParameterCount(build spec d 1)

[<Tests>]
let tests =
    testList "Flow parameter counts" [
        testCase "seed 003's RealNVP on moons has exactly 205,848 weights" (fun () ->
            Expect.equal (count Flow.realNvpMoons 2) 205_848L "RealNVP weights")
        testCase "seed 003's OT-Flow on moons has exactly 1,229 parameters" (fun () ->
            Expect.equal (count Flow.otFlowMoons 2) 1_229L "OT-Flow parameters")
        testCase "seed 000's Gaussianization flow has 505 parameters in 1-D" (fun () ->
            Expect.equal (count Flow.gaussianization1d 1) 505L "GF parameters")
        testCase "seed 000's FFJORD has 9,093 parameters in 1-D" (fun () ->
            Expect.equal (count Flow.ffjord1d 1) 9_093L "FFJORD parameters")
    ]
