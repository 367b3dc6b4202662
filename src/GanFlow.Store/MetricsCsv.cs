using System.Globalization;
using System.Text;
using GanFlow.Core.Experiments;

namespace GanFlow.Store;

/// <summary>The text form of <c>metrics.csv</c>: one <see cref="EvaluationRecord"/> per row, invariant culture, NaN as <c>NaN</c>.</summary>
public static class MetricsCsv
{
    /// <summary>The exact header line.</summary>
    public const string Header = "step,w1,w1_exact,critic_w1,energy,generator_loss,critic_loss,wall_seconds,nll,inverse_error,nfe,latent_inverse_error";

    /// <summary>Columns every version of the file has; later columns were appended over time (flows: nll and
    /// inverse_error, then nfe, then latent_inverse_error), and a file that stops after any of them still parses, the missing ones NaN.</summary>
    public const int RequiredColumns = 8;

    private static string Number(double value) =>
        double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Header plus one line per record, each ending in a newline.</summary>
    public static string Format(IEnumerable<EvaluationRecord> records)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var r in records)
        {
            text.Append(r.Step.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Number(r.W1)).Append(',')
                .Append(Number(r.W1Exact)).Append(',')
                .Append(Number(r.CriticW1)).Append(',')
                .Append(Number(r.Energy)).Append(',')
                .Append(Number(r.GeneratorLoss)).Append(',')
                .Append(Number(r.CriticLoss)).Append(',')
                .Append(Number(r.WallSeconds)).Append(',')
                .Append(Number(r.Nll)).Append(',')
                .Append(Number(r.InverseError)).Append(',')
                .Append(Number(r.FunctionEvaluations)).Append(',')
                .Append(Number(r.LatentInverseError)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Parses what <see cref="Format"/> wrote; <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="RunFolderException">The header or a row is malformed; the message names the file and the line.</exception>
    public static IReadOnlyList<EvaluationRecord> Parse(string text, string source = RunFiles.Metrics)
    {
        var lines = text.Split('\n');
        var header = lines[0].Trim();
        var fields = header.Split(',').Length;
        if (fields < RequiredColumns || !(Header + ",").StartsWith(header + ",", StringComparison.Ordinal))
            throw new RunFolderException($"{source} line 1: expected the header '{Header}' (or its first {RequiredColumns} or more columns)" +
                                         (header.Length == 0 ? ", found an empty line (the file is empty or truncated)" : ""));
        var records = new List<EvaluationRecord>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0) continue;
            var cells = line.Split(',');
            if (cells.Length != fields)
                throw new RunFolderException($"{source} line {i + 1}: {cells.Length} fields, expected {fields} (the file is truncated or garbled)");
            double D(int k)
            {
                if (k >= fields) return double.NaN;
                return double.TryParse(cells[k], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                    : throw new RunFolderException($"{source} line {i + 1}: '{cells[k]}' in column {header.Split(',')[k]} is not a number");
            }
            if (!int.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out var step))
                throw new RunFolderException($"{source} line {i + 1}: '{cells[0]}' in column step is not a step count");
            records.Add(new EvaluationRecord(step, D(1), D(2), D(3), D(4), D(5), D(6), D(7), D(8), D(9), D(10), D(11)));
        }
        return records;
    }
}
