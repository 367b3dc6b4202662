namespace GanFlow.Store;

/// <summary>
/// The message for a folder that lacks a file every run folder holds (its <c>spec.json</c>): when the folder's marker
/// (<see cref="RunFiles.Marker"/>) says it is a study, search or dynamics folder, the message says so and where that
/// folder's results are, instead of asking whether it is a run folder.
/// </summary>
public static class NotARunFolder
{

    /// <summary>Why <paramref name="directory"/>, lacking <paramref name="file"/>, is not a run folder.</summary>
    public static string Message(string directory, string file)
    {
        FolderKind? kind;
        try
        {
            kind = FolderMarker.Read(directory)?.Kind;
        }
        catch (RunFolderException)
        {
            kind = null;
        }
        return kind switch
        {
            FolderKind.Search when SearchFolder.IsSearch(directory) =>
                $"{directory}: a search folder, not a run folder: its trials' runs are its trials/NNNN folders",
            FolderKind.Search =>
                $"{directory}: a search folder (its {RunFiles.Marker} says so) whose store is gone: neither {SqliteSearchStore.FileName} nor {SearchFolder.StorePointer} is there, and a search's report and status are read from its store",
            FolderKind.Study when File.Exists(Path.Combine(directory, RunFiles.Study)) =>
                $"{directory}: a study folder, not a run folder: its runs are its cell folders ({directory}/CELL), and `ganflow report {directory}` rebuilds its table",
            FolderKind.Study =>
                $"{directory}: a study folder (its {RunFiles.Marker} says so) without its {RunFiles.Study}: its table cannot be rebuilt; its runs are its cell folders ({directory}/CELL)",
            FolderKind.Dynamics when File.Exists(Path.Combine(directory, RunFiles.DynamicsSpec)) =>
                $"{directory}: a seed 002 dynamics folder (no training run, no model; `ganflow report {directory}` rebuilds its report from its {RunFiles.DynamicsSpec})",
            FolderKind.Dynamics =>
                $"{directory}: a seed 002 dynamics folder (its {RunFiles.Marker} says so) without its {RunFiles.DynamicsSpec}: there is nothing to report; `ganflow run` of its experiment computes it again",
            FolderKind.Images =>
                $"{directory}: a folder of an earlier version's image runner, whose results are no longer reported (rerun its experiment with `ganflow run`)",
            _ => $"{directory}: missing {file} (is this a run folder written by `ganflow run`?)",
        };
    }
}
