using GanFlow.Runtime.Checkpoints;
using GanFlow.Core.Experiments;
using GanFlow.Core.Images;
using GanFlow.Core.Specs;
using GanFlow.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>The runtime's entry point for seed 001's Flow-GAN experiments on MNIST: checks, then trains one in one run
/// folder (<see cref="OwnedFolder"/> of kind images: spec.json, metrics.csv, summary.json, checkpoint/,
/// checkpoint.best/, samples.png, jacobian.csv, and classifier.bin when the classifier was trained here).</summary>
public static class FlowGanMnistRunner
{
    /// <summary>The classifier's weights when a run trains its own.</summary>
    public const string ClassifierFile = "classifier.bin";

    /// <summary>
    /// Validates <paramref name="experiment"/> and its fit to <paramref name="splits"/>, checks
    /// <paramref name="classifierFile"/> (when given) exists, opens the folder, decides how the run starts (fresh,
    /// resumed from the newest valid checkpoint of the same spec, or already complete) and trains. Without a classifier
    /// file the digit classifier is trained on the training split, saved in the folder and scored on the test split.
    /// </summary>
    /// <exception cref="SpecValidationException">The spec or its data does not fit; nothing was computed.</exception>
    /// <exception cref="RunFolderException">The folder or the classifier file cannot be used; nothing was computed.</exception>
    public static FlowGanMnistSummary Run(FlowGanMnistExperiment experiment, ImageSplits splits, string outputDirectory, Device device,
        string? classifierFile, bool resume, Action<FlowGanMnistEvaluation>? onEvaluation = null, Action<string>? onNotice = null, bool fresh = false)
    {
        var errors = Microsoft.FSharp.Collections.ListModule.Append(FlowGanMnist.errors(experiment), FlowGanMnist.dataErrors(experiment, splits));
        if (!errors.IsEmpty) throw new SpecValidationException(errors);
        if (classifierFile is not null && !File.Exists(classifierFile))
            throw new RunFolderException($"--classifier {classifierFile}: no such file (`ganflow data classifier --data DIR --out FILE` writes one)");
        var notice = onNotice ?? (_ => { });
        if (resume) ResumePolicy.RequireRunToResume(outputDirectory);
        using var folder = OwnedFolder.Open(outputDirectory, FolderKind.Images);
        var specPath = Path.Combine(folder.Directory, RunFiles.Spec);
        var specText = SpecJson.serialize(experiment);
        LocatedCheckpoint? resumeFrom = null;
        IReadOnlyList<FlowGanMnistEvaluation> kept = [];
        if (resume && File.Exists(specPath))
        {
            if (RunStore.ReadText(specPath) != specText)
                throw new RunFolderException($"cannot resume {folder.Directory}: its spec.json differs from {experiment.Name}'s spec; nothing was changed. Run without --resume to replace it, or choose another --out");
            var summaryPath = Path.Combine(folder.Directory, RunFiles.Summary);
            if (File.Exists(summaryPath) && RunStore.ReadJson<FlowGanMnistSummary>(summaryPath) is { Status.IsCompleted: true } done)
            {
                notice($"{folder.Directory} already holds this run, completed after {done.StepsCompleted} steps: nothing to do");
                return done;
            }
            resumeFrom = CheckpointFolders.Locate(folder.Directory, notice);
            if (resumeFrom is not null)
            {
                var metrics = FlowGanMnistMetricsCsv.parse(RunStore.ReadText(Path.Combine(folder.Directory, RunFiles.Metrics)));
                if (metrics.IsError) throw new RunFolderException($"{Path.Combine(folder.Directory, RunFiles.Metrics)}: {metrics.ErrorValue}");
                kept = metrics.ResultValue.Where(r => r.Step <= resumeFrom.Manifest.Step).ToList();
                notice($"resuming {folder.Directory} from its checkpoint at step {resumeFrom.Manifest.Step}");
            }
        }
        if (!resume)
        {
            var summaryPath = Path.Combine(folder.Directory, RunFiles.Summary);
            FlowGanMnistSummary? earlier = null;
            try
            {
                if (File.Exists(summaryPath)) earlier = RunStore.ReadJson<FlowGanMnistSummary>(summaryPath);
            }
            catch (RunFolderException)
            {
            }
            if (ResumePolicy.StartWithoutResume(folder, experiment, [.. RunFiles.ImageResults, RunFiles.BestCheckpoint, RunFiles.Jacobian, ClassifierFile],
                    earlier is { } e ? (e.Status.ToString().ToLowerInvariant(), e.StepsCompleted) : null, fresh, notice))
                return earlier!;
        }
        else if (resumeFrom is null)
        {
            if (File.Exists(specPath)) notice($"replacing the earlier run in {folder.Directory}");
            folder.RemoveOwnFiles([.. RunFiles.ImageResults, RunFiles.BestCheckpoint, RunFiles.Jacobian, ClassifierFile]);
        }

        DigitClassifierNetwork? model = null;
        double accuracy = double.NaN;
        DigitClassifierNetwork Classifier()
        {
            if (model is not null) return model;
            if (classifierFile is not null) model = DigitClassifierNetwork.Load(experiment.Classifier, splits.Train.Rows, classifierFile);
            else
            {
                notice($"training the digit classifier on the {splits.Train.Count} training images");
                model = DigitClassifierTrainer.Train(experiment.Classifier, splits.Train, device);
                AtomicFile.Write(Path.Combine(folder.Directory, ClassifierFile), stream =>
                {
                    using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, true);
                    model.save(writer);
                });
            }
            model.to(device);
            model.eval();
            return model;
        }
        double Accuracy()
        {
            if (double.IsNaN(accuracy)) accuracy = DigitClassifierTrainer.Accuracy(Classifier(), splits.Test);
            return accuracy;
        }
        try
        {
            using var train = Pixels(splits.Train, experiment.TrainImages?.Value, device);
            using var validation = Pixels(splits.Validation, null, device);
            using var test = Pixels(splits.Test, null, device);
            return new FlowGanMnistTrainer(experiment, folder.Directory, device, train, validation, test, Classifier, Accuracy, onEvaluation).Run(resumeFrom, kept);
        }
        finally
        {
            model?.Dispose();
        }
    }

    /// <summary>The first <paramref name="limit"/> images (all when null) as [n, 784] float64 bytes 0…255 on the device.</summary>
    private static Tensor Pixels(ImageSet set, int? limit, Device device)
    {
        var count = Math.Min(limit ?? set.Count, set.Count);
        using var bytes = torch.tensor(set.Pixels.AsSpan(0, count * set.Size).ToArray(), new long[] { count, set.Size });
        return bytes.to_type(ScalarType.Float64).to(device);
    }
}
