using GanFlow.Core.Baselines;
using GanFlow.Core.Datasets;
using GanFlow.Core.Experiments;
using GanFlow.Core.Images;
using GanFlow.Core.Metrics;
using GanFlow.Runtime.Training;
using GanFlow.Runtime.Modules;
using TorchSharp;

namespace GanFlow.Runtime.Images;

/// <summary>Seed 001 Fig. 6 on images: the memorizing baseline (<see cref="MemorizingMixture"/>, pure, on arrays) of
/// the dequantized training images, its validation and test NLL at every σ of the spec (one distance pass for all σ,
/// <see cref="ParzenWindow.logDensitiesFor"/>), the mode scores of its samples under the digit classifier, and at the σ
/// of lowest validation NLL the Parzen estimate of its samples on the test points (Table 3's KDE column).</summary>
public static class MemorizingBaselineRunner
{
    private static double[] Dequantized(ImageSet set, int count, ImagePreprocessing preprocessing, long seed)
    {
        count = Math.Min(count, set.Count);
        using var noise = new torch.Generator((ulong)seed);
        using var bytes = OwnedTensors.Bytes(set.Pixels.AsSpan(0, count * set.Size).ToArray(), [count, set.Size]);
        using var x = ImageTransform.UnitScale(preprocessing, bytes, noise);
        return x.data<double>().ToArray();
    }

    /// <summary>The baseline of images <paramref name="splits"/> preprocessed as <paramref name="preprocessing"/>.</summary>
    public static BaselineCurve Run(MemorizingBaseline spec, ImagePreprocessing preprocessing, ImageSplits splits, DigitClassifierNetwork? classifier)
    {
        var d = splits.Train.Size;
        var points = spec.Points?.Value ?? int.MaxValue;
        var seed = spec.Seed;
        var arrays = new Splits(d,
            Dequantized(splits.Train, splits.Train.Count, preprocessing, StepSeeds.Of(seed, 0, StepSeeds.Stream.HeldOutData)),
            Dequantized(splits.Validation, points, preprocessing, StepSeeds.Of(seed, 1, StepSeeds.Stream.HeldOutData)),
            Dequantized(splits.Test, points, preprocessing, StepSeeds.Of(seed, 2, StepSeeds.Stream.HeldOutData)));
        var sigmas = spec.Sigmas.ToArray();
        var validation = ParzenWindow.logDensitiesFor(d, arrays.Train, sigmas, arrays.Validation).Select(v => -v.Average()).ToArray();
        var test = ParzenWindow.logDensitiesFor(d, arrays.Train, sigmas, arrays.Test).Select(v => -v.Average()).ToArray();
        double[] Samples(int i) => MemorizingMixture.sample(arrays, sigmas[i], StepSeeds.Random(seed, i, StepSeeds.Stream.HeldOutNoise), spec.Samples);
        var curve = new List<BaselinePoint>();
        for (var i = 0; i < sigmas.Length; i++)
        {
            Microsoft.FSharp.Core.FSharpOption<ModeScores> modes = null!;
            if (classifier is null) modes = Microsoft.FSharp.Core.FSharpOption<ModeScores>.None;
            else
            {
                using var x = torch.tensor(Samples(i), new long[] { spec.Samples, d });
                modes = Microsoft.FSharp.Core.FSharpOption<ModeScores>.Some(RunClassifier.Scores(classifier, x));
            }
            curve.Add(new BaselinePoint(sigmas[i], double.NaN, validation[i], test[i], modes));
        }
        var best = GanFlow.Core.Numerics.Finite.argMin("the memorizing mixture's validation NLL at a bandwidth", validation);
        var scale = ParzenWindow.scaleOf(arrays.Validation);
        var parzen = ParzenWindow.estimate(d, Samples(best), scale, 20, arrays.Validation, arrays.Test);
        return new BaselineCurve(curve[best], parzen, Microsoft.FSharp.Collections.ListModule.OfSeq(curve));
    }
}
