using DlibModels.Dnn.Architecture;
using DlibModels.Serialization;

namespace DlibModels.Dnn.Format;

/// <summary>
/// Reads a dlib DNN from a stream without knowing its C++ type. The file stores one version integer
/// per wrapper (outermost first), then the input layer, then each layer's details from the input
/// upwards; tag and skip wrappers store only their version, so which is which (and their ids) comes
/// from an architecture, or from the caller when known.
/// </summary>
internal static class DnnStreamReader
{
    /// <summary>The most wrappers accepted in one network, repeats expanded.</summary>
    public const int MaxWrappers = 100_000;

    private const int MaxRepeatDepth = 64;

    /// <summary>Reads one network starting at the reader's position.</summary>
    /// <param name="reader">The stream.</param>
    /// <param name="structure">The architecture's chain (nodes and repeats, outermost first) when known; null to infer it from the stream.</param>
    public static DnnStreamContent Read(DlibReader reader, IReadOnlyList<ArchitectureItem>? structure = null)
    {
        long start = reader.Position;
        using var net = reader.Enter("the network");
        int lossWrapperVersion;
        DlibRecord loss;
        using (reader.Enter("add_loss_layer"))
        {
            long versionAt = reader.Position;
            if (reader.TryPeekInt64(versionAt, out long first, out _) && first != 1)
            {
                throw reader.ErrorAt(versionAt, $"expected a dlib DNN, which starts with add_loss_layer's version 1, found {first}: the file holds something else (an object_detector or shape_predictor?)");
            }

            lossWrapperVersion = reader.ReadVersion("add_loss_layer", 1);
            if (reader.TryPeekInt64(reader.Position, out long nameLength, out _) && nameLength is < 1 or > 256)
            {
                throw reader.Error($"expected the loss layer's version string (e.g. loss_mmod_, loss_metric_2) of a dlib DNN, found a string length of {nameLength}: the file holds something else (a shape_predictor?) or is corrupt");
            }

            loss = ReadLoss(reader);
        }

        var session = new Session(reader, structure is not null);
        List<DnnChainItem> chain = ReadChain(session, main: true, structure, depth: 0, out DlibRecord? input);
        return new DnnStreamContent(lossWrapperVersion, loss, chain, input!, start, reader.Position);
    }

