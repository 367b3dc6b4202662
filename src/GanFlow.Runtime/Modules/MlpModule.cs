using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace GanFlow.Runtime.Modules;

/// <summary>
/// A multilayer perceptron as built by <see cref="MlpBuilder"/>: for each hidden layer
/// linear → (batch norm) → activation → (dropout), residual blocks adding their input back,
/// then an output linear layer.
/// </summary>
public sealed class MlpModule : Module<Tensor, Tensor>
{
    private readonly IReadOnlyList<Module<Tensor, Tensor>> hidden;
    private readonly IReadOnlyList<Module<Tensor, Tensor>?> norms;
    private readonly Module<Tensor, Tensor> output;
    private readonly Module<Tensor, Tensor> dropout;
    private readonly Func<Tensor, Tensor> activation;
    private readonly bool residual;

    internal MlpModule(
        IReadOnlyList<Module<Tensor, Tensor>> hidden,
        IReadOnlyList<Module<Tensor, Tensor>?> norms,
        Module<Tensor, Tensor> output,
        Module<Tensor, Tensor> dropout,
        Func<Tensor, Tensor> activation,
        bool residual) : base(nameof(MlpModule))
    {
        this.hidden = hidden;
        this.norms = norms;
        this.output = output;
        this.dropout = dropout;
        this.activation = activation;
        this.residual = residual;
        for (var i = 0; i < hidden.Count; i++)
        {
            register_module($"hidden{i}", hidden[i]);
            if (norms[i] is { } norm) register_module($"norm{i}", norm);
        }
        register_module(nameof(output), output);
        register_module(nameof(dropout), dropout);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // Residual sums use add(z, one), not h + z: TorchSharp 0.107's + makes an implicit Scalar (see ParameterOptimizer).
        using var one = 1.0.ToScalar();
        var h = input;
        for (var i = 0; i < hidden.Count; i++)
        {
            var z = hidden[i].forward(h);
            if (norms[i] is { } norm) z = norm.forward(z);
            z = dropout.forward(activation(z));
            // The first hidden layer changes the width, so only later layers can be residual blocks.
            h = residual && i > 0 ? h.add(z, one) : z;
        }
        return output.forward(h);
    }
}
