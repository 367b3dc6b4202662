using CsvHelper;
using GanFlow.Core.Metrics;

namespace GanFlow.Store;

/// <summary>
/// The one reader of every sample file the tool reads (<c>ganflow metric</c>'s files, a run's <c>samples.txt</c>):
/// n points of d coordinates, as <see cref="Points"/>. Three formats, told apart by content:
/// <list type="bullet">
/// <item>NumPy <c>.npy</c> (starts with its magic): see <see cref="NpyFile"/>.</item>
/// <item>CSV (the first non-blank line holds a comma), read with CsvHelper (RFC 4180: quoted fields allowed).</item>
/// <item>Whitespace-separated text: columns split on spaces and tabs.</item>
/// </list>
/// In the two text formats, blank lines are skipped, d is the column count (every row must have it), and the first row
/// may be a header when none of its fields is a number, or when it reads 0, 1, …, d − 1 in integers (d ≥ 2) over rows
/// that are not all integers (pandas' header of unnamed columns). Every value follows <see cref="SampleText.number"/>: a finite
/// number in the invariant culture. Errors are <see cref="SampleFileException"/>s naming the file and the line (and
/// column) or the .npy header field.
/// </summary>
public static class SampleFile
{
    /// <summary>Lines a text sample may have (a guard against reading a huge unrelated file).</summary>
    public const int MaxLines = 100_000_000;

    /// <summary>Reads the points of the sample file at <paramref name="path"/>.</summary>
    /// <exception cref="SampleFileException">The file is missing, a folder, unreadable, empty or malformed.</exception>
    public static Points Read(string path) => ReadLocated(path).Points;

    /// <summary>Reads the points of the sample file at <paramref name="path"/>, which must be a file on disk: a reader
    /// that reads it again later (a run's data, read for its splits and again by <c>--resume</c>) cannot take a pipe,
    /// which yields its bytes once.</summary>
    /// <param name="path">The file.</param>
    /// <param name="flag">The option that named it, for the message (<c>--data</c>).</param>
    /// <exception cref="SampleFileException">As <see cref="Read(string)"/>, or the path is a pipe or a device.</exception>
    public static Points ReadFileOnDisk(string path, string flag) => ReadLocated(path, flag).Points;

    /// <summary>Reads the points of the sample file at <paramref name="path"/>, with where their dimension comes from
    /// (<c>line N</c>, the first data row of a text file, or the .npy <c>shape</c> field), for messages that compare
    /// two files.</summary>
    /// <exception cref="SampleFileException">As <see cref="Read(string)"/>.</exception>
    public static (Points Points, string DimensionSource) ReadLocated(string path) => ReadLocated(path, null);

    /// <summary><see cref="ReadLocated(string)"/>; with <paramref name="onDiskFor"/> (the option that named the file),
    /// a pipe or a device is refused.</summary>
    private static (Points Points, string DimensionSource) ReadLocated(string path, string? onDiskFor)
    {
        if (Directory.Exists(path)) throw new SampleFileException($"{path} is a folder: give a sample file (CSV, whitespace-separated text or .npy)");
        if (!File.Exists(path)) throw new SampleFileException($"{path}: no such file");
        try
        {
            // One open: a pipe (`--x <(…)`, /dev/stdin) yields its bytes once, and every reopen would read on from
            // where the last read stopped (a pipe's rows were dropped and its values garbled, with exit 0).
            using var stream = OpenRewindable(path);
            if (onDiskFor is not null && stream is MemoryStream)
                throw new SampleFileException($"{onDiskFor} {path}: a pipe or a device, not a file on disk: it is read again later (for the run's data splits, and by --resume), and a pipe yields its bytes once; write it to a file first");
            var start = new byte[6];
            var read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
            stream.Position = 0;
            if (NpyFile.HasMagic(start.AsSpan(0, read)))
            {
                // One copy of the bytes: a pipe's are in memory already, a file's are read at their known length.
                byte[] bytes;
                if (stream is MemoryStream memory) bytes = memory.ToArray();
                else
                {
                    bytes = new byte[stream.Length];
                    stream.ReadExactly(bytes);
                }
                var (values, dimension) = NpyFile.Read(path, bytes);
                return (PointsModule.create(dimension, values), $"(.npy header field 'shape' = ({values.Length / dimension}, {dimension}))");
            }
            string? firstLine;
            using (var text = Text(stream)) firstLine = ReadLines(text).Take(MaxLines).FirstOrDefault(line => line.Trim().Length > 0);
            if (firstLine is null) throw new SampleFileException($"{path}: no values (the file is empty or holds only blank lines)");
            stream.Position = 0;
            using var reader = Text(stream);
            return firstLine.Contains(',') ? ReadCsv(path, reader) : ReadWhitespace(path, reader);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException)
        {
            throw new SampleFileException($"{path}: cannot be read: {e.Message}");
        }
    }

