using GanFlow.Core.Images;
using GanFlow.Core.Specs;
using GanFlow.Runtime.Training;
using GanFlow.Runtime.Modules;
using TorchSharp;
using static TorchSharp.torch;
using CoreClassifier = GanFlow.Core.Images.DigitClassifierModule;

namespace GanFlow.Runtime.Images;

/// <summary>
/// Trains a <see cref="DigitClassifierNetwork"/> by cross-entropy and reads it out: accuracy on labelled images, and the
/// posteriors p(y | x) that <c>SampleQuality.modeScore</c> and <c>inceptionScore</c> take. Deterministic on CPU: the
/// weights come from (seed, 0), epoch e's minibatches from a permutation seeded with (seed, e).
/// </summary>
public static class DigitClassifierTrainer
{
    /// <summary>What one epoch ended with: its number (1-based) and the mean training cross-entropy in nats.</summary>
    public readonly record struct EpochReport(int Epoch, double MeanLoss);

    /// <summary>[n, 1, s, s] float64 inputs b/255 of <paramref name="set"/> on <paramref name="device"/>.</summary>
    public static Tensor Inputs(ImageSet set, Device device)
    {
        // The bytes are copied into libtorch's memory first (OwnedTensors): torch.tensor(array) computes on the pinned
        // managed array. The result is not disposed here: Tensor.to returns the tensor itself when it is already there.
        using var bytes = Modules.OwnedTensors.Bytes(set.Pixels, [set.Count, 1, set.Rows, set.Columns]);
        using var byteScale = 255.0.ToScalar();
        var scaled = bytes.to_type(ScalarType.Float64).div_(byteScale);
        var moved = scaled.to(device);
        if (!ReferenceEquals(moved, scaled)) scaled.Dispose();
        return moved;
    }

    /// <summary>Trains the classifier of <paramref name="spec"/> on <paramref name="train"/>.</summary>
    /// <exception cref="SpecValidationException">The spec is invalid or the images are not square with a side
    /// divisible by 4 (named field and value), before any compute.</exception>
    public static DigitClassifierNetwork Train(DigitClassifier spec, ImageSet train, Device device, Action<EpochReport>? onEpoch = null)
    {
        var side = train.Rows;
        Validate.orRaise(Microsoft.FSharp.Collections.ListModule.Append(GanFlow.Core.Experiments.ExperimentValidation.classifier("classifier", spec), CoreClassifier.imageErrors(train)));
        var model = new DigitClassifierNetwork(spec, side, Seeds.derive(spec.Seed, 0, 0));
        model.to(device);
        using var optimizer = OptimizerFactory.Create(spec.Optimizer, model.parameters());
        using var inputs = Inputs(train, device);
        using var labels = torch.tensor(train.Labels.Select(l => (long)l).ToArray(), device: device);
        var n = train.Count;
        model.train();
        for (var epoch = 1; epoch <= spec.Epochs; epoch++)
        {
            var order = GanFlow.Core.Datasets.Sampling.permutation(Seeds.random(spec.Seed, epoch, 1), n).Select(i => (long)i).ToArray();
            double total = 0;
            for (var start = 0; start < n; start += spec.BatchSize)
            {
                using var scope = NewDisposeScope();
                var count = Math.Min(spec.BatchSize, n - start);
                var index = torch.tensor(order.AsSpan(start, count).ToArray(), device: device);
                var loss = nn.functional.cross_entropy(model.call(inputs.index_select(0, index)), labels.index_select(0, index));
                optimizer.ZeroGrad();
                loss.backward();
                optimizer.Step();
                total += loss.item<double>() * count;
            }
            onEpoch?.Invoke(new EpochReport(epoch, total / n));
        }
        model.eval();
        return model;
    }

    /// <summary>The share of <paramref name="set"/>'s images whose most probable class is their label.</summary>
    public static double Accuracy(DigitClassifierNetwork model, ImageSet set)
    {
        if (set.Count == 0) throw new ArgumentException("accuracy of an empty image set");
        var device = model.parameters().First().device;
        using var inputs = Inputs(set, device);
        var posteriors = Posteriors(model, inputs);
        var correct = 0;
        for (var i = 0; i < set.Count; i++)
        {
            var best = 0;
            for (var k = 1; k < CoreClassifier.Classes; k++)
                if (posteriors[i][k] > posteriors[i][best]) best = k;
            if (best == set.Labels[i]) correct++;
        }
        return (double)correct / set.Count;
    }

    /// <summary>Images classified per pass by <see cref="Posteriors"/>. libtorch's own float64 convolution unfolds a whole
    /// batch at once ([n, 32·3·3, (s/2)²] for the second layer: 452 MB at 1,000 28 × 28 images), and buffers above the C
    /// heap's mmap threshold (<see cref="Devices.NativeAllocator.MmapThresholdBytes"/>, 32 MiB) are mapped, zero-filled
    /// and unmapped at every pass: 4,000 images took
    /// 14.4 s in passes of 1,000, 6.7–7.1 s in passes of 200 or 250, 1.8 s in passes of 64 (the same probabilities
    /// to the bit as passes of 1,000).</summary>
    public const int PosteriorBatch = 64;

    /// <summary>p(y | x) of every image of <paramref name="images"/> ([n, 1, s, s] or [n, s·s], values in [0, 1]),
    /// one row of 10 probabilities per image, in batches of <see cref="PosteriorBatch"/>.</summary>
    public static double[][] Posteriors(DigitClassifierNetwork model, Tensor images)
    {
        var n = images.shape[0];
        var rows = new List<double[]>();
        using var noGrad = no_grad();
        for (long start = 0; start < n; start += PosteriorBatch)
        {
            using var scope = NewDisposeScope();
            var batch = images.narrow(0, start, Math.Min(PosteriorBatch, n - start)).reshape(-1, 1, model.Side, model.Side).to_type(ScalarType.Float64);
            var probabilities = model.call(batch).softmax(1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            for (var i = 0; i < probabilities.Length / CoreClassifier.Classes; i++)
                rows.Add(probabilities.AsSpan(i * CoreClassifier.Classes, CoreClassifier.Classes).ToArray());
        }
        return rows.ToArray();
    }
}
