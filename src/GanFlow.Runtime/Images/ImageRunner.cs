using GanFlow.Runtime.Checkpoints;
using GanFlow.Core.Experiments;
using GanFlow.Core.Images;
using GanFlow.Core.Specs;
using GanFlow.Store;

namespace GanFlow.Runtime.Images;

/// <summary>The runtime's entry point for image experiments: checks, then trains one in one run folder.</summary>
public static class ImageRunner
{
    /// <summary>
    /// Validates <paramref name="experiment"/> against itself and against <paramref name="splits"/> (image size, counts),
    /// checks the VAE run a VAE-initialised generator starts from (its spec's generator, its checkpoint), opens the run
    /// folder (<see cref="OwnedFolder"/>: refused when foreign, locked for the run), decides how it starts (fresh,
    /// resumed from the newest valid checkpoint of the same spec, or already complete), and trains.
    /// </summary>
    /// <exception cref="SpecValidationException">The spec or its data does not fit; nothing was computed or written.</exception>
    /// <exception cref="RunFolderException">A folder or file cannot be used as asked (foreign, in use, a VAE run missing
    /// or unfinished, a resume whose spec differs); nothing was computed.</exception>
    public static ImageRunSummary Run(ImageExperiment experiment, ImageSplits splits, ImageRunContext context)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(splits);
        var errors = Microsoft.FSharp.Collections.ListModule.Append(ImageValidation.errors(experiment), ImageValidation.dataErrors(experiment, splits));
        if (!errors.IsEmpty) throw new SpecValidationException(errors);
        var vaeInit = VaeCheckpoint(experiment);
        var notice = context.OnNotice ?? (_ => { });

        if (context.Resume) ResumePolicy.RequireRunToResume(context.OutputDirectory);
        using var folder = OwnedFolder.Open(context.OutputDirectory, FolderKind.Images);
        var specPath = Path.Combine(folder.Directory, RunFiles.Spec);
        var specText = SpecJson.serialize(experiment);
        LocatedCheckpoint? resumeFrom = null;
        IReadOnlyList<ImageEvaluationRecord> kept = [];
        if (context.Resume && File.Exists(specPath))
        {
            if (RunStore.ReadText(specPath) != specText)
                throw new RunFolderException($"cannot resume {folder.Directory}: its spec.json differs from {experiment.Name}'s spec; nothing was changed. Run without --resume to replace it, or choose another --out");
            var summaryPath = Path.Combine(folder.Directory, RunFiles.Summary);
            if (File.Exists(summaryPath) && RunStore.ReadJson<ImageRunSummary>(summaryPath) is { Status.IsCompleted: true } done)
            {
                notice($"{folder.Directory} already holds this run, completed after {done.StepsCompleted} steps: nothing to do");
                return done;
            }
            resumeFrom = CheckpointFolders.Locate(folder.Directory, notice);
            if (resumeFrom is not null)
            {
                var metrics = ImageMetricsCsv.parse(RunStore.ReadText(Path.Combine(folder.Directory, RunFiles.Metrics)));
                if (metrics.IsError) throw new RunFolderException($"{Path.Combine(folder.Directory, RunFiles.Metrics)}: {metrics.ErrorValue}");
                kept = metrics.ResultValue.Where(r => r.Step <= resumeFrom.Manifest.Step).ToList();
                notice($"resuming {folder.Directory} from its checkpoint at step {resumeFrom.Manifest.Step}");
            }
        }
        if (!context.Resume)
        {
            var summaryPath = Path.Combine(folder.Directory, RunFiles.Summary);
            var earlier = File.Exists(summaryPath) ? SummaryOrNull(summaryPath) : null;
            if (ResumePolicy.StartWithoutResume(folder, experiment, RunFiles.ImageResults,
                    earlier is { } e ? (e.Status.ToString().ToLowerInvariant(), e.StepsCompleted) : null, context.Fresh, notice))
                return earlier!;
        }
        else if (resumeFrom is null)
        {
            if (File.Exists(specPath)) notice($"replacing the earlier run in {folder.Directory}");
            folder.RemoveOwnFiles(RunFiles.ImageResults);
        }
        var device = context.Device;
        using var train = new ImageData(splits.Train, experiment.TrainImages?.Value, device);
        using var test = new ImageData(splits.Test, null, device);
        return new ImageTrainer(experiment, context, train, test).Run(resumeFrom, kept, vaeInit);
    }

    private static ImageRunSummary? SummaryOrNull(string path)
    {
        try
        {
            return RunStore.ReadJson<ImageRunSummary>(path);
        }
        catch (RunFolderException)
        {
            return null;
        }
    }

    /// <summary>The checkpoint of the VAE run a generator starts from, checked, or null for a random start.</summary>
    private static LocatedCheckpoint? VaeCheckpoint(ImageExperiment experiment)
    {
        if (experiment.Model.Init is not GeneratorInit.FromVae fromVae) return null;
        var field = $"model.{experiment.Model.Family}.init.fromVae";
        var folder = fromVae.runFolder;
        var spec = Path.Combine(folder, RunFiles.Spec);
        var summary = Path.Combine(folder, RunFiles.Summary);
        if (!File.Exists(spec))
            throw new RunFolderException($"{field} = {folder}: holds no {RunFiles.Spec}; train the VAE first (ganflow run seed003-mnist-vae… --out {folder})");
        var vae = RunStore.ReadJson<ImageExperiment>(spec);
        var errors = ImageValidation.vaeInitErrors(field, experiment.Model.Generator, vae);
        if (!errors.IsEmpty) throw new SpecValidationException(errors);
        if (!File.Exists(summary) || RunStore.ReadJson<ImageRunSummary>(summary) is not { Status.IsCompleted: true })
            throw new RunFolderException($"{field} = {folder}: the VAE run has not completed ({RunFiles.Summary} missing or not completed)");
        return CheckpointFolders.Locate(folder)
               ?? throw new RunFolderException($"{field} = {folder}: the VAE run holds no valid checkpoint");
    }
}
