/// The `ganflow` command line as Argu unions: one union per subcommand, help text beside each case.
module GanFlow.Cli.Arguments

open Argu

type ListArgs =
    | [<AltCommandLine("-v")>] Verbose

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Verbose -> "also print each experiment's description, dataset and model."

type RunArgs =
    | [<MainCommand; ExactlyOnce; First>] Experiment of name: string
    | [<Mandatory; AltCommandLine("-o")>] Out of directory: string
    | Seed of seed: int
    | Steps of steps: int
    | Device of device: string
    | Threads of count: int
    | Resume

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Experiment _ -> "name of a declared experiment (see `ganflow list`)."
            | Out _ -> "run folder to write: spec.json, metrics.csv, summary.json, samples.txt, report.html, checkpoint/."
            | Seed _ -> "override the experiment's seed (same spec and seed give the same numbers on CPU)."
            | Steps _ -> "override the number of generator steps (budget.steps)."
            | Device _ -> "cpu, cuda or auto (default auto: CUDA when present, else CPU)."
            | Threads _ -> "intra-op threads for torch (default 1: fastest for small models)."
            | Resume -> "continue from the run folder's checkpoint when its spec matches; otherwise start fresh."

type MetricArgs =
    | [<Mandatory>] X of file: string
    | [<Mandatory>] Y of file: string
    | Seed of seed: int
    | Delta of distance: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | X _ -> "first sample file: one number per line (blank lines allowed; the first column of a header-free CSV)."
            | Y _ -> "second sample file, same format."
            | Seed _ -> "seed of the held-out split used by the held-out bandwidth rule (default 1)."
            | Delta _ -> "near-duplicate distance of the birthday-paradox support estimate (default 1e-4 × the pooled samples' interquartile range)."

type ReportArgs =
    | [<MainCommand; ExactlyOnce>] Run_Folder of directory: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Run_Folder _ -> "a run or study folder written by `ganflow run`; (re)writes its report.html (a study's also table.md/csv)."

type BenchArgs =
    | Steps of steps: int
    | Flow_Steps of steps: int
    | Dynamics_Only

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Steps _ -> "generator steps timed per GAN configuration (default 200)."
            | Flow_Steps _ -> "training steps timed per flow configuration (default 40)."
            | Dynamics_Only -> "time only seed 002's dynamics (trajectory-steps per second, one thread and in parallel)."

/// `ganflow dynamics`: one run of seed 002's game. Values are read as text and checked by the command itself, so
/// that a bad value exits 2 naming the flag and the value.
type DynamicsArgs =
    | [<Mandatory; CustomCommandLine("--true")>] True_Means of means: string
    | [<Mandatory>] Mu of means: string
    | Intervals of endpoints: string
    | Eta_G of step: string
    | Eta_D of step: string
    | Steps of steps: string
    | Dynamics of rule: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | True_Means _ -> "true means μ*, comma-separated: 2 (seed 002's mixture) or 1 (a single Gaussian), e.g. -0.5,0.5."
            | Mu _ -> "initial generator means μ̂, as many as --true, e.g. 0.3,0.9."
            | Intervals _ -> "initial discriminator l1,r1,l2,r2 (l1,r1 for one Gaussian), ordered; needed by first-order and discriminator-only."
            | Eta_G _ -> "generator step η_g > 0 (default 0.1)."
            | Eta_D _ -> "discriminator step η_d > 0; needed by first-order and discriminator-only."
            | Steps _ -> "number of updates >= 1 (default 1000)."
            | Dynamics _ -> "first-order (default), optimal (exact optimal discriminator every step) or discriminator-only."

type Command =
    | [<CliPrefix(CliPrefix.None)>] List of ParseResults<ListArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Metric of ParseResults<MetricArgs>
    | [<CliPrefix(CliPrefix.None)>] Report of ParseResults<ReportArgs>
    | [<CliPrefix(CliPrefix.None)>] Bench of ParseResults<BenchArgs>
    | [<CliPrefix(CliPrefix.None)>] Dynamics of ParseResults<DynamicsArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | List _ -> "print the declared experiments, one name per line."
            | Run _ -> "train a declared experiment and write its run folder and HTML report."
            | Metric _ -> "score two sample files: W1 (seed 000 eq. 8), energy distance, KDE bandwidths, JS of the KDEs, birthday-paradox support."
            | Report _ -> "rebuild the HTML report of a run folder."
            | Bench _ -> "print speed figures: metrics on 100,000 samples, GAN and flow training steps per second, continuous flows' sampling and NLL cost."
            | Dynamics _ -> "run seed 002's two-Gaussian GAN game once (optimal or first-order dynamics) and print key = value lines."
