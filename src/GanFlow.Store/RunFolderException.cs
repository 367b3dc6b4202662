namespace GanFlow.Store;

/// <summary>
/// A folder the tool cannot use as asked, found before any compute: a foreign or missing folder, one another process
/// is writing, a resume that does not match, a corrupt file (the message names the file, and the line where there
/// is one). The command line answers it with exit code 2 and the message, never a stack trace.
/// </summary>
public class RunFolderException(string message) : Exception(message);
