/// Seed 001's NICE Flow-GAN on MNIST (MLE, ADV, Hybrid) as ordinary experiments on the one run path, on small MNIST
/// folders the tests write: MODE and Inception scores from the run's digit classifier at every evaluation (trained into
/// the run folder, copied from `--classifier`, read back on resume), 8-bit bits/dim, measurable learning, the tables
/// study with its shared classifier and the image baseline (Fig. 6), bad input refused with exit 2 before training; and
/// the laws of the classifier's mode scores.
module GanFlow.Tests.Seed001MnistTests

open System.IO
open Expecto
open FsCheck
open GanFlow.Cli
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Core.Images
open GanFlow.Core.Models
open GanFlow.Core.Training
open GanFlow.Experiments
open GanFlow.Store
open GanFlow.Tests.MnistTestSupport
open GanFlow.Tests.TestRuns

let private strokesFolder side = mnistFolder "" (ImageTestData.strokes 1 side 192) (ImageTestData.strokes 2 side 48)
let private strokes = lazy (strokesFolder 28)

/// A tiny classifier: 4 and 8 channels, 16 hidden units, one epoch.
let private tinyClassifier = { DigitClassifier.Default with FirstChannels = 4; SecondChannels = 8; Hidden = 16; Epochs = 1 }

/// A declared reduced seed 001 cell shrunk: NICE of 2 couplings with nets 784 → 32 → 32 → 784, a small critic and
/// classifier, batch 16, evaluations every `every` steps on 40 samples.
let private tiny (slug: string) (folder: string) (steps: int) (every: int) =
    let declared = Seed001Mnist.reduced |> List.find (fun e -> e.Name = sprintf "seed001-mnist-%s-reduced" slug)
    let flow = { NiceMnist.flow with Architecture = FlowArchitecture.Nice { Nice.Default with Couplings = 2; Width = 32; Depth = 3 }; Optimizer = Optimizer.Adam { LearningRate = 1e-3; Beta1 = 0.5; Beta2 = 0.9; WeightDecay = 0.0 } }
    let critic = CriticNetwork.Conv { ConvDiscriminator.Default with FirstChannels = 4; SecondChannels = 8; BatchNorm = false }
    let model =
        match declared.Model.Objective with
        | Objective.Adversarial game -> Model.FlowGan(flow, Objective.Adversarial { game with Critic = critic; CriticSteps = 2 })
        | Objective.Hybrid(game, lambda) -> Model.FlowGan(flow, Objective.Hybrid({ game with Critic = critic; CriticSteps = 2 }, lambda))
        | _ -> Model.Flow flow
    { declared with
        Name = "seed001-mnist-test-" + slug
        Data = DataSource.mnist folder
        Model = model
        Budget = { Steps = steps; BatchSize = 16; Epochs = None }
        Evaluation =
            { declared.Evaluation with
                Every = every
                Samples = 40
                FinalSamples = 40
                Classifier = Some tinyClassifier
                Jacobian = Some { JacobianSpectrum.Default with Draws = 2 }
                Parzen = Some { Parzen.Default with Samples = 30; Candidates = 5; Points = 16 }
                Ais = Some { Ais.Default with Chains = 2; Intermediates = 5; LeapfrogSteps = 2; Points = 3; SimulatedPoints = 0 } } }

let private column (out: string) (name: string) =
    let lines = File.ReadAllLines(Path.Combine(out, RunFiles.Metrics))
    let index = lines[0].Split ',' |> Array.findIndex ((=) name)
    lines[1..] |> Array.map (fun l -> float (l.Split ',').[index])

let private withoutWall (out: string) =
    let lines = File.ReadAllLines(Path.Combine(out, RunFiles.Metrics))
    let wall = lines[0].Split ',' |> Array.findIndex ((=) "wall_seconds")
    lines |> Array.map (fun l -> l.Split ',' |> Array.removeAt wall |> String.concat ",")

