namespace GanFlow.Store;

/// <summary>
/// A sample file that cannot be read as one: missing, a folder, empty, ragged, not numbers, NaN or ±∞, an unsupported
/// .npy dtype or layout. The message names the file and the line (or the .npy header field, or the row); the command
/// line answers it with exit code 2 and the message, before any compute.
/// </summary>
public sealed class SampleFileException(string message) : Exception(message);
