namespace GanFlow.Core.Specs

open System.Text.Json
open System.Text.Json.Nodes

/// One field in which two specs differ.
type SpecDifference =
    { /// Dotted path of the field, as validation errors name fields, e.g. `model.gan.criticSteps`.
      Field: string
      /// Its value in the first spec (compact JSON).
      Left: string
      /// Its value in the second spec (compact JSON).
      Right: string }

/// Comparing specs field by field through their JSON form (`SpecJson`), so that a refusal can name the first field
/// that differs and both values instead of saying only "different".
module SpecDiff =

    let private camel (key: string) =
        if key.Length > 0 && System.Char.IsUpper key[0] then string (System.Char.ToLowerInvariant key[0]) + key.Substring 1 else key

    let private show (node: JsonNode | null) =
        let text =
            match node with
            | null -> "null"
            | n -> n.ToJsonString(JsonSerializerOptions(WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping))
        if text.Length > 160 then text.Substring(0, 157) + "..." else text

    let rec private walk (path: string) (ignored: Set<string>) (a: JsonNode | null) (b: JsonNode | null) : SpecDifference option =
        let at (key: string) = if path = "" then key else path + "." + key
        if ignored.Contains path then None
        elif JsonNode.DeepEquals(a, b) then None
        else
            match a, b with
            | (:? JsonObject as x), (:? JsonObject as y) ->
                let keys = Seq.append (x |> Seq.map (fun kv -> kv.Key)) (y |> Seq.map (fun kv -> kv.Key)) |> Seq.distinct |> List.ofSeq
                let xKeys, yKeys = x |> Seq.map (fun kv -> kv.Key) |> Set.ofSeq, y |> Seq.map (fun kv -> kv.Key) |> Set.ofSeq
                if xKeys <> yKeys && xKeys.Count = 1 && yKeys.Count = 1 then
                    // Two cases of one union ({"Gan": …} against {"Flow": …}): the field itself differs.
                    Some { Field = (if path = "" then "(root)" else path); Left = show a; Right = show b }
                else
                    keys
                    |> List.tryPick (fun key ->
                        let valueOf (o: JsonObject) : JsonNode | null =
                            let mutable v: JsonNode | null = null
                            if o.TryGetPropertyValue(key, &v) then v else null
                        // A union case's single unnamed field ("Item") adds nothing to the path: `model.gan.criticSteps`.
                        walk (if key = "Item" || key = "item" then path else at (camel key)) ignored (valueOf x) (valueOf y))
            | (:? JsonArray as x), (:? JsonArray as y) when x.Count = y.Count ->
                Seq.zip x y |> Seq.indexed |> Seq.tryPick (fun (i, (u, v)) -> walk (sprintf "%s[%d]" path i) ignored u v)
            | _ -> Some { Field = (if path = "" then "(root)" else path); Left = show a; Right = show b }

    /// The first field (in declaration order) in which `a` and `b` differ, ignoring the dotted paths in `ignored`
    /// (e.g. `["description"; "budget.steps"]`); None when they agree everywhere else.
    let first<'T> (ignored: string list) (a: 'T) (b: 'T) : SpecDifference option =
        let node (value: 'T) = JsonSerializer.SerializeToNode<'T>(value, SpecJson.options)
        walk "" (Set.ofList ignored) (node a) (node b)
