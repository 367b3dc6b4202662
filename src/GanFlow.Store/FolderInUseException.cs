namespace GanFlow.Store;

/// <summary>
/// A folder whose lock another process holds (<see cref="FolderLock.Acquire"/>): the one refusal that goes away by
/// waiting. A search worker gives such a job back to be taken again later; every other
/// <see cref="RunFolderException"/> (another spec's run, a resume that does not match, a corrupt file) is final, and
/// the job fails with its message.
/// </summary>
public sealed class FolderInUseException(string message) : RunFolderException(message);
