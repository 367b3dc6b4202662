using GanFlow.Core.Experiments;
using TorchSharp;

namespace GanFlow.Runtime.Training;

/// <summary>
/// A run's evaluations as TensorBoard scalars, through TorchSharp's own <c>SummaryWriter</c> (one event file per process
/// in <c>DIR/tensorboard/</c>): every finite metric of a record under its metrics.csv name, at the record's step. A
/// resumed run writes a new event file from its checkpoint's step on.
/// </summary>
internal sealed class TensorBoardLog(string directory)
{
    private TorchSharp.Modules.SummaryWriter? writer;

    public void Write(EvaluationRecord r)
    {
        if (writer is null)
        {
            Directory.CreateDirectory(directory);
            writer = torch.utils.tensorboard.SummaryWriter(directory, "", createRunName: false);
        }
        // The metrics.csv columns (one list, MetricColumns.all), the step and the wall clock aside: before, a fixed list
        // of ten left out precision, recall, density, coverage, the split NLLs, bits per dimension and the mode scores.
        foreach (var column in MetricColumns.all)
        {
            if (column.Name is "step" or "wall_seconds") continue;
            if (column.Get.Invoke(r)?.Value is { } value && double.IsFinite(value)) writer.add_scalar(column.Name, (float)value, r.Step);
        }
    }
}
