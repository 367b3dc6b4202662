namespace GanFlow.Core.Specs

/// A spec rejected at the boundary, before any compute: which field, which value, and why.
type SpecError =
    { /// Dotted path of the offending field, e.g. `dataset.components[2].weight`.
      Field: string
      /// The offending value as the user wrote it.
      Value: string
      /// Why the value is rejected, phrased as the rule it breaks.
      Reason: string }

    override this.ToString() =
        sprintf "%s = %s: %s" this.Field this.Value this.Reason

/// Thrown by `Validate.orRaise` so callers outside F# see one message naming every error.
exception SpecValidationException of SpecError list with
    override this.Message =
        match this :> exn with
        | SpecValidationException errors ->
            "invalid spec:\n" + (errors |> List.map (fun e -> "  " + string e) |> String.concat "\n")
        | _ -> "invalid spec"

/// Small combinators for writing validators: each check returns the errors it finds.
module Check =
    /// Floats in round-trip invariant form; text as written (quoted only when blank, so that an
    /// empty value stays visible); anything else as F# prints it.
    let private show (value: obj) =
        match value with
        | :? float as f -> f.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
        | :? string as s when System.String.IsNullOrWhiteSpace s -> sprintf "\"%s\"" s
        | :? string as s -> s
        | v -> sprintf "%A" v

    let fail field (value: obj) reason = [ { Field = field; Value = show value; Reason = reason } ]

    let finite field (value: float) =
        if System.Double.IsFinite value then [] else fail field value "must be a finite number"

    let positive field (value: float) =
        if System.Double.IsFinite value && value > 0.0 then [] else fail field value "must be finite and > 0"

    let nonNegative field (value: float) =
        if System.Double.IsFinite value && value >= 0.0 then [] else fail field value "must be finite and >= 0"

    let probability field (value: float) =
        if value >= 0.0 && value <= 1.0 then [] else fail field value "must lie in [0, 1]"

    let openUnit field (value: float) =
        if value > 0.0 && value < 1.0 then [] else fail field value "must lie in (0, 1)"

    let atLeast field (minimum: int) (value: int) =
        if value >= minimum then [] else fail field value (sprintf "must be >= %d" minimum)

    let lessThan field (bound: float) boundName (value: float) =
        if value < bound then [] else fail field value (sprintf "must be < %s (%g)" boundName bound)

    /// A seed handed to `System.Random`, which takes a seed's magnitude: at least 0, since −s would repeat s's numbers.
    let randomSeed field (value: int) =
        if value >= 0 then []
        else fail field value "must be >= 0 (System.Random takes a seed's magnitude, so a negative seed would repeat its magnitude's numbers)"

    /// A count of torch's intra-op threads: from 1 to the `cores` the process may use (more only oversubscribes
    /// them: a run given 100,000 threads started 895 of them and stalled its machine).
    let threads field (cores: int) (value: int) =
        if value >= 1 && value <= cores then []
        else fail field value (sprintf "must be from 1 to %d, the cores this process may use" cores)

/// Turning a list of errors into a result or an exception.
module Validate =
    let toResult (value: 'T) (errors: SpecError list) =
        if List.isEmpty errors then Ok value else Error errors

    let orRaise (errors: SpecError list) =
        if not (List.isEmpty errors) then raise (SpecValidationException errors)
