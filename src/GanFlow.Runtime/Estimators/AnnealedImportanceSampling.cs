using GanFlow.Core.Experiments;
using GanFlow.Runtime.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Estimators;

/// <summary>A model as annealed importance sampling sees it: a decoder x = G(z) differentiable in z, the prior's
/// log-density and a sampler of it, all in one precision on one device.</summary>
/// <param name="Decode">x = G(z), [n, k] → [n, d].</param>
/// <param name="LogPrior">log p(z) per row.</param>
/// <param name="SamplePrior">n prior draws from a seeded generator.</param>
/// <param name="DType">The precision of z and x.</param>
/// <param name="Device">Where they live.</param>
public sealed record LatentModel(Func<Tensor, Tensor> Decode, Func<Tensor, Tensor> LogPrior, Func<long, Generator, Tensor> SamplePrior, ScalarType DType, Device Device)
{
    /// <summary>The latent model of a generator module.</summary>
    public static LatentModel Of(GeneratorModule generator, Device device) =>
        new(generator.Decode, generator.LatentLogProb, (n, g) => generator.SampleLatent(n, g, device), generator.DType, device);
}

/// <summary>What one AIS run returns.</summary>
/// <param name="LogLikelihoods">log p̂_σ(x) per point: the log of the mean of its chains' weights.</param>
/// <param name="ChainErrors">Per point, the delta-method standard error of that log-mean, sd(w)/(√chains · mean w).</param>
/// <param name="FinalStepSize">The leapfrog step size after the last adaptation.</param>
/// <param name="AcceptanceRate">Mean acceptance of every transition.</param>
public sealed record AisResult(double[] LogLikelihoods, double[] ChainErrors, double FinalStepSize, double AcceptanceRate);

/// <summary>
/// Annealed importance sampling (Neal 2001) of log p_σ(x) = log ∫ p(z) N(x; G(z), σ²I) dz with Hamiltonian Monte Carlo
/// transitions, as Wu et al. 2017 evaluate decoder-based models (spec: <see cref="Ais"/>). Every point's chains run as
/// one batch; the step size is shared and adapted after each transition towards the target acceptance rate. The
/// reverse direction (from an exact posterior sample) gives the bidirectional check's upper bound (Grosse et al. 2015).
/// </summary>
public static class AnnealedImportanceSampling
{
    /// <summary>log N(x; G(z), σ²I) per row, in float64.</summary>
    private static Tensor LogLikelihood(LatentModel model, Tensor x, Tensor z, double sigma)
    {
        var residual = model.Decode(z).Minus(x);
        var d = x.shape[1];
        return residual.Squared().sum(1).Times(-0.5 / (sigma * sigma)).Minus(0.5 * d * Math.Log(2 * Math.PI * sigma * sigma)).to_type(ScalarType.Float64);
    }

    /// <summary>−log π_β(z) up to a constant and its gradient in z.</summary>
    private static (Tensor Energy, Tensor Gradient) Energy(LatentModel model, Tensor x, Tensor z, double sigma, double beta)
    {
        using var enable = torch.enable_grad();
        var zz = z.detach().requires_grad_(true);
        var energy = model.LogPrior(zz).to_type(ScalarType.Float64).Plus(LogLikelihood(model, x, zz, sigma).Times(beta)).neg();
        var gradient = torch.autograd.grad(new[] { energy.sum() }, new[] { zz })[0];
        return (energy.detach(), gradient.detach());
    }

    /// <summary>One HMC transition leaving π_β invariant: fresh momenta, <paramref name="leapfrogSteps"/> leapfrog steps of
    /// size <paramref name="stepSize"/>, a Metropolis test per chain. Returns the new state and the share accepted.</summary>
    private static (Tensor Z, double Accepted) Transition(LatentModel model, Tensor x, Tensor z, double sigma, double beta, double stepSize,
        int leapfrogSteps, Generator noise)
    {
        var momentum = torch.randn(z.shape, dtype: model.DType, generator: noise).to(model.Device);
        var (energy0, gradient) = Energy(model, x, z, sigma, beta);
        var kinetic0 = momentum.Squared().sum(1).Times(0.5).to_type(ScalarType.Float64);
        var position = z;
        var p = momentum.Minus(gradient.to_type(model.DType).Times(0.5 * stepSize));
        Tensor energy = energy0;
        for (var l = 0; l < leapfrogSteps; l++)
        {
            position = position.Plus(p.Times(stepSize));
            (energy, gradient) = Energy(model, x, position, sigma, beta);
            p = p.Minus(gradient.to_type(model.DType).Times(l == leapfrogSteps - 1 ? 0.5 * stepSize : stepSize));
        }
        var kinetic = p.Squared().sum(1).Times(0.5).to_type(ScalarType.Float64);
        var logAccept = energy0.Plus(kinetic0).Minus(energy).Minus(kinetic);
        var u = torch.rand(new[] { z.shape[0] }, dtype: ScalarType.Float64, generator: noise).to(model.Device);
        // Non-finite proposals (a leapfrog that blew up) are rejected.
        var accept = u.log().lt(logAccept).logical_and(logAccept.isfinite()).logical_and(position.isfinite().all(1));
        var next = torch.where(accept.unsqueeze(1), position, z).detach();
        return (next, accept.to_type(ScalarType.Float64).mean().item<double>());
    }

