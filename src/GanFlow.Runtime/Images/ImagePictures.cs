using System.Globalization;
using System.Text;
using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Images;
using GanFlow.Core.Specs;
using GanFlow.Runtime.Modules;
using GanFlow.Runtime.Training;
using GanFlow.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// The pictures and latent-space numbers of a trained image model (seed 003 secs. 4-5), in evaluation mode, written
/// atomically into its run folder: the interpolation from −e to e (Fig. 10) for every conv generator; for a VAE its final
/// ELBO; and for a VAE with a conv decoder, a Bernoulli likelihood and q = 2, the encoder's means of the evaluation
/// images with their labels (Fig. 8), the aggregate posterior and its holes, the true posterior p(z|x) on a grid beside
/// the encoder's Gaussian for a few images (Fig. 7) and, per such image, the grid-integrated log p(x) beside its ELBO.
/// The sample grid (Fig. 9) is the report's, from the run's samples.
/// </summary>
public static class ImagePictures
{
    /// <summary>Images of the latent interpolation (seed 003 Fig. 10: 20).</summary>
    public const int InterpolationSteps = 20;
    /// <summary>Side of the holes' picture (64 latent points).</summary>
    public const int GridSide = 8;
    /// <summary>Evaluation images whose true posterior is computed on a grid (Fig. 7: 4).</summary>
    public const int PosteriorImages = 4;
    /// <summary>Grid points per latent axis of a true posterior's picture (the evidence uses a grid twice as fine).</summary>
    public const int PosteriorPoints = 81;
    /// <summary>Half-width of the first search grid [−4, 4]², doubled (up to 64) while it cuts the posterior off.</summary>
    public const double PosteriorExtent = 4.0;
    /// <summary>Posterior mass on a search grid's border above which the grid is taken to cut the posterior off.</summary>
    private const double EdgeMassTolerance = 1e-6;

    /// <summary>The widest search grid's half-width, in prior standard deviations.</summary>
    private const double MaximumExtent = 64;

    /// <summary>Cells of the search grid holding at least this share of the posterior's mass set the picture's window.</summary>
    private const double FocusMass = 1e-8;

    private static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static double[][] Images(Tensor batch, int side)
    {
        var flat = batch.flatten(1).cpu().to_type(ScalarType.Float64).data<double>().ToArray();
        var size = side * side;
        return Enumerable.Range(0, flat.Length / size).Select(i => flat.AsSpan(i * size, size).ToArray()).ToArray();
    }

    private static void WritePng(string path, Tuple<int, int, byte[]> picture) =>
        PngFile.Write(path, picture.Item1, picture.Item2, picture.Item3);

