module GanFlow.Tests.ReportTests

open System.IO
open Expecto
open GanFlow.Core.Specs
open GanFlow.Core.Datasets
open GanFlow.Core.Experiments
open GanFlow.Report
open GanFlow.Store

/// Writes a run folder as the runtime would, with model samples drawn from the true dataset.
let writeFakeRun (directory: string) (experiment: Experiment) (finalW1: float) =
    Directory.CreateDirectory directory |> ignore
    FolderMarker.For(FolderKind.Run).Write directory
    File.WriteAllText(Path.Combine(directory, RunFiles.Spec), SpecJson.serialize experiment)
    let rows =
        [ for step in [ 100; 200; 300 ] ->
            GanFlow.Tests.Records.ganRecord step (finalW1 * 4.0 / float step * 100.0) finalW1 (if step = 200 then -0.01 else finalW1) 0.01 0.5 -0.5 (float step / 100.0) ]
    let csv =
        "step,w1,w1_exact,critic_w1,energy,generator_loss,critic_loss,wall_seconds,nll,inverse_error\n"
        + (rows
           |> List.map (fun r -> sprintf "%d,%g,%g,%g,%g,%g,%g,%g,NaN,NaN" r.Step r.W1 r.W1Exact r.CriticW1 r.Energy r.GeneratorLoss r.CriticLoss r.WallSeconds)
           |> String.concat "\n")
    File.WriteAllText(Path.Combine(directory, RunFiles.Metrics), csv)
    let summary =
        { Experiment = experiment.Name; Seed = experiment.Seed; Status = RunStatus.Completed; Message = ""
          StepsCompleted = experiment.Budget.Steps; WallSeconds = 3.0; Device = "cpu"; GeneratorParameters = 10; CriticParameters = 10
          Final = Some { List.last rows with Samples = { (List.last rows).Samples with W1 = Some finalW1 } }; Splits = None }
    File.WriteAllText(Path.Combine(directory, RunFiles.Summary), SpecJson.serialize summary)
    let samples = Sampling.sample (System.Random 3) experiment.Law.Value 5_000
    File.WriteAllLines(Path.Combine(directory, RunFiles.Samples), samples |> Array.map (fun v -> v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))

/// A fresh empty folder under the temporary directory.
let temporaryFolder () =
    let path = TestFolders.fresh "report"
    Directory.CreateDirectory path |> ignore
    path

