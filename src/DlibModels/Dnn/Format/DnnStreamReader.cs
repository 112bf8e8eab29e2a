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
    /// <summary>Reads one network starting at the reader's position.</summary>
    /// <param name="reader">The stream.</param>
    /// <param name="kinds">Wrapper kinds outermost first when known; null to infer them from the versions.</param>
    public static DnnStreamContent Read(DlibReader reader, IReadOnlyList<WrapperKind>? kinds = null)
    {
        long start = reader.Position;
        using var net = reader.Enter("the network");
        int lossWrapperVersion;
        DlibRecord loss;
        using (reader.Enter("add_loss_layer"))
        {
            lossWrapperVersion = reader.ReadVersion("add_loss_layer", 1);
            loss = ReadLoss(reader);
        }

        var versions = new List<int>();
        using (reader.Enter("the layer nesting"))
        {
            while (true)
            {
                long at = reader.Position;
                long v = reader.ReadInt64();
                if (v is >= 1 and <= 3)
                {
                    versions.Add((int)v);
                    if (versions.Count > 100_000)
                    {
                        throw reader.ErrorAt(at, "more than 100000 nested layers");
                    }

                    continue;
                }

                reader.Position = at;
                if (versions.Count == 0)
                {
                    throw reader.ErrorAt(at, $"expected a layer wrapper version (1, 2 or 3) after the loss, found {v}");
                }

                break;
            }
        }

        int count = versions.Count;
        if (kinds is not null && kinds.Count != count)
        {
            throw reader.ErrorAt(start, $"the architecture has {kinds.Count} layers (counting tags and skips) but the file nests {count}");
        }

        var wrapperKinds = new WrapperKind[count];
        for (int i = 0; i < count; i++)
        {
            wrapperKinds[i] = kinds?[i] ?? InferKind(versions[i], innermost: i == count - 1);
            if (kinds is not null)
            {
                CheckVersion(reader, i, versions[i], wrapperKinds[i], i == count - 1);
            }
        }

        DlibRecord input;
        using (reader.Enter("the input layer"))
        {
            input = ReadNamedRecord(reader, RecordSchemas.Inputs, "input layer");
        }

        var details = new DlibRecord?[count];
        var states = new DlibRecord?[count];
        for (int i = count - 1; i >= 0; i--)
        {
            bool innermost = i == count - 1;
            int layerNumber = i;
            using var _ = reader.Enter($"layer<{layerNumber}>");
            if (wrapperKinds[i] == WrapperKind.Layer)
            {
                details[i] = ReadNamedRecord(reader, RecordSchemas.Layers, "layer");
                long stateAt = reader.Position;
                states[i] = new DlibRecord(string.Empty, RecordCodec.ReadFields(reader, RecordSchemas.LayerWrapperState(versions[i], innermost)), stateAt);
            }
            else if (innermost)
            {
                long stateAt = reader.Position;
                states[i] = new DlibRecord(string.Empty, RecordCodec.ReadFields(reader, RecordSchemas.TagOverInputState(versions[i])), stateAt);
            }
        }

        var wrappers = new WrapperEntry[count];
        for (int i = 0; i < count; i++)
        {
            wrappers[i] = new WrapperEntry(versions[i], wrapperKinds[i], details[i], states[i]);
        }

        return new DnnStreamContent(lossWrapperVersion, loss, wrappers, input, start, reader.Position);
    }

    private static WrapperKind InferKind(int version, bool innermost) =>
        innermost ? WrapperKind.Layer : (version == 1 ? WrapperKind.TagOrSkip : WrapperKind.Layer);

    private static void CheckVersion(DlibReader reader, int index, int version, WrapperKind kind, bool innermost)
    {
        bool ok = (kind, innermost) switch
        {
            (WrapperKind.Layer, false) => version is 1 or 2,
            (WrapperKind.Layer, true) => version is 2 or 3,
            (WrapperKind.TagOrSkip, false) => version == 1,
            (WrapperKind.TagOrSkip, true) => version is 1 or 2,
            _ => false,
        };
        if (!ok)
        {
            throw reader.Error($"wrapper {index} (counting from the loss) has version {version}, which does not fit a {(kind == WrapperKind.Layer ? "layer" : "tag/skip")} wrapper{(innermost ? " over the input" : string.Empty)}: the file does not match the architecture");
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
}
