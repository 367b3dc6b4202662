namespace GanFlow.Core.Specs

open System.Text.Json
open System.Text.Json.Nodes
open System.Text.Json.Serialization
open GanFlow.Core.Models

/// The model spec of files written before a model was a generator and an objective: `{"Gan": …}` or `{"Flow": …}`.
[<RequireQualifiedAccess>]
type private LegacyModel =
    | Gan of Gan
    | Flow of Flow

/// JSON form of specs and results (FSharp.SystemTextJson): unions as {"Case": fields}, records
/// as objects with camelCase names, an evaluation as one flat object of its metrics. Used for `spec.json`
/// and `summary.json`.
module SpecJson =

    let options =
        let o = JsonSerializerOptions()
        o.Converters.Add(GanFlow.Core.Experiments.EvaluationRecordJson())
        o.Converters.Add(
            JsonFSharpConverter(
                JsonUnionEncoding.ExternalTag
                ||| JsonUnionEncoding.NamedFields
                ||| JsonUnionEncoding.UnwrapFieldlessTags
                ||| JsonUnionEncoding.UnwrapOption
            )
        )
        o.WriteIndented <- true
        o.PropertyNamingPolicy <- JsonNamingPolicy.CamelCase
        o.NumberHandling <- JsonNumberHandling.AllowNamedFloatingPointLiterals
        o

    let serialize<'T> (value: 'T) : string = JsonSerializer.Serialize<'T>(value, options)

    /// Rewrites, wherever a field `model` holds an older file's `{"Gan": …}` or `{"Flow": …}`, the model as a generator
    /// and an objective (`Model.Gan`, `Model.Flow`): the same model, so a run folder written before can still be
    /// reported, resumed and compared field by field.
    /// Returns whether anything was rewritten.
    let rec private upgrade (node: JsonNode | null) : bool =
        match node with
        | :? JsonObject as o ->
            let mutable changed = false
            for key in o |> Seq.map (fun kv -> kv.Key) |> List.ofSeq do
                let value = o[key]
                match value with
                | :? JsonObject as m when key = "model" && m.Count = 1 && (m.ContainsKey "Gan" || m.ContainsKey "Flow") ->
                    let model =
                        match m.Deserialize<LegacyModel>(options) with
                        | LegacyModel.Gan g -> Model.Gan g
                        | LegacyModel.Flow f -> Model.Flow f
                    o[key] <- JsonSerializer.SerializeToNode<Model>(model, options)
                    changed <- true
                | _ -> changed <- upgrade value || changed
            changed
        | :? JsonArray as a -> a |> Seq.fold (fun changed item -> upgrade item || changed) false
        | _ -> false

    /// Parses `json` as a 'T. Text that needs no upgrade is read directly, so that errors name the line.
    let deserialize<'T> (json: string) : 'T =
        let legacy =
            if json.Contains "\"Gan\"" || json.Contains "\"Flow\"" then
                match (try JsonNode.Parse json with :? JsonException -> null) with
                | null -> None
                | node -> if upgrade node then Some node else None
            else None
        match legacy with
        | Some node -> node.Deserialize<'T>(options)
        | None -> JsonSerializer.Deserialize<'T>(json, options)
