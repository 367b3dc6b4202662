using System.Globalization;
using System.Text;
using GanFlow.Core.Experiments;

namespace GanFlow.Runtime.Store;

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

    /// <summary>Parses what <see cref="Format"/> wrote.</summary>
    /// <exception cref="FormatException">The header or a row is malformed.</exception>
    public static IReadOnlyList<EvaluationRecord> Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines.Length == 0 ? "" : lines[0].Trim();
        var fields = header.Split(',').Length;
        if (fields < RequiredColumns || !(Header + ",").StartsWith(header + ",", StringComparison.Ordinal))
            throw new FormatException($"metrics.csv must start with the header '{Header}' (or its first {RequiredColumns} or more columns)");
        var records = new List<EvaluationRecord>();
        for (var i = 1; i < lines.Length; i++)
        {
            var cells = lines[i].Trim().Split(',');
            if (cells.Length != fields) throw new FormatException($"metrics.csv line {i + 1} has {cells.Length} fields, expected {fields}");
            double D(int k) => k < fields ? double.Parse(cells[k], NumberStyles.Float, CultureInfo.InvariantCulture) : double.NaN;
            records.Add(new EvaluationRecord(int.Parse(cells[0], CultureInfo.InvariantCulture), D(1), D(2), D(3), D(4), D(5), D(6), D(7),
                D(8), D(9), D(10), D(11)));
        }
        return records;
    }
}
