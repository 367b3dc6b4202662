namespace GanFlow.Core.Search

open System

/// One value a search parameter takes.
[<RequireQualifiedAccess>]
type ParameterValue =
    /// A whole number (a width, a depth, a count of critic steps).
    | Int of int
    /// A real number (a learning rate, a penalty weight).
    | Float of float
    /// A switch.
    | Bool of bool
    /// A choice among named options (an activation, an objective).
    | Text of string

    /// The value as the store and the report print it (floats round-trip, invariant culture).
    override this.ToString() =
        match this with
        | Int i -> string i
        | Float f -> f.ToString("R", Globalization.CultureInfo.InvariantCulture)
        | Bool b -> if b then "true" else "false"
        | Text t -> t

/// Where a search parameter's values come from.
[<RequireQualifiedAccess>]
type Domain =
    /// One of these values, each equally likely (at least one).
    | Choice of values: ParameterValue list
    /// A float drawn uniformly from [low, high] (low <= high, both finite).
    | Uniform of low: float * high: float
    /// A float whose logarithm is uniform on [log low, log high] (0 < low <= high): learning rates, penalty weights.
    | LogUniform of low: float * high: float
    /// An integer drawn uniformly from low..high inclusive (at least one integer: low <= high).
    | IntRange of low: int * high: int

/// When a parameter takes part in a trial: only when an earlier parameter took one of the listed values (e.g. the
/// penalty weight only when the constraint is a gradient penalty; the cyclic base rate only when the schedule is cyclic).
type Condition =
    { /// Name of an earlier parameter of the same space.
      Parameter: string
      /// The values of that parameter for which this one is active.
      OneOf: ParameterValue list }

/// One dimension of a search space.
type Parameter =
    { /// Name, unique in its space (lower case, digits and underscores by convention), e.g. `learning_rate`.
      Name: string
      /// Its values.
      Domain: Domain
      /// When it is active; None = always.
      When: Condition option }

/// A search space: parameters sampled in order (a condition refers to an earlier parameter).
type SearchSpace = Parameter list

/// The values one trial drew, in the space's order, for its active parameters only.
type Assignment = (string * ParameterValue) list

/// Building spaces and drawing from them (pure: every draw comes from the `Random` passed in).
module SearchSpace =

    /// Always-active parameter.
    let parameter name domain = { Name = name; Domain = domain; When = None }

    /// A parameter active only when `parent` took one of `values`.
    let onlyWhen (parent: string) (values: ParameterValue list) (p: Parameter) = { p with When = Some { Parameter = parent; OneOf = values } }

    /// A choice among floats.
    let floats (values: float list) = Domain.Choice(values |> List.map ParameterValue.Float)
    /// A choice among integers.
    let ints (values: int list) = Domain.Choice(values |> List.map ParameterValue.Int)
    /// A choice among names.
    let texts (values: string list) = Domain.Choice(values |> List.map ParameterValue.Text)
    /// On or off.
    let onOff = Domain.Choice [ ParameterValue.Bool false; ParameterValue.Bool true ]

    let private draw (rng: Random) (domain: Domain) =
        match domain with
        | Domain.Choice values -> values[rng.Next values.Length]
        | Domain.Uniform(low, high) -> ParameterValue.Float(low + (high - low) * rng.NextDouble())
        | Domain.LogUniform(low, high) -> ParameterValue.Float(exp (log low + (log high - log low) * rng.NextDouble()))
        | Domain.IntRange(low, high) -> ParameterValue.Int(low + rng.Next(high - low + 1))

    /// Whether `p` is active given the values drawn so far.
    let isActive (drawn: Assignment) (p: Parameter) =
        match p.When with
        | None -> true
        | Some c -> drawn |> List.tryFind (fun (n, _) -> n = c.Parameter) |> Option.exists (fun (_, v) -> List.contains v c.OneOf)

    /// One assignment: the parameters in order, each active one drawn from its domain. Every parameter consumes one
    /// draw of `rng` whether active or not, so adding a condition never shifts the others' values.
    let sample (rng: Random) (space: SearchSpace) : Assignment =
        (([], space) ||> List.fold (fun drawn p ->
            let value = draw rng p.Domain
            if isActive drawn p then drawn @ [ p.Name, value ] else drawn))

    /// The value of a parameter in an assignment, if it was active.
    let tryGet (name: string) (assignment: Assignment) = assignment |> List.tryFind (fun (n, _) -> n = name) |> Option.map snd

    /// The assignment as `name=value` pairs, comma-separated (for messages and tables).
    let describe (assignment: Assignment) =
        assignment |> List.map (fun (n, v) -> sprintf "%s=%O" n v) |> String.concat ", "
