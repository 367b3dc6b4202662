using GanFlow.Core.Experiments;
using GanFlow.Core.Models;
using GanFlow.Runtime.Modules;
using GanFlow.Store;
using TorchSharp;

namespace GanFlow.Runtime.Checkpoints;

/// <summary>
/// The interpretation of <see cref="GeneratorInit.FromVae"/>: a generator starts from the decoder of a completed VAE
/// run (seed 003 sec. 5: the GANs started from "the optimal weights from the VAE example"): the run folder must hold a
/// spec trained by <see cref="Objective.Elbo"/> whose generator is the same spec as this model's, a completed summary
/// and a valid checkpoint; the decoder's weights and batch-norm statistics are copied into the generator.
/// </summary>
public static class VaeInitialization
{
    /// <summary>The VAE run's spec and checkpoint, or why they cannot be used (null checkpoint then), for a model
    /// <paramref name="model"/> on data of <paramref name="dimension"/> coordinates.</summary>
    private static (Experiment? Vae, LocatedCheckpoint? Checkpoint, string? Problem) Inspect(string folder, Model model, int dimension)
    {
        var field = $"model.init.fromVae = {folder}";
        var store = new RunStore(folder);
        Experiment? vae;
        try
        {
            vae = store.ReadSpec();
        }
        catch (RunFolderException e)
        {
            return (null, null, $"{field}: {e.Message}");
        }
        if (vae is null)
            return (null, null, $"{field}: holds no {RunFiles.Spec}; train the VAE first (ganflow run seed003-mnist-vae… --out {folder})");
        if (!vae.Model.Objective.IsElbo)
            return (null, null, $"{field}: its run was not trained by the ELBO (a VAE), so it has no decoder to start from");
        if (vae.Dimension != dimension)
            return (null, null, $"{field}: the VAE was trained on {vae.Dimension}-coordinate data, and this run's data have {dimension}");
        if (!vae.Model.Generator.Equals(model.Generator))
            return (null, null, $"{field}: the VAE's generator ({ModelModule.describe(vae.Model)}) differs from model.generator; they must be the same spec");
        RunSummary? summary;
        try
        {
            summary = store.ReadSummary();
        }
        catch (RunFolderException e)
        {
            return (null, null, $"{field}: {e.Message}");
        }
        if (summary is not { Status.IsCompleted: true })
            return (null, null, $"{field}: the VAE run has not completed ({RunFiles.Summary} missing or not completed)");
        var checkpoint = CheckpointFolders.Locate(folder);
        return checkpoint is null ? (null, null, $"{field}: the VAE run holds no valid checkpoint") : (vae, checkpoint, null);
    }

    /// <summary>Why <paramref name="experiment"/>'s VAE run cannot start its generator; null when it can, or when the
    /// generator starts at random. For the commands to refuse with exit code 2 before anything starts.</summary>
    public static string? Problem(Experiment experiment) =>
        experiment.Model.Init is GeneratorInit.FromVae fromVae ? Inspect(fromVae.runFolder, experiment.Model, experiment.Dimension).Problem : null;

    /// <summary>Copies the decoder of the VAE run in <paramref name="folder"/> into <paramref name="generator"/> (on the CPU,
    /// before the networks move to their device).</summary>
    /// <exception cref="RunFolderException">The VAE run cannot be used (see <see cref="Problem"/>).</exception>
    public static void Load(string folder, Model model, int dimension, GeneratorModule generator)
    {
        var (vae, checkpoint, problem) = Inspect(folder, model, dimension);
        if (problem is not null) throw new RunFolderException(problem);
        using var init = new torch.Generator(0);
        using var masks = new torch.Generator(0);
        using var source = new VariationalGeneratorModule(vae!.Model.Generator, ((Objective.Elbo)vae.Model.Objective).Item, dimension, init, masks);
        CheckpointStore.LoadModule(checkpoint!, source.Name, source.Module);
        var state = source.Decoder.state_dict();
        generator.Module.load_state_dict(state);
    }
}