    /// <summary>g(z) from z = −e to e, e = (1, …, 1), in <see cref="InterpolationSteps"/> equal steps (Fig. 10).</summary>
    public static void WriteInterpolation(ConvGeneratorModule generator, int side, int latent, string directory)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var device = generator.parameters().First().device;
        var weights = torch.linspace(-1.0, 1.0, InterpolationSteps).to(ScalarType.Float32).unsqueeze(1);
        var line = weights.expand(InterpolationSteps, latent).contiguous().to(device);
        WritePng(Path.Combine(directory, RunFiles.Interpolation), ImageTiles.grid(side, InterpolationSteps, 2, 2, Images(generator.forward(line), side)));
    }

    /// <summary>The mean one-draw ELBO of the rows of <paramref name="x"/> (the evaluation split's first points), ε seeded
    /// from the run's seed: <c>elbo.json</c>.</summary>
    public static void WriteElbo(VariationalGeneratorModule vae, Tensor x, int seed, string directory)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        using var noise = new torch.Generator((ulong)StepSeeds.Of(seed, 0, StepSeeds.Stream.HeldOutNoise));
        var total = 0.0;
        var count = (int)x.shape[0];
        for (var start = 0; start < count; start += 500)
            total += vae.Elbo(x.narrow(0, start, Math.Min(500, count - start)), noise).sum().cpu().to_type(ScalarType.Float64).item<double>();
        var elbo = new System.Text.Json.Nodes.JsonObject { ["points"] = count, ["elbo"] = total / count };
        AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.Elbo), elbo.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Seed 003 Figs. 7 and 8 for a VAE with a conv decoder and q = 2, from the evaluation images
    /// <paramref name="test"/> ([n, side²]) and their <paramref name="labels"/>.</summary>
    public static void WriteLatentPictures(Experiment experiment, VariationalGeneratorModule vae, ConvGeneratorModule generator, Tensor test, byte[] labels, string directory)
    {
        var side = VariationalGeneratorModule.SideOf((int)test.shape[1]);
        var means = new StringBuilder("z1,z2,label\n");
        var shown = (int)test.shape[0];
        var meanPoints = new List<Tuple<double, double>>();
        var shownLabels = new List<byte>();
        var draws = new List<Tuple<double, double>>();
        using (var drawNoise = new torch.Generator((ulong)StepSeeds.Of(experiment.Seed, 2, StepSeeds.Stream.HeldOutNoise)))
            for (var start = 0; start < shown; start += 1000)
            {
                using var scope = torch.NewDisposeScope();
                var length = Math.Min(1000, shown - start);
                var (meanTensor, logVariance) = vae.Encode(test.narrow(0, start, length));
                var mean = meanTensor.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
                // Seed 003 Fig. 8: ten draws z = μ + exp(Σ/2)·ε from each test image's approximate posterior (eq. 24).
                var epsilon = torch.randn(new long[] { length, AggregateDraws, 2 }, generator: drawNoise).to(meanTensor.device);
                var z = meanTensor.unsqueeze(1).Plus(logVariance.unsqueeze(1).Times(0.5).exp().mul(epsilon)).cpu().to_type(ScalarType.Float64).data<double>().ToArray();
                for (var i = 0; i < length; i++)
                {
                    means.Append(Show(mean[2 * i])).Append(',').Append(Show(mean[2 * i + 1])).Append(',').Append(labels[start + i]).Append('\n');
                    meanPoints.Add(Tuple.Create(mean[2 * i], mean[2 * i + 1]));
                    shownLabels.Add(labels[start + i]);
                }
                for (var i = 0; i < z.Length / 2; i++) draws.Add(Tuple.Create(z[2 * i], z[2 * i + 1]));
            }
        AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.LatentMeans), means.ToString());
        WriteLatentStructure(experiment, generator, side, meanPoints.ToArray(), shownLabels.ToArray(), draws.ToArray(), directory);

        var images = Math.Min(PosteriorImages, shown);
        if (images == 0) return;
        var points = PosteriorPoints;
        // Per image: a search grid over [−extent, extent]², doubled while the posterior's mass reaches its edges, then
        // a window around that mass (`LatentGrid.focus`), where the picture's grid resolves the posterior. The evidence
        // is integrated on that window's grid twice as fine (every other point of it is the picture's grid), so each
        // image's log p(x) comes with the coarser grid's value as a check that the grid resolves its posterior.
        var finePoints = 2 * (points - 1) + 1;
        var posterior = new StringBuilder("image,label,z1,z2,true_mass,encoder_mass\n");
        var evidence = new StringBuilder("image,label,log_evidence_grid,log_evidence_coarse_grid,elbo,elbo_samples,grid_points,log_evidence_search_grid,window_z1,window_z2,window_half_width\n");
        var tiles = new List<double[]>();
        const int elboSamples = 1000;
        for (var k = 0; k < images; k++)
        {
            using var scope = torch.NewDisposeScope();
            var x = test.narrow(0, k, 1).view(1, 1, side, side);
            var search = LatentWindow.Centred(PosteriorExtent);
            var searchLikelihoods = GridLogLikelihoods(generator, x, search, points)[0];
            while (LatentGrid.edgeMass(points, LatentGrid.posterior(search, points, searchLikelihoods)) > EdgeMassTolerance && search.HalfWidth < MaximumExtent)
            {
                search = LatentWindow.Centred(2 * search.HalfWidth);
                searchLikelihoods = GridLogLikelihoods(generator, x, search, points)[0];
            }
            var window = LatentGrid.focus(search, points, FocusMass, LatentGrid.posterior(search, points, searchLikelihoods));
            var fine = GridLogLikelihoods(generator, x, window, finePoints)[0];
            var coarse = new double[points * points];
            for (var a = 0; a < points; a++)
                for (var b = 0; b < points; b++)
                    coarse[a * points + b] = fine[2 * a * finePoints + 2 * b];
            var grid = LatentGrid.points(window, points);
            var trueMass = LatentGrid.posterior(window, points, coarse);
            var (mean, logVariance) = vae.Encode(x.flatten(1));
            var m = mean.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
            var lv = logVariance.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
            var encoderMass = LatentGrid.gaussianMasses(window, points, m[0], m[1], lv[0], lv[1]);
            for (var i = 0; i < grid.Length; i++)
                posterior.Append(k).Append(',').Append(labels[k]).Append(',').Append(Show(grid[i].Item1)).Append(',').Append(Show(grid[i].Item2))
                    .Append(',').Append(Show(trueMass[i])).Append(',').Append(Show(encoderMass[i])).Append('\n');
            var logEvidence = LatentGrid.logEvidence(window, finePoints, fine);
            var logEvidenceCoarse = LatentGrid.logEvidence(window, points, coarse);
            var logEvidenceSearch = LatentGrid.logEvidence(search, points, searchLikelihoods);
            var elbo = MeanElbo(vae, x.flatten(1), elboSamples, experiment.Seed + k);
            evidence.Append(k).Append(',').Append(labels[k]).Append(',').Append(Show(logEvidence)).Append(',').Append(Show(logEvidenceCoarse))
                .Append(',').Append(Show(elbo)).Append(',').Append(elboSamples).Append(',').Append(finePoints)
                .Append(',').Append(Show(logEvidenceSearch)).Append(',').Append(Show(window.Centre.Item1)).Append(',').Append(Show(window.Centre.Item2))
                .Append(',').Append(Show(window.HalfWidth)).Append('\n');
            var image = x.flatten().cpu().to_type(ScalarType.Float64).data<double>().ToArray();
            tiles.Add(ImageTiles.resize(side, points, image));
            tiles.Add(ImageTiles.normalised(trueMass));
            tiles.Add(ImageTiles.normalised(encoderMass));
        }
        AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.Posterior), posterior.ToString());
        AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.Evidence), evidence.ToString());
        WritePng(Path.Combine(directory, RunFiles.PosteriorPicture), ImageTiles.grid(points, 3, 2, 4, tiles.ToArray()));
    }

    /// <summary>Draws per test image from its approximate posterior for the aggregate histogram (seed 003 Fig. 8: ten).</summary>
    private const int AggregateDraws = 10;

    /// <summary>Cells per axis of the aggregate histogram over [−4, 4]².</summary>
    private const int HistogramBins = 100;

    /// <summary>Cells where the prior exceeds the samples most, among which the holes' points are drawn (seed 003: 2,000).</summary>
    private const int HoleCandidates = 2000;

    /// <summary>Neighbours voting in the clustering score of the encoder means.</summary>
    private const int Neighbours = 5;

    /// <summary>Seed 003 Fig. 8: the aggregate posterior's histogram beside the prior (`aggregate-posterior.csv`, its total
    /// variation from the prior), 64 of the 2,000 cells where the prior exceeds it most and the images generated there,
    /// ordered by z₁ (`holes.csv`, `holes.png`), and the 5-nearest-neighbour label accuracy of the means
    /// (`latent-structure.json`).</summary>
    private static void WriteLatentStructure(Experiment experiment, ConvGeneratorModule generator, int side, Tuple<double, double>[] means,
        byte[] labels, Tuple<double, double>[] draws, string directory)
    {
        var window = LatentWindow.Centred(4.0);
        var counts = LatentStructure.histogram(window, HistogramBins, draws);
        var prior = LatentStructure.priorMasses(window, HistogramBins);
        var histogram = new StringBuilder("z1,z2,count,share,prior_mass\n");
        for (var k = 0; k < counts.Length; k++)
        {
            var (z1, z2) = LatentStructure.cellCentre(window, HistogramBins, k);
            histogram.Append(Show(z1)).Append(',').Append(Show(z2)).Append(',').Append(counts[k]).Append(',').Append(Show((double)counts[k] / draws.Length))
                .Append(',').Append(Show(prior[k])).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.AggregatePosterior), histogram.ToString());

        var candidates = LatentStructure.holes(window, HistogramBins, HoleCandidates, draws);
        var shown = Math.Min(GridSide * GridSide, candidates.Length);
        var order = Sampling.permutation(Seeds.random(experiment.Seed, 3, 0), candidates.Length);
        var chosen = order.Take(shown).Select(i => LatentStructure.cellCentre(window, HistogramBins, candidates[i])).OrderBy(p => p.Item1).ThenBy(p => p.Item2).ToArray();
        var holes = new StringBuilder("z1,z2,prior_mass,share\n");
        foreach (var (z1, z2) in chosen)
        {
            var k = LatentStructure.cellOf(window, HistogramBins, z1, z2)!.Value; // a cell centre lies in its window: never None
            holes.Append(Show(z1)).Append(',').Append(Show(z2)).Append(',').Append(Show(prior[k])).Append(',').Append(Show((double)counts[k] / draws.Length)).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.Holes), holes.ToString());
        if (shown > 0)
        {
            using var scope = torch.NewDisposeScope();
            var device = generator.parameters().First().device;
            using var z = torch.tensor(chosen.SelectMany(p => new[] { (float)p.Item1, (float)p.Item2 }).ToArray(), new long[] { shown, 2 }).to(device);
            WritePng(Path.Combine(directory, RunFiles.HolesPicture), ImageTiles.grid(side, GridSide, 2, 2, Images(generator.forward(z), side)));
        }

        var classes = labels.Distinct().Count();
        var largestClass = labels.Length == 0 ? double.NaN : labels.GroupBy(l => l).Max(g => g.Count()) / (double)labels.Length;
        var structure = new System.Text.Json.Nodes.JsonObject
        {
            ["testImages"] = means.Length,
            ["drawsPerImage"] = AggregateDraws,
            ["histogramWindowHalfWidth"] = window.HalfWidth,
            ["histogramBins"] = HistogramBins,
            ["totalVariationToPrior"] = LatentStructure.totalVariation(window, HistogramBins, draws),
            ["neighbours"] = Neighbours,
            ["nearestNeighbourAccuracy"] = LatentStructure.nearestNeighbourAccuracy(Neighbours, means, labels),
            ["classes"] = classes,
            ["largestClassShare"] = largestClass,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, RunFiles.LatentStructure), structure.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>log p(x|z_k) at every point z_k of the latent grid (z₂ fastest) for each image of <paramref name="x"/>
    /// [K, 1, s, s]: the generator runs once per grid point, and the Bernoulli log-likelihoods of all K images follow as
    /// two matrix products, X·log σ(L)ᵀ + (1 − X)·log σ(−L)ᵀ.</summary>
    public static double[][] GridLogLikelihoods(ConvGeneratorModule generator, Tensor x, LatentWindow window, int points)
    {
        var grid = LatentGrid.points(window, points);
        var images = (int)x.shape[0];
        using var z = torch.tensor(grid.SelectMany(p => new[] { (float)p.Item1, (float)p.Item2 }).ToArray(), new long[] { grid.Length, 2 }).to(x.device);
        using var flat = x.flatten(1);
        using var complement = flat.SubtractedFrom(1.0);
        var result = Enumerable.Range(0, images).Select(_ => new double[grid.Length]).ToArray();
        const int chunk = ConvGeneratorModule.ChunkRows;
        for (var start = 0; start < grid.Length; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            var length = Math.Min(chunk, grid.Length - start);
            var logits = generator.Logits(z.narrow(0, start, length)).flatten(1);
            var logP = nn.functional.logsigmoid(logits);
            var logQ = nn.functional.logsigmoid(logits.neg());
            var values = flat.matmul(logP.t()).Plus(complement.matmul(logQ.t())).cpu().to_type(ScalarType.Float64).data<double>().ToArray();
            for (var k = 0; k < images; k++) Array.Copy(values, k * length, result[k], start, length);
        }
        return result;
    }

    /// <summary>The ELBO of one image [1, side²] averaged over <paramref name="samples"/> draws of ε.</summary>
    public static double MeanElbo(VariationalGeneratorModule vae, Tensor x, int samples, long seed)
    {
        using var noise = new torch.Generator((ulong)seed);
        using var scope = torch.NewDisposeScope();
        return vae.Elbo(x.expand(samples, -1), noise).mean().cpu().to_type(ScalarType.Float64).item<double>();
    }
}
