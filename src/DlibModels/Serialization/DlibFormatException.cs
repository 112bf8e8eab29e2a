namespace DlibModels.Serialization;

/// <summary>
/// Thrown when a dlib file cannot be read: it is truncated, corrupt, of an unknown version,
/// claims an absurd size, or holds another kind of object than the one asked for.
/// </summary>
/// <remarks>The message names the file, the byte offset, the object being read and what was expected.</remarks>
public sealed class DlibFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="source">The file (or stream description) being read.</param>
    /// <param name="offset">Byte offset in the (decompressed) stream where the problem was found.</param>
    /// <param name="objectName">What was being read, e.g. <c>con_ layer 3</c>.</param>
    /// <param name="problem">What was expected and what was found.</param>
    /// <param name="inner">An underlying exception, if any.</param>
    public DlibFormatException(string source, long offset, string objectName, string problem, Exception? inner = null)
        : base($"{source}: at byte {offset} while reading {objectName}: {problem}", inner)
    {
        Source = source;
        Offset = offset;
        ObjectName = objectName;
        Problem = problem;
    }

    /// <summary>The file or stream that was being read.</summary>
    public new string Source { get; }

    /// <summary>Byte offset (in the decompressed stream) of the problem.</summary>
    public long Offset { get; }

    /// <summary>The object being read when the problem was found.</summary>
    public string ObjectName { get; }

    /// <summary>What was expected and what was found.</summary>
    public string Problem { get; }
}
