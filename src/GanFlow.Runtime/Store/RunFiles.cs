namespace GanFlow.Runtime.Store;

/// <summary>
/// File names of a run folder. They mirror <c>GanFlow.Report.RunFolder</c> (a test checks that they agree);
/// the runtime does not reference the report project, which carries the charting packages.
/// </summary>
public static class RunFiles
{
    /// <summary>The resolved experiment spec (JSON).</summary>
    public const string Spec = "spec.json";
    /// <summary>One row per evaluation.</summary>
    public const string Metrics = "metrics.csv";
    /// <summary>Final metrics, wall time and status (JSON, a <c>RunSummary</c>).</summary>
    public const string Summary = "summary.json";
    /// <summary>Final model samples.</summary>
    public const string Samples = "samples.txt";
    /// <summary>Flows: the model's exact density on a grid (<c>x,density</c> in 1-D, <c>x,y,density</c> in 2-D).</summary>
    public const string Density = "density.csv";
    /// <summary>Flows in 2-D: data points mapped to the latent space, g⁻¹(x) (<c>z1,z2</c>).</summary>
    public const string Latent = "latent.csv";
    /// <summary>Flows in 1-D and 2-D: a few data points followed through the flow's stages to the latent space
    /// (<c>point,stage,label,x</c> or <c>point,stage,label,x,y</c>; stage 0 is the data point, the last stage g⁻¹ of it).</summary>
    public const string Trajectories = "trajectories.csv";
    /// <summary>Folder holding the latest checkpoint.</summary>
    public const string Checkpoint = "checkpoint";
}
