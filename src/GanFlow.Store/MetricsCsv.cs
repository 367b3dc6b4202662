using System.Globalization;
using System.Text;
using GanFlow.Core.Experiments;
using Microsoft.FSharp.Core;

namespace GanFlow.Store;

/// <summary>The text form of <c>metrics.csv</c>: one <see cref="EvaluationRecord"/> per row, invariant culture, with exactly
/// the columns of what the run's model can do (<see cref="MetricColumns.ofExperiment"/>), in
/// <see cref="MetricColumns.all"/>'s order.</summary>
public static class MetricsCsv
{
    private static string Number(double value, bool integer) =>
        double.IsNaN(value) ? "NaN"
        : integer ? ((long)value).ToString(CultureInfo.InvariantCulture)
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The header line of <paramref name="columns"/>.</summary>
    public static string Header(IEnumerable<MetricColumn> columns) => string.Join(',', columns.Select(c => c.Name));

    /// <summary>Header plus one line per record, each ending in a newline.</summary>
    /// <exception cref="InvalidOperationException">A record has no value for one of the columns (its model cannot have
    /// it: the columns and the records disagree).</exception>
    public static string Format(IReadOnlyList<MetricColumn> columns, IEnumerable<EvaluationRecord> records)
    {
        var text = new StringBuilder(Header(columns)).Append('\n');
        foreach (var r in records)
        {
            for (var k = 0; k < columns.Count; k++)
            {
                var value = columns[k].Get.Invoke(r);
                if (value is null)
                    throw new InvalidOperationException($"the evaluation at step {r.Step} has no value for the column {columns[k].Name}");
                if (k > 0) text.Append(',');
                text.Append(Number(value.Value, columns[k].Integer));
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Parses what <see cref="Format"/> wrote, and files of earlier versions (every column, NaN where a metric did
    /// not exist: a NaN reads as absent); <paramref name="source"/> names the file in errors.</summary>
    /// <exception cref="RunFolderException">The header or a row is malformed; the message names the file and the line.</exception>
    public static IReadOnlyList<EvaluationRecord> Parse(string text, string source = RunFiles.Metrics)
    {
        var rows = CsvRecords.Parse(text, source);
        if (rows.Count == 0)
            throw new RunFolderException($"{source} line 1: expected a header of metric columns, found an empty line (the file is empty or truncated)");
        var names = rows[0].Fields;
        var headerLine = rows[0].Line;
        foreach (var name in names)
        {
            if (MetricColumns.tryByName(name) is null)
                throw new RunFolderException($"{source} line {headerLine}: '{name}' is not a metric column (known: {Header(MetricColumns.all)})");
        }
        if (names.Distinct().Count() != names.Length) throw new RunFolderException($"{source} line {headerLine}: a column appears twice");
        foreach (var required in new[] { "step", "energy", "generator_loss", "wall_seconds" })
        {
            if (!names.Contains(required)) throw new RunFolderException($"{source} line {headerLine}: the header has no column {required}");
        }
        if (names[0] != "step") throw new RunFolderException($"{source} line {headerLine}: the first column must be step");
        var records = new List<EvaluationRecord>();
        foreach (var (row, cells) in rows.Skip(1))
        {
            if (cells.Length != names.Length)
                throw new RunFolderException($"{source} line {row}: {cells.Length} fields, expected {names.Length} (the file is truncated or garbled)");
            if (!int.TryParse(cells[0], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                throw new RunFolderException($"{source} line {row}: '{cells[0]}' in column step is not a step count");
            var values = new Dictionary<string, double>();
            for (var k = 0; k < names.Length; k++)
            {
                var v = CsvRecords.Number(cells[k], source, row, names[k]);
                if (!double.IsNaN(v)) values[names[k]] = v;
            }
            var record = MetricColumns.toRecord(FuncConvert.FromFunc<string, FSharpOption<double>?>(
                name => values.TryGetValue(name, out var v) ? FSharpOption<double>.Some(v) : FSharpOption<double>.None));
            if (record.IsError) throw new RunFolderException($"{source} line {row}: {record.ErrorValue}");
            records.Add(record.ResultValue);
        }
        return records;
    }
}