[<Tests>]
let tests =
    testList "report" [
        test "the report's labels say what each number was computed on, with the true count, for every data source" {
            // A run on a sample file was labelled "on fresh data" and "(1,000 data points)" with 300 validation points.
            let law = GanFlow.Experiments.WganGpUnimodalDemo.experiment
            let describe (e: Experiment) splits samples = EvaluationData.describe e splits samples
            Expect.equal (describe law None 1_000) "1,000 fresh draws of the law" "a law"
            let finite = { law with Data = DataSource.Sample(law.Law.Value, FiniteSample.create 5_000 500 500 0) }
            Expect.equal (describe finite (Some { Train = 4_000; Validation = 500; Test = 500 }) 1_000)
                "1,000 draws (with replacement) from the training split of 4,000 points" "a finite sample of a law"
            let file = { law with Data = DataSource.File(SampleFileSource.create "/data/pts.csv" 1) }
            let splits = Some { Train = 2_400; Validation = 300; Test = 300 }
            Expect.equal (describe file splits 100_000) "the 300 points of the validation split" "a file, the whole split"
            Expect.equal (describe file splits 100) "the first 100 of the 300 points of the validation split" "a file, its first points"
            Expect.equal (describe file None 1_000) "the first points of the validation split" "a file's run of an earlier version: no count invented"
            let images = { law with Data = DataSource.mnist "/data/mnist" }
            Expect.equal (describe images (Some { Train = 60_000; Validation = 0; Test = 10_000 }) 500) "the first 500 of the 10,000 points of the test split" "images without a validation split"
            Expect.equal (EvaluationData.ofSplitNll file splits "training") "the 2,400 points of the training split" "train_nll"
            Expect.equal (EvaluationData.ofSplitNll images (Some { Train = 50_000; Validation = 10_000; Test = 10_000 }) "training") "the first 10,000 of the 50,000 points of the training split" "train_nll's first 10,000"
            Expect.isTrue (EvaluationData.nllIsValidationNll file splits 1_000) "a file's nll is its validation NLL"
            Expect.isFalse (EvaluationData.nllIsValidationNll finite (Some { Train = 4_000; Validation = 500; Test = 500 }) 1_000) "not for a finite sample of a law"
            // Precision and recall: k-NN balls on at most RecallScores.Points of the evaluation's points; for a finite
            // sample of a law, fresh draws (the evaluation's draws from the training split repeat points).
            Expect.equal (EvaluationData.ofRecall law None 100_000) "10,000 fresh draws of the law" "a law, the first 10,000"
            Expect.equal (EvaluationData.ofRecall finite (Some { Train = 4_000; Validation = 500; Test = 500 }) 1_000) "1,000 fresh draws of the law"
                "a finite sample of a law: fresh draws, not the training split's"
            Expect.equal (EvaluationData.ofRecall file splits 100_000) "the 300 points of the validation split" "a file: its validation split"
            Expect.equal (EvaluationData.ofRecall images (Some { Train = 50_000; Validation = 20_000; Test = 10_000 }) 50_000)
                "the first 10,000 of the 20,000 points of the validation split" "images: the first 10,000 of the split"
        }
        test "a run report says when the folder's completed run is being extended and the extension has not finished" {
            let dir = temporaryFolder ()
            let e = GanFlow.Experiments.WganGpUnimodalDemo.experiment
            writeFakeRun dir e 0.02
            Expect.isFalse ((File.ReadAllText(RunReport.write dir)).Contains "its extension to") "a completed run: nothing said"
            // `--resume --steps N` rewrites spec.json first; a kill then leaves the earlier summary.json.
            File.WriteAllText(Path.Combine(dir, RunFiles.Spec), SpecJson.serialize { e with Budget = { e.Budget with Steps = 2 * e.Budget.Steps } })
            let html = File.ReadAllText(RunReport.write dir)
            Expect.stringContains html (sprintf "Completed at step %d; its extension to %d steps is unfinished" e.Budget.Steps (2 * e.Budget.Steps)) "said in the status"
        }
        test "a report rebuilt from the same folder is the same bytes (no random element ids), its charts' ids distinct" {
            let dir = temporaryFolder ()
            writeFakeRun dir GanFlow.Experiments.WganGpUnimodalDemo.experiment 0.02
            let first = File.ReadAllBytes(RunReport.write dir)
            let second = File.ReadAllBytes(RunReport.write dir)
            Expect.isTrue (first = second) "byte for byte"
            let html = System.Text.Encoding.UTF8.GetString first
            let ids = System.Text.RegularExpressions.Regex.Matches(html, "<div id=\"([^\"]+)\"") |> Seq.map _.Groups[1].Value |> List.ofSeq
            Expect.isGreaterThanOrEqual ids.Length 3 "a div per chart"
            Expect.equal (List.distinct ids) ids "each chart its own id"
            for id in ids do Expect.stringContains html (sprintf "newPlot('%s'," id) "each chart drawn into its own div"
        }
        test "a run report embeds plotly.js and draws density, W1 and loss charts without any network reference" {
            let dir = temporaryFolder ()
            writeFakeRun dir GanFlow.Experiments.WganGpUnimodalDemo.experiment 0.02
            let path = RunReport.write dir
            let html = File.ReadAllText path
            Expect.isGreaterThan html.Length 3_000_000 "plotly.js (~3.5 MB) is inline"
            Expect.isFalse (html.Contains "src=\"http") "no script loaded from the network"
            let plots = System.Text.RegularExpressions.Regex.Matches(html, "Plotly.newPlot").Count
            Expect.isGreaterThanOrEqual plots 3 "three charts"
            // (Expect.isTrue rather than stringContains: a failure must not print 3.5 MB of HTML.)
            Expect.isTrue (html.Contains "true density") "density chart"
            Expect.isTrue (html.Contains "W1 estimate (eq. 9)") "critic series"
            Expect.isTrue (html.Contains "model mass outside the data&#39;s support") "mode diagnostics row"
            Expect.isTrue (html.Contains "final JS, KDE of the samples vs the exact density") "JS beside W1"
            Expect.isTrue (html.Contains "2 of 3") "the negative estimate (step 200) and the underestimate (step 100) are counted"
        }
        test "a GAN density chart covers the model's samples when they lie outside the data's range, and says how many it leaves out" {
            let dir = temporaryFolder ()
            writeFakeRun dir GanFlow.Experiments.WganGpUnimodalDemo.experiment 0.02
            // The unimodal data live in [4.5, 5.5]; this model put its mass near 20, plus one far outlier.
            let samples = Array.append (Sampling.sample (System.Random 4) (Distribution.Gaussian(20.0, 1.0)) 4_999) [| 1e6 |]
            File.WriteAllLines(Path.Combine(dir, RunFiles.Samples), samples |> Array.map (fun v -> v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
            let grid, outside = Charts.densityGrid (RunData.load dir)
            Expect.isLessThan grid[0] 4.5 "the data's range is kept"
            Expect.isGreaterThan grid[grid.Length - 1] 21.0 "the model's mass near 20 is on the chart"
            Expect.isLessThan grid[grid.Length - 1] 100.0 "one outlier does not flatten the chart"
            Expect.isGreaterThanOrEqual outside 1 "the outlier is counted as outside"
            let html = File.ReadAllText(RunReport.write dir)
            Expect.isTrue (html.Contains "lie outside the plotted range") "the title says so"
            Expect.isTrue (html.Contains "\"text\":\"loss\"") "the losses chart has a y-axis title"
        }
        test "a study report writes the table in the paper's layout with the paper's values beside ours" {
            let dir = temporaryFolder ()
            let study = GanFlow.Experiments.Seed000Table2.study
            for cell in study.Cells do
                writeFakeRun (StudyReport.cellFolder dir cell) cell.Experiment 0.05
            let table = StudyReport.write dir study
            Expect.stringContains table "| baseline | 0.0500 (0.0087) | 0.0500 (0.4814) |" "baseline row"
            Expect.stringContains table "| with ResNet |" "last row"
            Expect.isTrue (File.Exists(Path.Combine(dir, "table.csv"))) "csv"
            Expect.isTrue (File.Exists(Path.Combine(dir, "report.html"))) "html"
        }
        test "a study report overlays every model's density on the truth, one Figure 1 panel per 1-D dataset" {
            let dir = temporaryFolder ()
            let study = GanFlow.Experiments.Seed000Table1.study
            for cell in study.Cells do
                writeFakeRun (StudyReport.cellFolder dir cell) cell.Experiment 0.05
            StudyReport.write dir study |> ignore
            let html = File.ReadAllText(Path.Combine(dir, "report.html"))
            for column in study.Columns do
                Expect.stringContains html (sprintf "%s: true density and every model's (Figure 1)" column) (sprintf "%s panel" column)
            for row in study.Rows do
                Expect.stringContains html (sprintf "\"%s (KDE)\"" row) (sprintf "%s trace" row)
            Expect.stringContains html "WGAN / unimodal" "the critic diagnosis lists the GAN cells"
            Expect.isFalse (html.Contains "GF / unimodal") "and not the flows, which have no critic"
            // Recall beside precision: every cell on the precision–recall plane, in table.md and precision-recall.csv.
            Expect.stringContains html "every model's final precision against recall" "the precision–recall plane"
            let md = File.ReadAllText(Path.Combine(dir, RunFiles.StudyTable))
            Expect.stringContains md "| precision / recall | unimodal | multimodal |" "table.md gains the precision / recall table"
            // writeFakeRun's final record is Records.ganRecord at step 300, whose precision and recall follow its w1 argument.
            let last = (Records.ganRecord 300 (0.05 * 4.0 / 300.0 * 100.0) 0.05 0.05 0.01 0.5 -0.5 3.0).Samples.PrecisionRecall
            Expect.stringContains md (sprintf "| GF | %.3f / %.3f |" last.Precision last.Recall) "a cell: precision / recall of its final evaluation"
            let csv = File.ReadAllLines(Path.Combine(dir, RunFiles.StudyPrecisionRecall))
            Expect.equal csv[0] "variant,column,precision,recall,density,coverage" "header"
            Expect.hasLength csv (1 + study.Cells.Length) "one row per cell"
            Expect.exists csv (fun l -> l.StartsWith "WGAN,multimodal,") "a row names its variant and column"
        }
        test "a flow run's report draws the trajectories chart when trajectories.csv is there, and only then" {
            let dir = temporaryFolder ()
            let experiment =
                { Experiment.create "fake-flow" "fake 1-D flow run" (Distribution.Gaussian(2.0, 0.5)) with
                    Model = GanFlow.Core.Models.Model.Flow GanFlow.Core.Models.Flow.gaussianization1d }
            writeFakeRun dir experiment 0.02
            let title = "Trajectories of 3 data points through the flow"
            Expect.isFalse (File.ReadAllText(RunReport.write dir).Contains title) "no chart without the file"
            let states = [| [| 1.5; 2.0; 2.5 |]; [| -0.4; 0.1; 0.6 |]; [| -1.0; 0.0; 1.0 |] |]
            GanFlow.Store.RunStore(dir).WriteTrajectories([| "x"; "marginal 1"; "marginal 2" |], states, 1)
            let data = RunData.load dir
            Expect.sequenceEqual data.Trajectories.Labels [| "x"; "marginal 1"; "marginal 2" |] "labels read back"
            Expect.sequenceEqual (data.Trajectories.Paths |> Array.map (Array.map (fun c -> c[0]))) [| [| 1.5; -0.4; -1.0 |]; [| 2.0; 0.1; 0.0 |]; [| 2.5; 0.6; 1.0 |] |] "one path per point"
            let html = File.ReadAllText(RunReport.write dir)
            Expect.isTrue (html.Contains title) "trajectories chart"
            Expect.isTrue (html.Contains "marginal 2") "stage labels on the axis"
        }
        test "a standardized flow's trajectories are drawn from the standardized points, not from x in data units" {
            let dir = temporaryFolder ()
            let experiment =
                { Experiment.create "fake-standardized-flow" "fake 1-D flow run" (Distribution.Gaussian(40.0, 5.0)) with
                    Model = GanFlow.Core.Models.Model.Flow { GanFlow.Core.Models.Flow.gaussianization1d with Standardize = true } }
            writeFakeRun dir experiment 0.02
            let states = [| [| 35.0; 40.0 |]; [| -1.0; 0.0 |]; [| -0.9; 0.1 |] |]
            GanFlow.Store.RunStore(dir).WriteTrajectories([| "x"; "standardized"; "marginal 1" |], states, 1)
            let html = File.ReadAllText(RunReport.write dir)
            Expect.stringContains html "Trajectories of 2 data points through the flow (standardized → marginal 1, 2 stages), from the standardized data" "title"
        }
        test "a malformed trajectories.csv gives an error naming the file and the line" {
            let dir = temporaryFolder ()
            let path = Path.Combine(dir, RunFiles.Trajectories)
            let expectError (content: string) (expected: string) =
                File.WriteAllText(path, content)
                let error = Expect.throwsC (fun () -> FlowTrajectories.read path |> ignore) id
                Expect.stringContains error.Message expected content
            expectError "point,stage,label,x\n0,0,x,1.0\n0,1,t = 1,oops\n" "trajectories.csv line 3"
            expectError "point,stage,label,x\n0,0,x,1.0\n0,1,z,2.0\n1,0,x,3.0\n" "point 1 has 1 stages, point 0 has 2"
        }
        test "a folder that is not a run folder gives an error naming the missing file" {
            let dir = temporaryFolder ()
            try
                RunReport.write dir |> ignore
                failtest "expected an error"
            with e when not (e :? Expecto.AssertException) ->
                Expect.stringContains e.Message "spec.json" "names the missing file"
        }
    ]
