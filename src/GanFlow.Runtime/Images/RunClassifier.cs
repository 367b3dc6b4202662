using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Runtime.Modules;
using GanFlow.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// The digit classifier of a run whose evaluations score image samples (<c>evaluation.classifier</c>). It lives in the
/// run folder as <see cref="RunFiles.Classifier"/>, so that a resumed run scores with the very weights it started with:
/// read back when the folder holds it, else copied there from <c>--classifier FILE</c> (a study trains one and hands it
/// to every cell), else trained on the training split (deterministic in the classifier's seed) and saved there.
/// </summary>
public static class RunClassifier
{
    /// <summary>The hint a missing <c>--classifier</c> file's message ends with.</summary>
    const string WritesOne = "`ganflow data classifier --data DIR --out FILE` writes one";

    /// <summary>The classifier of <paramref name="experiment"/> in <paramref name="runDirectory"/>, in evaluation mode on
    /// <paramref name="device"/>, or null when the experiment declares none.</summary>
    /// <exception cref="RunFolderException">The given file is missing or is not a classifier of the declared shape.</exception>
    public static DigitClassifierNetwork? Open(Experiment experiment, string runDirectory, string? givenFile, Device device, Action<string> notice)
    {
        if (experiment.Evaluation.Classifier?.Value is not { } spec || experiment.Data is not DataSource.Images images) return null;
        var side = images.images.Side;
        var own = Path.Combine(runDirectory, RunFiles.Classifier);
        DigitClassifierNetwork network;
        if (File.Exists(own))
        {
            if (Mismatch(runDirectory, givenFile) is { } mismatch) notice(mismatch + ": the run keeps scoring with its own (the same weights from start to end)");
            network = Load(spec, side, own, own);
        }
        else if (givenFile is not null)
        {
            network = Load(spec, side, InputFile.Require("--classifier", givenFile, WritesOne), "--classifier " + givenFile);
            Save(network, own);
        }
        else network = TrainInto(spec, images.images, own, device, notice);
        network.to(device);
        return network;
    }

    /// <summary>"--classifier FILE differs from the classifier.bin this run started with" when the run folder holds a
    /// classifier and <paramref name="givenFile"/> is another one; else null.</summary>
    public static string? Mismatch(string runDirectory, string? givenFile)
    {
        var own = Path.Combine(runDirectory, RunFiles.Classifier);
        return givenFile is not null && File.Exists(givenFile) && File.Exists(own) && !File.ReadAllBytes(givenFile).AsSpan().SequenceEqual(File.ReadAllBytes(own))
            ? $"--classifier {givenFile} differs from the {RunFiles.Classifier} this run started with"
            : null;
    }

    /// <summary>Trains the classifier <paramref name="spec"/> on the training split of <paramref name="images"/>, saves
    /// it as <paramref name="file"/>, tells its accuracy on the test split and returns it (evaluation mode).</summary>
    public static DigitClassifierNetwork TrainInto(GanFlow.Core.Images.DigitClassifier spec, ImageSource images, string file, Device device, Action<string> notice)
    {
        var splits = MnistFolder.Load(images.Data.Folder, images.Data.Split);
        notice($"training the digit classifier on the {splits.Train.Count} training images ({spec.Epochs} epochs)");
        var network = DigitClassifierTrainer.Train(spec, splits.Train, device);
        network.eval();
        Save(network, file);
        if (splits.Test.Count > 0)
            notice($"digit classifier test accuracy {DigitClassifierTrainer.Accuracy(network, splits.Test):F4} on the {splits.Test.Count} test images");
        return network;
    }

    /// <summary>The classifier <paramref name="spec"/> with the weights in <paramref name="file"/>, for
    /// <paramref name="side"/> × <paramref name="side"/> images, in evaluation mode.</summary>
    /// <exception cref="RunFolderException">The file is not the weights of that network (the message names it).</exception>
    public static DigitClassifierNetwork LoadChecked(GanFlow.Core.Images.DigitClassifier spec, int side, string file) => Load(spec, side, file, file);

    /// <summary>Why <paramref name="file"/> cannot be <paramref name="experiment"/>'s classifier (missing, or not the
    /// weights of its declared network), or null when it can: checked before a run starts, so that a bad
    /// <c>--classifier</c> is bad input (exit 2), not a failed run.</summary>
    public static string? Problem(Experiment experiment, string file)
    {
        if (experiment.Evaluation.Classifier?.Value is not { } spec || experiment.Data is not DataSource.Images images)
            return $"--classifier {file}: {experiment.Name} declares no digit classifier (evaluation.classifier)";
        try
        {
            using var network = Load(spec, images.images.Side, InputFile.Require("--classifier", file, WritesOne), "--classifier " + file);
            return null;
        }
        catch (RunFolderException error)
        {
            return error.Message;
        }
    }

    /// <summary>Saves the weights atomically (a kill leaves the old file or the new one).</summary>
    public static void Save(DigitClassifierNetwork network, string path) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, true);
            network.save(writer);
        });

    private static DigitClassifierNetwork Load(GanFlow.Core.Images.DigitClassifier spec, int side, string path, string what)
    {
        try
        {
            return DigitClassifierNetwork.Load(spec, side, path);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new RunFolderException($"{what}: not the weights of evaluation.classifier's network on {side} x {side} images; files written before the classifier was float64 must be written again with `ganflow data classifier` ({error.Message.Split('\n')[0]})");
        }
    }

    /// <summary>The mode scores of image samples <paramref name="samples"/> ([n, side²], clamped to [0, 1] first).</summary>
    public static GanFlow.Core.Experiments.ModeScores Scores(DigitClassifierNetwork network, Tensor samples)
    {
        using var scope = NewDisposeScope();
        using var clamped = samples.ClampTo(0.0, 1.0);
        return GanFlow.Core.Metrics.SampleQuality.ofPosteriors(DigitClassifierTrainer.Posteriors(network, clamped));
    }
}
