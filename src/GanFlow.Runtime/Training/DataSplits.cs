using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Images;
using GanFlow.Core.Specs;
using GanFlow.Store;

namespace GanFlow.Runtime.Training;

/// <summary>
/// The one reader of an experiment's <see cref="DataSource"/> into data: the splits of a finite sample (drawn once from
/// its law), of a sample file (read and split by <see cref="SampleFileSourceModule.split"/>) or of a folder of MNIST
/// images (the papers' split, made continuous by the preprocessing), and what images need on top: fresh dequantization
/// of every training batch, and the observation map a flow puts in front of itself.
/// </summary>
public static class DataSplits
{
    /// <summary>The splits of <paramref name="experiment"/>'s data, or null when training draws fresh data from a law.</summary>
    /// <exception cref="SampleFileException">The sample file is missing, malformed, of another dimension, or too short to
    /// split (the message names the file).</exception>
    public static Splits? Of(Experiment experiment) => experiment.Data switch
    {
        DataSource.Sample s => FiniteSampleModule.draw(s.law, s.sample),
        DataSource.File f => Split(f.file),
        DataSource.Images i => Images(i.images),
        _ => null,
    };

    /// <summary>The splits of a folder of MNIST images on the [0, 1] scale: b/255 (<c>Scaled01</c>), or dequantized once,
    /// (b + u)/256 with u ~ U(0, 1) drawn from <c>Seeds.random 0 k 0</c> for the k-th split (train, validation, test)
    /// (<c>DequantizedLogit</c>).</summary>
    /// <exception cref="RunFolderException">The folder or a file is missing or malformed, or its images are not
    /// <c>side</c> × <c>side</c> (the message names the folder).</exception>
    public static Splits Images(ImageSource source)
    {
        var splits = MnistFolder.Load(source.Data.Folder, source.Data.Split);
        foreach (var set in new[] { splits.Train, splits.Test })
            if (set.Rows != source.Side || set.Columns != source.Side)
                throw new RunFolderException(
                    $"{source.Data.Folder}: its images are {set.Rows} x {set.Columns} pixels, and data.images.side is {source.Side}");
        double[] Continuous(ImageSet set, int index)
        {
            var values = new double[set.Pixels.Length];
            if (source.Preprocessing.IsScaled01)
                for (var i = 0; i < values.Length; i++) values[i] = set.Pixels[i] / 255.0;
            else
            {
                var rng = Seeds.random(0, index, 0);
                for (var i = 0; i < values.Length; i++) values[i] = (set.Pixels[i] + rng.NextDouble()) / 256.0;
            }
            return values;
        }
        return new Splits(source.Side * source.Side, Continuous(splits.Train, 0), Continuous(splits.Validation, 1), Continuous(splits.Test, 2));
    }

    /// <summary>Dequantizes a training batch afresh in place (images under <c>DequantizedLogit</c>): every value x of a
    /// split lies in [b/256, (b + 1)/256), so b = ⌊256x⌋, and it becomes (b + u)/256 with u from <paramref name="rng"/>
    /// (the step's data stream). Other data are left as they are.</summary>
    public static void Redequantize(Experiment experiment, double[] batch, Random rng)
    {
        if (Observation(experiment) is null) return;
        for (var i = 0; i < batch.Length; i++)
            batch[i] = (Math.Min(255.0, Math.Floor(batch[i] * 256.0)) + rng.NextDouble()) / 256.0;
    }

    /// <summary>The fixed map a flow puts in front of itself to model data on the [0, 1] scale: the dequantized images'
    /// logit (<see cref="Flows.DequantizedLogitFlow"/>); null for every other source.</summary>
    public static ImagePreprocessing? Observation(Experiment experiment) =>
        experiment.Data is DataSource.Images { images.Preprocessing: ImagePreprocessing.DequantizedLogit } images ? images.images.Preprocessing : null;

    /// <summary>Why the inputs of <paramref name="experiment"/> outside its spec cannot be used: data that cannot be read
    /// (a sample file or a folder of images that is missing, malformed or too short), or a VAE run its generator starts
    /// from that cannot (<see cref="Checkpoints.VaeInitialization.Problem"/>), or data with a dimension of no spread for a
    /// model that standardizes (<see cref="StandardizationProblem"/>), prefixed by the spec field; null when they can. For the commands to refuse bad input with exit code 2 before anything starts.</summary>
    public static string? Problem(Experiment experiment)
    {
        try
        {
            return StandardizationProblem(experiment, Of(experiment)) ?? Checkpoints.VaeInitialization.Problem(experiment);
        }
        catch (SampleFileException e) { return $"data.file: {e.Message}"; }
        catch (RunFolderException e) { return $"data.images: {e.Message}"; }
    }

    /// <summary>The points a flow's initialisation sees when training draws from <paramref name="splits"/> (Gaussianization
    /// anchors, <c>Flow.Standardize</c>'s mean and standard deviation): the first
    /// <see cref="Modules.FlowGeneratorModule.InitialDataPoints"/> of the training split, all of it when it holds fewer.</summary>
    public static double[] InitialPoints(Splits splits) =>
        splits.Train[..(Math.Min(Modules.FlowGeneratorModule.InitialDataPoints, splits.Train.Length / splits.Dimension) * splits.Dimension)];

