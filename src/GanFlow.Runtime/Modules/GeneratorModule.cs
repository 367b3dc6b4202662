using GanFlow.Core.Experiments;
using GanFlow.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// A generator spec interpreted as modules (<see cref="MlpGeneratorModule"/>, <see cref="FlowGeneratorModule"/>): what
/// every generator offers a training run (samples with and without gradients, latent draws and their decoding, data in
/// its precision) and what only some offer (an exact density, files of their own). A training run asks, never tests
/// the type: a new generator is a new subclass.
/// </summary>
public abstract class GeneratorModule : IDisposable
{
    /// <summary>The name of its module and of its optimiser in checkpoints (<c>generator</c>, <c>flow</c>).</summary>
    public abstract string Name { get; }
    /// <summary>The module whose parameters the generator's optimiser trains.</summary>
    public abstract nn.Module Module { get; }
    /// <summary>The precision of its samples, and of the data and critic it meets (float32 for MLPs, float64 for flows).</summary>
    public abstract ScalarType DType { get; }
    /// <summary>Coordinates of z.</summary>
    public abstract int LatentDimension { get; }
    /// <summary>Whether it has an exact density (<see cref="LikelihoodLoss"/>, <see cref="LogDensity"/>).</summary>
    public virtual bool HasDensity => false;
    /// <summary>Right-hand-side evaluations of its last ODE solve; NaN unless it is a continuous flow.</summary>
    public virtual double FunctionEvaluations => double.NaN;

    /// <summary>Reseeds its own randomness for the training step whose shared randomness is seeded with
    /// <paramref name="noiseSeed"/> (FFJORD's Hutchinson noise; a flow's base draws come from <paramref name="latentSeed"/>).</summary>
    public virtual void BeginStep(long noiseSeed, long latentSeed) { }

    /// <summary>Reseeds its own randomness for an evaluation whose noise is seeded with <paramref name="noiseSeed"/>.</summary>
    public virtual void BeginEvaluation(long noiseSeed) { }

    /// <summary><paramref name="count"/> samples G(z) with gradients to the parameters, for a training step;
    /// <paramref name="stepNoise"/> is the step's shared randomness (an MLP draws its prior noise from it).</summary>
    public abstract Tensor SampleForTraining(long count, Generator stepNoise, Device device);

    /// <summary><paramref name="count"/> evaluation samples drawn with <paramref name="noise"/> (call in evaluation mode,
    /// without gradients): row-major values and the same samples as a tensor on <paramref name="device"/>.</summary>
    public abstract (double[] Values, Tensor Tensor) SampleForEvaluation(int count, Generator noise, Device device);

    /// <summary><paramref name="count"/> latent draws z of its prior, [count, latent dimension], on <paramref name="device"/>.</summary>
    public abstract Tensor SampleLatent(long count, Generator noise, Device device);

    /// <summary>x = G(z), differentiable in z and the parameters (the Jacobian spectrum and AIS need the former).</summary>
    public abstract Tensor Decode(Tensor z);

    /// <summary>log p(z) of the prior at each row of <paramref name="z"/>, differentiable in z (AIS).</summary>
    /// <exception cref="NotSupportedException">The prior has no density everywhere (validation rejects AIS then).</exception>
    public abstract Tensor LatentLogProb(Tensor z);

    /// <summary>Row-major data values as an [n, d] tensor of <see cref="DType"/> on <paramref name="device"/>, in memory
    /// libtorch owns (<see cref="OwnedTensors"/>).</summary>
    public Tensor DataTensor(double[] values, int dimension, Device device) => OwnedTensors.Rows(values, dimension, DType, device);

    /// <summary>The loss its maximum-likelihood objective minimises on a data batch, and the mean NLL (nats) in it.</summary>
    /// <exception cref="NotSupportedException">It has no density (validation rejects such specs first).</exception>
    public virtual (Tensor Loss, Tensor Nll) LikelihoodLoss(Tensor x) =>
        throw new NotSupportedException($"the {Name} has no density: it cannot be trained by maximum likelihood");

    /// <summary>log p(x) in nats at each row-major point.</summary>
    /// <exception cref="NotSupportedException">It has no density.</exception>
    public virtual double[] LogDensity(double[] points) => throw new NotSupportedException($"the {Name} has no density");

    /// <summary>The exact-density scores of an evaluation on the data samples <paramref name="data"/> (row-major), the
    /// latent draws taken from <paramref name="noise"/> after the model samples; null when it has no density.</summary>
    public virtual DensityScores? ScoreDensity(Experiment experiment, int step, double[] data, Generator noise, double functionEvaluations) => null;

    /// <summary>Writes the files only this generator can write into the run folder at the end of a run (a flow: its
    /// density on a grid, latent points, trajectories), from the final evaluation's data samples.</summary>
    public virtual void WriteFinalFiles(RunStore store, Experiment experiment, double[] data) { }

    /// <inheritdoc />
    public abstract void Dispose();
}
