namespace DlibModels.ImageIO;

/// <summary>Thrown when an image file cannot be read or decoded; the message names the file and the problem.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageDecodeException(string path, string problem, Exception? inner = null)
        : base($"{path}: {problem}", inner)
    {
        Path = path;
    }

    /// <summary>The image file.</summary>
    public string Path { get; }
}
