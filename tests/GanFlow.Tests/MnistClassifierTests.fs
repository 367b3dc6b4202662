/// The digit classifier (spec in Core, CNN and training in the runtime) on a learnable set of images the test writes
/// as IDX files and reads back through the MNIST loader.
module GanFlow.Tests.MnistClassifierTests

open Expecto
open TorchSharp
open GanFlow.Core.Images
open GanFlow.Core.Metrics
open GanFlow.Core.Specs
open GanFlow.Runtime.Images
open GanFlow.Store
open GanFlow.Tests.MnistTestSupport

/// `count` 28 × 28 images of a learnable kind: class k is a 6 × 6 block of ink at one of ten places (two rows of five,
/// shifted by up to 2 pixels vertically and 1 horizontally) on background noise of 0-80.
let private blocks (seed: int) (count: int) : ImageSet =
    let rng = System.Random seed
    let pixels = Array.init (count * 784) (fun _ -> byte (rng.Next 81))
    let labels = Array.init count (fun _ -> byte (rng.Next 10))
    for i in 0 .. count - 1 do
        let k = int labels[i]
        let top = 3 + 10 * (k / 5) + rng.Next(-2, 3)
        let left = 1 + 5 * (k % 5) + rng.Next(-1, 2)
        for r in top .. top + 5 do
            for c in left .. left + 5 do
                pixels[i * 784 + r * 28 + c] <- byte (200 + rng.Next 56)
    { Rows = 28; Columns = 28; Pixels = pixels; Labels = labels }

let private small = { DigitClassifier.Default with FirstChannels = 8; SecondChannels = 16; Hidden = 32; Epochs = 4; BatchSize = 32 }

[<Tests>]
let tests =
    testList "Mnist classifier" [
        test "the classifier learns a learnable IDX set: test accuracy above 0.9, and its posteriors score near 10 classes" {
            FlowTestSupport.useOneThread ()
            let splits = MnistFolder.Load(mnistFolder ".gz" (blocks 1 1_000) (blocks 2 300), MnistSplit.Seed003)
            let losses = ResizeArray<float>()
            use model = DigitClassifierTrainer.Train(small, splits.Train, torch.CPU, fun r -> losses.Add r.MeanLoss)
            Expect.equal losses.Count 4 "one report per epoch"
            Expect.isLessThan losses[3] (losses[0] / 2.0) "the training loss falls"
            let accuracy = DigitClassifierTrainer.Accuracy(model, splits.Test)
            Expect.isGreaterThan accuracy 0.9 "test accuracy (chance: 0.1)"
            use inputs = DigitClassifierTrainer.Inputs(splits.Test, torch.CPU)
            let posteriors = DigitClassifierTrainer.Posteriors(model, inputs)
            Expect.equal posteriors.Length 300 "one row per image"
            Expect.all posteriors (fun p -> abs (Array.sum p - 1.0) < 1e-5) "each row a distribution"
            Expect.isGreaterThan (SampleQuality.inceptionScore posteriors) 6.0 "Inception score of the test images (at most 10)"
            Expect.isGreaterThan (SampleQuality.modeScore (Array.create 10 0.1) posteriors) 6.0 "MODE score against uniform classes"
            let oneClass = posteriors |> Array.filter (fun p -> Array.max p = p[3])
            Expect.isLessThan (SampleQuality.inceptionScore oneClass) 2.0 "images of one predicted class score near 1"
        }
        test "the same seed trains the same classifier, and the network has the spec's parameter count" {
            FlowTestSupport.useOneThread ()
            let train = blocks 3 96
            let tiny = { small with Epochs = 1 }
            use a = DigitClassifierTrainer.Train(tiny, train, torch.CPU)
            use b = DigitClassifierTrainer.Train(tiny, train, torch.CPU)
            use inputs = DigitClassifierTrainer.Inputs(train, torch.CPU)
            Expect.equal (DigitClassifierTrainer.Posteriors(a, inputs)) (DigitClassifierTrainer.Posteriors(b, inputs)) "deterministic on CPU"
            use c = DigitClassifierTrainer.Train({ tiny with Seed = 2 }, train, torch.CPU)
            Expect.notEqual (DigitClassifierTrainer.Posteriors(c, inputs)) (DigitClassifierTrainer.Posteriors(a, inputs)) "another seed"
            let count (m: torch.nn.Module) = m.parameters () |> Seq.sumBy (fun p -> p.numel ())
            use full = new DigitClassifierNetwork(DigitClassifier.Default, 28, 1L)
            Expect.equal (count full) 421_642L "default on 28 × 28: 320 + 18,496 + 401,536 + 1,290"
            Expect.equal (count full) (int64 (DigitClassifier.parameterCount 28 DigitClassifier.Default)) "the formula"
            Expect.equal (count a) (int64 (DigitClassifier.parameterCount 28 tiny)) "the formula, small"
        }
        test "a bad spec or images the network cannot take are refused before training, naming the field and value" {
            let refused spec images =
                try
                    DigitClassifierTrainer.Train(spec, images, torch.CPU) |> ignore
                    failtest "expected a SpecValidationException"
                with SpecValidationException errors -> errors |> List.map _.Field
            Expect.equal (refused { small with Epochs = 0 } (blocks 1 4)) [ "classifier.epochs" ] "epochs"
            Expect.contains (refused small (randomSet 1 4 30 30)) "images.rows" "30 is not a multiple of 4"
            Expect.contains (refused small (randomSet 1 4 28 24)) "images.size" "not square"
            Expect.contains (refused small (randomSet 1 0 28 28)) "images.count" "no images"
        }
        test "ganflow data classifier trains on a MNIST folder, saves weights that load back, and refuses an existing file" {
            FlowTestSupport.useOneThread ()
            let dir = mnistFolder "" (blocks 4 200) (blocks 5 50)
            let out = System.IO.Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "classifier.bin")
            Expect.equal (GanFlow.Cli.Program.main [| "data"; "classifier"; "--data"; dir; "--out"; out; "--epochs"; "1" |]) 0 "exit code"
            use loaded = DigitClassifierNetwork.Load(DigitClassifier.Default, 28, out)
            use retrained = DigitClassifierTrainer.Train({ DigitClassifier.Default with Epochs = 1 }, blocks 4 200, torch.CPU)
            let test = blocks 5 50
            use inputs = DigitClassifierTrainer.Inputs(test, torch.CPU)
            // The command trains on 2 threads, this test on 1: equal up to the order of float32 sums.
            let saved, fresh = DigitClassifierTrainer.Posteriors(loaded, inputs), DigitClassifierTrainer.Posteriors(retrained, inputs)
            Expect.all (Array.zip (Array.concat saved) (Array.concat fresh)) (fun (a, b) -> abs (a - b) < 1e-4) "the saved network"
            let before = System.IO.File.ReadAllBytes out
            Expect.equal (GanFlow.Cli.Program.main [| "data"; "classifier"; "--data"; dir; "--out"; out |]) 2 "an existing file is refused"
            Expect.equal (System.IO.File.ReadAllBytes out) before "and left as it was"
            Expect.equal (GanFlow.Cli.Program.main [| "data"; "classifier"; "--data"; dir + "-missing"; "--out"; out + "2" |]) 2 "a missing folder"
        }
    ]
