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
        foreach (var (tag, value) in new[]
                 {
                     ("w1", r.W1), ("w1_exact", r.W1Exact), ("critic_w1", r.CriticW1), ("energy", r.Energy),
                     ("generator_loss", r.GeneratorLoss), ("critic_loss", r.CriticLoss), ("nll", r.Nll),
                     ("inverse_error", r.InverseError), ("nfe", r.FunctionEvaluations), ("latent_inverse_error", r.LatentInverseError),
                 })
        {
            if (double.IsFinite(value)) writer.add_scalar(tag, (float)value, r.Step);
        }
    }
}