    /// <summary>Why a standardized flow (<c>model.generator.flow.standardize</c>) cannot be built on
    /// <paramref name="splits"/>: a dimension in which every one of its <see cref="InitialPoints"/> holds the same value
    /// has standard deviation 0, and x ↦ (x − m)/s divides by it. The message names the data (the file, the folder) and
    /// the dimension, and says whether the whole data or only the training split lack the spread; null when every
    /// dimension varies, the data are fresh draws, or the model does not standardize.</summary>
    private static string? StandardizationProblem(Experiment experiment, Splits? splits)
    {
        if (splits is null || experiment.Model.Generator is not GanFlow.Core.Models.GeneratorSpec.Flow { Item.Standardize: true }) return null;
        var initial = InitialPoints(splits);
        if (ConstantDimensions.first(splits.Dimension, initial)?.Value is not (int k, double value)) return null;
        var d = splits.Dimension;
        var everywhere = ConstantDimensions.holds(d, k, value, splits.Validation) && ConstantDimensions.holds(d, k, value, splits.Test)
                         && ConstantDimensions.holds(d, k, value, splits.Train);
        var (field, name) = Source(experiment);
        var data = name is null ? "" : $"{name}: ";
        var points = initial.Length / d;
        var which = points < splits.Train.Length / d ? $"the first {points:N0} points of the training split" : $"the {points:N0} points of the training split";
        var column = experiment.Data is DataSource.File ? $" (column {k + 1} of the file)" : "";
        var scope = everywhere
            ? "every point of the data does too"
            : "the data's other points vary there, but the seeded split left none of them in the training split";
        return $"{field}: {data}dimension {k}{column} has no spread: {which}, from which model.generator.flow.standardize takes " +
               $"each dimension's mean and standard deviation, all hold {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} there ({scope}), " +
               "so the standard deviation is 0 and x ↦ (x − m)/s is not defined. Remove the constant dimension from the data, or train a model that does not standardize";
    }

    /// <summary>The spec field that names <paramref name="experiment"/>'s data and the file or folder they are read from
    /// (<c>data.file</c> and its path, <c>data.images</c> and its folder); <c>data.sample</c> and null for draws of a law.
    /// For messages that say which data they mean.</summary>
    public static (string Field, string? Name) Source(Experiment experiment) => experiment.Data switch
    {
        DataSource.File f => ("data.file", f.file.Path),
        DataSource.Images i => ("data.images", i.images.Data.Folder),
        _ => ("data.sample", null),
    };

    /// <summary><paramref name="experiment"/> with its budget's steps counted from its epochs over the training split
    /// (<see cref="BudgetModule.resolve"/>); unchanged when the budget counts steps.</summary>
    /// <exception cref="SampleFileException">As <see cref="Of"/>.</exception>
    public static Experiment ResolveBudget(Experiment experiment)
    {
        if (experiment.Budget.Epochs is null || Of(experiment) is not { } splits) return experiment;
        var budget = BudgetModule.resolve(splits.Train.Length / splits.Dimension, experiment.Budget);
        return new Experiment(experiment.Name, experiment.Description, experiment.Data, experiment.Model, budget, experiment.Evaluation, experiment.Seed);
    }

    /// <summary>The split evaluations score against when the law is unknown: the validation split, or the test split when
    /// the source holds out none (seed 003's MNIST split trains on the whole training file and tests on t10k, as the
    /// paper evaluates).</summary>
    public static double[] EvaluationSplit(Splits splits) => splits.Validation.Length > 0 ? splits.Validation : splits.Test;

    /// <summary>The same choice among a folder's image sets (their labels).</summary>
    private static ImageSet EvaluationSet(ImageSplits splits) => splits.Validation.Count > 0 ? splits.Validation : splits.Test;

    /// <summary>The labels of the first <paramref name="count"/> images of <paramref name="experiment"/>'s evaluation split
    /// (<see cref="EvaluationSplit"/>); zeros for data without labels.</summary>
    public static byte[] EvaluationLabels(Experiment experiment, int count)
    {
        if (experiment.Data is not DataSource.Images images) return new byte[count];
        var splits = MnistFolder.Load(images.images.Data.Folder, images.images.Data.Split);
        return EvaluationSet(splits).Labels.Take(count).ToArray();
    }

    /// <summary>The splits of the sample file <paramref name="source"/> names.</summary>
    /// <exception cref="SampleFileException">As <see cref="Of"/>.</exception>
    public static Splits Split(SampleFileSource source)
    {
        var points = SampleFile.Read(source.Path, source.Dimension);
        var (test, validation) = SampleFileSourceModule.heldOutRows(source, points.Count);
        if (points.Count - test - validation < 2)
            throw new SampleFileException(
                $"{source.Path}: {points.Count} rows, too few to hold out {test} for the test split and {validation} for the validation split and train on at least 2");
        return SampleFileSourceModule.split(source, points.Values);
    }
}