    /// <summary>The file at <paramref name="path"/> as a stream that can be read again from its start: the file itself
    /// when it can seek (a regular file), else all of its bytes, read once, in memory (a pipe, a terminal).</summary>
    private static Stream OpenRewindable(string path)
    {
        var file = File.OpenRead(path);
        if (file.CanSeek) return file;
        using (file)
        {
            var memory = new MemoryStream();
            file.CopyTo(memory);
            memory.Position = 0;
            return memory;
        }
    }

    /// <summary>A reader of the stream's text (UTF-8 unless a byte order mark says otherwise), leaving it open.</summary>
    private static StreamReader Text(Stream stream) =>
        new(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16, leaveOpen: true);

    private static IEnumerable<string> ReadLines(TextReader reader)
    {
        while (reader.ReadLine() is { } line) yield return line;
    }

    /// <summary>Reads the points of <paramref name="path"/> and checks that they have <paramref name="dimension"/>
    /// coordinates (a run's samples.txt against its dataset).</summary>
    /// <exception cref="SampleFileException">As <see cref="Read(string)"/>, or the dimension differs.</exception>
    public static Points Read(string path, int dimension)
    {
        var (points, source) = ReadLocated(path);
        if (points.Dimension != dimension)
            throw new SampleFileException($"{path} {source}: {points.Dimension} {(points.Dimension == 1 ? "value" : "values")} per sample, expected {dimension}");
        return points;
    }

    /// <summary>Collects rows of fields into points: header, column count and values checked.</summary>
    /// <param name="path">The file, for messages.</param>
    /// <param name="separatorHint">Said after a value that holds a comma or semicolon (the whitespace reader's reason for
    /// reading the file as it does), or null.</param>
    private sealed class Rows(string path, string? separatorHint = null)
    {
        private readonly List<double> values = [];
        private int dimension = -1;
        private int firstRowLine;
        /// <summary>The line of a header whose first field is empty (as pandas writes over its index column), or 0.</summary>
        private long unnamedFirstColumnLine;
        /// <summary>Whether the first row (no header before it) reads 0, 1, …, d − 1 in integers, d ≥ 2: pandas' header of
        /// unnamed columns (<c>to_csv(index=False)</c> of a frame made from an array), or a point. Decided once every row
        /// is read.</summary>
        private bool firstRowCountsColumns;
        /// <summary>Whether some row after the first is integers only (then a first row 0, 1, …, d − 1 is a point too).</summary>
        private bool laterIntegerRow;
        /// <summary>The line of the second row of values, or 0.</summary>
        private int secondRowLine;

        public void Add(long line, IReadOnlyList<string> fields)
        {
            if (dimension < 0)
            {
                // A first row where no field is a number (not even NaN) is a header; so is pandas' header over an index
                // and unnamed columns (",0,1": an empty field, then the column numbers 0, 1, …).
                var pandasHeader = fields.Count > 1 && fields[0].Length == 0
                    && fields.Skip(1).Select((f, k) => f == k.ToString(System.Globalization.CultureInfo.InvariantCulture)).All(same => same);
                if (pandasHeader || fields.All(f => !double.TryParse(f, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)))
                {
                    dimension = 0;
                    if (fields.Count > 1 && fields[0].Length == 0) unnamedFirstColumnLine = line;
                    return;
                }
            }
            if (dimension <= 0)
            {
                var noHeader = dimension < 0;
                dimension = fields.Count;
                firstRowLine = checked((int)line);
                // Only with no header read yet (dimension < 0), and in 2 or more dimensions: in 1-D a first 0 over real
                // values is as likely a value (sorted data starting at 0) as pandas' Series header.
                firstRowCountsColumns = noHeader && fields.Count > 1 && fields
                    .Select((f, k) => f == k.ToString(System.Globalization.CultureInfo.InvariantCulture)).All(same => same);
            }
            else if (fields.Count != dimension)
                throw new SampleFileException(
                    $"{path} line {line}: {fields.Count} {(fields.Count == 1 ? "column" : "columns")}, expected {dimension} (the columns of line {firstRowLine})");
            for (var c = 0; c < fields.Count; c++)
            {
                var parsed = SampleText.number(fields[c]);
                if (parsed.IsError)
                    throw new SampleFileException(
                        $"{path} line {line}{(fields.Count > 1 ? $", column {c + 1}" : "")}: \"{fields[c]}\" {parsed.ErrorValue}"
                        + (separatorHint is not null && fields[c].IndexOfAny([',', ';']) >= 0 ? $" ({separatorHint})" : ""));
                values.Add(parsed.ResultValue);
            }
            if (line != firstRowLine)
            {
                if (secondRowLine == 0) secondRowLine = checked((int)line);
                if (firstRowCountsColumns && !laterIntegerRow) laterIntegerRow = fields.All(IsIntegerText);
            }
        }

