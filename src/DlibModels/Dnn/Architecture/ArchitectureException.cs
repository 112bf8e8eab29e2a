namespace DlibModels.Dnn.Architecture;

/// <summary>Thrown when a network type expression is invalid or does not match a file.</summary>
public sealed class ArchitectureException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ArchitectureException(string message)
        : base(message)
    {
    }
}
