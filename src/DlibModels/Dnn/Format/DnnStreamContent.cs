namespace DlibModels.Dnn.Format;

/// <summary>What kind of wrapper a position in dlib's network nesting is.</summary>
public enum WrapperKind
{
    /// <summary><c>add_layer</c>: holds a computational layer's details.</summary>
    Layer,

    /// <summary><c>add_tag_layer</c> or <c>add_skip_layer</c>: no details of its own.</summary>
    TagOrSkip,
}

/// <summary>An element of a serialized network's nesting: a wrapper, or a <c>repeat</c> of blocks.</summary>
public abstract record DnnChainItem;

/// <summary>
/// dlib's <c>repeat</c> as stored: its version, then its copies (<c>details[0]</c>, the one applied
/// last, first), each a complete nesting whose innermost wrapper sits on <c>repeat_input_layer</c>,
/// which stores nothing.
/// </summary>
/// <param name="Version">The repeat's version integer (1).</param>
/// <param name="Blocks">The copies, each a chain from its outermost wrapper inwards.</param>
/// <param name="Offset">Offset of the repeat's version integer.</param>
public sealed record RepeatEntry(int Version, IReadOnlyList<IReadOnlyList<DnnChainItem>> Blocks, long Offset) : DnnChainItem;

/// <summary>One wrapper of the network nesting, from the outermost (just under the loss) inwards.</summary>
/// <param name="Version">The wrapper's version integer.</param>
/// <param name="Kind">Layer or tag/skip.</param>
/// <param name="Details">The layer's record (null for tag/skip).</param>
/// <param name="State">The wrapper's trailing state (bools and cached tensors), or null when it has none.</param>
public sealed record WrapperEntry(int Version, WrapperKind Kind, DlibRecord? Details, DlibRecord? State) : DnnChainItem;

/// <summary>
/// A dlib DNN exactly as serialized: the loss, every wrapper with its record, and the input layer.
/// This is the format-level view; <see cref="DnnLoader"/> binds it to an architecture.
/// </summary>
/// <param name="LossWrapperVersion">add_loss_layer's version (1).</param>
/// <param name="Loss">The loss record.</param>
/// <param name="Chain">Wrappers and repeats from the outermost inwards, as nested in the file.</param>
/// <param name="Input">The input layer record.</param>
/// <param name="StartOffset">Offset of the network's first byte.</param>
/// <param name="EndOffset">Offset just past the network's last byte.</param>
public sealed record DnnStreamContent(int LossWrapperVersion, DlibRecord Loss, IReadOnlyList<DnnChainItem> Chain, DlibRecord Input, long StartOffset, long EndOffset)
{
    /// <summary>
    /// Every wrapper from the outermost inwards with repeats expanded: a repeat's <c>details[0]</c> first,
    /// its last copy (the one nearest the input) last, then the repeat's SUBNET.
    /// </summary>
    public IReadOnlyList<WrapperEntry> Wrappers { get; } = Flatten(Chain);

    /// <summary>Expands repeats into a flat wrapper list, outermost first.</summary>
    public static IReadOnlyList<WrapperEntry> Flatten(IReadOnlyList<DnnChainItem> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var list = new List<WrapperEntry>();
        Append(chain, list);
        return list;
    }

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

    private static void Append(IReadOnlyList<DnnChainItem> chain, List<WrapperEntry> list)
    {
        foreach (DnnChainItem item in chain)
        {
            if (item is WrapperEntry w)
            {
                list.Add(w);
            }
            else if (item is RepeatEntry r)
            {
                foreach (IReadOnlyList<DnnChainItem> block in r.Blocks)
                {
                    Append(block, list);
                }
            }
        }
    }
}
