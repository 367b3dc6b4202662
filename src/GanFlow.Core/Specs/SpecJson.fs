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

/// The data of an experiment file written before its data were one `DataSource`: a law and an optional finite sample.
type private LegacyData =
    { Dataset: GanFlow.Core.Datasets.Distribution
      TrainingSet: GanFlow.Core.Datasets.FiniteSample option }

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
            // An experiment written before its data were one source: `dataset` (a law) and `trainingSet` (a finite
            // sample of it, or null) become `data`.
            if o.ContainsKey "dataset" && o.ContainsKey "model" && not (o.ContainsKey "data") then
                let data =
                    match o.Deserialize<LegacyData>(options) with
                    | null -> invalidOp "an experiment's data read as null"
                    | { Dataset = law; TrainingSet = Some sample } -> GanFlow.Core.Datasets.DataSource.Sample(law, sample)
                    | { Dataset = law; TrainingSet = None } -> GanFlow.Core.Datasets.DataSource.Law law
                o.Remove "dataset" |> ignore
                o.Remove "trainingSet" |> ignore
                o["data"] <- JsonSerializer.SerializeToNode<GanFlow.Core.Datasets.DataSource>(data, options)
                changed <- true
            // Files written before the critic and the encoder were unions of an MLP and a conv network hold the MLP's
            // fields directly; before a model had `init`, every generator started at random.
            let wrapMlp (key: string) =
                match o[key] with
                | :? JsonObject as m when m.ContainsKey "width" ->
                    o.Remove key |> ignore
                    let item = JsonObject([ System.Collections.Generic.KeyValuePair<string, JsonNode | null>("item", m) ])
                    o[key] <- JsonObject([ System.Collections.Generic.KeyValuePair<string, JsonNode | null>("Mlp", item) ])
                    changed <- true
                | _ -> ()
            if o.ContainsKey "loss" && o.ContainsKey "criticSteps" then wrapMlp "critic"
            if o.ContainsKey "likelihood" && o.ContainsKey "encoder" then wrapMlp "encoder"
            if o.ContainsKey "generator" && o.ContainsKey "objective" && o.ContainsKey "optimizer" && o.ContainsKey "schedule" && not (o.ContainsKey "init") then
                o["init"] <- JsonValue.Create "Random"
                changed <- true
            // Outcome tolerances written before the cycle allowance had a ceiling (`maxCycle`) get the default one.
            if o.ContainsKey "cycleSteps" && not (o.ContainsKey "maxCycle") then
                o["maxCycle"] <- JsonValue.Create GanFlow.Core.Dynamics.OutcomeTolerances.Default.MaxCycle
                changed <- true
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

    /// Whether `json` may hold an older file's form that `upgrade` rewrites (a model's `"Gan"`/`"Flow"`, a `"dataset"`).
    let private mayBeLegacy (json: string) =
        json.Contains "\"Gan\"" || json.Contains "\"Flow\"" || json.Contains "\"dataset\""
        || json.Contains "\"criticSteps\"" || json.Contains "\"likelihood\""
        || json.Contains "\"schedule\"" || json.Contains "\"cycleSteps\""

    /// Whether `json` holds an older file's form that `deserialize` rewrites: a model as `{"Gan": …}` or `{"Flow": …}`,
    /// an experiment's `dataset` and `trainingSet` before they were one `data` source, a critic or encoder before they
    /// were unions of an MLP and a conv network, a model before it had `init`, outcome tolerances before `maxCycle`.
    let isLegacy (json: string) =
        mayBeLegacy json
        && (match (try JsonNode.Parse json with :? JsonException -> null) with
            | null -> false
            | node -> upgrade node)

    /// A type's name with its article, for messages: "an Experiment", "a Study".
    let withArticle (t: System.Type) = (if "AEIOU".Contains t.Name[0] then "an " else "a ") + t.Name

    /// Whether `json` is the JSON document `null` (which no spec or result file is).
    let isNullDocument (json: string) =
        try isNull (JsonNode.Parse json) with :? JsonException -> false

    /// Parses `json` as a 'T. Text that needs no upgrade is read directly, so that errors name the line. A document
    /// that is JSON's `null` is refused (a JsonException), never returned as a null 'T.
    let deserialize<'T> (json: string) : 'T =
        let legacy =
            if mayBeLegacy json then
                match (try JsonNode.Parse json with :? JsonException -> null) with
                | null -> None
                | node -> if upgrade node then Some node else None
            else None
        let value =
            match legacy with
            | Some node -> node.Deserialize(typeof<'T>, options)
            | None -> JsonSerializer.Deserialize(json, typeof<'T>, options)
        match value with
        | null -> raise (JsonException(sprintf "holds null, not %s" (withArticle typeof<'T>)))
        | value -> unbox<'T> value

    /// The reason of a deserializer's error without its "Path: … | LineNumber: …" tail.
    let private reasonOf (e: exn) =
        let reason = match e.InnerException with null -> e.Message | inner -> inner.Message
        match reason.IndexOf(" Path:", System.StringComparison.Ordinal) with
        | cut when cut > 0 -> reason.Substring(0, cut)
        | _ -> reason

    let private camel (name: string) =
        if name.Length > 0 && System.Char.IsUpper name[0] then string (System.Char.ToLowerInvariant name[0]) + name.Substring 1 else name

    /// Descends `node` along the type `t` to the deepest value that does not deserialize: its dotted path (JSON keys
    /// as written: `budget.steps`, `model.generator.Mlp.item.network.width`, `cells[2].seed`) and the reason. None when
    /// the node deserializes. The F# converter's own errors lose the path and the line; this finds both.
    let rec private locate (t: System.Type) (node: JsonNode | null) (path: string) : (string * string) option =
        let at (key: string) = if path = "" then key else path + "." + key
        let failure =
            try
                (match node with
                 | null -> JsonSerializer.Deserialize("null", t, options)
                 | n -> n.Deserialize(t, options)) |> ignore
                None
            with e -> Some(reasonOf e)
        match failure with
        | None -> None
        | Some reason ->
            let deeper =
                match node with
                | :? JsonObject as o when Microsoft.FSharp.Reflection.FSharpType.IsRecord(t, System.Reflection.BindingFlags.Public ||| System.Reflection.BindingFlags.NonPublic) ->
                    Microsoft.FSharp.Reflection.FSharpType.GetRecordFields(t, System.Reflection.BindingFlags.Public ||| System.Reflection.BindingFlags.NonPublic)
                    |> Array.tryPick (fun f ->
                        let key = camel f.Name
                        if o.ContainsKey key then locate f.PropertyType o[key] (at key) else None)
                | :? JsonObject as o when Microsoft.FSharp.Reflection.FSharpType.IsUnion(t, System.Reflection.BindingFlags.Public ||| System.Reflection.BindingFlags.NonPublic) && o.Count = 1 ->
                    let name = (Seq.head o).Key
                    Microsoft.FSharp.Reflection.FSharpType.GetUnionCases(t, System.Reflection.BindingFlags.Public ||| System.Reflection.BindingFlags.NonPublic)
                    |> Array.tryFind (fun c -> c.Name = name)
                    |> Option.bind (fun case ->
                        match o[name] with
                        | :? JsonObject as fields ->
                            case.GetFields()
                            |> Array.tryPick (fun f ->
                                let key = camel f.Name
                                if fields.ContainsKey key then locate f.PropertyType fields[key] (at name + "." + key) else None)
                        | _ -> None)
                | :? JsonArray as a when t.IsArray || (t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<list<_>>) ->
                    let element = if t.IsArray then t.GetElementType() else t.GetGenericArguments()[0]
                    match element with
                    | null -> None
                    | element -> a |> Seq.indexed |> Seq.tryPick (fun (i, item) -> locate element item (sprintf "%s[%d]" path i))
                | _ when t.IsGenericType && t.GetGenericTypeDefinition() = typedefof<option<_>> && not (isNull node) ->
                    locate (t.GetGenericArguments()[0]) node path
                | _ -> None
            Some(defaultArg deeper (path, reason))

    /// Where `json`, which does not deserialize as a 'T, goes wrong: the dotted path of the deepest value at fault and
    /// the reason; None when it is not JSON at all (the parser's own error then names the line) or deserializes.
    let locateError<'T> (json: string) : (string * string) option =
        match (try JsonNode.Parse json with :? JsonException -> null) with
        | null -> None
        | node -> locate typeof<'T> node ""
