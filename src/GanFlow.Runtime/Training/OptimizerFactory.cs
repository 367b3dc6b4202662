using GanFlow.Core.Training;
using TorchSharp.Modules;
using Optimizer = GanFlow.Core.Training.Optimizer;

namespace GanFlow.Runtime.Training;

/// <summary>Interprets an <see cref="Optimizer"/> spec.</summary>
public static class OptimizerFactory
{
    /// <summary>An optimiser over <paramref name="parameters"/> (create it after the module is on its device).</summary>
    public static ParameterOptimizer Create(Optimizer spec, IEnumerable<Parameter> parameters) =>
        spec switch
        {
            Optimizer.Adam a => new AdamOptimizer(parameters, a.Item.LearningRate, a.Item.Beta1, a.Item.Beta2, a.Item.WeightDecay),
            Optimizer.RmsProp r => new RmsPropOptimizer(parameters, r.Item.LearningRate, r.Item.Alpha, r.Item.WeightDecay),
            _ => throw new NotSupportedException($"optimizer '{spec}' has no runtime interpretation"),
        };
}
