using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Store;

namespace GanFlow.Runtime.Training;

/// <summary>
/// The one reader of an experiment's <see cref="DataSource"/> into data: the splits of a finite sample (drawn once from
/// its law) or of a sample file (read and split by <see cref="SampleFileSourceModule.split"/>), and the points a flow's
/// initialisation sees.
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
        _ => null,
    };

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
