/// The memory estimate that refuses a spec too large for the machine before any compute: it grows with every size, and
/// its refusal names the field that makes the run too large (docs/reference.md's exit code 2).
module GanFlow.Tests.MemoryEstimateTests

open Expecto
open FsCheck
open FsCheck.FSharp
open GanFlow.Core.Models
open GanFlow.Core.Experiments

let private demo = GanFlow.Experiments.WganGpUnimodalDemo.experiment

/// The demo with its MLP generator's width and depth and the batch size set.
let private sized (width: int) (depth: int) (batch: int) =
    match demo.Model.Generator with
    | GeneratorSpec.Mlp m ->
        { demo with
            Model = { demo.Model with Generator = GeneratorSpec.Mlp { m with Network = { m.Network with Width = width; Depth = depth } } }
            Budget = { demo.Budget with BatchSize = batch } }
    | _ -> failwith "the demo has an MLP generator"

/// The one refusal of `experiment` on a machine of 16 GiB.
let private refusal experiment =
    match MemoryEstimate.errors (16.0 * 1024.0 ** 3.0) experiment with
    | [ e ] -> e
    | errors -> failwithf "expected one refusal, got %A" errors

[<Tests>]
let tests =
    testList "memory estimate" [
        testProperty "the estimate never falls when a width, a depth or the batch size grows" (
            Prop.forAll (Arb.fromGen (Gen.zip3 (Gen.choose (1, 512)) (Gen.choose (1, 8)) (Gen.choose (1, 4096)))) (fun (w, d, b) ->
                let at = MemoryEstimate.bytes (sized w d b)
                MemoryEstimate.bytes (sized (w + 1) d b) > at && MemoryEstimate.bytes (sized w (d + 1) b) > at
                && MemoryEstimate.bytes (sized w d (b + 1)) > at))
        test "the demo fits; a depth of 10^6 is named as the cause, not the width beside it" {
            Expect.isEmpty (MemoryEstimate.errors (16.0 * 1024.0 ** 3.0) demo) "the demo fits in 16 GiB"
            let e = refusal (sized 64 1_000_000 256)
            Expect.equal (e.Field, e.Value) ("model.generator.mlp.network.depth", "1000000") "the depth is blamed"
            Expect.stringContains e.Reason "from width = 64, depth = 1000000" "the part's sizes, listed"
        }
        test "a prior of 10^8 dimensions is named as the cause of the generator's parameters" {
            let e = sized 64 2 256
            let wide =
                match e.Model.Generator with
                | GeneratorSpec.Mlp m -> { e with Model = { e.Model with Generator = GeneratorSpec.Mlp { m with Prior = { m.Prior with Dimension = 100_000_000 } } } }
                | _ -> failwith "an MLP generator"
            let r = refusal wide
            Expect.equal (r.Field, r.Value) ("model.generator.mlp.prior.dimension", "100000000") "the prior's dimension is blamed"
        }
        test "a conv critic's part names the batch size as the spec sets it (the critic sees twice as many images)" {
            match GanFlow.Experiments.Catalog.tryFind "seed003-mnist-dcgan-reduced" with
            | Some(Declared.Single e) ->
                let r = refusal { e with Budget = { e.Budget with BatchSize = 10_000_000 } }
                Expect.equal (r.Field, r.Value) ("budget.batchSize", "10000000") "the batch size as written, not doubled"
            | _ -> failtest "seed003-mnist-dcgan-reduced is a declared experiment"
        }
        test "a finite sample of 10^9 points is named as the cause (it was drawn for minutes before anything else ran)" {
            let ring = GanFlow.Core.Datasets.NamedDatasets.ring8
            let e = { demo with Data = GanFlow.Core.Datasets.DataSource.Sample(ring, GanFlow.Core.Datasets.FiniteSample.create 1_000_000_000 1_000 1_000 1) }
            let r = refusal e
            Expect.equal (r.Field, r.Value) ("data.sample.points", "1000000000") "the points"
            Expect.stringContains r.Reason "the finite sample" "the part"
            Expect.isEmpty (MemoryEstimate.errors (16.0 * 1024.0 ** 3.0) { e with Data = GanFlow.Core.Datasets.DataSource.Sample(ring, GanFlow.Core.Datasets.FiniteSample.create 100_000 1_000 1_000 1) }) "a sample of 10^5 fits"
        }
        test "a seed 002 trajectory's states are estimated from its steps, and too many are refused naming --steps" {
            let spec = { GanFlow.Core.Dynamics.DynamicsSpec.Default with Steps = 20_000_000 }
            let flags = GanFlow.Core.Dynamics.DynamicsFieldNames.Flags
            let bytes = MemoryEstimate.dynamicsParts flags spec |> List.sumBy _.Bytes
            // Measured: 20,000,000 optimal steps held 3.0 GB.
            Expect.isGreaterThan bytes 2.5e9 "about 3 GB"
            Expect.isLessThan bytes 3.5e9 "about 3 GB"
            Expect.isEmpty (MemoryEstimate.dynamicsErrors 16e9 flags { spec with Steps = 1_000 }) "1,000 steps fit anywhere"
            match MemoryEstimate.dynamicsErrors 2e9 flags spec with
            | [ e ] ->
                Expect.equal (e.Field, e.Value) ("--steps", "20000000") "the flag and its value"
                Expect.stringContains e.Reason "the run needs an estimated 2.7 GB" "the estimate"
                Expect.stringContains e.Reason "from --steps = 20000000" "what sets it"
                Expect.stringContains e.Reason "more than this machine's 1.9 GB" "what the machine has"
            | errors -> failtestf "expected one refusal, got %A" errors
            match MemoryEstimate.dynamicsErrors 2e9 (GanFlow.Core.Dynamics.DynamicsFieldNames.Spec "kind.panels[0].run.") spec with
            | [ e ] -> Expect.equal e.Field "kind.panels[0].run.steps" "a panel's field by its spec path"
            | errors -> failtestf "expected one refusal, got %A" errors
        }
        test "a width of 10^9 and a batch of 10^8 are each named where they are the cause" {
            let wide = refusal (sized 1_000_000_000 2 256)
            Expect.equal (wide.Field, wide.Value) ("model.generator.mlp.network.width", "1000000000") "the width"
            let batch = refusal (sized 64 2 100_000_000)
            Expect.equal (batch.Field, batch.Value) ("budget.batchSize", "100000000") "the batch size"
            Expect.stringContains batch.Reason "activations of one batch" "the part the batch size makes large"
        }
    ]
