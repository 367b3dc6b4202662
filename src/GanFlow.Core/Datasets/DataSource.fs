namespace GanFlow.Core.Datasets

/// Where an experiment's data come from. The shape of the data (its dimension) follows from the source, and so does what
/// an evaluation can score: against the law itself when the law is known (exact W1 in 1-D, KL, mode scores), against a
/// held-out split when the data are a file.
type DataSource =
    /// Fresh draws from a known law at every step (the dataset is effectively infinite, seed 000 sec. 2).
    | Law of law: Distribution
    /// A finite sample drawn once from a known law and split into training, validation and test splits; training draws
    /// its minibatches from the training split (seed 001 sec. 3). Evaluations still know the law.
    | Sample of law: Distribution * sample: FiniteSample
    /// A researcher's own sample file, split by a seeded rule; its law is unknown, so evaluations score against the
    /// test split.
    | File of file: SampleFileSource

/// Reading a data source.
module DataSource =

    /// The law the data come from, when it is known.
    let law (source: DataSource) =
        match source with
        | Law law
        | Sample(law, _) -> Some law
        | File _ -> None

    /// The finite sample of the source, when the law is sampled once.
    let finiteSample (source: DataSource) =
        match source with
        | Sample(_, sample) -> Some sample
        | Law _
        | File _ -> None

    /// Whether training draws from fixed splits (a finite sample or a file) rather than fresh draws.
    let isFinite (source: DataSource) =
        match source with
        | Law _ -> false
        | Sample _
        | File _ -> true

    /// Coordinates of one data point.
    let dimension (source: DataSource) =
        match source with
        | Law law
        | Sample(law, _) -> Densities.dimension law
        | File file -> file.Dimension

    /// Whether the data's density is known (KL, exact likelihood of the data).
    let hasDensity (source: DataSource) = law source |> Option.exists Densities.hasDensity

    /// Whether the data's law is a mixture with modes to count (seed 000's mode scores).
    let hasModes (source: DataSource) = law source |> Option.exists Densities.hasModes

    /// Every error of the source, with field paths under `path`.
    let errors (path: string) (source: DataSource) =
        match source with
        | Law law -> DistributionValidation.validate (path + ".law") law
        | Sample(law, sample) -> DistributionValidation.validate (path + ".law") law @ FiniteSample.errors (path + ".sample") sample
        | File file -> SampleFileSource.errors (path + ".file") file
