using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Solvers;

/// <summary>Right-hand side of a system dy/dt = f(t, y) whose state is an array of tensors
/// (e.g. the sample and its log-determinant). Must return one tensor per state tensor, same shapes.</summary>
public delegate Tensor[] OdeFunction(double t, Tensor[] state);

/// <summary>Raised when an adaptive solve needs more than its step budget.</summary>
public sealed class OdeStepLimitException(string message) : Exception(message);

/// <summary>The end state of a solve and what it cost.</summary>
/// <param name="State">The state at the end time; differentiable through every step.</param>
/// <param name="FunctionEvaluations">Calls of the right-hand side.</param>
/// <param name="AcceptedSteps">Steps kept.</param>
/// <param name="RejectedSteps">Steps retried with a smaller step size (adaptive solvers only).</param>
public sealed record OdeResult(Tensor[] State, int FunctionEvaluations, int AcceptedSteps, int RejectedSteps);

/// <summary>The states of a solve at equally spaced times (a flow's trajectory along its ODE).</summary>
/// <param name="Times">t0 = Times[0] &lt; … &lt; Times[^1] = t1 (or decreasing, backwards), equally spaced.</param>
/// <param name="States">States[k] is the state at Times[k]; States[0] is the initial state itself.</param>
/// <param name="FunctionEvaluations">Calls of the right-hand side over all intervals.</param>
public sealed record OdePath(double[] Times, Tensor[][] States, int FunctionEvaluations);

/// <summary>Explicit ODE solvers on TorchSharp tensors. Gradients flow by backpropagating through
/// the solver's arithmetic (discretise-then-optimise); the step-size control of Dopri5 uses
/// detached error norms.</summary>
public static class OdeSolvers
{
    /// <summary>Interprets an F# <see cref="OdeSolver"/> spec: integrates from t0 to t1 (t1 &lt; t0 integrates backwards).</summary>
    public static OdeResult Solve(OdeSolver solver, OdeFunction f, Tensor[] y0, double t0, double t1) => solver switch
    {
        OdeSolver.Rk4 rk => Rk4(f, y0, t0, t1, rk.steps),
        OdeSolver.Dopri5 dp => Dopri5(f, y0, t0, t1, dp.rtol, dp.atol, dp.maxSteps),
        _ => throw new NotSupportedException($"unknown ODE solver spec {solver}"),
    };

    /// <summary>
    /// Integrates from t0 to t1 and keeps the state at the ends of <paramref name="intervals"/> equal time intervals,
    /// each solved with <paramref name="solver"/> from the state the previous one ended in. RK4 with N steps uses
    /// min(<paramref name="intervals"/>, N) intervals and spreads its N steps over them (⌊N(k+1)/K⌋ − ⌊Nk/K⌋ in
    /// interval k), so the path costs what one solve costs; when K divides N its steps are exactly those of
    /// <see cref="Solve"/> and the last state equals Solve's up to rounding. Dopri5 runs one adaptive solve per
    /// interval with the spec's tolerances (a step never crosses an interval end), so the last state agrees with
    /// Solve's to within those tolerances.
    /// </summary>
    public static OdePath SolvePath(OdeSolver solver, OdeFunction f, Tensor[] y0, double t0, double t1, int intervals)
    {
        if (intervals < 1) throw new ArgumentOutOfRangeException(nameof(intervals), intervals, "must be >= 1");
        var count = solver is OdeSolver.Rk4 rk ? Math.Min(intervals, rk.steps) : intervals;
        var times = new double[count + 1];
        for (int k = 0; k <= count; k++) times[k] = k == count ? t1 : t0 + (t1 - t0) * k / count;
        var states = new Tensor[count + 1][];
        states[0] = y0;
        int evaluations = 0;
        for (int k = 0; k < count; k++)
        {
            var piece = solver switch
            {
                OdeSolver.Rk4 r => Rk4(f, states[k], times[k], times[k + 1], (int)((long)r.steps * (k + 1) / count - (long)r.steps * k / count)),
                _ => Solve(solver, f, states[k], times[k], times[k + 1]),
            };
            states[k + 1] = piece.State;
            evaluations += piece.FunctionEvaluations;
        }
        return new OdePath(times, states, evaluations);
    }

    static Tensor[] Axpy(Tensor[] y, double h, params (double c, Tensor[] k)[] terms)
    {
        var result = new Tensor[y.Length];
        for (int i = 0; i < y.Length; i++)
        {
            Tensor? sum = null;
            foreach (var (c, k) in terms)
            {
                if (c == 0.0) continue;
                var term = k[i].Times(h * c);
                sum = sum is null ? term : sum.Plus(term);
            }
            result[i] = sum is null ? y[i] : y[i].Plus(sum);
        }
        return result;
    }

