namespace DlibModels.Dnn.Format;

/// <summary>What kind of wrapper a position in dlib's network nesting is.</summary>
public enum WrapperKind
{
    /// <summary><c>add_layer</c>: holds a computational layer's details.</summary>
    Layer,

    /// <summary><c>add_tag_layer</c> or <c>add_skip_layer</c>: no details of its own.</summary>
    TagOrSkip,
}

/// <summary>One wrapper of the network nesting, from the outermost (just under the loss) inwards.</summary>
/// <param name="Version">The wrapper's version integer.</param>
/// <param name="Kind">Layer or tag/skip.</param>
/// <param name="Details">The layer's record (null for tag/skip).</param>
/// <param name="State">The wrapper's trailing state (bools and cached tensors), or null when it has none.</param>
public sealed record WrapperEntry(int Version, WrapperKind Kind, DlibRecord? Details, DlibRecord? State);

/// <summary>
/// A dlib DNN exactly as serialized: the loss, every wrapper with its record, and the input layer.
/// This is the format-level view; <see cref="DnnLoader"/> binds it to an architecture.
/// </summary>
/// <param name="LossWrapperVersion">add_loss_layer's version (1).</param>
/// <param name="Loss">The loss record.</param>
/// <param name="Wrappers">Wrappers from the outermost inwards.</param>
/// <param name="Input">The input layer record.</param>
/// <param name="StartOffset">Offset of the network's first byte.</param>
/// <param name="EndOffset">Offset just past the network's last byte.</param>
public sealed record DnnStreamContent(int LossWrapperVersion, DlibRecord Loss, IReadOnlyList<WrapperEntry> Wrappers, DlibRecord Input, long StartOffset, long EndOffset)
{
    /// <summary>The computational layer records from the input upwards.</summary>
    public IEnumerable<DlibRecord> LayerRecordsFromInput()
    {
        for (int i = Wrappers.Count - 1; i >= 0; i--)
        {
            if (Wrappers[i].Details is { } d)
            {
                yield return d;
            }
        }
    }
}
