using GanFlow.Runtime.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Estimators;

/// <summary>The singular values of a generator's Jacobian ∂G/∂z at given latent points (seed 001 sec. 5.1, Fig. 4), by
/// one reverse-mode pass per data coordinate (the rows of a batch are independent, so the gradient of the batch's
/// column sum is every row's Jacobian row at once), then an SVD in float64.</summary>
public static class JacobianSpectrumComputation
{
    /// <summary>The Jacobians ∂G/∂z at the rows of <paramref name="z"/>, [n, d, k], float64.</summary>
    public static Tensor Jacobians(Func<Tensor, Tensor> decode, Tensor z)
    {
        using var enable = torch.enable_grad();
        var zz = z.detach().requires_grad_(true);
        var x = decode(zz);
        var d = x.shape[1];
        var rows = new List<Tensor>();
        for (var j = 0; j < d; j++)
        {
            var column = x.select(1, j).sum();
            rows.Add(torch.autograd.grad(new[] { column }, new[] { zz }, retain_graph: j < d - 1)[0].to_type(ScalarType.Float64).detach());
        }
        return torch.stack(rows, 1);
    }

    /// <summary>Per latent point, the singular values of ∂G/∂z there, largest first.</summary>
    public static double[][] SingularValues(Func<Tensor, Tensor> decode, Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var jacobians = Jacobians(decode, z);
        var values = torch.linalg.svdvals(jacobians).cpu();
        var n = (int)values.shape[0];
        var k = (int)values.shape[1];
        var flat = values.data<double>().ToArray();
        return Enumerable.Range(0, n).Select(i => flat[(i * k)..((i + 1) * k)]).ToArray();
    }

    /// <summary>The singular values at <paramref name="draws"/> prior draws of a generator (evaluation mode).</summary>
    public static double[][] OfGenerator(GeneratorModule generator, int draws, Generator noise, Device device) =>
        SingularValues(generator.Decode, generator.SampleLatent(draws, noise, device));
}