    /// <summary>Classical RK4 with <paramref name="steps"/> equal steps from t0 to t1 (4 evaluations per step).</summary>
    public static OdeResult Rk4(OdeFunction f, Tensor[] y0, double t0, double t1, int steps)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), steps, "must be >= 1");
        var h = (t1 - t0) / steps;
        var y = y0;
        for (int n = 0; n < steps; n++)
        {
            var t = t0 + n * h;
            var k1 = f(t, y);
            var k2 = f(t + h / 2, Axpy(y, h, (0.5, k1)));
            var k3 = f(t + h / 2, Axpy(y, h, (0.5, k2)));
            var k4 = f(t + h, Axpy(y, h, (1.0, k3)));
            y = Axpy(y, h, (1.0 / 6, k1), (2.0 / 6, k2), (2.0 / 6, k3), (1.0 / 6, k4));
        }
        return new OdeResult(y, 4 * steps, steps, 0);
    }

    // Dormand & Prince (1980) tableau, 5th-order solution with FSAL.
    static readonly double[] C = { 0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1 };
    static readonly double[][] A =
    {
        new double[] { },
        new[] { 1.0 / 5 },
        new[] { 3.0 / 40, 9.0 / 40 },
        new[] { 44.0 / 45, -56.0 / 15, 32.0 / 9 },
        new[] { 19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729 },
        new[] { 9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656 },
        new[] { 35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84 },
    };
    // 5th-order weights minus the embedded 4th-order weights: the local error estimate.
    static readonly double[] E =
    {
        35.0 / 384 - 5179.0 / 57600, 0, 500.0 / 1113 - 7571.0 / 16695, 125.0 / 192 - 393.0 / 640,
        -2187.0 / 6784 + 92097.0 / 339200, 11.0 / 84 - 187.0 / 2100, -1.0 / 40,
    };

    /// <summary>Adaptive Dormand-Prince 5(4) (FSAL, 6 evaluations per step after the first) from t0 to t1.
    /// A step is accepted when the RMS over all state elements of err / (atol + rtol·max(|y_n|, |y_{n+1}|)) is ≤ 1;
    /// the next step is h·clamp(0.9·err^(−1/5), 0.2, 10). Throws <see cref="OdeStepLimitException"/> after
    /// <paramref name="maxSteps"/> attempted steps.</summary>
    public static OdeResult Dopri5(OdeFunction f, Tensor[] y0, double t0, double t1, double rtol, double atol, int maxSteps)
    {
        if (!(rtol > 0) || !(atol > 0)) throw new ArgumentOutOfRangeException(nameof(rtol), "tolerances must be > 0");
        double span = t1 - t0, direction = Math.Sign(span);
        if (span == 0) return new OdeResult(y0, 0, 0, 0);
        var y = y0;
        var k1 = f(t0, y);
        int nfe = 1, accepted = 0, rejected = 0;
        double t = t0;
        // Hairer-Norsett-Wanner's first guess h = 0.01·‖y0‖/‖f0‖ in the tolerance-scaled norm.
        double d0 = ScaledRms(y, y, rtol, atol), d1 = ScaledRms(k1, y, rtol, atol);
        double h = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
        h = Math.Min(h, Math.Abs(span)) * direction;
        while (direction * (t1 - t) > 1e-12 * Math.Abs(span))
        {
            if (accepted + rejected >= maxSteps)
                throw new OdeStepLimitException($"dopri5 needed more than {maxSteps} steps (t = {t} of [{t0}, {t1}], rtol {rtol}, atol {atol})");
            if (direction * (t + h - t1) > 0) h = t1 - t;
            var k = new Tensor[7][];
            k[0] = k1;
            for (int s = 1; s < 7; s++)
            {
                var terms = new (double, Tensor[])[s];
                for (int j = 0; j < s; j++) terms[j] = (A[s][j], k[j]);
                k[s] = f(t + C[s] * h, Axpy(y, h, terms));
            }
            nfe += 6;
            var y1 = Axpy(y, h, (A[6][0], k[0]), (A[6][2], k[2]), (A[6][3], k[3]), (A[6][4], k[4]), (A[6][5], k[5]));
            double err;
            using (torch.no_grad())
            {
                var errTerms = new (double, Tensor[])[7];
                for (int j = 0; j < 7; j++) errTerms[j] = (E[j], k[j]);
                var zeros = y.Select(v => torch.zeros_like(v)).ToArray();
                var errEstimate = Axpy(zeros, h, errTerms);
                err = ErrorNorm(errEstimate, y, y1, rtol, atol);
            }
            if (!double.IsFinite(err)) err = double.PositiveInfinity;
            if (err <= 1.0)
            {
                t += h; y = y1; k1 = k[6]; accepted++;
            }
            else rejected++;
            double factor = err == 0 ? 10.0 : Math.Clamp(0.9 * Math.Pow(err, -0.2), 0.2, 10.0);
            if (double.IsInfinity(err)) factor = 0.2;
            h *= factor;
        }
        return new OdeResult(y, nfe, accepted, rejected);
    }

    static double ScaledRms(Tensor[] v, Tensor[] y, double rtol, double atol)
    {
        using var _ = torch.no_grad();
        double sum = 0; long count = 0;
        for (int i = 0; i < v.Length; i++)
        {
            var scale = y[i].abs().Times(rtol).Plus(atol);
            sum += (v[i] / scale).Squared().sum().ItemAsDouble();
            count += v[i].numel();
        }
        return Math.Sqrt(sum / Math.Max(count, 1));
    }

    static double ErrorNorm(Tensor[] err, Tensor[] y0, Tensor[] y1, double rtol, double atol)
    {
        double sum = 0; long count = 0;
        for (int i = 0; i < err.Length; i++)
        {
            var scale = torch.maximum(y0[i].abs(), y1[i].abs()).Times(rtol).Plus(atol);
            sum += (err[i] / scale).Squared().sum().ItemAsDouble();
            count += err[i].numel();
        }
        return Math.Sqrt(sum / Math.Max(count, 1));
    }
}
