using GanFlow.Core.Experiments;
using GanFlow.Core.Models;
using GanFlow.Core.Specs;
using GanFlow.Runtime.Devices;
using GanFlow.Runtime.Training;

namespace GanFlow.Runtime;

/// <summary>The runtime's entry point: runs one experiment in one run folder.</summary>
public static class ExperimentRunner
{
    /// <summary>
    /// Validates <paramref name="experiment"/>, then trains and evaluates it, writing spec.json,
    /// metrics.csv, samples.txt, checkpoint/ and summary.json (flows also density.csv and, in 2-D, latent.csv) into <c>context.OutputDirectory</c>.
    /// </summary>
    /// <exception cref="SpecValidationException">The spec is invalid; nothing was computed or written.</exception>
    /// <returns>The run's summary; divergence and runtime errors are reported in it, not thrown.</returns>
    public static RunSummary Run(Experiment experiment, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(context);
        var errors = ExperimentValidation.errors(experiment);
        if (!errors.IsEmpty) throw new SpecValidationException(errors);

        return experiment.Model switch
        {
            Model.Gan gan => GanTrainer.Run(experiment, gan.Item, context),
            Model.Flow flow => FlowRunner.Run(experiment, flow.Item, context),
            _ => throw new NotSupportedException($"model {experiment.Model} has no runtime interpretation"),
        };
    }
}
