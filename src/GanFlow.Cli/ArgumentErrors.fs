/// Command-line errors in the user's terms: Argu's parse errors rewritten to name the flag, the value and what is
/// allowed (an unknown option, a number out of range), with a pointer to the subcommand's `--help` instead of the whole
/// usage text.
module GanFlow.Cli.ArgumentErrors

open System
open System.Globalization
open System.Text.RegularExpressions
open Argu

/// The command-line names of every flag of `parser`, and whether each takes a value.
let private flagsOf (parser: ArgumentParser) =
    parser.GetArgumentCases()
    |> List.filter (fun c -> not c.IsMainCommand)
    |> List.collect (fun c -> c.CommandLineNames.Value |> List.map (fun n -> n, c.UnionCaseInfo.GetFields().Length > 0))
    |> Map.ofList

/// The subcommand the arguments name (`run`, `data mnist`, …) and its parser, if any.
let private subcommand (parser: ArgumentParser) (argv: string list) =
    let rec find (parser: ArgumentParser) (path: string list) (args: string list) =
        let named =
            match args with
            | head :: tail ->
                parser.GetSubCommandParsers()
                |> List.tryPick (fun sub ->
                    parser.GetArgumentCases()
                    |> List.tryFind (fun c -> c.ArgumentType = ArgumentType.SubCommand && List.contains head c.CommandLineNames.Value)
                    |> Option.bind (fun c ->
                        // the sub-parser of that case: the one whose type is its field's
                        let parsed = sub.GetType().GetGenericArguments()[0]
                        let field = (c.UnionCaseInfo.GetFields()[0]).PropertyType.GetGenericArguments()[0]
                        if parsed = field then Some(head, sub, tail) else None))
            | [] -> None
        match named with
        | Some(name, sub, tail) -> find sub (path @ [ name ]) tail
        | None -> path, parser, args
    find parser [] argv

/// Flags whose values are counts: a whole number from 1.
let private counts = set [ "--steps"; "--trials"; "--threads"; "--until"; "--grace"; "--max-steps"; "--epochs"; "--projections" ]

/// Flags whose values are counts that may be 0 (`--workers 0` records a search and starts none).
let private countsFromZero = set [ "--workers" ]

/// The message for a value Argu could not read as the flag's type, for the subcommand `path`.
let private badValue (path: string list) (flag: string) (value: string) =
    let isInteger = Regex.IsMatch(value.Trim(), @"^[+-]?\d+$")
    if counts.Contains flag then sprintf "%s %s: must be a whole number from 1 to %d" flag value Int32.MaxValue
    elif countsFromZero.Contains flag then sprintf "%s %s: must be a whole number from 0" flag value
    // metric's seed is a System.Random seed, refused below 0 (`Check.randomSeed`).
    elif flag = "--seed" && path = [ "metric" ] then sprintf "%s %s: must be a whole number from 0 to %d" flag value Int32.MaxValue
    elif isInteger || flag = "--seed" then sprintf "%s %s: must be a whole number from %d to %d" flag value Int32.MinValue Int32.MaxValue
    else sprintf "%s %s: not a valid value" flag value

/// The first token of `args` (a subcommand's arguments) that is no flag of `flags` and no value of the flag before it,
/// if any: `--foo`, `--x=FILE`, `-h` (`--help` is Argu's own).
let private unknownToken (flags: Map<string, bool>) (args: string list) =
    let rec unknown (args: string list) =
        match args with
        | flag :: _ :: tail when flags.TryFind flag = Some true -> unknown tail
        | token :: tail ->
            if token.StartsWith "-" && token.Length > 1 && not (flags.ContainsKey token) && token <> "--help"
               && not (Double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture) |> fst) then Some token
            else unknown tail
        | [] -> None
    unknown args

/// The message for the unknown option `token` of the subcommand `command`.
let private unknownMessage (flags: Map<string, bool>) (command: string) (help: string) (token: string) =
    // `--x=FILE`, as GNU tools allow: the flag is known, the value goes after a space.
    match token.Split('=', 2) with
    | [| flag; value |] when flags.TryFind flag = Some true && value <> "" ->
        sprintf "unknown option %s for `%s`: give the value after a space, `%s %s` %s" token command flag value help
    | _ -> sprintf "unknown option %s for `%s` %s" token command help

/// An option that `argv`'s subcommand does not have, as the error to print (without "error: "), or None. Checked
/// before Argu parses: a name accepted after the options would otherwise take `--foo` as an experiment's name.
let unknownOption (parser: ArgumentParser) (argv: string[]) =
    let path, sub, args = subcommand parser (List.ofArray argv)
    let command = String.concat " " ("ganflow" :: path)
    let flags = flagsOf sub
    unknownToken flags args |> Option.map (unknownMessage flags command (sprintf "(`%s --help` lists the options)" command))

/// The error to print for `error` raised while parsing `argv` (without "error: "), naming `ganflow SUBCOMMAND --help`.
let describe (parser: ArgumentParser) (argv: string[]) (error: ArguParseException) =
    let path, sub, args = subcommand parser (List.ofArray argv)
    let command = String.concat " " ("ganflow" :: path)
    let help = sprintf "(`%s --help` lists the options)" command
    let flags = flagsOf sub
    let first = (error.Message.Split('\n')[0]).Replace("ERROR: ", "").Trim()
    let followed = Regex.Match(first, @"parameter '(?<flag>[^']+)' must be followed by <[^>]*>, but was '(?<value>[^']*)'")
    match unknownToken flags args with
    | Some token when not (followed.Success && followed.Groups["value"].Value = token) -> unknownMessage flags command help token
    | _ when followed.Success -> sprintf "%s %s" (badValue path followed.Groups["flag"].Value followed.Groups["value"].Value) help
    | _ -> sprintf "%s %s" (first.TrimEnd('.')) help

/// The error for an empty or blank argument (`--out ""`, a shell variable that was never set), naming the flag it was
/// given to; no command takes one. None when every argument has text.
let emptyArgument (argv: string[]) =
    argv
    |> Array.tryFindIndex String.IsNullOrWhiteSpace
    |> Option.map (fun i ->
        if i > 0 && argv[i - 1].StartsWith "-" && argv[i - 1].Length > 1 then sprintf "%s: the value is empty (an unset shell variable?)" argv[i - 1]
        else sprintf "argument %d is empty (an unset shell variable?)" (i + 1))
