using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using GanFlow.Runtime.Solvers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Flows;

/// <summary>OT-Flow (Onken et al. 2021; seed 003 sec. 3). Potential Φ(s) = wᵀN(s) + ½ sᵀ(AᵀA)s + bᵀs + c,
/// s = (x, t), N(s) = u₁ with u₀ = σ(K₀s + b₀), u₁ = u₀ + h·σ(K₁u₀ + b₁), σ = log cosh, and h = 1 (the step of a
/// two-layer ResNet, 1/(2 − 1)), so the factors h are left out of the formulas below (multiplying by 1 is exact).
/// x = x(0) flows to z = x(1) along dx/dt = −∇ₓΦ; the gradient and the exact Hessian trace are analytic.
/// Along the way: ℓ (log|det|, dℓ/dt = −tr ∇²ₓΦ), transport C_L (½‖∇ₓΦ‖²) and HJB residual R
/// (|∂ₜΦ − ½‖∇ₓΦ‖²|).</summary>
public sealed class OtFlowModule : NormalizingFlow
{
    private readonly Parameter K0, b0, K1, b1, w, A, b, c;
    private readonly OdeSolver solver;
    private readonly OtFlowLossWeights weights;

    /// <summary>Builds the potential: K₀, b₀, K₁, b₁ as PyTorch Linear defaults, w = 1, A Xavier-uniform,
    /// b = 0, c = 0 (the OT-Flow reference initialisation), all drawn from <paramref name="generator"/>.</summary>
    public OtFlowModule(OtFlow spec, int dimension, BaseDistribution baseDistribution, Generator generator)
        : base("OtFlow", dimension, baseDistribution)
    {
        long m = spec.Width, d1 = dimension + 1, r = spec.Rank;
        K0 = FlowInit.Uniform(new[] { m, d1 }, 1 / Math.Sqrt(d1), generator);
        b0 = FlowInit.Uniform(new[] { m }, 1 / Math.Sqrt(d1), generator);
        K1 = FlowInit.Uniform(new[] { m, m }, 1 / Math.Sqrt(m), generator);
        b1 = FlowInit.Uniform(new[] { m }, 1 / Math.Sqrt(m), generator);
        w = new Parameter(torch.ones(m, dtype: ScalarType.Float64));
        A = FlowInit.Uniform(new[] { r, d1 }, Math.Sqrt(6.0 / (r + d1)), generator);
        b = new Parameter(torch.zeros(d1, dtype: ScalarType.Float64));
        c = new Parameter(torch.zeros(1, dtype: ScalarType.Float64));
        solver = spec.Solver;
        weights = spec.LossWeights;
        RegisterComponents();
    }

    /// <summary>c shifts Φ by a constant and never reaches v, log p or the losses.</summary>
    public override IReadOnlyCollection<string> GaugeParameters => new[] { "c" };

    /// <inheritdoc />
    public override bool IsContinuous => true;

    /// <summary>log cosh x = |x| + log(1 + e^−2|x|) − log 2, stable for any x. The same values and gradients, to the bit,
    /// as |x| + softplus(−2|x|) − log 2 through <see cref="HeldScalars.Softplus"/> (whose max(·, 0) is 0 and whose |·| only
    /// flips a sign here, since −2|x| ≤ 0), but for the sign of a zero gradient at x = 0, in 6 operations instead of
    /// 10.</summary>
    private static Tensor LogCosh(Tensor x) { var a = x.abs(); return a.Plus(a.Times(-2.0).exp().log1p()).Minus(Math.Log(2)); }

    /// <summary>Φ(x, t) per sample (for tests and plots).</summary>
    public Tensor Potential(Tensor x, double t)
    {
        var s = torch.cat(new[] { x, HeldScalars.Filled(new[] { x.shape[0], 1 }, t, x.dtype, x.device) }, 1);
        var u0 = LogCosh(s.matmul(K0.t()).Plus(b0));
        var u1 = u0.Plus(LogCosh(u0.matmul(K1.t()).Plus(b1)));
        var symmetric = A.t().matmul(A);
        return u1.matmul(w).Plus((s.matmul(symmetric) * s).sum(1).Times(0.5)).Plus(s.matmul(b)).Plus(c);
    }

