/// metrics.csv holds exactly the columns of what a run's model can do, and files of earlier versions still read.
module GanFlow.Tests.MetricsCsvTests

open Expecto
open GanFlow.Core.Datasets
open GanFlow.Core.Models
open GanFlow.Core.Experiments
open GanFlow.Store

let private columnsOf (e: Experiment) = MetricColumns.ofExperiment e |> List.map _.Name

let private experiment dataset model = { Experiment.create "columns" "" dataset with Model = model }

[<Tests>]
let tests =
    testList "metrics csv" [
        test "the columns follow the model: a GAN has a critic and no density, a flow a density and no critic, a Flow-GAN both" {
            let gan = columnsOf (experiment NamedDatasets.unimodal (Model.Gan Gan.Default))
            let recall = [ "precision"; "recall"; "density"; "coverage" ]
            Expect.equal gan ([ "step"; "w1"; "w1_exact"; "critic_w1"; "energy"; "generator_loss"; "critic_loss"; "wall_seconds" ] @ recall) "GAN, 1-D"
            let flow = columnsOf (experiment NamedDatasets.moons (Model.Flow Flow.realNvpMoons))
            Expect.equal flow ([ "step"; "energy"; "generator_loss"; "wall_seconds"; "nll"; "inverse_error"; "latent_inverse_error"; "bits_per_dim" ] @ recall) "RealNVP, 2-D: no W1, no critic, no NFE; recall beside precision in any dimension"
            let ffjord = columnsOf (experiment NamedDatasets.unimodal (Model.Flow Flow.ffjord1d))
            Expect.contains ffjord "nfe" "a continuous flow counts its function evaluations"
            let flowGan = columnsOf (experiment NamedDatasets.moons (Model.FlowGan(Flow.realNvpMoons, Objective.Adversarial Adversarial.WganGp)))
            Expect.containsAll flowGan [ "critic_w1"; "critic_loss"; "nll"; "bits_per_dim" ] "a Flow-GAN has both"
        }
        test "a file round-trips through its columns, and a record without a column's metric cannot be written under it" {
            let e = experiment NamedDatasets.unimodal (Model.Gan Gan.Default)
            let columns = MetricColumns.ofExperiment e |> ResizeArray
            let records = [ Records.ganRecord 10 0.5 0.4 -0.1 0.01 1.0 -2.0 3.5; Records.ganRecord 20 0.25 0.2 0.1 0.02 1.5 -1.0 7.0 ]
            let text = MetricsCsv.Format(columns, records)
            Expect.equal (List.ofSeq (MetricsCsv.Parse(text, "m.csv"))) records "same records"
            let flowColumns = MetricColumns.ofExperiment (experiment NamedDatasets.unimodal (Model.Flow Flow.gaussianization1d)) |> ResizeArray
            Expect.throwsT<System.InvalidOperationException> (fun () -> MetricsCsv.Format(flowColumns, records) |> ignore) "a GAN record has no NLL"
        }
        test "a file written before the columns followed the model (every column, NaN where absent) reads with those metrics absent" {
            let legacy =
                "step,w1,w1_exact,critic_w1,energy,generator_loss,critic_loss,wall_seconds,nll,inverse_error,nfe,latent_inverse_error\n"
                + "100,0.5,0.4,NaN,0.01,1.25,NaN,2.5,1.5,1e-12,NaN,2e-12\n"
            let r = MetricsCsv.Parse(legacy, "old.csv") |> Seq.exactlyOne
            Expect.isTrue (System.Double.IsNaN r.Samples.PrecisionRecall.Recall) "no recall in a file written before runs recorded it"
            Expect.isNone r.Critic "a flow had no critic"
            Expect.equal (r.Density |> Option.map _.Nll) (Some 1.5) "its NLL"
            Expect.isNone (r.Density |> Option.bind _.FunctionEvaluations) "no NFE for a discrete flow"
            let gan = "step,w1,w1_exact,critic_w1,energy,generator_loss,critic_loss,wall_seconds,nll,inverse_error\n100,0.5,0.4,0.3,0.01,1.25,-1,2.5,NaN,NaN\n"
            let g = MetricsCsv.Parse(gan, "old.csv") |> Seq.exactlyOne
            Expect.isNone g.Density "a GAN had no density"
            Expect.equal (g.Critic |> Option.map _.CriticW1) (Some 0.3) "its critic"
        }
        test "an unknown column or a missing required one is an error naming the file and the line" {
            Expect.throwsT<RunFolderException> (fun () -> MetricsCsv.Parse("step,w2,energy,generator_loss,wall_seconds\n", "bad.csv") |> ignore) "unknown column"
            let e = try (MetricsCsv.Parse("step,w2\n", "bad.csv") |> ignore; "") with :? RunFolderException as e -> e.Message
            Expect.stringContains e "bad.csv line 1" "names the file and the line"
            Expect.stringContains e "w2" "names the column"
            let missing = try (MetricsCsv.Parse("step,w1\n", "bad.csv") |> ignore; "") with :? RunFolderException as e -> e.Message
            Expect.stringContains missing "energy" "names the missing column"
        }
    ]
