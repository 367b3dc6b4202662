using GanFlow.Core.Datasets;

namespace GanFlow.Runtime.Images;

/// <summary>The minibatches of seed 001's MNIST runner: seeded permutations, epoch by epoch.</summary>
public static class ImageData
{
    /// <summary>The 0-based minibatch indices of draw <paramref name="step"/> among <paramref name="count"/> training
    /// images: each epoch of ⌊count / batch⌋ draws walks a fresh permutation seeded from (seed, epoch), so a resumed run
    /// draws what an uninterrupted one would.</summary>
    public static long[] MinibatchIndices(int seed, int step, int batchSize, int count)
    {
        var perEpoch = count / batchSize;
        var epoch = step / perEpoch;
        var order = Sampling.permutation(GanFlow.Runtime.Training.StepSeeds.Random(seed, epoch, GanFlow.Runtime.Training.StepSeeds.Stream.TrainingData), count);
        var start = (step % perEpoch) * batchSize;
        return order.Skip(start).Take(batchSize).Select(i => (long)i).ToArray();
    }
}