    /// <summary>log-mean-exp over each point's chains (rows point-major: point i's chains are rows i·C … i·C + C − 1) and
    /// its delta-method error.</summary>
    private static (double[] Mean, double[] Error) LogMeanExp(double[] logWeights, int chains)
    {
        var points = logWeights.Length / chains;
        var mean = new double[points];
        var error = new double[points];
        for (var i = 0; i < points; i++)
        {
            var w = logWeights.AsSpan(i * chains, chains).ToArray();
            var top = w.Max();
            var scaled = w.Select(v => Math.Exp(v - top)).ToArray();
            var average = scaled.Average();
            mean[i] = top + Math.Log(average);
            var variance = chains > 1 ? scaled.Sum(v => (v - average) * (v - average)) / (chains - 1) : 0.0;
            error[i] = Math.Sqrt(variance / chains) / average;
        }
        return (mean, error);
    }

    /// <summary>Moves a transition's state out of its dispose scope and releases the state it replaces.</summary>
    private static (Tensor Z, Tensor LogWeights) Carry(Tensor previous, Tensor next, Tensor logWeights)
    {
        var z = next.MoveToOuterDisposeScope();
        if (!ReferenceEquals(previous, next)) previous.Dispose();
        return (z, logWeights.MoveToOuterDisposeScope());
    }

    /// <summary>Forward AIS from the prior for every row of <paramref name="x"/> ([P, d], the model's precision and device).</summary>
    public static AisResult Forward(LatentModel model, Tensor x, Ais spec, Generator noise)
    {
        var betas = Annealing.betas(spec.Schedule, spec.Intermediates);
        var chains = spec.Chains;
        var repeated = x.repeat_interleave(chains, 0);
        var z = model.SamplePrior(repeated.shape[0], noise).detach();
        var logWeights = torch.zeros(new[] { repeated.shape[0] }, dtype: ScalarType.Float64, device: model.Device);
        var stepSize = spec.InitialStepSize;
        var accepted = 0.0;
        for (var t = 1; t < betas.Length; t++)
        {
            using var scope = torch.NewDisposeScope();
            using (torch.no_grad())
                logWeights = logWeights.Plus(LogLikelihood(model, repeated, z, spec.ObservationStd).Times(betas[t] - betas[t - 1]));
            var (next, share) = Transition(model, repeated, z, spec.ObservationStd, betas[t], stepSize, spec.LeapfrogSteps, noise);
            accepted += share;
            stepSize *= share > spec.TargetAcceptance ? 1.02 : 0.98;
            (z, logWeights) = Carry(z, next, logWeights);
        }
        var (mean, error) = LogMeanExp(logWeights.cpu().data<double>().ToArray(), chains);
        return new AisResult(mean, error, stepSize, accepted / (betas.Length - 1));
    }

    /// <summary>Reverse AIS from <paramref name="posterior"/> (one exact posterior sample z per row of <paramref name="x"/>,
    /// every chain starting there), β from 1 to 0: −log of the chains' mean inverse weight, a stochastic upper bound on
    /// each point's log p_σ(x).</summary>
    public static double[] Reverse(LatentModel model, Tensor x, Tensor posterior, Ais spec, Generator noise, double stepSize)
    {
        var betas = Annealing.betas(spec.Schedule, spec.Intermediates);
        var chains = spec.Chains;
        var repeated = x.repeat_interleave(chains, 0);
        var z = posterior.repeat_interleave(chains, 0).detach();
        var logWeights = torch.zeros(new[] { repeated.shape[0] }, dtype: ScalarType.Float64, device: model.Device);
        for (var t = betas.Length - 1; t >= 1; t--)
        {
            using var scope = torch.NewDisposeScope();
            using (torch.no_grad())
                logWeights = logWeights.Plus(LogLikelihood(model, repeated, z, spec.ObservationStd).Times(betas[t] - betas[t - 1]));
            if (t > 1)
            {
                var (next, share) = Transition(model, repeated, z, spec.ObservationStd, betas[t - 1], stepSize, spec.LeapfrogSteps, noise);
                stepSize *= share > spec.TargetAcceptance ? 1.02 : 0.98;
                (z, logWeights) = Carry(z, next, logWeights);
            }
            else logWeights = logWeights.MoveToOuterDisposeScope();
        }
        var (inverse, _) = LogMeanExp(logWeights.neg().cpu().data<double>().ToArray(), chains);
        return inverse.Select(v => -v).ToArray();
    }
}