    /// <summary>∇ₛΦ [n, d+1] and tr ∇²ₓΦ [n] at (x, t).</summary>
    public (Tensor Gradient, Tensor Laplacian) GradientAndLaplacian(Tensor x, double t)
    {
        int d = Dimension;
        var s = torch.cat(new[] { x, HeldScalars.Filled(new[] { x.shape[0], 1 }, t, x.dtype, x.device) }, 1);
        var z1 = s.matmul(K0.t()).Plus(b0);                  // [n, m]
        var tanh1 = z1.tanh();                           // σ'
        var u0 = LogCosh(z1);
        var z2 = u0.matmul(K1.t()).Plus(b1);
        var tanh2 = z2.tanh();
        var a0 = w.Plus((tanh2 * w).matmul(K1));  // ∂Φ_N/∂u₀ [n, m]
        var symmetric = A.t().matmul(A);
        var gradient = (tanh1 * a0).matmul(K0).Plus(s.matmul(symmetric)).Plus(b);
        // Trace over x of K₀ᵀ diag(σ''(z₁)⊙a₀) K₀ + Jᵀ diag(σ''(z₂)⊙w) J, J = K₁ diag(σ'(z₁)) K₀ₓ (h = 1).
        var E = K0[.., ..d];                              // [m, d]
        var term0 = (tanh1.Squared().SubtractedFrom(1.0) * a0).matmul(E.Squared().sum(1));
        // J = K₁ diag(σ'(z₁)) E per sample, held transposed as [n, d, m] and computed as one [n·d, m] × [m, m] product:
        // the same values as the batched K₁ @ [n, m, d], whose backward materialises K₁'s gradient per sample
        // ([n, m, m]) and sums it (a third of this function's time at batch 256).
        long n = s.shape[0], m = K1.shape[0];
        var Jt = (tanh1.unsqueeze(1) * E.t().unsqueeze(0)).reshape(n * d, m).matmul(K1.t()).reshape(n, d, m);
        var term1 = (tanh2.Squared().SubtractedFrom(1.0) * w * Jt.Squared().sum(1)).sum(1);
        var laplacian = term0.Plus(term1).Plus(symmetric[..d, ..d].diagonal().sum());
        return (gradient, laplacian);
    }

    private OdeResult Integrate(Tensor x)
    {
        int d = Dimension;
        Tensor[] Dynamics(double t, Tensor[] state)
        {
            var (gradient, laplacian) = GradientAndLaplacian(state[0], t);
            var gx = gradient[.., ..d];
            var kinetic = gx.Squared().sum(1).Times(0.5);
            return new[] { -gx, -laplacian, kinetic, gradient[.., d].Minus(kinetic).abs() };
        }
        var zero = torch.zeros(x.shape[0], dtype: x.dtype, device: x.device);
        var result = OdeSolvers.Solve(solver, Dynamics, new[] { x, zero, zero, zero }, 0.0, 1.0);
        LastFunctionEvaluations = result.FunctionEvaluations;
        return result;
    }

    /// <inheritdoc />
    public override (Tensor Z, Tensor LogDet) Forward(Tensor x)
    {
        var state = Integrate(x).State;
        return (state[0], state[1]);
    }

    /// <summary>OT-Flow's J = mean(α_T·C_L + α_N·(−log p(x)) + α_H·R) and the mean NLL in nats.</summary>
    public override (Tensor Loss, Tensor Nll) TrainingLoss(Tensor x)
    {
        var state = Integrate(x).State;
        var nll = -BaseLogProb(state[0]).Plus(state[1]).mean();
        var loss = state[2].mean().Times(weights.Transport).Plus(nll.Times(weights.Nll)).Plus(state[3].mean().Times(weights.Hjb));
        return (loss, nll);
    }

    /// <summary>dx/dt = −∇ₓΦ(x, t) for the points alone (no log-determinant or penalties), in either direction.</summary>
    private Tensor[] PointDynamics(double t, Tensor[] state) => new[] { -GradientAndLaplacian(state[0], t).Gradient[.., ..Dimension] };

    /// <inheritdoc />
    public override Tensor Inverse(Tensor z)
    {
        var result = OdeSolvers.Solve(solver, PointDynamics, new[] { z }, 1.0, 0.0);
        LastFunctionEvaluations = result.FunctionEvaluations;
        return result.State[0];
    }

    /// <summary>x at <paramref name="intervals"/> + 1 equally spaced times from x (t = 0) to z (t = 1). Integrates the
    /// points alone, so with RK4 the last stage is Forward's z up to rounding when the intervals divide the steps.</summary>
    public override FlowTrajectory Trajectory(Tensor x, int intervals)
    {
        var path = OdeSolvers.SolvePath(solver, PointDynamics, new[] { x }, 0.0, 1.0, intervals);
        LastFunctionEvaluations = path.FunctionEvaluations;
        return FlowTrajectory.OfOdePath(path, 1.0);
    }
}
