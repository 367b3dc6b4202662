using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Training;

/// <summary>
/// A first-order optimiser over a fixed list of parameters, with its state saved and loaded
/// exactly (step count and moment tensors) for bit-identical resumes.
/// </summary>
/// <remarks>
/// The runtime's own Adam and RMSprop rather than TorchSharp's: TorchSharp 0.107 passes the
/// <see cref="Scalar"/>s it creates implicitly from doubles to native code without keeping them
/// alive, so a garbage collection on another thread can finalise one mid-call (seen as rare
/// "Unknown scalar type" failures and non-reproducible numbers when runs share a process; upstream
/// PRs dotnet/TorchSharp#1434 and #1496). Every Scalar here is held: the constants in fields for the optimiser's
/// lifetime (disposed with it), the step's learning rate and bias corrections in fields from <see cref="BeginStep"/> to
/// <see cref="EndStep"/>, including the alpha that one-argument <c>add</c>/<c>add_</c> (and so <c>Tensor + Tensor</c>)
/// would create implicitly: pass it explicitly.
/// </remarks>
public abstract class ParameterOptimizer : IDisposable
{
    /// <summary>The parameters updated, in a fixed order (the order of the saved state).</summary>
    protected IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Step size; the trainer sets it from the learning-rate schedule before each step.</summary>
    public double LearningRate { get; set; }

    /// <summary>Optimiser steps taken (Adam's bias correction uses it).</summary>
    public long Steps { get; protected set; }

    /// <summary>An optimiser over <paramref name="parameters"/>.</summary>
    protected ParameterOptimizer(IEnumerable<Parameter> parameters, double learningRate)
    {
        Parameters = parameters.ToList();
        LearningRate = learningRate;
    }

    /// <summary>Sets every parameter's gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters)
        {
            using var gradient = parameter.grad;
            gradient?.zero_();
        }
    }

    /// <summary>One update from the current gradients (parameters without a gradient are skipped).</summary>
    public void Step()
    {
        Steps++;
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        try
        {
            BeginStep();
            for (var i = 0; i < Parameters.Count; i++)
            {
                var gradient = Parameters[i].grad;
                if (gradient is not null) Update(i, Parameters[i], gradient);
            }
        }
        finally
        {
            EndStep();
        }
    }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient (inside no_grad and a dispose scope).</summary>
    protected abstract void Update(int index, Parameter parameter, Tensor gradient);

    /// <summary>
    /// Makes the Scalars that change with the step (the learning rate, Adam's bias corrections) once for every parameter of
    /// the step, held in fields until <see cref="EndStep"/>; the constants are fields held for the optimiser's lifetime.
    /// </summary>
    protected abstract void BeginStep();

    /// <summary>Disposes what <see cref="BeginStep"/> made.</summary>
    protected abstract void EndStep();

    /// <summary>The state tensors, in a fixed order.</summary>
    protected abstract IEnumerable<Tensor> StateTensors();

    /// <summary>Writes the step count and every state tensor.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(GetType().Name);
        writer.Write(Steps);
        foreach (var tensor in StateTensors()) tensor.Save(writer);
    }

    /// <summary>Reads what <see cref="Save(BinaryWriter)"/> wrote into this optimiser's state tensors.</summary>
    /// <exception cref="InvalidDataException">The state was written by another kind of optimiser.</exception>
    public void Load(BinaryReader reader)
    {
        var kind = reader.ReadString();
        if (kind != GetType().Name) throw new InvalidDataException($"optimizer state is for {kind}, not {GetType().Name}");
        Steps = reader.ReadInt64();
        foreach (var tensor in StateTensors()) tensor.Load(reader);
    }

    /// <summary>Saves to a file.</summary>
    public void Save(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        Save(writer);
    }

    /// <summary>Loads from a file.</summary>
    public void Load(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        Load(reader);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tensor in StateTensors()) tensor.Dispose();
        DisposeConstants();
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the optimiser's constant Scalars (fields held for its lifetime).</summary>
    protected abstract void DisposeConstants();
}

/// <summary>Adam (Kingma &amp; Ba 2014) with L2 weight decay added to the gradient, as PyTorch's Adam.</summary>
public sealed class AdamOptimizer : ParameterOptimizer
{
    private const double Epsilon = 1e-8;
    private readonly double beta1;
    private readonly double beta2;
    private readonly double weightDecay;
    private readonly List<Tensor> firstMoments;
    private readonly List<Tensor> secondMoments;
    // Constants of the update, held for the optimiser's lifetime (never implicit; disposed with it).
    private readonly Scalar decay, b1, oneMinusB1, b2, oneMinusB2, epsilon, one;

