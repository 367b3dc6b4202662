namespace GanFlow.Core.Numerics

/// A value a computation needs as a finite number was NaN or infinite (a diverged model's samples, posteriors or
/// losses). Metrics raise it instead of returning an arbitrary arg-max or crashing; the runtime ends the run as
/// Diverged with its message.
exception NonFiniteException of quantity: string * value: float
    with
        override this.Message = sprintf "%s is %s" this.quantity (if System.Double.IsNaN this.value then "NaN" else string this.value)

/// Checks and arg-max/arg-min that say what was not finite instead of returning garbage. Pure.
module Finite =

    /// `value`, or a `NonFiniteException` naming `quantity` when it is NaN or ±∞.
    let require (quantity: string) (value: float) =
        if System.Double.IsFinite value then value else raise (NonFiniteException(quantity, value))

    /// `values`, or a `NonFiniteException` naming `quantity` and the first NaN or ±∞ among them.
    let requireAll (quantity: string) (values: float[]) =
        for v in values do
            require quantity v |> ignore
        values

    /// The index of the first largest of `values` (non-empty, all finite, else `NonFiniteException` naming `quantity`).
    let argMax (quantity: string) (values: float[]) =
        if values.Length = 0 then invalidArg "values" (sprintf "%s: no values" quantity)
        requireAll quantity values |> ignore
        let mutable best = 0
        for i in 1 .. values.Length - 1 do
            if values[i] > values[best] then best <- i
        best

    /// The index of the first smallest of `values` (non-empty, all finite, else `NonFiniteException` naming `quantity`).
    let argMin (quantity: string) (values: float[]) =
        if values.Length = 0 then invalidArg "values" (sprintf "%s: no values" quantity)
        requireAll quantity values |> ignore
        let mutable best = 0
        for i in 1 .. values.Length - 1 do
            if values[i] < values[best] then best <- i
        best
