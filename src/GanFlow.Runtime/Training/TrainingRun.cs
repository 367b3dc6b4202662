using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Runtime.Checkpoints;
using GanFlow.Runtime.Devices;
using GanFlow.Runtime.Solvers;
using GanFlow.Store;
using Microsoft.FSharp.Core;

namespace GanFlow.Runtime.Training;

/// <summary>A loss, sample or metric became NaN or infinite: the run ends as Diverged.</summary>
internal sealed class RunDivergedException(string message) : Exception(message);

/// <summary>
/// What every training run shares, whatever the model: the run folder, the wall clock (continued
/// across a resume), the evaluation records written after each evaluation, the summary, and the
/// rule that a run never throws: divergence ends as <see cref="RunStatus.Diverged"/>, any other
/// error as <see cref="RunStatus.Failed"/>, and <c>summary.json</c> is written either way when the
/// folder is writable. <see cref="ModelTrainer"/> interprets the model.
/// </summary>
public abstract class TrainingRun
{
    private readonly TimeProvider time;
    private long startTimestamp;
    private double lastCheckpointWall;
    private TensorBoardLog? tensorBoard;

    protected readonly Experiment experiment;
    protected readonly RunContext context;
    protected readonly RunStore store;
    /// <summary>Coordinates of one data sample.</summary>
    protected readonly int dimension;
    /// <summary>Evaluations so far (including those kept from before a resume).</summary>
    protected readonly List<EvaluationRecord> records = [];
    protected int stepsCompleted;
    /// <summary>Wall seconds the run had already spent before a resume.</summary>
    protected double wallOffset;
    protected int generatorParameters;
    protected int criticParameters;
    /// <summary>How the run starts: afresh, or from a checkpoint (decided by <see cref="ResumePolicy.Plan"/>).</summary>
    protected readonly RunStart start;

    protected TrainingRun(Experiment experiment, RunContext context, RunStart start)
    {
        this.experiment = experiment;
        this.context = context;
        this.start = start;
        time = context.Time ?? TimeProvider.System;
        store = new RunStore(context.OutputDirectory);
        dimension = experiment.Dimension;
    }

    protected double WallSeconds => wallOffset + time.GetElapsedTime(startTimestamp).TotalSeconds;

    /// <summary>The checkpoint the run continues from, or null for a fresh start.</summary>
    protected LocatedCheckpoint? ResumeFrom => start is RunStart.Continue c ? c.Checkpoint : null;

    /// <summary>Trains and evaluates; returns the completed run's summary or throws.</summary>
    protected abstract RunSummary Train();

    /// <summary>Releases the run's modules and optimisers (called whatever happened).</summary>
    protected abstract void DisposeModels();

    /// <summary>The divergence message when <paramref name="error"/> means the run diverged (a non-finite value, an adaptive
    /// ODE solve out of steps); otherwise null.</summary>
    private string? DivergenceMessage(Exception error) => error switch
    {
        RunDivergedException => error.Message,
        GanFlow.Core.Numerics.NonFiniteException nonFinite => $"after {stepsCompleted} steps: {nonFinite.Message}",
        OdeStepLimitException limit => $"after {stepsCompleted} steps: {limit.Message}",
        _ => null,
    };

    /// <summary>Ends the run as diverged unless <paramref name="value"/> is finite.</summary>
    /// <exception cref="RunDivergedException">The value is NaN or infinite; the message names the quantity and the step.</exception>
    internal static void RequireFinite(double value, string quantity, int step)
    {
        if (!double.IsFinite(value))
            throw new RunDivergedException($"{quantity} is {value} at generator step {step}");
    }

    protected RunSummary Summary(RunStatus status, string message, EvaluationRecord? final) =>
        new(experiment.Name, experiment.Seed, status, message, stepsCompleted, WallSeconds, context.Device.ToString(),
            generatorParameters, criticParameters,
            final is null ? FSharpOption<EvaluationRecord>.None : FSharpOption<EvaluationRecord>.Some(final),
            SplitSizes is { } sizes ? FSharpOption<SplitPoints>.Some(sizes) : FSharpOption<SplitPoints>.None);

    /// <summary>The sizes of the run's splits, recorded in <c>summary.json</c>; null when training draws fresh data.</summary>
    protected virtual SplitPoints? SplitSizes => null;

    /// <summary>One optimisation step (0-based <paramref name="step"/>) on fresh data seeded from (seed, step).</summary>
    protected abstract void TrainStep(int step);

    /// <summary>An evaluation during training after <paramref name="step"/> steps, on <c>evaluation.samples</c> samples.</summary>
    protected abstract EvaluationRecord EvaluateDuringTraining(int step);

    /// <summary>Writes the checkpoint of the models, optimisers and <see cref="stepsCompleted"/> (atomically).</summary>
    protected abstract void SaveCheckpoint();

