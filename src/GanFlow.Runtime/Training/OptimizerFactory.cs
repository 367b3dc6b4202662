using GanFlow.Core.Training;
using TorchSharp.Modules;
using static TorchSharp.torch.optim;
using Optimizer = GanFlow.Core.Training.Optimizer;

namespace GanFlow.Runtime.Training;

/// <summary>Interprets an <see cref="Optimizer"/> spec.</summary>
public static class OptimizerFactory
{
    /// <summary>A TorchSharp optimiser over <paramref name="parameters"/> (create it after the module is on its device).</summary>
    public static OptimizerHelper Create(Optimizer spec, IEnumerable<Parameter> parameters) =>
        spec switch
        {
            Optimizer.Adam a => Adam(parameters, lr: a.Item.LearningRate, beta1: a.Item.Beta1, beta2: a.Item.Beta2, weight_decay: a.Item.WeightDecay),
            Optimizer.RmsProp r => RMSProp(parameters, lr: r.Item.LearningRate, alpha: r.Item.Alpha, weight_decay: r.Item.WeightDecay),
            _ => throw new NotSupportedException($"optimizer '{spec}' has no runtime interpretation"),
        };

    /// <summary>Sets the learning rate of every parameter group.</summary>
    public static void SetLearningRate(OptimizerHelper optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = learningRate;
    }
}
