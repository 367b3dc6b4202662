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
        testCase "the neural spline flows have 3K − 1 spline parameters per coordinate per layer (380 in 1-D, 4 × 7,342 in 2-D)" (fun () ->
            // 1-D: 4 layers × (3 · 32 − 1) free parameters. 2-D: per layer a net 2 → 64 → 64 → 2 · 23, by hand (2 + 1)·64 + (64 + 1)·64 + (64 + 1)·46 = 192 + 4,160 + 2,990 = 7,342.
            Expect.equal (count GanFlow.Experiments.NeuralSplineFlows.oneD 1) 380L "1-D: 4 × 95"
            Expect.equal (count GanFlow.Experiments.NeuralSplineFlows.twoD 2) (4L * 7_342L) "2-D: 4 coupling nets")
        testCase "seed 000's FFJORD has 9,093 parameters in 1-D" (fun () ->
            Expect.equal (count Flow.ffjord1d 1) 9_093L "FFJORD parameters")
        testCase "seed 001's NICE for MNIST has 22,295,920 parameters, 19,158,352 of them live (NICE's own count)" (fun () ->
            // By hand: each net 784 → 1,000 (785,000), four 1,000 → 1,000 (1,001,000 each), 1,000 → 784 (784,784):
            // 5,573,784; four nets and 784 log-scales: 22,295,920. Weights from the zeroed half of the input and to
            // the discarded half of the output never get a gradient: 4 · (392,000 + 392,000 + 392) = 3,137,568.
            let nice = match GanFlow.Core.Images.NiceMnist.flow.Architecture with FlowArchitecture.Nice n -> n | a -> failtestf "%A" a
            Expect.equal (GanFlow.Core.Images.NiceMnist.parameterCount nice 784) 22_295_920L "the formula"
            Expect.equal (GanFlow.Core.Images.NiceMnist.effectiveParameterCount nice 784) 19_158_352L "live parameters"
            Expect.equal (count GanFlow.Core.Images.NiceMnist.flow 784) 22_295_920L "the runtime's module"
            let small = { nice with Width = 16; Depth = 3 }
            let smallFlow = { GanFlow.Core.Images.NiceMnist.flow with Architecture = FlowArchitecture.Nice small }
            Expect.equal (count smallFlow 2) (GanFlow.Core.Images.NiceMnist.parameterCount small 2) "the formula in 2-D")
    ]