        /// <summary>How the first column reads when it is a row index: distinct whole numbers ≥ 0 (in order, as a frame
        /// is written, or in any order, as one split by <c>train_test_split</c> is); null when it is not one.</summary>
        private string? RowIndex(int rows)
        {
            var column = Enumerable.Range(0, rows).Select(i => values[i * dimension]).ToList();
            foreach (var first in new[] { 0, 1 })
                if (column.Select((v, i) => v == i + first).All(same => same))
                    return $"{first}, {first + 1}, {first + 2}, …, {rows - 1 + first}";
            var whole = column.All(v => v >= 0 && v == Math.Floor(v) && v < 1e15);
            return whole && rows > 1 && column.Distinct().Count() == rows
                ? $"distinct whole numbers in no order ({string.Join(", ", column.Take(3).Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}, …), as a split frame's index"
                : null;
        }

        private static bool IsIntegerText(string field)
        {
            var digits = field.AsSpan().TrimStart('-').TrimStart('+');
            return digits.Length > 0 && !digits.ContainsAnyExcept("0123456789");
        }

        public (Points, string) ToPoints()
        {
            if (values.Count == 0)
                throw new SampleFileException($"{path}: no values (the file holds {(dimension == 0 ? "only a header" : "no rows")})");
            // pandas' DataFrame.to_csv writes its row index as an unnamed first column (0, 1, …), R's write.csv its row
            // names (1, 2, …): scored as a coordinate, it would add a dimension that tells every sample apart (a shift of
            // 1 in 2-D went undetected by the classifier test).
            if (firstRowCountsColumns && secondRowLine > 0 && !laterIntegerRow)
            {
                // "0,1,…" over real-valued rows is pandas' header of unnamed columns, not a point at (0, 1, …).
                values.RemoveRange(0, dimension);
                firstRowLine = secondRowLine;
            }
            var rows = values.Count / dimension;
            if (unnamedFirstColumnLine > 0 && dimension > 1 && RowIndex(rows) is { } index)
                throw new SampleFileException(
                    $"{path} line {unnamedFirstColumnLine}: the header's first field is empty and its column holds {index}: a row index (pandas' DataFrame.to_csv writes one unless index=False, R's write.csv unless row.names = FALSE), which would be scored as a coordinate; write the file without it");
            return (PointsModule.create(dimension, values.ToArray()), $"line {firstRowLine}");
        }
    }

    private static (Points, string) ReadCsv(string path, TextReader text)
    {
        var options = CsvRecords.Options();
        var rows = new Rows(path);
        try
        {
            using var reader = CsvReader.Create(text, options, true);
            while (reader.Read())
            {
                if (reader.LineNumber > MaxLines) throw new SampleFileException($"{path}: more than {MaxLines} lines");
                var fields = new string[reader.FieldCount];
                for (var c = 0; c < fields.Length; c++) fields[c] = reader.GetString(c) ?? "";
                // A line of spaces or tabs is blank too.
                if (fields.Length == 1 && fields[0].Length == 0) continue;
                rows.Add(reader.LineNumber, fields);
            }
        }
        catch (CsvFormatException e)
        {
            throw new SampleFileException($"{path} line {e.LineNumber}: malformed CSV: {e.Message}");
        }
        return rows.ToPoints();
    }

    private static readonly char[] Whitespace = [' ', '\t'];

    private static (Points, string) ReadWhitespace(string path, TextReader reader)
    {
        var rows = new Rows(path,
            "the file is read as whitespace-separated text because its first non-blank line holds no comma; a CSV's first line must hold its commas (not a comment or a one-word header), and ';' separates nothing");
        var line = 0L;
        foreach (var text in ReadLines(reader))
        {
            line++;
            if (line > MaxLines) throw new SampleFileException($"{path}: more than {MaxLines} lines");
            var fields = text.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (fields.Length > 0) rows.Add(line, fields);
        }
        return rows.ToPoints();
    }
}