    /// <summary>Continues from the loaded checkpoint (models, optimisers and the subclass's losses already restored): the
    /// step count and wall clock go on from it, the evaluations the plan kept stand, and its own step is evaluated again
    /// only when no intermediate evaluation of it was kept (it may have been the earlier run's final evaluation, on a
    /// different number of samples).</summary>
    protected void ContinueFrom(CheckpointState state)
    {
        stepsCompleted = state.Step;
        wallOffset = state.WallSeconds;
        lastCheckpointWall = state.WallSeconds;
        records.AddRange(((RunStart.Continue)start).KeptRecords);
        store.WriteMetrics(experiment, records);
        if (stepsCompleted < experiment.Budget.Steps && stepsCompleted % experiment.Evaluation.Every == 0 && records.All(r => r.Step != stepsCompleted))
            Record(EvaluateDuringTraining(stepsCompleted));
    }

    /// <summary>Trains from <see cref="stepsCompleted"/> to the budget (or to <c>context.StopAtStep</c>), evaluating every
    /// <c>evaluation.every</c> steps and checkpointing at the spec's cadence (never at the last step, where the subclass's
    /// final evaluation and checkpoint follow). Returns the evaluation at the pause step when the run pauses there
    /// (evaluated and checkpointed), or null when it reached the budget.</summary>
    protected EvaluationRecord? TrainToBudget()
    {
        var steps = experiment.Budget.Steps;
        var stop = Math.Min(context.StopAtStep ?? steps, steps);
        var evaluation = experiment.Evaluation;
        for (var step = stepsCompleted; step < stop; step++)
        {
            TrainStep(step);
            stepsCompleted = step + 1;
            if (stepsCompleted == steps) break;
            var evaluated = stepsCompleted % evaluation.Every == 0;
            if (evaluated) Record(EvaluateDuringTraining(stepsCompleted));
            if (stepsCompleted == stop) break; // the pause below checkpoints
            if (CheckpointDue(evaluation.Checkpoints, evaluated)) Checkpoint();
        }
        if (stop == steps) return null;
        var atPause = records.LastOrDefault(r => r.Step == stop);
        if (atPause is null)
        {
            atPause = EvaluateDuringTraining(stop);
            Record(atPause);
        }
        if (ResumeFrom?.Manifest.Step != stop) Checkpoint();
        return atPause;
    }

    /// <summary>The summary of a run paused at <paramref name="atPause"/>'s step.</summary>
    protected RunSummary PausedSummary(EvaluationRecord atPause) =>
        Summary(RunStatus.Paused, $"paused at step {atPause.Step} of {experiment.Budget.Steps}; --resume continues", atPause);

    private bool CheckpointDue(CheckpointCadence cadence, bool evaluated) =>
        cadence switch
        {
            CheckpointCadence.EverySteps every => stepsCompleted % every.steps == 0,
            CheckpointCadence.EverySeconds every => WallSeconds - lastCheckpointWall >= every.seconds,
            _ => evaluated, // AtEveryEvaluation
        };

    /// <summary>Saves a checkpoint now and restarts the wall-clock cadence.</summary>
    protected void Checkpoint()
    {
        SaveCheckpoint();
        lastCheckpointWall = WallSeconds;
    }

    /// <summary>Keeps an evaluation, rewrites metrics.csv (atomically), logs it to TensorBoard when asked, and reports progress.</summary>
    protected void Record(EvaluationRecord record)
    {
        records.Add(record);
        store.WriteMetrics(experiment, records);
        if (context.TensorBoard)
        {
            tensorBoard ??= new TensorBoardLog(Path.Combine(context.OutputDirectory, RunFiles.TensorBoard));
            tensorBoard.Write(record);
        }
        OnRecorded(record);
        context.OnEvaluation?.Invoke(record);
    }

    /// <summary>Called after every evaluation is kept (and metrics.csv rewritten), before any checkpoint of its step.</summary>
    protected virtual void OnRecorded(EvaluationRecord record) { }

    /// <summary>Runs <see cref="Train"/> under the never-throw rule and writes summary.json (a resumed run that fails
    /// leaves a completed earlier summary as it was).</summary>
    protected RunSummary Execute()
    {
        startTimestamp = time.GetTimestamp();
        var earlierCompleted = start is RunStart.Continue && store.ReadSummary() is { Status.IsCompleted: true };
        RunSummary summary;
        try
        {
            if (start is RunStart.Fresh) store.WriteMetrics(experiment, records); // the header: every run folder has a metrics.csv
            store.WriteSpec(experiment);
            summary = Train();
        }
        catch (Exception error) when (DivergenceMessage(error) is { } message)
        {
            summary = Summary(RunStatus.Diverged, message, null);
        }
        catch (Exception error)
        {
            summary = Summary(RunStatus.Failed, FailureText.Of(error), null);
        }
        finally
        {
            DisposeModels();
        }
        if (summary.Status.IsFailed && earlierCompleted)
        {
            context.OnNotice?.Invoke($"the resumed run failed ({summary.Message}); the folder's completed summary.json is left as it was");
            return summary;
        }
        try
        {
            store.WriteSummary(summary);
        }
        catch (Exception error) when (summary.Status.IsCompleted)
        {
            summary = Summary(RunStatus.Failed, $"could not write the summary: {FailureText.Of(error)}", null);
        }
        catch (Exception)
        {
            // The run already failed; the returned summary carries the original reason.
        }
        return summary;
    }
}
