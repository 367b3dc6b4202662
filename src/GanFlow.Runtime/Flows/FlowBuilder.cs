using GanFlow.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>The one interpreter of <see cref="Flow"/> specs: spec → flow module (float64).</summary>
public static class FlowBuilder
{
    /// <summary>Builds the flow of <paramref name="spec"/> for <paramref name="dimension"/>-dimensional data.
    /// Every initial value is drawn from <paramref name="generator"/> (no global RNG). <paramref name="initialData"/>
    /// ([n, d]) places the Gaussianization anchors on data points and gives <c>Flow.Standardize</c> its mean and
    /// standard deviation (then the anchors sit on the standardized points); it is required when standardizing.</summary>
    public static NormalizingFlow Build(Flow spec, int dimension, Generator generator, Tensor? initialData = null, Device? device = null) =>
        Build(new FlowGenerator(spec.Architecture, spec.Base, spec.Standardize), dimension, generator, initialData, device);

    /// <summary>Builds the flow of a flow generator spec (see the overload above).</summary>
    public static NormalizingFlow Build(FlowGenerator spec, int dimension, Generator generator, Tensor? initialData = null, Device? device = null)
    {
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "must be >= 1");
        NormalizingFlow flow;
        if (spec.Standardize)
        {
            if (initialData is null)
                throw new ArgumentException("flow.standardize = true needs initial data points to take the mean and standard deviation from", nameof(initialData));
            var (mean, scale) = StandardizedFlow.Statistics(initialData);
            using var standardized = StandardizedFlow.Apply(initialData.to_type(ScalarType.Float64).cpu(), mean, scale);
            flow = new StandardizedFlow(BuildArchitecture(spec, dimension, generator, standardized), mean, scale);
        }
        else flow = BuildArchitecture(spec, dimension, generator, initialData);
        if (device is not null && device.type != DeviceType.CPU) flow.to(device);
        return flow;
    }

    private static NormalizingFlow BuildArchitecture(FlowGenerator spec, int dimension, Generator generator, Tensor? initialData) =>
        spec.Architecture switch
        {
            FlowArchitecture.Gaussianization g => new GaussianizationFlowModule(g.Item, dimension, spec.Base, generator, initialData),
            FlowArchitecture.RealNvp r => new RealNvpFlow(r.Item, dimension, spec.Base, generator),
            FlowArchitecture.Nice n => new NiceFlow(n.Item, dimension, spec.Base, generator),
            FlowArchitecture.Ffjord f => new FfjordFlow(f.Item, dimension, spec.Base, generator),
            FlowArchitecture.OtFlow o => new OtFlowModule(o.Item, dimension, spec.Base, generator),
            FlowArchitecture.Spline s => new SplineFlow(s.Item, dimension, spec.Base, generator),
            _ => throw new NotSupportedException($"FlowBuilder has no interpretation for flow architecture {spec.Architecture}"),
        };

    /// <summary>Trainable scalars of a module (<see cref="Modules.ModelNetworks.ParameterCount"/>).</summary>
    public static long ParameterCount(nn.Module module) => Modules.ModelNetworks.ParameterCount(module);
}
