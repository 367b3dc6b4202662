namespace GanFlow.Core.Specs

open System.Text.Json
open System.Text.Json.Serialization

/// JSON form of specs and results (FSharp.SystemTextJson): unions as {"Case": fields}, records
/// as objects with camelCase names. Used for `spec.json` and `summary.json`.
module SpecJson =

    let options =
        let o = JsonSerializerOptions()
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

    let deserialize<'T> (json: string) : 'T = JsonSerializer.Deserialize<'T>(json, options)
