using GanFlow.Core.Baselines;
using GanFlow.Core.Datasets;
using GanFlow.Core.Images;
using GanFlow.Core.Metrics;
using GanFlow.Runtime.Training;
using GanFlow.Store;
using GanFlow.Runtime.Modules;
using TorchSharp;
using CoreClassifier = GanFlow.Core.Images.DigitClassifierModule;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>Seed 001 Fig. 6 on MNIST: the memorizing baseline (<see cref="MemorizingMixture"/>, pure, on arrays) of
/// the dequantized training images, its validation and test NLL at every σ of the spec (one distance pass for all σ,
/// <see cref="ParzenWindow.logDensitiesFor"/>) and the MODE/Inception scores of its samples under the classifier;
/// writes baseline.csv.</summary>
public static class MemorizingBaselineRunner
{
    /// <summary>The file the curve is written to in the study folder.</summary>
    public const string File = "baseline.csv";

    private static double[] Dequantized(ImageSet set, int count, ImagePreprocessing preprocessing, long seed)
    {
        count = Math.Min(count, set.Count);
        using var noise = new torch.Generator((ulong)seed);
        using var bytes = torch.tensor(set.Pixels.AsSpan(0, count * set.Size).ToArray(), new long[] { count, set.Size });
        using var x = ImageTransform.UnitScale(preprocessing, bytes, noise);
        return x.data<double>().ToArray();
    }

    /// <summary>The curve, one point per σ, and its file in <paramref name="folder"/>.</summary>
    public static IReadOnlyList<MnistBaselinePoint> Run(GanFlow.Core.Images.MnistMemorizingBaseline spec, ImagePreprocessing preprocessing, ImageSplits splits,
        DigitClassifierNetwork classifier, int seed, string folder)
    {
        var d = splits.Train.Size;
        var splitsArrays = new Splits(d,
            Dequantized(splits.Train, splits.Train.Count, preprocessing, StepSeeds.Of(seed, 0, StepSeeds.Stream.HeldOutData)),
            Dequantized(splits.Validation, spec.Points, preprocessing, StepSeeds.Of(seed, 1, StepSeeds.Stream.HeldOutData)),
            Dequantized(splits.Test, spec.Points, preprocessing, StepSeeds.Of(seed, 2, StepSeeds.Stream.HeldOutData)));
        var sigmas = spec.Sigmas.ToArray();
        var validation = ParzenWindow.logDensitiesFor(d, splitsArrays.Train, sigmas, splitsArrays.Validation).Select(v => -v.Average()).ToArray();
        var test = ParzenWindow.logDensitiesFor(d, splitsArrays.Train, sigmas, splitsArrays.Test).Select(v => -v.Average()).ToArray();
        var prior = Enumerable.Repeat(1.0 / CoreClassifier.Classes, CoreClassifier.Classes).ToArray();
        var points = new List<MnistBaselinePoint>();
        for (var i = 0; i < sigmas.Length; i++)
        {
            var samples = MemorizingMixture.sample(splitsArrays, sigmas[i], StepSeeds.Random(seed, i, StepSeeds.Stream.HeldOutNoise), spec.Samples);
            using var unclamped = torch.tensor(samples, new long[] { spec.Samples, d });
            using var x = unclamped.ClampTo(0.0, 1.0);
            var posteriors = DigitClassifierTrainer.Posteriors(classifier, x);
            points.Add(new MnistBaselinePoint(sigmas[i], validation[i], test[i], SampleQuality.modeScore(prior, posteriors), SampleQuality.inceptionScore(posteriors)));
        }
        string Show(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var lines = points.Select(p => string.Join(',', Show(p.Sigma), Show(p.ValidationNll), Show(p.TestNll), Show(p.ModeScore), Show(p.InceptionScore)));
        AtomicFile.WriteAllText(Path.Combine(folder, File), "sigma,validation_nll,test_nll,mode_score,inception_score\n" + string.Join('\n', lines) + "\n");
        return points;
    }
}
