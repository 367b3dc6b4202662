using System.Buffers.Binary;
using System.IO.Compression;

namespace GanFlow.Store;

/// <summary>
/// Grey-scale PNG files (8 bits per pixel, no interlacing, filter 0 on every row), written atomically. The format is
/// small enough to write here with .NET's zlib stream and a CRC-32 table, which keeps image pictures free of native
/// dependencies (SkiaSharp needs a native library per platform).
/// </summary>
public static class PngFile
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>The bytes of a PNG of <paramref name="width"/> × <paramref name="height"/> grey pixels (row-major, 0 black, 255 white).</summary>
    public static byte[] Encode(int width, int height, byte[] pixels)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), $"a PNG needs at least 1 × 1 pixels, not {width} × {height}");
        if (pixels.Length != (long)width * height) throw new ArgumentException($"{pixels.Length} pixels for {width} × {height}", nameof(pixels));
        using var output = new MemoryStream();
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 0; // colour type: grey
        WriteChunk(output, "IHDR", header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (var row = 0; row < height; row++)
                {
                    zlib.WriteByte(0); // filter: none
                    zlib.Write(pixels, row * width, width);
                }
            }
            WriteChunk(output, "IDAT", compressed.ToArray());
        }
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>Writes the PNG to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, int width, int height, byte[] pixels) => AtomicFile.WriteAllBytes(path, Encode(width, height, pixels));

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        output.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = Crc(Crc(0xFFFFFFFFu, typeBytes), data) ^ 0xFFFFFFFFu;
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        output.Write(crcBytes);
    }

    /// <summary>The CRC-32 (ISO 3309, as PNG uses it) of <paramref name="data"/>.</summary>
    public static uint Crc32(byte[] data) => Crc(0xFFFFFFFFu, data) ^ 0xFFFFFFFFu;

    private static uint Crc(uint crc, byte[] data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