[<Tests>]
let tests =
    testSequenced <| testList "Seed 001 MNIST" [
        test "the declared seed 001 MNIST cells are NICE flows on seed 001's split with a conv critic without batch norm and a classifier" {
            for e in Seed001Mnist.paper @ Seed001Mnist.reduced do
                Expect.isEmpty (ExperimentValidation.errors e) e.Name
                match e.Model.Generator, e.Model.Objective with
                | GeneratorSpec.Flow { Architecture = FlowArchitecture.Nice _ }, objective ->
                    match objective with
                    | Objective.Adversarial g | Objective.Hybrid(g, _) ->
                        match g.Critic with
                        | CriticNetwork.Conv c -> Expect.isFalse c.BatchNorm (e.Name + ": the gradient penalty is per sample")
                        | other -> failtestf "%s: critic %A" e.Name other
                    | Objective.MaximumLikelihood -> ()
                    | other -> failtestf "%s: objective %A" e.Name other
                | other -> failtestf "%s: generator %A" e.Name other
                Expect.isSome e.Evaluation.Classifier (e.Name + ": MODE and Inception scores")
                match e.Data with
                | DataSource.Images i -> Expect.equal i.Data.Split MnistSplit.Seed001 (e.Name + ": seed 001's split")
                | other -> failtestf "%s: data %A" e.Name other
        }
        testCase "an MLE run learns, scores its samples with the classifier it trained into its folder, and reports 8-bit bits/dim" (fun () ->
            let out = scratchFolder "seed001-mle"
            let summary = runIn out (tiny "mle" strokes.Value 30 10) false None
            Expect.equal summary.Status RunStatus.Completed summary.Message
            let validation = column out "validation_nll"
            Expect.isLessThan (Array.min validation) (validation[0] - 200.0) "validation NLL 200 nats per image below its first value"
            for mode in column out "mode_score" do Expect.isTrue (mode > 0.0 && mode <= 10.0 + 1e-9) (sprintf "MODE %f in (0, 10]" mode)
            for inception in column out "inception_score" do Expect.isTrue (inception >= 1.0 - 1e-9 && inception <= 10.0 + 1e-9) "Inception in [1, 10]"
            for covered in column out "modes_covered" do Expect.isTrue (covered >= 0.0 && covered <= 10.0) "classes covered in 0..10"
            Expect.isTrue (column out "high_quality" |> Array.forall System.Double.IsNaN) "no component centres on images"
            // Seed 000's recall beside precision, in 784 pixels as in 1-D (k-NN balls on the evaluation's 40 samples).
            for name in [ "precision"; "recall"; "coverage" ] do
                for v in column out name do Expect.isTrue (v >= 0.0 && v <= 1.0) (sprintf "%s %f in [0, 1]" name v)
            for v in column out "density" do Expect.isTrue (v >= 0.0 && System.Double.IsFinite v) (sprintf "density %f finite, >= 0" v)
            let nll, bits = column out "nll", column out "bits_per_dim"
            Array.iter2 (fun n b -> Expect.floatClose Accuracy.high b (8.0 + n / (784.0 * log 2.0)) "bits/dim = 8 + NLL/(784 ln 2)") nll bits
            let heldOut = File.ReadAllText(Path.Combine(out, RunFiles.HeldOut))
            for key in [ "bestValidated"; "parzen"; "ais"; "jacobian" ] do Expect.stringContains heldOut key key
            Expect.isTrue (File.Exists(Path.Combine(out, RunFiles.Classifier))) "classifier.bin in the run folder"
            let jacobian = File.ReadAllLines(Path.Combine(out, RunFiles.Jacobian)) |> Array.filter ((<>) "")
            Expect.equal jacobian.Length (1 + 2 * 784) "784 singular values per draw")
        testCase "ADV and Hybrid runs with the conv critic finish, record their critic, and resume to the uninterrupted numbers" (fun () ->
            for slug in [ "adv"; "hybrid" ] do
                let e = tiny slug strokes.Value 6 2
                let whole, paused = scratchFolder ("seed001-whole-" + slug), scratchFolder ("seed001-paused-" + slug)
                let s = runIn whole e false None
                Expect.equal s.Status RunStatus.Completed s.Message
                Expect.isTrue (column whole "critic_loss" |> Array.forall System.Double.IsFinite) (slug + ": critic loss recorded")
                Expect.equal (runIn paused e false (Some 4)).Status RunStatus.Paused "paused at 4"
                Expect.equal (runIn paused e true None).Status RunStatus.Completed "resumed"
                Expect.equal (withoutWall paused) (withoutWall whole) (slug + ": the resumed metrics, MODE scores included, are the uninterrupted ones"))
        testCase "--classifier copies the given weights into the run folder; a file of another shape exits 2" (fun () ->
            let first = scratchFolder "seed001-own"
            runIn first (tiny "mle" strokes.Value 2 2) false None |> ignore
            let folder (label: string) = Directory.CreateDirectory(scratchFolder label).FullName
            let given = Path.Combine(folder "seed001-given", "weights.bin")
            File.Copy(Path.Combine(first, RunFiles.Classifier), given)
            let spec = Path.Combine(folder "seed001-spec", "spec.json")
            File.WriteAllText(spec, GanFlow.Core.Specs.SpecJson.serialize (tiny "mle" strokes.Value 2 2))
            let out = scratchFolder "seed001-copied"
            Expect.equal (Program.main [| "run"; "--spec"; spec; "--out"; out; "--classifier"; given; "--no-report" |]) 0 "exit 0"
            Expect.equal (File.ReadAllBytes(Path.Combine(out, RunFiles.Classifier))) (File.ReadAllBytes given) "the given weights"
            Expect.equal (column out "mode_score") (column first "mode_score") "the same classifier scores the same samples alike"
            let bad = Path.Combine(folder "seed001-bad", "weights.bin")
            File.WriteAllBytes(bad, [| 1uy; 2uy; 3uy |])
            let refused = scratchFolder "seed001-refused"
            Expect.equal (Program.main [| "run"; "--spec"; spec; "--out"; refused; "--classifier"; bad; "--no-report" |]) 2 "not a classifier: exit 2")
        testCase "bad input exits 2 before training, naming the field or file" (fun () ->
            let fresh () = Path.Combine(GanFlow.Tests.ReportTests.temporaryFolder (), "run")
            let refused args =
                let out = fresh ()
                Expect.equal (Program.main (Array.append args [| "--out"; out |])) 2 (sprintf "%A exits 2" args)
                Expect.isFalse (Directory.Exists out) "nothing written"
            refused [| "run"; "seed001-mnist-mle-reduced"; "--data"; "/nonexistent/mnist" |]
            refused [| "run"; "seed001-mnist-adv-reduced"; "--data"; strokesFolder 30 |]
            refused [| "run"; "seed001-mnist-hybrid-reduced"; "--data"; strokes.Value; "--steps"; "0" |]
            refused [| "run"; "seed001-mnist-mle-reduced"; "--data"; strokes.Value; "--classifier"; "/nonexistent/classifier.bin" |]
            refused [| "run"; "seed001-mnist-flowgan-tables"; "--data"; "/nonexistent/mnist" |]
            refused [| "run"; "seed001-flowgan-ring-mle"; "--classifier"; "/tmp/x.bin" |])
        test "a classifier on data that are not images is refused naming evaluation.classifier" {
            let e = { Experiment.create "x" "x" NamedDatasets.moons with Evaluation = { Evaluation.Default with Classifier = Some DigitClassifier.Default } }
            Expect.contains (ExperimentValidation.errors e |> List.map _.Field) "evaluation.classifier" "named"
        }
        testCase "the tables study trains one classifier, runs its cells, the image baseline, and writes Tables 1 and 3 with Fig. 6" (fun () ->
            let data = strokes.Value
            let cells = [ "mle"; "adv"; "hybrid" ] |> List.map (fun slug -> tiny slug data 2 2)
            let declared = Seed001Mnist.tablesReduced
            let study =
                { declared with
                    Name = "seed001-mnist-test-tables"
                    Cells = List.map2 (fun (c: StudyCell) e -> { c with Experiment = e }) declared.Cells cells
                    Table =
                        match declared.Table with
                        | Some(StudyTable.FlowGan t) -> Some(StudyTable.FlowGan { t with Baseline = { t.Baseline with Sigmas = [ 0.05; 0.5 ]; Samples = 10; Points = Some 8 } })
                        | other -> other }
            let out = GanFlow.Tests.ReportTests.temporaryFolder ()
            Expect.equal (StudyCommand.run study out "cpu" 1 false false None "ganflow run STUDY") 0 "exit code"
            for file in [ RunFiles.StudyTable; RunFiles.StudyTableCsv; RunFiles.Report; RunFiles.Classifier; RunFiles.StudyBaseline "MNIST" ] do
                Expect.isTrue (File.Exists(Path.Combine(out, file))) (sprintf "%s written" file)
            let shared = File.ReadAllBytes(Path.Combine(out, RunFiles.Classifier))
            for cell in cells do
                Expect.equal (File.ReadAllBytes(Path.Combine(out, cell.Name, RunFiles.Classifier))) shared (cell.Name + " scores with the study's classifier")
            let md = File.ReadAllText(Path.Combine(out, RunFiles.StudyTable))
            for text in [ "MNIST"; "memorizing mixture"; "-3334.56"; "Table 3" ] do Expect.stringContains md text text
            let html = File.ReadAllText(Path.Combine(out, RunFiles.Report))
            Expect.stringContains html "baseline MODE score" "Fig. 6's curve in the report"
            File.Delete(Path.Combine(out, RunFiles.StudyTable))
            Expect.equal (ReportCommand.run out) 0 "report on the study folder"
            Expect.equal (File.ReadAllText(Path.Combine(out, RunFiles.StudyTable))) md "the rebuilt table is the study's"
            // A rerun with another baseline spec keeps the cells and the classifier and computes the baseline again.
            let curvePoints () =
                (GanFlow.Core.Specs.SpecJson.deserialize<GanFlow.Core.Baselines.ImageBaseline> (File.ReadAllText(Path.Combine(out, RunFiles.StudyBaseline "MNIST")))).Curve.Curve.Length
            Expect.equal (curvePoints ()) 2 "two bandwidths"
            let wider =
                { study with
                    Table =
                        match study.Table with
                        | Some(StudyTable.FlowGan t) -> Some(StudyTable.FlowGan { t with Baseline = { t.Baseline with Sigmas = [ 0.05; 0.2; 0.5 ] } })
                        | other -> other }
            let summaries () = cells |> List.map (fun c -> File.ReadAllText(Path.Combine(out, c.Name, RunFiles.Summary)))
            let before = summaries ()
            Expect.equal (StudyCommand.run wider out "cpu" 1 false false None "ganflow run STUDY") 0 "rerun"
            Expect.equal (curvePoints ()) 3 "the baseline is computed again for the new bandwidths"
            Expect.equal (summaries ()) before "the completed cells are kept"
            Expect.equal (File.ReadAllBytes(Path.Combine(out, RunFiles.Classifier))) shared "the classifier is kept"
            // A given classifier replaces the trained one in the study folder (and the baseline that depends on it).
            let given = Path.Combine(Directory.CreateDirectory(scratchFolder "seed001-study-given").FullName, "weights.bin")
            File.Copy(Path.Combine(out, RunFiles.Classifier), given)
            Expect.equal (StudyCommand.run wider out "cpu" 1 false false (Some given) "ganflow run STUDY") 0 "rerun with --classifier"
            Expect.stringContains (File.ReadAllText(Path.Combine(out, RunFiles.StudyClassifierInputs))) "givenSha256" "what it was made from")
        testCase "the digit classifier trains to the same finite weights every time, in float64" (fun () ->
            // The classifier trains in float64 (its saved files are float64; docs/mnist-data.md) and, like every run, on
            // libtorch's own convolution kernels (oneDNN's read uninitialised memory: CpuKernels, docs/platform.md).
            GanFlow.Runtime.Devices.TorchSetup.Initialize 1
            let images = ImageTestData.strokes 1 28 192
            let weights () =
                use network = GanFlow.Runtime.Images.DigitClassifierTrainer.Train(tinyClassifier, images, TorchSharp.torch.CPU)
                Expect.isTrue (network.parameters() |> Seq.forall (fun p -> p.dtype = TorchSharp.torch.ScalarType.Float64)) "float64 parameters"
                network.parameters() |> Seq.collect (fun p -> p.data<float>().ToArray()) |> Array.ofSeq
            let first = weights ()
            Expect.isTrue (first |> Array.forall System.Double.IsFinite) "finite weights"
            Expect.equal (weights ()) first "the same weights")
        testProperty "the classifier's Inception score lies in [1, classes], and one-hot posteriors spread evenly over k classes score k" <| fun (seed: int) (k: int) ->
            let k = 1 + abs k % 10
            let rng = System.Random seed
            let posteriors =
                Array.init 50 (fun _ ->
                    let raw = Array.init 10 (fun _ -> rng.NextDouble() + 1e-3)
                    let total = Array.sum raw
                    raw |> Array.map (fun v -> v / total))
            let scores = GanFlow.Core.Metrics.SampleQuality.ofPosteriors posteriors
            let even = GanFlow.Core.Metrics.SampleQuality.ofPosteriors (Array.init (10 * k) (fun i -> Array.init 10 (fun c -> if c = i % k then 1.0 else 0.0)))
            scores.InceptionScore >= 1.0 - 1e-9 && scores.InceptionScore <= 10.0 + 1e-9
            && abs (even.InceptionScore - float k) < 1e-9 && even.ModesCovered = k
    ]
