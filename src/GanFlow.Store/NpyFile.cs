using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace GanFlow.Store;

/// <summary>
/// Reads NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0): the magic <c>\x93NUMPY</c>, the version, the
/// header length (2 bytes little-endian in 1.0, 4 bytes after), an ASCII (3.0: UTF-8) Python dict literal
/// <c>{'descr': '&lt;f8', 'fortran_order': False, 'shape': (n, d), }</c>, then the raw data. Supported: little-endian
/// float32 (<c>&lt;f4</c>) and float64 (<c>&lt;f8</c>), C order, 1-D (n points of one coordinate) or 2-D (n points of d);
/// anything else is a <see cref="SampleFileException"/> naming the header field and its value.
/// </summary>
public static partial class NpyFile
{
    /// <summary>The six bytes every .npy file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Whether <paramref name="start"/> (the first bytes of a file) is the .npy magic.</summary>
    public static bool HasMagic(ReadOnlySpan<byte> start) => start.Length >= 6 && start[..6].SequenceEqual(Magic);

    /// <summary>The parsed header: element type, layout and shape.</summary>
    /// <param name="Descr">The <c>descr</c> field, e.g. <c>&lt;f8</c>.</param>
    /// <param name="FortranOrder">The <c>fortran_order</c> field.</param>
    /// <param name="Shape">The <c>shape</c> field's dimensions.</param>
    public sealed record Header(string Descr, bool FortranOrder, long[] Shape);

    [GeneratedRegex(@"'descr'\s*:\s*'(?<v>[^']*)'")]
    private static partial Regex DescrField();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(?<v>True|False)")]
    private static partial Regex FortranField();

    [GeneratedRegex(@"'shape'\s*:\s*\((?<v>[^)]*)\)")]
    private static partial Regex ShapeField();

    /// <summary>Parses the header dict (its text, without the magic and lengths); <paramref name="path"/> names the file in errors.</summary>
    public static Header ParseHeader(string path, string text)
    {
        // numpy reads the header with ast.literal_eval: a dict literal, padded with spaces and ended by a newline.
        var literal = text.Trim();
        if (!literal.StartsWith('{') || !literal.EndsWith('}'))
            throw new SampleFileException($"{path}: .npy header is not a Python dict literal between {{ and }} (numpy would refuse it too): {literal}");
        string Field(Regex pattern, string name) =>
            pattern.Match(text) is { Success: true } m ? m.Groups["v"].Value
                : throw new SampleFileException($"{path}: .npy header field '{name}' is missing or malformed in {text.Trim()}");
        var descr = Field(DescrField(), "descr");
        var fortran = Field(FortranField(), "fortran_order") == "True";
        var shapeText = Field(ShapeField(), "shape");
        var shape = shapeText.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => long.TryParse(part.TrimEnd('L'), out var v) && v >= 0 ? v
                : throw new SampleFileException($"{path}: .npy header field 'shape' = ({shapeText}): '{part}' is not a size"))
            .ToArray();
        return new Header(descr, fortran, shape);
    }

    /// <summary>
    /// The values of a .npy file, row-major, and the number of coordinates per point (1 for a 1-D array).
    /// </summary>
    /// <exception cref="SampleFileException">A malformed header, an unsupported dtype, order or shape, a file shorter
    /// than its shape says, or NaN or ±∞ (naming the row and column).</exception>
    public static (double[] Values, int Dimension) Read(string path, byte[] bytes)
    {
        if (!HasMagic(bytes)) throw new SampleFileException($"{path}: not a .npy file (no \\x93NUMPY magic)");
        if (bytes.Length < 10) throw new SampleFileException($"{path}: .npy header is truncated");
        var major = bytes[6];
        int headerLength, headerStart;
        switch (major)
        {
            case 1:
                headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8, 2));
                headerStart = 10;
                break;
            case 2 or 3 when bytes.Length >= 12:
                headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8, 4)));
                headerStart = 12;
                break;
            default:
                throw new SampleFileException($"{path}: .npy format version {major}.{bytes[7]} is not supported (1.0, 2.0 and 3.0 are)");
        }
        if (headerStart + headerLength > bytes.Length) throw new SampleFileException($"{path}: .npy header is truncated");
        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var header = ParseHeader(path, encoding.GetString(bytes, headerStart, headerLength));
        var width = header.Descr switch
        {
            "<f8" => 8,
            "<f4" => 4,
            _ => throw new SampleFileException(
                $"{path}: .npy header field 'descr' = '{header.Descr}' is not supported: give little-endian float64 ('<f8') or float32 ('<f4')"),
        };
        if (header.Shape.Length is < 1 or > 2)
            throw new SampleFileException(
                $"{path}: .npy header field 'shape' = ({string.Join(", ", header.Shape)}) has {header.Shape.Length} dimensions: give a 1-D array (n values) or a 2-D array (n points × d coordinates)");
        if (header.FortranOrder && header.Shape.Length == 2 && header.Shape[0] > 1 && header.Shape[1] > 1)
            throw new SampleFileException(
                $"{path}: .npy header field 'fortran_order' = True is not supported: save a C-order array (numpy.ascontiguousarray)");
        var rows = header.Shape[0];
        var dimension = header.Shape.Length == 2 ? header.Shape[1] : 1;
        if (dimension < 1) throw new SampleFileException($"{path}: .npy header field 'shape' = ({rows}, 0): points need at least one coordinate");
        if (rows < 1) throw new SampleFileException($"{path}: .npy header field 'shape' = ({string.Join(", ", header.Shape)}): the array holds no points");
        var count = checked(rows * dimension);
        var dataStart = headerStart + headerLength;
        var expected = checked(count * width);
        if (bytes.Length - dataStart < expected)
            throw new SampleFileException($"{path}: the data is truncated: {bytes.Length - dataStart} bytes after the header, the shape needs {expected}");
        // More data than the shape says (numpy's np.load reads the first array and ignores the rest, e.g. two np.save calls
        // into one file): refused, so that no point of the file is dropped unseen.
        if (bytes.Length - dataStart > expected)
            throw new SampleFileException(
                $"{path}: {bytes.Length - dataStart} bytes after the header, but its 'shape' = ({string.Join(", ", header.Shape)}) needs {expected}: the header does not describe all of the data (numpy would read only the first array; save one array per file)");
        var values = new double[count];
        var data = bytes.AsSpan(dataStart);
        for (var i = 0; i < values.Length; i++)
        {
            var v = width == 8
                ? BinaryPrimitives.ReadDoubleLittleEndian(data.Slice(i * 8, 8))
                : BinaryPrimitives.ReadSingleLittleEndian(data.Slice(i * 4, 4));
            if (!double.IsFinite(v))
                throw new SampleFileException(
                    $"{path}: row {i / dimension + 1}, column {i % dimension + 1} (0-based element {i}) is {(double.IsNaN(v) ? "NaN" : v > 0 ? "+∞" : "−∞")}, not a finite number");
            values[i] = v;
        }
        return (values, checked((int)dimension));
    }
}
