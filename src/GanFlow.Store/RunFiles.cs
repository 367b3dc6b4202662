namespace GanFlow.Store;

/// <summary>
/// The names of everything the tool writes into its folders. Cleaning a folder for a fresh start removes exactly
/// these (and the tool's temporary files), nothing else.
/// </summary>
public static class RunFiles
{
    /// <summary>The marker that makes a folder the tool's (<see cref="FolderMarker"/>): format version, kind, writer.</summary>
    public const string Marker = "run.json";
    /// <summary>The lock a writer holds for its lifetime (<see cref="FolderLock"/>).</summary>
    public const string Lock = ".lock";
    /// <summary>Who holds <see cref="Lock"/>: process id, command and start time (JSON).</summary>
    public const string LockOwner = ".lock.json";

    /// <summary>The resolved experiment spec (JSON).</summary>
    public const string Spec = "spec.json";
    /// <summary>One row per evaluation (<see cref="MetricsCsv"/>).</summary>
    public const string Metrics = "metrics.csv";
    /// <summary>Final metrics, wall time and status (JSON, a <c>RunSummary</c>).</summary>
    public const string Summary = "summary.json";
    /// <summary>Final model samples, one sample per line, coordinates comma-separated.</summary>
    public const string Samples = "samples.txt";
    /// <summary>Flows: the model's exact density on a grid (<c>x,density</c> in 1-D, <c>x,y,density</c> in 2-D).</summary>
    public const string Density = "density.csv";
    /// <summary>Flows in 2-D: data points mapped to the latent space, g⁻¹(x) (<c>z1,z2</c>).</summary>
    public const string Latent = "latent.csv";
    /// <summary>Flows in 1-D and 2-D: a few data points followed through the flow's stages to the latent space
    /// (<c>point,stage,label,x</c> or <c>point,stage,label,x,y</c>; stage 0 is the data point, the last stage g⁻¹ of it).</summary>
    public const string Trajectories = "trajectories.csv";
    /// <summary>The newest checkpoint (<see cref="CheckpointFolders"/>).</summary>
    public const string Checkpoint = "checkpoint";
    /// <summary>The checkpoint before the newest, kept so that a corrupt newest one is never the only one.</summary>
    public const string PreviousCheckpoint = "checkpoint.previous";
    /// <summary>The checkpoint of the evaluation with the lowest validation NLL (runs of a model with a density on a finite
    /// training set; seed 001's "best validated" model).</summary>
    public const string BestCheckpoint = "checkpoint.best";
    /// <summary>What a run measured on held-out data at its end (JSON, a <c>HeldOut</c>): exact test NLL, the best-validated
    /// checkpoint, AIS and Parzen estimates, the Jacobian summary.</summary>
    public const string HeldOut = "heldout.json";
    /// <summary>The singular values of the generator's Jacobian at prior draws (<c>draw,index,singular_value</c>).</summary>
    public const string Jacobian = "jacobian.csv";
    /// <summary>The weights of the digit classifier an image run's evaluations score with (<c>evaluation.classifier</c>), or
    /// in a study folder the one its cells share.</summary>
    public const string Classifier = "classifier.bin";
    /// <summary>The self-contained HTML report (of a run, a study or a search).</summary>
    public const string Report = "report.html";
    /// <summary>A study cell's or a search trial's process output (standard output and error), appended per attempt.</summary>
    public const string Log = "run.log";
    /// <summary>TensorBoard event files of a run (TorchSharp's <c>SummaryWriter</c>).</summary>
    public const string TensorBoard = "tensorboard";

    /// <summary>In a study folder: the resolved study spec (JSON, a <c>Study</c>), written before the first cell starts.</summary>
    public const string Study = "study.json";

    /// <summary>A seed 002 dynamics folder's experiment (<c>ganflow run seed002-…</c>), written first of its files.</summary>
    public const string DynamicsSpec = "dynamics.json";
    /// <summary>In a study folder: the table of final W1 values (Markdown).</summary>
    public const string StudyTable = "table.md";
    /// <summary>In a study folder: the table of final W1 values (CSV).</summary>
    public const string StudyTableCsv = "table.csv";
    /// <summary>In a study folder: every cell's final precision, recall, density and coverage (CSV, one row per cell).</summary>
    public const string StudyPrecisionRecall = "precision-recall.csv";