    /// <summary>Adam over <paramref name="parameters"/>.</summary>
    public AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2, double weightDecay)
        : base(parameters, learningRate)
    {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.weightDecay = weightDecay;
        firstMoments = Parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToList();
        secondMoments = Parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToList();
        decay = weightDecay.ToScalar();
        b1 = beta1.ToScalar();
        oneMinusB1 = (1.0 - beta1).ToScalar();
        b2 = beta2.ToScalar();
        oneMinusB2 = (1.0 - beta2).ToScalar();
        epsilon = Epsilon.ToScalar();
        one = 1.0.ToScalar();
    }

    /// <inheritdoc />
    protected override void DisposeConstants()
    {
        decay.Dispose();
        b1.Dispose();
        oneMinusB1.Dispose();
        b2.Dispose();
        oneMinusB2.Dispose();
        epsilon.Dispose();
        one.Dispose();
    }

    // This step's √(1 − β₂ᵗ) and −lr / (1 − β₁ᵗ), held from BeginStep to EndStep.
    private Scalar? sqrtCorrection2, negativeStep;

    /// <inheritdoc />
    protected override void BeginStep()
    {
        sqrtCorrection2 = Math.Sqrt(1.0 - Math.Pow(beta2, Steps)).ToScalar();
        negativeStep = (-LearningRate / (1.0 - Math.Pow(beta1, Steps))).ToScalar();
    }

    /// <inheritdoc />
    protected override void EndStep()
    {
        sqrtCorrection2?.Dispose();
        negativeStep?.Dispose();
        sqrtCorrection2 = negativeStep = null;
    }

    /// <inheritdoc />
    protected override void Update(int index, Parameter parameter, Tensor gradient)
    {
        if (weightDecay != 0.0) gradient = gradient.add(parameter, decay);
        firstMoments[index].mul_(b1).add_(gradient, oneMinusB1);
        secondMoments[index].mul_(b2).addcmul_(gradient, gradient, oneMinusB2);
        var denominator = secondMoments[index].sqrt().div_(sqrtCorrection2!).add_(epsilon, one);
        parameter.addcdiv_(firstMoments[index], denominator, negativeStep!);
    }

    /// <inheritdoc />
    protected override IEnumerable<Tensor> StateTensors() => firstMoments.Concat(secondMoments);
}

/// <summary>RMSprop (no momentum, not centred) with L2 weight decay, as PyTorch's RMSprop.</summary>
public sealed class RmsPropOptimizer : ParameterOptimizer
{
    private const double Epsilon = 1e-8;
    private readonly double weightDecay;
    private readonly List<Tensor> squareAverages;
    // Constants of the update, held for the optimiser's lifetime (never implicit; disposed with it).
    private readonly Scalar decay, a, oneMinusA, epsilon, one;

    /// <summary>RMSprop over <paramref name="parameters"/>.</summary>
    public RmsPropOptimizer(IEnumerable<Parameter> parameters, double learningRate, double alpha, double weightDecay)
        : base(parameters, learningRate)
    {
        this.weightDecay = weightDecay;
        squareAverages = Parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToList();
        decay = weightDecay.ToScalar();
        a = alpha.ToScalar();
        oneMinusA = (1.0 - alpha).ToScalar();
        epsilon = Epsilon.ToScalar();
        one = 1.0.ToScalar();
    }

    /// <inheritdoc />
    protected override void DisposeConstants()
    {
        decay.Dispose();
        a.Dispose();
        oneMinusA.Dispose();
        epsilon.Dispose();
        one.Dispose();
    }

    // This step's −lr, held from BeginStep to EndStep.
    private Scalar? negativeRate;

    /// <inheritdoc />
    protected override void BeginStep() => negativeRate = (-LearningRate).ToScalar();

    /// <inheritdoc />
    protected override void EndStep()
    {
        negativeRate?.Dispose();
        negativeRate = null;
    }

    /// <inheritdoc />
    protected override void Update(int index, Parameter parameter, Tensor gradient)
    {
        if (weightDecay != 0.0) gradient = gradient.add(parameter, decay);
        squareAverages[index].mul_(a).addcmul_(gradient, gradient, oneMinusA);
        var denominator = squareAverages[index].sqrt().add_(epsilon, one);
        parameter.addcdiv_(gradient, denominator, negativeRate!);
    }

    /// <inheritdoc />
    protected override IEnumerable<Tensor> StateTensors() => squareAverages;
}
