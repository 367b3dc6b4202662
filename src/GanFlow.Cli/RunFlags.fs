/// Which `ganflow run` flags apply to which kind of declared experiment: a flag that does not apply is refused
/// (exit 2) naming the flag and the experiment's kind, instead of being silently ignored.
module GanFlow.Cli.RunFlags

open GanFlow.Core.Experiments
open GanFlow.Cli.Arguments

/// The kind of a declared experiment as a message names it, and the flags its runner reads.
let private kindAndFlags (declared: Declared) : string * string list =
    let common = [ "--seed"; "--steps"; "--out" ]
    let trained = common @ [ "--device"; "--threads"; "--resume"; "--fresh" ]
    match declared with
    | Declared.Single e ->
        let vae = match e.Model.Init with GanFlow.Core.Models.GeneratorInit.FromVae _ -> [ "--vae" ] | GanFlow.Core.Models.GeneratorInit.Random -> []
        let classifier = if e.Evaluation.Classifier.IsSome then [ "--classifier" ] else []
        "an experiment", trained @ [ "--until"; "--no-report"; "--tensorboard"; "--data" ] @ vae @ classifier
    | Declared.Study s ->
        let classifier = if s.Cells |> List.exists (fun c -> c.Experiment.Evaluation.Classifier.IsSome) then [ "--classifier" ] else []
        // --data replaces every cell's data: only a study whose cells all read images (one data source for all).
        let data = if s.Cells |> List.forall (fun c -> c.Experiment.Data.IsImages) then [ "--data" ] else []
        "a study (its cells run to completion, each in its own process)", trained @ data @ classifier
    | Declared.Dynamics d ->
        // A figure draws nothing at random (no --seed); a support check draws samples and takes no steps (no --steps).
        let flags =
            match d.Kind with
            | GanFlow.Core.Dynamics.DynamicsExperimentKind.Figure _ -> [ "--steps"; "--out" ]
            | GanFlow.Core.Dynamics.DynamicsExperimentKind.PhaseDiagram _ -> common
            | GanFlow.Core.Dynamics.DynamicsExperimentKind.SupportSizes _ -> [ "--seed"; "--out" ]
        "a seed 002 dynamics experiment (no training)", flags @ [ "--fresh" ]
    | Declared.Search _ -> "a search", []

/// The flags of `args` that were given (named as on the command line), in a fixed order.
let private given (args: Argu.ParseResults<RunArgs>) =
    [ "--seed", args.Contains RunArgs.Seed
      "--steps", args.Contains RunArgs.Steps
      "--device", args.Contains RunArgs.Device
      "--threads", args.Contains RunArgs.Threads
      "--resume", args.Contains RunArgs.Resume
      "--fresh", args.Contains RunArgs.Fresh
      "--until", args.Contains RunArgs.Until
      "--no-report", args.Contains RunArgs.No_Report
      "--tensorboard", args.Contains RunArgs.Tensorboard
      "--data", args.Contains RunArgs.Data
      "--vae", args.Contains RunArgs.Vae
      "--classifier", args.Contains RunArgs.Classifier ]
    |> List.filter snd
    |> List.map fst

/// The refusal for the first given flag that `declared` does not read, or None when every given flag applies.
let refusal (name: string) (declared: Declared) (args: Argu.ParseResults<RunArgs>) : string option =
    let kind, applies = kindAndFlags declared
    match declared with
    | Declared.Search _ -> None // refused as a search whatever the flags
    | _ ->
    given args
    |> List.tryFind (fun flag -> not (List.contains flag applies))
    |> Option.map (fun flag ->
        let why =
            match flag, declared with
            | "--vae", Declared.Single _ -> "its generator starts at random, not from a VAE"
            | "--classifier", (Declared.Single _ | Declared.Study _) -> "it declares no digit classifier (evaluation.classifier)"
            | "--seed", Declared.Dynamics _ -> "its figure draws nothing at random (every panel is one deterministic trajectory)"
            | "--steps", Declared.Dynamics _ -> "its support check draws samples and takes no steps"
            | _ -> sprintf "it is %s" kind
        let takes = applies |> List.filter (fun f -> f <> "--out") |> String.concat ", "
        sprintf "%s does not apply to %s: %s (it takes %s)" flag name why (if takes = "" then "none" else takes))