    /// <summary>The checkpoint folders a run folder may hold (<see cref="CheckpointFolders"/> writes each whole).</summary>
    public static readonly IReadOnlyList<string> CheckpointFolderNames = [Checkpoint, PreviousCheckpoint, BestCheckpoint];

    /// <summary>Everything a run writes into its folder (the marker and lock aside): what a fresh start removes. The
    /// <see cref="Log"/> is not among them: the study or search that started the run writes it, and keeps it across attempts.</summary>
    public static readonly IReadOnlyList<string> RunResults =
        [Spec, Metrics, Summary, Samples, Density, Latent, Trajectories, Checkpoint, PreviousCheckpoint, BestCheckpoint, HeldOut, Jacobian, SampleGrid,
         Interpolation, Elbo, LatentMeans, Posterior, PosteriorPicture, Evidence, AggregatePosterior, Holes, HolesPicture, LatentStructure, Classifier, Report, TensorBoard,
         DataFiles];

    /// <summary>The data files a run trains on (a sample file, an MNIST folder's files), as they were when it started:
    /// path, size and SHA-256 (JSON). A resume is refused when they differ (another working directory resolves a
    /// relative path elsewhere, or the file was written again).</summary>
    public const string DataFiles = "data.json";

    /// <summary>A VAE run's final one-draw ELBO on the split its evaluations score against (JSON).</summary>
    public const string Elbo = "elbo.json";

    /// <summary>An image run's sample grid (PNG), drawn by the report from <see cref="Samples"/>.</summary>
    public const string SampleGrid = "samples.png";
    /// <summary>An image run's latent interpolation from −e to e (PNG).</summary>
    public const string Interpolation = "interpolation.png";
    /// <summary>A VAE run's encoder means of the test images with their labels (CSV).</summary>
    public const string LatentMeans = "latent-means.csv";
    /// <summary>A VAE run's true posterior on the latent grid beside the encoder's Gaussian, per test image (CSV).</summary>
    public const string Posterior = "posterior.csv";
    /// <summary>The same as a picture: per test image, the image, the true posterior and the encoder's (PNG).</summary>
    public const string PosteriorPicture = "posterior.png";
    /// <summary>A VAE run's grid-integrated log p(x) beside the ELBO, per posterior test image (CSV).</summary>
    public const string Evidence = "evidence.csv";
    /// <summary>A VAE run's aggregate posterior (ten encoder draws per test image) binned on [−4, 4]² beside the prior's cell masses (CSV; seed 003 Fig. 8).</summary>
    public const string AggregatePosterior = "aggregate-posterior.csv";
    /// <summary>The 64 latent points, among the cells where the prior exceeds the aggregate posterior most, whose images `holes.png` shows (CSV).</summary>
    public const string Holes = "holes.csv";
    /// <summary>The images generated at those points, ordered by z₁ (PNG; seed 003 Fig. 8, right).</summary>
    public const string HolesPicture = "holes.png";
    /// <summary>A VAE run's latent-space numbers: the aggregate posterior's total variation from the prior, the means' nearest-neighbour label accuracy (JSON).</summary>
    public const string LatentStructure = "latent-structure.json";

    /// <summary>In a Flow-GAN study folder: an image column's memorizing baseline (JSON, a <c>BaselineCurve</c>; seed 001
    /// Fig. 6), computed by the study runner with the digit classifier.</summary>
    public static string StudyBaseline(string column) => $"baseline-{column}.json";

    /// <summary>In a study folder: what its shared <see cref="Classifier"/> was made from (JSON), so that a rerun makes it
    /// again when that changed.</summary>
    public const string StudyClassifierInputs = "classifier.json";

    /// <summary>Everything a study folder may hold that the tool wrote, besides its cells' run folders.</summary>
    public static readonly IReadOnlyList<string> StudyResults = [Study, StudyTable, StudyTableCsv, StudyPrecisionRecall, Classifier, StudyClassifierInputs, Report]; // and StudyBaseline(column)
}
