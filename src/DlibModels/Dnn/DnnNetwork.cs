namespace DlibModels.Dnn;

/// <summary>
/// A loaded dlib network: its input layer, its layers from the input upwards, and its loss.
/// Immutable and safe to share between threads.
/// </summary>
public sealed class DnnNetwork
{
    /// <summary>Creates a network description.</summary>
    public DnnNetwork(InputLayer input, IReadOnlyList<Layer> layers, LossLayer loss, string architecture)
    {
        Input = input;
        Layers = layers;
        Loss = loss;
        Architecture = architecture;
    }

    /// <summary>The input layer.</summary>
    public InputLayer Input { get; }

    /// <summary>The layers, from the one just above the input to the one just below the loss.</summary>
    public IReadOnlyList<Layer> Layers { get; }

    /// <summary>The loss layer.</summary>
    public LossLayer Loss { get; }

    /// <summary>The architecture (dlib type expression or inferred description) the file was matched with.</summary>
    public string Architecture { get; }

    /// <summary>
    /// A short name for the architecture: the built-in's (e.g. <c>face_recognition_resnet_v1</c>),
    /// <c>given</c> for a caller's type expression, <c>inferred</c> when guessed from the file; null
    /// when unknown.
    /// </summary>
    public string? ArchitectureName { get; init; }

    /// <summary>
    /// SHA-256 (lower-case hex) of the decompressed file the network was loaded from, the same for a
    /// model's plain and <c>.bz2</c> file; null for a network that was not read from a file.
    /// </summary>
    public string? ContentSha256 { get; internal set; }

    /// <summary>Total learnable parameters as <c>dlib::count_parameters</c> reports them.</summary>
    public long ParameterCount
    {
        get
        {
            long n = 0;
            foreach (Layer layer in Layers)
            {
                n += layer.ParameterCount;
            }

            return n;
        }
    }
}
