using System.Globalization;
using System.Text;
using GanFlow.Core.Experiments;
using GanFlow.Core.Specs;

namespace GanFlow.Store;

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

    /// <summary>The experiment of <c>spec.json</c>, or null when absent.</summary>
    /// <exception cref="RunFolderException">The file does not parse (the message names it and the line).</exception>
    public Experiment? ReadSpec() => File.Exists(PathOf(RunFiles.Spec)) ? ReadJson<Experiment>(PathOf(RunFiles.Spec)) : null;

    /// <summary>The summary of <c>summary.json</c>, or null when absent.</summary>
    /// <exception cref="RunFolderException">The file does not parse (the message names it and the line).</exception>
    public RunSummary? ReadSummary() => File.Exists(PathOf(RunFiles.Summary)) ? ReadJson<RunSummary>(PathOf(RunFiles.Summary)) : null;

    /// <summary>Rewrites <c>metrics.csv</c> with every row so far (small, so rewritten whole after each evaluation), in the
    /// columns of what <paramref name="experiment"/>'s model can do.</summary>
    public void WriteMetrics(Experiment experiment, IEnumerable<EvaluationRecord> records) =>
        AtomicFile.WriteAllText(PathOf(RunFiles.Metrics), MetricsCsv.Format(MetricColumns.ofExperiment(experiment).ToList(), records));

    /// <summary>The rows of <c>metrics.csv</c>; empty when absent.</summary>
    /// <exception cref="RunFolderException">The file is malformed (the message names it and the line).</exception>
    public IReadOnlyList<EvaluationRecord> ReadMetrics() =>
        File.Exists(PathOf(RunFiles.Metrics)) ? MetricsCsv.Parse(ReadText(PathOf(RunFiles.Metrics)), PathOf(RunFiles.Metrics)) : [];

    /// <summary>The text of a file, or a <see cref="RunFolderException"/> naming it when it cannot be read.</summary>
    public static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"{path}: cannot be read: {e.Message}");
        }
    }

    /// <summary>A spec or result file (<see cref="SpecJson"/>'s form), or a <see cref="RunFolderException"/> naming the file
    /// and the line where it stops being one.</summary>
    public static T ReadJson<T>(string path) => ParseJson<T>(ReadText(path), path);

    /// <summary>Parses <paramref name="text"/> as a <typeparamref name="T"/> in <see cref="SpecJson"/>'s form; errors name
    /// <paramref name="source"/> (a file, or the standard input) and the line.</summary>
    /// <exception cref="RunFolderException">The text is empty or not a <typeparamref name="T"/>.</exception>
    public static T ParseJson<T>(string text, string source)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new RunFolderException($"{source}: empty, not {SpecJson.withArticle(typeof(T))}");
        try
        {
            if (SpecJson.isNullDocument(text)) throw new RunFolderException($"{source}: holds null, not {SpecJson.withArticle(typeof(T))}");
            return SpecJson.deserialize<T>(text);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RunFolderException($"{source}: not a valid {typeof(T).Name} ({JsonErrors.Describe(e)})");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or FormatException)
        {
            throw new RunFolderException($"{source}: not a valid {typeof(T).Name} ({e.Message})");
        }
    }

    /// <summary>Writes <c>heldout.json</c>.</summary>
    public void WriteHeldOut(HeldOut heldOut) => AtomicFile.WriteAllText(PathOf(RunFiles.HeldOut), SpecJson.serialize(heldOut));

    /// <summary>The held-out measurements of <c>heldout.json</c>, or null when absent.</summary>
    /// <exception cref="RunFolderException">The file does not parse (the message names it and the line).</exception>
    public HeldOut? ReadHeldOut() => File.Exists(PathOf(RunFiles.HeldOut)) ? ReadJson<HeldOut>(PathOf(RunFiles.HeldOut)) : null;

    /// <summary>Writes <c>jacobian.csv</c>: header <c>draw,index,singular_value</c>, then every singular value of every draw
    /// (<paramref name="singularValues"/>[draw][index], largest first).</summary>
    public void WriteJacobian(IReadOnlyList<double[]> singularValues)
    {
        var text = new StringBuilder("draw,index,singular_value\n");
        for (var draw = 0; draw < singularValues.Count; draw++)
            for (var k = 0; k < singularValues[draw].Length; k++)
                text.Append(draw.ToString(CultureInfo.InvariantCulture)).Append(',').Append(k.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(singularValues[draw][k].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        AtomicFile.WriteAllText(PathOf(RunFiles.Jacobian), text.ToString());
    }

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

    /// <summary>
    /// Writes <c>density.csv</c>: a header, then one grid point per line, its <paramref name="dimension"/>
    /// coordinates (row-major in <paramref name="points"/>) and the density there.
    /// </summary>
    public void WriteDensity(IReadOnlyList<double> points, IReadOnlyList<double> density, int dimension)
    {
        var header = dimension == 1 ? "x,density" : dimension == 2 ? "x,y,density"
            : string.Join(',', Enumerable.Range(1, dimension).Select(k => $"x{k}")) + ",density";
        AtomicFile.WriteAllText(PathOf(RunFiles.Density), Table(header, points, dimension, density));
    }

    /// <summary>Writes <c>latent.csv</c>: header <c>z1,z2,…</c>, then one latent point per line (row-major input).</summary>
    public void WriteLatent(IReadOnlyList<double> points, int dimension)
    {
        var header = string.Join(',', Enumerable.Range(1, dimension).Select(k => $"z{k}"));
        AtomicFile.WriteAllText(PathOf(RunFiles.Latent), Table(header, points, dimension, null));
    }

    /// <summary>
    /// Writes <c>trajectories.csv</c>: header <c>point,stage,label,x</c> (1-D), <c>point,stage,label,x,y</c> (2-D) or
    /// <c>point,stage,label,x1,…</c>, then one line per point and stage, each point's stages in order (point-major).
    /// <paramref name="states"/>[k] holds every point's coordinates after stage k (row-major, <paramref name="dimension"/>
    /// per point) and <paramref name="labels"/>[k] names that stage.
    /// </summary>
    /// <exception cref="ArgumentException">Labels and states differ in number, the states differ in size, or a label
    /// holds a comma, a double quote or a line break.</exception>
    public void WriteTrajectories(IReadOnlyList<string> labels, IReadOnlyList<double[]> states, int dimension)
    {
        if (labels.Count != states.Count) throw new ArgumentException($"{labels.Count} labels for {states.Count} stages", nameof(labels));
        if (labels.Any(l => l.IndexOfAny(new[] { ',', '"', '\n', '\r' }) >= 0))
            throw new ArgumentException("a stage label holds a comma, a double quote or a line break", nameof(labels));
        var values = states.Count == 0 ? 0 : states[0].Length;
        if (states.Any(s => s.Length != values) || values % dimension != 0)
            throw new ArgumentException($"every stage must hold the same number of {dimension}-D points", nameof(states));
        var coordinates = dimension == 1 ? "x" : dimension == 2 ? "x,y"
            : string.Join(',', Enumerable.Range(1, dimension).Select(k => $"x{k}"));
        var text = new StringBuilder().Append("point,stage,label,").Append(coordinates).Append('\n');
        for (var p = 0; p < values / dimension; p++)
        {
            for (var k = 0; k < states.Count; k++)
            {
                text.Append(p.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(k.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(labels[k]);
                for (var j = 0; j < dimension; j++)
                    text.Append(',').Append(states[k][p * dimension + j].ToString("R", CultureInfo.InvariantCulture));
                text.Append('\n');
            }
        }
        AtomicFile.WriteAllText(PathOf(RunFiles.Trajectories), text.ToString());
    }

    private static string Table(string header, IReadOnlyList<double> points, int dimension, IReadOnlyList<double>? last)
    {
        var text = new StringBuilder(points.Count * 24).Append(header).Append('\n');
        for (var i = 0; i < points.Count / dimension; i++)
        {
            for (var k = 0; k < dimension; k++)
            {
                if (k > 0) text.Append(',');
                text.Append(points[i * dimension + k].ToString("R", CultureInfo.InvariantCulture));
            }
            if (last is not null) text.Append(',').Append(last[i].ToString("R", CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        return text.ToString();
    }
}
