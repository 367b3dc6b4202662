using System.Globalization;
using System.Text;
using GanFlow.Core.Experiments;
using GanFlow.Core.Specs;

namespace GanFlow.Runtime.Store;

/// <summary>
/// The files of one run folder (names from <see cref="RunFiles"/>), each written atomically.
/// </summary>
public sealed class RunStore
{
    /// <summary>The run folder.</summary>
    public string Directory { get; }

    /// <summary>A store over <paramref name="directory"/> (created on first write).</summary>
    public RunStore(string directory) => Directory = directory;

    private string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>The JSON text of a spec as <c>spec.json</c> holds it.</summary>
    public static string SpecText(Experiment experiment) => SpecJson.serialize(experiment);

    /// <summary>Writes <c>spec.json</c>.</summary>
    public void WriteSpec(Experiment experiment) => AtomicFile.WriteAllText(PathOf(RunFiles.Spec), SpecText(experiment));

    /// <summary>The text of <c>spec.json</c>, or null when absent.</summary>
    public string? ReadSpecText() => File.Exists(PathOf(RunFiles.Spec)) ? File.ReadAllText(PathOf(RunFiles.Spec)) : null;

    /// <summary>Rewrites <c>metrics.csv</c> with every row so far (small, so rewritten whole after each evaluation).</summary>
    public void WriteMetrics(IEnumerable<EvaluationRecord> records) =>
        AtomicFile.WriteAllText(PathOf(RunFiles.Metrics), MetricsCsv.Format(records));

    /// <summary>The rows of <c>metrics.csv</c>; empty when absent.</summary>
    public IReadOnlyList<EvaluationRecord> ReadMetrics() =>
        File.Exists(PathOf(RunFiles.Metrics)) ? MetricsCsv.Parse(File.ReadAllText(PathOf(RunFiles.Metrics))) : [];

    /// <summary>Writes <c>summary.json</c>.</summary>
    public void WriteSummary(RunSummary summary) => AtomicFile.WriteAllText(PathOf(RunFiles.Summary), SpecJson.serialize(summary));

    /// <summary>
    /// Writes <c>samples.txt</c>: one sample per line, coordinates comma-separated, "R" format, invariant culture.
    /// <paramref name="values"/> is row-major, <paramref name="dimension"/> values per sample.
    /// </summary>
    public void WriteSamples(IReadOnlyList<double> values, int dimension)
    {
        var text = new StringBuilder(values.Count * 20);
        for (var i = 0; i < values.Count; i += dimension)
        {
            for (var k = 0; k < dimension; k++)
            {
                if (k > 0) text.Append(',');
                text.Append(values[i + k].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        AtomicFile.WriteAllText(PathOf(RunFiles.Samples), text.ToString());
    }

    /// <summary>Removes the result files of an earlier run in this folder (a fresh start), leaving other files alone.</summary>
    public void ClearResults()
    {
        foreach (var name in new[] { RunFiles.Metrics, RunFiles.Summary, RunFiles.Samples })
        {
            if (File.Exists(PathOf(name))) File.Delete(PathOf(name));
        }
    }
}
