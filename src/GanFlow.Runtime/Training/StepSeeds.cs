namespace GanFlow.Runtime.Training;

/// <summary>
/// Seeds of every random stream of a run as pure functions of (experiment seed, step, stream), so a
/// step's randomness does not depend on what ran before it and a resumed run repeats an
/// uninterrupted one exactly. The mixing is the core's (<c>GanFlow.Core.Specs.Seeds</c>).
/// </summary>
public static class StepSeeds
{
    /// <summary>The independent streams of a run.</summary>
    public enum Stream
    {
        /// <summary>Initial weights (step 0 only).</summary>
        Initialization = 1,
        /// <summary>Training data of one generator step (all its critic steps).</summary>
        TrainingData = 2,
        /// <summary>Prior noise, interpolation weights and dropout masks of one generator step.</summary>
        TrainingNoise = 3,
        /// <summary>Data samples of the evaluation after a step.</summary>
        EvaluationData = 4,
        /// <summary>Prior noise of the evaluation after a step.</summary>
        EvaluationNoise = 5,
        /// <summary>Base draws of a flow generator in one generator step (adversarial and hybrid objectives), apart from
        /// the flow's own noise (FFJORD's Hutchinson probes), which <see cref="TrainingNoise"/> seeds.</summary>
        LatentNoise = 6,
        /// <summary>Held-out points drawn fresh when the run has no finite training set (the index: the budget for test
        /// points, one more for validation points).</summary>
        HeldOutData = 7,
        /// <summary>Model samples, AIS chains and Jacobian draws of the held-out measurements at the end of a run.</summary>
        HeldOutNoise = 8,
        /// <summary>Fresh data draws that the evaluation's precision, recall, density and coverage score against when the
        /// run has a finite training set: its evaluation data are drawn with replacement from the training split, and
        /// repeated points would give k-NN balls of radius 0.</summary>
        RecallData = 9,
    }

    /// <summary>A 63-bit seed for (seed, step, stream).</summary>
    public static long Of(int seed, int step, Stream stream) => GanFlow.Core.Specs.Seeds.derive(seed, step, (int)stream);

    /// <summary>A seeded <see cref="System.Random"/> for (seed, step, stream); its sequence is the same on every platform.</summary>
    public static Random Random(int seed, int step, Stream stream) => GanFlow.Core.Specs.Seeds.random(seed, step, (int)stream);
}
