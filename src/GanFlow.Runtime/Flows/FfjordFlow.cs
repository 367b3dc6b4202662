using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using GanFlow.Runtime.Solvers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>FFJORD's "concatsquash" layer: y = (W x + b) ⊙ σ(a t + c) + e t.</summary>
public sealed class ConcatSquashLinear : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> layer;
    private readonly nn.Module<Tensor, Tensor> gate;
    private readonly nn.Module<Tensor, Tensor> shift;

    /// <summary>Builds the layer with weights drawn from <paramref name="generator"/>.</summary>
    public ConcatSquashLinear(string name, long input, long output, Generator generator) : base(name)
    {
        layer = FlowInit.Linear(input, output, generator);
        gate = FlowInit.Linear(1, output, generator);
        shift = FlowInit.Linear(1, output, generator, bias: false);
        RegisterComponents();
    }

    /// <summary>x [n, in], t [1, 1] → [n, out].</summary>
    public override Tensor forward(Tensor x, Tensor t) => (layer.call(x) * gate.call(t).sigmoid()).Plus(shift.call(t));
}

/// <summary>FFJORD (Grathwohl et al. 2019): dy/dt = f(y, t) on [0, T], x = y(0), z = y(T),
/// log|det ∂z/∂x| = ∫ tr(∂f/∂y) dt, the trace exact (one autograd pass per dimension) or Hutchinson's.
/// Integrated in s = t/T ∈ [0, 1] so a learnable T (= (√T)²) gets gradients through the solver.</summary>
public sealed class FfjordFlow : NormalizingFlow
{
    private readonly ModuleList<ConcatSquashLinear> layers = new();
    private readonly Parameter? sqrtEndTime;
    private readonly Tensor fixedSqrtEndTime;
    private readonly Func<Tensor, Tensor> activation;
    private readonly OdeSolver solver;
    private readonly bool hutchinson;
    private readonly Generator noise;

    /// <summary>Builds the velocity network with weights drawn from <paramref name="generator"/>;
    /// Hutchinson noise comes from a generator seeded from it.</summary>
    public FfjordFlow(Ffjord spec, int dimension, BaseDistribution baseDistribution, Generator generator)
        : base("Ffjord", dimension, baseDistribution)
    {
        var widths = new List<int> { dimension };
        widths.AddRange(spec.Hidden);
        widths.Add(dimension);
        for (int i = 0; i < widths.Count - 1; i++)
            layers.Add(new ConcatSquashLinear($"layer{i}", widths[i], widths[i + 1], generator));
        var root = torch.tensor(Math.Sqrt(spec.EndTime), dtype: ScalarType.Float64);
        if (spec.TrainEndTime) sqrtEndTime = new Parameter(root.clone());
        fixedSqrtEndTime = root;
        activation = FlowInit.Activation(spec.Activation);
        solver = spec.Solver;
        hutchinson = spec.Trace.IsHutchinson;
        noise = new Generator((ulong)torch.randint(0, int.MaxValue, new long[] { 1 }, generator: generator).item<long>());
        RegisterComponents();
    }

    /// <inheritdoc />
    public override bool IsContinuous => true;

    /// <inheritdoc />
    public override void Reseed(long seed) => noise.manual_seed(seed);

    private Tensor EndTime => (sqrtEndTime ?? fixedSqrtEndTime).Squared();

    private Tensor Velocity(Tensor y, Tensor t)
    {
        var tt = t.reshape(1, 1);
        var h = y;
        for (int i = 0; i < layers.Count; i++)
        {
            h = layers[i].call(h, tt);
            if (i < layers.Count - 1) h = activation(h);
        }
        return h;
    }

    /// <inheritdoc />
    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var outerGrad = torch.is_grad_enabled();
        var endTime = EndTime.to(x.device);
        Tensor? epsilon = hutchinson ? torch.randn(x.shape, dtype: x.dtype, generator: noise).to(x.device) : null;
        Tensor[] Dynamics(double s, Tensor[] state)
        {
            using var _ = torch.enable_grad();
            var y = state[0];
            if (!y.requires_grad) y = y.detach().requires_grad_(true);
            var v = Velocity(y, endTime.Times(s));
            Tensor trace;
            if (epsilon is not null)
            {
                var vjp = torch.autograd.grad(new[] { (v * epsilon).sum() }, new[] { y }, retain_graph: true, create_graph: outerGrad)[0];
                trace = (vjp * epsilon).sum(1);
            }
            else
            {
                trace = torch.zeros(y.shape[0], dtype: y.dtype, device: y.device);
                for (int i = 0; i < Dimension; i++)
                {
                    var gi = torch.autograd.grad(new[] { v[.., i].sum() }, new[] { y }, retain_graph: true, create_graph: outerGrad)[0];
                    trace = trace.Plus(gi[.., i]);
                }
            }
            var dy = v * endTime;
            var dl = trace * endTime;
            return outerGrad ? new[] { dy, dl } : new[] { dy.detach(), dl.detach() };
        }
        var result = OdeSolvers.Solve(solver, Dynamics, new[] { x, torch.zeros(x.shape[0], dtype: x.dtype, device: x.device) }, 0.0, 1.0);
        LastFunctionEvaluations = result.FunctionEvaluations;
        return (result.State[0], result.State[1]);
    }

    /// <summary>dy/ds = T·f(y, sT) for the points alone (no log-determinant), in either direction.</summary>
    private OdeFunction PointDynamics(Tensor endTime) => (s, state) => new[] { Velocity(state[0], endTime.Times(s)) * endTime };

    /// <inheritdoc />
    public override Tensor Inverse(Tensor z)
    {
        var result = OdeSolvers.Solve(solver, PointDynamics(EndTime.to(z.device)), new[] { z }, 1.0, 0.0);
        LastFunctionEvaluations = result.FunctionEvaluations;
        return result.State[0];
    }

    /// <summary>y at <paramref name="intervals"/> + 1 equally spaced times from x (t = 0) to z (t = T), labelled with
    /// t in the flow's own time (T its current end time). Integrates the points alone, so with RK4 the last stage
    /// is Forward's z up to rounding when the intervals divide the steps.</summary>
    public override FlowTrajectory Trajectory(Tensor x, int intervals)
    {
        var endTime = EndTime.to(x.device);
        var path = OdeSolvers.SolvePath(solver, PointDynamics(endTime), new[] { x }, 0.0, 1.0, intervals);
        LastFunctionEvaluations = path.FunctionEvaluations;
        return FlowTrajectory.OfOdePath(path, endTime.item<double>());
    }
}
