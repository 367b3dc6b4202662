using System.Globalization;
using CsvHelper;

namespace GanFlow.Store;

/// <summary>One record of a CSV file: its fields and the line it starts on (1-based, for messages).</summary>
public sealed record CsvRecord(int Line, string[] Fields);

/// <summary>
/// The one CSV reader of the files the tool writes and reads back (metrics.csv, density.csv, latent.csv,
/// trajectories.csv, jacobian.csv, the dynamics tables; sample files have their own front end, <see cref="SampleFile"/>,
/// on the same library): CsvHelper splits the records (RFC 4180: quoted fields may hold commas and doubled quotes),
/// blank lines are skipped, fields are trimmed, and each record keeps its line so that a caller's error names the file
/// and the line. Numbers are parsed by <see cref="Number"/> (invariant culture, <c>NaN</c>, ±<c>Infinity</c>).
/// </summary>
public static class CsvRecords
{
    /// <summary>Every record of <paramref name="text"/>, the header first.</summary>
    /// <exception cref="RunFolderException">The text is not CSV (an unterminated quote); the message names
    /// <paramref name="source"/> and the line.</exception>
    public static IReadOnlyList<CsvRecord> Parse(string text, string source)
    {
        var options = Options();
        var records = new List<CsvRecord>();
        var line = 1;
        try
        {
            using var reader = CsvReader.FromText(text, options);
            while (reader.Read())
            {
                line = (int)reader.LineNumber;
                var fields = new string[reader.FieldCount];
                for (var c = 0; c < fields.Length; c++) fields[c] = reader.GetString(c) ?? "";
                // A line of spaces or tabs is blank too.
                if (fields.Length == 1 && fields[0].Length == 0) continue;
                records.Add(new CsvRecord(line, fields));
            }
        }
        catch (CsvFormatException error)
        {
            throw new RunFolderException($"{source} line {(error.LineNumber > 0 ? error.LineNumber : line + 1)}: not CSV ({error.Message.Split('\n')[0]})");
        }
        return records;
    }

    /// <summary>How the tool reads CSV (here and in <see cref="SampleFile"/>): comma-separated, no header record (the
    /// callers check their own), line numbers tracked, blank lines skipped, fields trimmed, malformed quoting an error.</summary>
    public static CsvReaderOptions Options() => new()
    {
        Separator = ',',
        HasHeader = false,
        TrackLineNumbers = true,
        SkipEmptyLines = true,
        TrimWhitespace = true,
        MalformedData = CsvMalformedDataHandling.Throw,
    };

    /// <summary>The number in <paramref name="field"/> (invariant culture; <c>NaN</c>, <c>Infinity</c>).</summary>
    /// <exception cref="RunFolderException">It is not a number; the message names the source, the line and the column.</exception>
    public static double Number(string field, string source, int line, string column)
    {
        if (double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        throw new RunFolderException($"{source} line {line}: '{field}' in column {column} is not a number");
    }
}
