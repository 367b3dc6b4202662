using GanFlow.Core.Experiments;
using GanFlow.Core.Models;
using GanFlow.Core.Specs;
using GanFlow.Runtime.Checkpoints;
using GanFlow.Runtime.Devices;
using GanFlow.Runtime.Training;
using GanFlow.Store;

namespace GanFlow.Runtime;

/// <summary>The runtime's entry point: runs one experiment in one run folder.</summary>
public static class ExperimentRunner
{
    /// <summary>
    /// Validates <paramref name="experiment"/>, opens its run folder (<see cref="OwnedFolder"/>: refused when foreign, locked
    /// for the run's lifetime), decides how it starts (<see cref="ResumePolicy.Plan"/>), then trains and evaluates it,
    /// writing spec.json, metrics.csv, samples.txt, checkpoints and summary.json (flows also density.csv and, in 1-D and
    /// 2-D, trajectories.csv) into <c>context.OutputDirectory</c>.
    /// </summary>
    /// <exception cref="SpecValidationException">The spec is invalid; nothing was computed or written.</exception>
    /// <exception cref="RunFolderException">The folder cannot be used as asked (foreign, in use, a mismatched or
    /// corrupt resume); nothing was computed, and nothing of the folder's was changed.</exception>
    /// <returns>The run's summary; divergence and runtime errors are reported in it, not thrown. A completed run of the
    /// same spec resumed returns its summary unchanged.</returns>
    public static RunSummary Run(Experiment experiment, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(context);
        // OpenMP's and MKL's thread counts are per thread: this run's thread gets the process's intra-op count.
        TorchSetup.ApplyToCurrentThread();
        var errors = ExperimentValidation.errors(experiment);
        if (!errors.IsEmpty) throw new SpecValidationException(errors);
        experiment = DataSplits.ResolveBudget(experiment);
        // A spec that cannot fit the machine is refused before any allocation (the memory the runtime may use: the
        // physical memory, or the container's limit).
        var memory = MemoryEstimate.errors(MachineMemoryBytes(), experiment);
        if (!memory.IsEmpty) throw new SpecValidationException(memory);

        if (context.StopAtStep is { } stop && (stop < 1 || stop > experiment.Budget.Steps))
            throw new RunFolderException($"--until {stop}: must lie in 1 … budget.steps ({experiment.Budget.Steps})");
        if (context.Resume) ResumePolicy.RequireRunToResume(context.OutputDirectory);
        // libtorch's own convolution kernels, not oneDNN's (which read uninitialised memory): whatever host calls this.
        Devices.CpuKernels.Apply();
        using var folder = OwnedFolder.Open(context.OutputDirectory, FolderKind.Run);
        var notice = context.OnNotice ?? (_ => { });
        // The data it trains on are the data it started with (a relative path read from another directory, a file
        // written again): hashed before anything in the folder changes, checked by a resume before any compute.
        var data = DataFingerprint.Of(experiment);
        var start = ResumePolicy.Plan(folder, experiment, context.Resume, notice, context.StopAtStep, context.Fresh, data);
        if (start is RunStart.AlreadyComplete done)
        {
            if (context.Resume) notice($"{context.OutputDirectory} already holds this run, {done.Summary.Status.ToString().ToLowerInvariant()} after {done.Summary.StepsCompleted} steps: nothing to do");
            if (Images.RunClassifier.Mismatch(context.OutputDirectory, context.ClassifierFile) is { } mismatch)
                notice(mismatch + ": its scores are the ones it made with its own; --fresh runs it again with the given one");
            return done.Summary;
        }
        if (start is RunStart.Fresh) DataFingerprint.Write(folder.Directory, data);
        context.OnStart?.Invoke();
        return ModelTrainer.Run(experiment, context, start);
    }

    /// <summary>The memory the runtime may use: the physical memory, or the container's limit. The GC reports it as of its
    /// last collection, so a process that has not collected yet collects its (tiny) youngest generation first.</summary>
    public static double MachineMemoryBytes()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available <= 0)
        {
            GC.Collect(0);
            available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        }
        return available > 0 ? available : double.PositiveInfinity; // unknown: refuse nothing
    }
}
