using GanFlow.Core.Experiments;

namespace GanFlow.Runtime.Search;

/// <summary>One job of a search: train trial <paramref name="Trial"/> to step <paramref name="ToStep"/> (a rung, or the
/// maximum) in its run folder, continuing from its checkpoint when it has one.</summary>
/// <param name="Trial">The trial (0-based).</param>
/// <param name="ToStep">The milestone to train to.</param>
/// <param name="Experiment">The trial's resolved experiment (its budget is the search's maximum).</param>
/// <param name="Folder">The trial's run folder.</param>
public sealed record TrialJob(int Trial, int ToStep, Experiment Experiment, string Folder);

/// <summary>How a job ended.</summary>
/// <param name="Status">Paused at the milestone, Completed at the maximum, Diverged or Failed.</param>
/// <param name="Steps">Steps the trial has completed.</param>
/// <param name="AtStep">The evaluation at the milestone, when it reached it.</param>
/// <param name="Evaluations">Every evaluation of the trial so far (its metrics.csv).</param>
/// <param name="Message">The run's message (why it diverged or failed).</param>
public sealed record TrialResult(RunStatus Status, int Steps, EvaluationRecord? AtStep, IReadOnlyList<EvaluationRecord> Evaluations, string Message);

/// <summary>Runs a search's jobs: the one seam between the search machinery and training. A worker runs jobs in its own
/// process through the run pipeline (<see cref="ExperimentTrialRunner"/>); a search whose trainer is a closed-form curve
/// uses <see cref="ClosedFormTrialRunner"/>; <see cref="ProcessTrialRunner"/> starts a <c>ganflow run</c> process per job
/// (the earlier design, kept for the bench's comparison); tests use fakes. Called from several threads at once, one job
/// each.</summary>
public interface ITrialRunner
{
    /// <summary>Runs <paramref name="job"/> to its end; when <paramref name="cancel"/> fires, stops it and throws
    /// <see cref="OperationCanceledException"/>.</summary>
    TrialResult Run(TrialJob job, CancellationToken cancel);
}
