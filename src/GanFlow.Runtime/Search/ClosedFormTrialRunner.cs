using System.Diagnostics;
using System.Globalization;
using GanFlow.Core.Experiments;
using GanFlow.Core.Search;
using GanFlow.Store;
using Microsoft.FSharp.Core;
using SearchSpec = GanFlow.Core.Search.Search;

namespace GanFlow.Runtime.Search;

/// <summary>
/// "Trains" a trial of a search whose trainer is a closed-form curve (<see cref="ClosedFormCurve"/>): no torch, but the
/// trial folder is kept as a run keeps it, so the search machinery around it is exercised for real. The folder is
/// opened as a run folder (marked, locked against a second writer for the job's length); the job sleeps
/// <c>SecondsPerStep</c> per step; every <c>evaluation.every</c> steps and at the milestone it evaluates the curve,
/// rewrites metrics.csv and saves a checkpoint of its step (<see cref="CheckpointFolders"/>, atomic); at the milestone it
/// writes summary.json (<c>Paused</c>, or <c>Completed</c> at the maximum). A later attempt continues from the newest
/// checkpoint, so a killed job loses at most one evaluation interval. Each step is logged to the trial's run.log with
/// the process id and the machine's monotonic clock (<see cref="Stopwatch.GetTimestamp"/>), so a test can check that no
/// two processes trained one trial at the same time.
/// </summary>
public sealed class ClosedFormTrialRunner(SearchSpec search, ClosedFormCurve curve) : ITrialRunner
{
    /// <inheritdoc />
    public TrialResult Run(TrialJob job, CancellationToken cancel)
    {
        Directory.CreateDirectory(job.Folder);
        TrialFolders.WaitForLock(job.Folder, ExperimentTrialRunner.LockWaitMilliseconds, cancel);
        using var folder = OwnedFolder.Open(job.Folder, FolderKind.Run);
        using var log = TrialFolders.AppendLog(job.Folder, $"trial {job.Trial} to step {job.ToStep} in process {Environment.ProcessId} (closed form)");
        var experiment = job.Experiment;
        var store = new RunStore(job.Folder);
        var checkpoint = CheckpointFolders.Locate(job.Folder, log.Line);
        var from = checkpoint?.Manifest.Step ?? 0;
        if (from > job.ToStep)
            return new TrialResult(RunStatus.Failed, from, null, store.ReadMetrics(), $"its checkpoint is at step {from}, past the job's milestone {job.ToStep}");
        // metrics.csv reads a NaN as absent: give the kept rows back their (absent) critic so that they are written again.
        var noCritic = FSharpOption<CriticScores>.Some(new CriticScores(double.NaN, double.NaN));
        var records = from == 0 ? [] : store.ReadMetrics().Where(r => r.Step <= from)
            .Select(r => new EvaluationRecord(r.Step, r.GeneratorLoss, r.WallSeconds, r.Samples, noCritic, r.Density, r.Modes)).ToList();
        if (from == 0) store.WriteSpec(experiment);
        var wallOffset = checkpoint?.Manifest.WallSeconds ?? 0.0;
        var clock = Stopwatch.StartNew();
        var assignment = SearchModule.assignment(search, job.Trial);
        var every = experiment.Evaluation.Every;
        for (var step = from + 1; step <= job.ToStep; step++)
        {
            cancel.ThrowIfCancellationRequested();
            if (curve.SecondsPerStep > 0) Thread.Sleep(TimeSpan.FromSeconds(curve.SecondsPerStep));
            log.Line(string.Create(CultureInfo.InvariantCulture, $"step {step} pid {Environment.ProcessId} t {Stopwatch.GetTimestamp()}"));
            if (step % every != 0 && step != job.ToStep) continue;
            var value = curve.Value.Invoke(assignment).Invoke(step);
            var wall = wallOffset + clock.Elapsed.TotalSeconds;
            // The curve's value stands for every distance; a closed form has no loss (0), no critic and no samples, so
            // no precision, recall, density or coverage (NaN).
            records.Add(new EvaluationRecord(step, 0.0, wall,
                new SampleScores(FSharpOption<double>.Some(value), FSharpOption<double>.Some(value), value, GanFlow.Core.Metrics.PrecisionRecall.Missing),
                noCritic,
                FSharpOption<DensityScores>.None, FSharpOption<ModeScores>.None));
            store.WriteMetrics(experiment, records);
            CheckpointFolders.Save(job.Folder, step, wall, new Dictionary<string, double>(), _ => { });
        }
        var final = records.Where(r => r.Step == job.ToStep).Select(FSharpOption<EvaluationRecord>.Some).LastOrDefault() ?? FSharpOption<EvaluationRecord>.None;
        var completed = job.ToStep == experiment.Budget.Steps;
        var summary = new RunSummary(experiment.Name, experiment.Seed, completed ? RunStatus.Completed : RunStatus.Paused,
            completed ? $"completed {job.ToStep} steps (closed form)" : $"paused at step {job.ToStep} of {experiment.Budget.Steps} (closed form)",
            job.ToStep, wallOffset + clock.Elapsed.TotalSeconds, "closed-form", 0, 0, final, FSharpOption<SplitPoints>.None);
        store.WriteSummary(summary);
        log.Line($"{summary.Status} after {summary.StepsCompleted} steps");
        return TrialFolders.ResultOf(job, summary, store);
    }
}
