using GanFlow.Core.Datasets;
using GanFlow.Core.Images;
using TorchSharp;
using static TorchSharp.torch;

namespace GanFlow.Runtime.Images;

/// <summary>
/// An <see cref="ImageSet"/> as model inputs: float pixels byte/255 in [0, 1] (seed 003's Bernoulli likelihood,
/// <see cref="ImagePreprocessing.Scaled01"/>),
/// [N, 1, s, s] on the run's device, with the labels beside them.
/// </summary>
public sealed class ImageData : IDisposable
{
    /// <summary>The images, [N, 1, s, s].</summary>
    public Tensor Pixels { get; }
    /// <summary>One label per image.</summary>
    public byte[] Labels { get; }
    /// <summary>Images held.</summary>
    public int Count => Labels.Length;
    /// <summary>Pixels per side.</summary>
    public int Side { get; }

    /// <summary>The first <paramref name="limit"/> images of <paramref name="set"/> (all when null) on <paramref name="device"/>.</summary>
    public ImageData(ImageSet set, int? limit, Device device)
    {
        var count = Math.Min(limit ?? set.Count, set.Count);
        Side = set.Rows;
        var size = set.Rows * set.Columns;
        using var bytes = torch.tensor(set.Pixels.AsSpan(0, count * size).ToArray(), new long[] { count, size });
        // Seed 003's preprocessing, interpreted in its one place (ImageTransform): b/255.
        using var unit = ImageTransform.UnitScale(ImagePreprocessing.Scaled01, bytes, null);
        using var single = unit.to_type(ScalarType.Float32);
        Pixels = single.view(count, 1, set.Rows, set.Columns).to(device);
        Labels = set.Labels.Take(count).ToArray();
    }

    /// <summary>The images at <paramref name="indices"/>, [k, 1, s, s].</summary>
    public Tensor Batch(long[] indices)
    {
        using var index = torch.tensor(indices, device: Pixels.device);
        return Pixels.index_select(0, index);
    }

    /// <summary>The 0-based minibatch indices of training step <paramref name="step"/> among these images (see
    /// <see cref="MinibatchIndices(int, int, int, int)"/>).</summary>
    public long[] MinibatchIndices(int seed, int step, int batchSize) => MinibatchIndices(seed, step, batchSize, Count);

    /// <summary>The 0-based minibatch indices of draw <paramref name="step"/> among <paramref name="count"/> training
    /// images: each epoch of ⌊count / batch⌋ draws walks a fresh permutation seeded from (seed, epoch), so a resumed run
    /// draws what an uninterrupted one would. Every image trainer draws its minibatches here.</summary>
    public static long[] MinibatchIndices(int seed, int step, int batchSize, int count)
    {
        var perEpoch = count / batchSize;
        var epoch = step / perEpoch;
        var order = Sampling.permutation(GanFlow.Runtime.Training.StepSeeds.Random(seed, epoch, GanFlow.Runtime.Training.StepSeeds.Stream.TrainingData), count);
        var start = (step % perEpoch) * batchSize;
        return order.Skip(start).Take(batchSize).Select(i => (long)i).ToArray();
    }

    /// <summary><paramref name="k"/> distinct random indices from <paramref name="random"/>.</summary>
    public long[] RandomIndices(Random random, int k) => Sampling.permutation(random, Count).Take(k).Select(i => (long)i).ToArray();

    /// <inheritdoc />
    public void Dispose() => Pixels.Dispose();
}