    /// <summary>
    /// Reads one nesting: the network's (ending at the input layer) or a repeated block's (ending at
    /// dlib's repeat_input_layer, which stores nothing). Versions come first, outermost first, with
    /// each repeat read completely where it occurs; then the input; then each wrapper's details and
    /// state from the innermost outwards.
    /// </summary>
    private static List<DnnChainItem> ReadChain(Session s, bool main, IReadOnlyList<ArchitectureItem>? structure, int depth, out DlibRecord? input)
    {
        DlibReader reader = s.Reader;
        input = null;
        var items = new List<object>();
        long chainStart = reader.Position;
        using (reader.Enter(main ? "the layer nesting" : "the repeated block's nesting"))
        {
            int idx = 0;
            while (true)
            {
                long at = reader.Position;
                if (structure is not null)
                {
                    if (idx == structure.Count)
                    {
                        if (main && !IsKnownString(reader, at, RecordSchemas.Inputs))
                        {
                            throw reader.ErrorAt(at, $"expected the input layer after the architecture's {s.Index} layers (counting tags and skips), but the file nests more layers or holds no known input layer here: the file does not match the architecture");
                        }

                        break;
                    }
                }
                else if (items.Count > 0)
                {
                    if (main && IsKnownString(reader, at, RecordSchemas.Inputs))
                    {
                        break;
                    }

                    if (!main && items[^1] is Pending last && BlockEndsAt(reader, at, last.Version, out WrapperKind kind))
                    {
                        last.Kind = kind;
                        break;
                    }
                }

                if (structure is not null && main && IsKnownString(reader, at, RecordSchemas.Inputs))
                {
                    throw reader.ErrorAt(at, $"the file's nesting reaches its input layer after {s.Index} layers (counting tags and skips) but the architecture has {s.Index + ArchitectureNodeCount(structure, idx)}: the file does not match the architecture");
                }

                if (s.Index >= MaxWrappers)
                {
                    throw reader.ErrorAt(at, $"more than {MaxWrappers} nested layers");
                }

                ArchitectureItem? expected = structure?[idx];
                long v;
                using (reader.Enter($"layer<{s.Index}>"))
                {
                    v = reader.ReadInt64();
                    if (expected is not null && (v < 1 || v > 3))
                    {
                        throw reader.ErrorAt(at, $"expected the wrapper version (1, 2 or 3) of the architecture's {Describe(expected)} at layer<{s.Index}>, found {v}: the file does not match the architecture");
                    }

                    if (expected is null && v > 3 && v > reader.Remaining)
                    {
                        throw reader.ErrorAt(at, $"expected a layer wrapper version (1, 2 or 3) or {(main ? "the input layer's name" : "a layer's name")}, found {v}, which as a string length runs past the end of the stream (only {reader.Remaining} bytes remain): the file is truncated or corrupt");
                    }

                    if (expected is null && (v < 1 || v > 3))
                    {
                        throw reader.ErrorAt(at, items.Count == 0 && main
                            ? $"expected a layer wrapper version (1, 2 or 3) after the loss, found {v}"
                            : $"expected a layer wrapper version (1, 2 or 3){(main ? " or the input layer" : " or the end of a repeated block")}, found {v}");
                    }
                }

                idx++;
                if (expected is ArchitectureRepeat ar)
                {
                    if (v != 1)
                    {
                        throw reader.ErrorAt(at, $"expected the version (1) of the architecture's repeat<{ar.Count},...> at layer<{s.Index}>, found {v}: the file does not match the architecture");
                    }

                    items.Add(ReadRepeat(s, at, ar.Count, ar.Block, depth));
                    continue;
                }

                if (expected is null && v == 1 && TryReadRepeat(s, main, at, depth) is { } repeat)
                {
                    items.Add(repeat);
                    continue;
                }

                var pending = new Pending((int)v, s.Index++, at);
                if (expected is ArchitectureNode node)
                {
                    pending.Kind = node.Kind == NodeKind.Layer ? WrapperKind.Layer : WrapperKind.TagOrSkip;
                }

                items.Add(pending);
            }
        }

        if (items.Count == 0 || items[^1] is not Pending innermost)
        {
            throw s.Reader.ErrorAt(chainStart, main ? "the network holds no layer above its input" : "a repeated block must end with a layer or a tag (a repeat's SUBNET must hold a layer)");
        }

        if (main)
        {
            using (reader.Enter("the input layer"))
            {
                input = ReadNamedRecord(reader, RecordSchemas.Inputs, "input layer");
            }

            innermost.Kind ??= innermost.Version == 3 || (innermost.Version == 2 && IsKnownString(reader, reader.Position, RecordSchemas.Layers))
                ? WrapperKind.Layer
                : WrapperKind.TagOrSkip;
        }

        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is Pending p)
            {
                bool isInnermost = i == items.Count - 1;
                p.Kind ??= p.Version == 1 ? WrapperKind.TagOrSkip : WrapperKind.Layer;
                CheckVersion(reader, p, isInnermost, main);
            }
        }

        var chain = new DnnChainItem[items.Count];
        for (int i = items.Count - 1; i >= 0; i--)
        {
            if (items[i] is RepeatEntry r)
            {
                chain[i] = r;
                continue;
            }

            var p = (Pending)items[i];
            bool isInnermost = i == items.Count - 1;
            DlibRecord? details = null;
            DlibRecord? state = null;
            using var _ = reader.Enter($"layer<{p.Index}>");
            if (p.Kind == WrapperKind.Layer)
            {
                details = ReadNamedRecord(reader, RecordSchemas.Layers, "layer");
                long stateAt = reader.Position;
                state = new DlibRecord(string.Empty, RecordCodec.ReadFields(reader, RecordSchemas.LayerWrapperState(p.Version, isInnermost)), stateAt);
            }
            else if (isInnermost)
            {
                long stateAt = reader.Position;
                state = new DlibRecord(string.Empty, RecordCodec.ReadFields(reader, RecordSchemas.TagOverInputState(p.Version)), stateAt);
            }

            chain[i] = new WrapperEntry(p.Version, p.Kind!.Value, details, state);
        }

        return [.. chain];
    }

    private static int ArchitectureNodeCount(IReadOnlyList<ArchitectureItem> structure, int from) =>
        NetArchitecture.Flatten(structure.Skip(from).ToList()).Count;

    private static string Describe(ArchitectureItem item) => item switch
    {
        ArchitectureRepeat r => $"repeat<{r.Count},...>",
        _ => item.ToString() ?? string.Empty,
    };

    /// <summary>Reads a repeat whose version (1) was read at <paramref name="versionAt"/>: the number of copies, then each copy.</summary>
    private static RepeatEntry ReadRepeat(Session s, long versionAt, int? expectedCount, IReadOnlyList<ArchitectureItem>? blockStructure, int depth)
    {
        DlibReader reader = s.Reader;
        if (depth >= MaxRepeatDepth)
        {
            throw reader.ErrorAt(versionAt, $"repeats nested more than {MaxRepeatDepth} deep");
        }

        using var scope = reader.Enter($"the repeat at layer<{s.Index}>");
        long countAt = reader.Position;
        long n = reader.ReadSize("the number of repeated copies", Math.Min(reader.Remaining, MaxWrappers));
        if (n == 0)
        {
            throw reader.ErrorAt(countAt, "a repeat must hold at least one copy, found 0");
        }

        if (expectedCount is { } c && n != c)
        {
            throw reader.ErrorAt(countAt, $"the architecture repeats its block {c} times but the file holds {n} copies: the file does not match the architecture");
        }

        var blocks = new List<IReadOnlyList<DnnChainItem>>((int)n);
        for (int b = 0; b < n; b++)
        {
            using var copy = reader.Enter($"copy {b}");
            blocks.Add(ReadChain(s, main: false, blockStructure, depth + 1, out _));
        }

        return new RepeatEntry(1, blocks, versionAt);
    }

    /// <summary>
    /// After a version 1 read without an architecture: a repeat when the next integer is a copy count
    /// (more than 3, not the input layer or the end of a block), or, for 1..3, when reading it as a
    /// repeat succeeds and is followed by a wrapper version; otherwise (a tag or skip) null, with the
    /// reader back where it was.
    /// </summary>
    private static RepeatEntry? TryReadRepeat(Session s, bool main, long versionAt, int depth)
    {
        DlibReader reader = s.Reader;
        long at = reader.Position;
        if (!reader.TryPeekInt64(at, out long x, out _) || x <= 0)
        {
            return null;
        }

        if ((main && IsKnownString(reader, at, RecordSchemas.Inputs)) || (!main && BlockEndsAt(reader, at, 1, out _)))
        {
            return null;
        }

        if (x > 3)
        {
            return ReadRepeat(s, versionAt, null, null, depth);
        }

        if (s.FailedRepeats.Contains(at))
        {
            return null;
        }

        int index = s.Index;
        try
        {
            RepeatEntry r = ReadRepeat(s, versionAt, null, null, depth);
            if (!reader.TryPeekInt64(reader.Position, out long next, out _) || next is < 1 or > 3)
            {
                throw reader.Error("a repeat's SUBNET must start with a wrapper version");
            }

            return r;
        }
        catch (DlibFormatException)
        {
            s.FailedRepeats.Add(at);
            reader.Position = at;
            s.Index = index;
            return null;
        }
    }

    /// <summary>
    /// Whether a repeated block's nesting ends just before <paramref name="at"/>, its innermost wrapper
    /// (version <paramref name="version"/>) sitting on repeat_input_layer: an add_layer is then followed
    /// by its layer record, a tag by its cached tensors, a bool and (version 2) an integer.
    /// </summary>
    private static bool BlockEndsAt(DlibReader reader, long at, int version, out WrapperKind kind)
    {
        kind = WrapperKind.Layer;
        if (version is 2 or 3 && IsKnownString(reader, at, RecordSchemas.Layers))
        {
            return true;
        }

        kind = WrapperKind.TagOrSkip;
        if (version is not (1 or 2))
        {
            return false;
        }

        long p = at;
        if (!SkipTensor(reader, ref p) || !SkipTensor(reader, ref p) || p >= reader.Length)
        {
            return false;
        }

        if (!IsBoolAt(reader, p))
        {
            return false;
        }

        p++;
        if (version == 2 && !reader.TryPeekInt64(p, out _, out p))
        {
            return false;
        }

        return IsKnownString(reader, p, RecordSchemas.Layers) || (reader.TryPeekInt64(p, out long next, out _) && next is >= 1 and <= 3) || p == reader.Length;
    }

    private static bool IsBoolAt(DlibReader reader, long p)
    {
        long saved = reader.Position;
        reader.Position = p;
        int b = reader.PeekByte();
        reader.Position = saved;
        return b is '0' or '1';
    }

    /// <summary>Steps over a resizable_tensor at <paramref name="p"/> without reading its values.</summary>
    private static bool SkipTensor(DlibReader reader, ref long p)
    {
        if (!reader.TryPeekInt64(p, out long version, out long q) || version != 2)
        {
            return false;
        }

        Int128 size = 1;
        for (int i = 0; i < 4; i++)
        {
            if (!reader.TryPeekInt64(q, out long d, out q) || d < 0 || d > int.MaxValue)
            {
                return false;
            }

            size *= d;
        }

        if (size * 4 > reader.Length - q)
        {
            return false;
        }

        p = q + (long)(size * 4);
        return true;
    }

    private static bool IsKnownString(DlibReader reader, long at, IReadOnlyDictionary<string, (string Name, FieldKind Kind)[]> schemas) =>
        reader.TryPeekString(at, 64, out string name, out _) && schemas.ContainsKey(name);

    private static void CheckVersion(DlibReader reader, Pending p, bool innermost, bool main)
    {
        WrapperKind kind = p.Kind!.Value;
        bool ok = (kind, innermost) switch
        {
            (WrapperKind.Layer, false) => p.Version is 1 or 2,
            (WrapperKind.Layer, true) => p.Version is 2 or 3,
            (WrapperKind.TagOrSkip, false) => p.Version == 1,
            (WrapperKind.TagOrSkip, true) => p.Version is 1 or 2,
            _ => false,
        };
        if (!ok)
        {
            string over = innermost ? (main ? " over the input" : " over a repeated block's input") : string.Empty;
            throw reader.ErrorAt(p.Offset, $"layer<{p.Index}> has wrapper version {p.Version}, which does not fit a {(kind == WrapperKind.Layer ? "layer" : "tag/skip")} wrapper{over}: the file does not match the architecture or is corrupt");
        }
    }

    private static DlibRecord ReadNamedRecord(DlibReader reader, IReadOnlyDictionary<string, (string Name, FieldKind Kind)[]> schemas, string what)
    {
        long at = reader.Position;
        string version = reader.ReadString($"the {what} version string");
        if (!schemas.TryGetValue(version, out var schema))
        {
            throw reader.ErrorAt(at, $"unknown {what} version string '{Printable(version)}' (known: {string.Join(", ", schemas.Keys)})");
        }

        using var _ = reader.Enter(version);
        return new DlibRecord(version, RecordCodec.ReadFields(reader, schema), at);
    }

    private static DlibRecord ReadLoss(DlibReader reader)
    {
        long at = reader.Position;
        string version = reader.ReadString("the loss version string");
        using var _ = reader.Enter(version);
        if (version == "loss_mmod_")
        {
            return new DlibRecord(version, ReadMmodOptions(reader), at);
        }

        if (!RecordSchemas.Losses.TryGetValue(version, out var schema))
        {
            throw reader.ErrorAt(at, $"unknown or unsupported loss layer '{Printable(version)}' (supported: loss_mmod_, {string.Join(", ", RecordSchemas.Losses.Keys)})");
        }

        return new DlibRecord(version, RecordCodec.ReadFields(reader, schema), at);
    }

    private static List<RecordField> ReadMmodOptions(DlibReader reader)
    {
        using var _ = reader.Enter("mmod_options");
        var fields = new List<RecordField>();
        long version = reader.ReadVersion("mmod_options", 1, 2, 3, 4);
        fields.Add(new RecordField("options_version", FieldKind.Int, version));
        if (version == 1)
        {
            fields.Add(RecordCodec.ReadField(reader, "window_width", FieldKind.Int));
            fields.Add(RecordCodec.ReadField(reader, "window_height", FieldKind.Int));
        }
        else
        {
            long n = reader.ReadSize("number of detector windows", Math.Min(reader.Remaining, 100_000));
            fields.Add(new RecordField("window_count", FieldKind.Int, n));
            for (int i = 0; i < n; i++)
            {
                using var w = reader.Enter($"detector window {i}");
                long wv = reader.ReadVersion("detector_window_details", 1, 2);
                fields.Add(new RecordField($"window[{i}].version", FieldKind.Int, wv));
                fields.Add(RecordCodec.ReadField(reader, $"window[{i}].width", FieldKind.Int));
                fields.Add(RecordCodec.ReadField(reader, $"window[{i}].height", FieldKind.Int));
                if (wv == 2)
                {
                    fields.Add(RecordCodec.ReadField(reader, $"window[{i}].label", FieldKind.String));
                }
            }
        }

        foreach (string name in (string[])["loss_per_false_alarm", "loss_per_missed_target", "truth_match_iou_threshold", "nms_iou_thresh", "nms_percent_covered_thresh", "ignore_iou_thresh", "ignore_percent_covered_thresh"])
        {
            fields.Add(RecordCodec.ReadField(reader, name, FieldKind.Double));
        }

        if (version >= 3)
        {
            fields.Add(RecordCodec.ReadField(reader, "assume_image_pyramid", FieldKind.Byte));
        }

        if (version >= 4)
        {
            fields.Add(RecordCodec.ReadField(reader, "use_bounding_box_regression", FieldKind.Bool));
            fields.Add(RecordCodec.ReadField(reader, "bbr_lambda", FieldKind.Double));
        }

        return fields;
    }

    private static string Printable(string s)
    {
        var chars = s.Length > 40 ? s[..40].ToCharArray() : s.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]))
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }

    private sealed class Session(DlibReader reader, bool structured)
    {
        public DlibReader Reader { get; } = reader;

        public bool Structured { get; } = structured;

        /// <summary>The flat index (outermost first, repeats expanded) of the next wrapper.</summary>
        public int Index { get; set; }

        /// <summary>Offsets where reading a repeat of 1..3 copies was tried and failed.</summary>
        public HashSet<long> FailedRepeats { get; } = [];
    }

    private sealed class Pending(int version, int index, long offset)
    {
        public int Version { get; } = version;

        public int Index { get; } = index;

        public long Offset { get; } = offset;

        public WrapperKind? Kind { get; set; }
    }
}
