using DlibModels.Serialization;

namespace DlibModels.Dnn.Format;

/// <summary>Reads and writes <see cref="DlibRecord"/>s field by field.</summary>
internal static class RecordCodec
{
    /// <summary>Largest tensor accepted in a model file (values); far above any dlib-models network.</summary>
    public const long MaxTensorValues = 1L << 31;

    public static RecordField ReadField(DlibReader reader, string name, FieldKind kind)
    {
        using var _ = reader.Enter(name);
        object value = kind switch
        {
            FieldKind.Int => reader.ReadInt64(),
            FieldKind.Float => (double)reader.ReadFloat(),
            FieldKind.Double => reader.ReadDouble(),
            FieldKind.Bool => reader.ReadBool(),
            FieldKind.Byte => reader.ReadByte(),
            FieldKind.String => reader.ReadString(),
            FieldKind.Tensor => ReadTensor(reader, withData: true),
            FieldKind.AliasTensor => ReadTensor(reader, withData: false),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return new RecordField(name, kind, value);
    }

    public static List<RecordField> ReadFields(DlibReader reader, (string Name, FieldKind Kind)[] schema)
    {
        var fields = new List<RecordField>(schema.Length);
        foreach ((string name, FieldKind kind) in schema)
        {
            fields.Add(ReadField(reader, name, kind));
        }

        return fields;
    }

    public static StoredTensor ReadTensor(DlibReader reader, bool withData)
    {
        long start = reader.Position;
        int expectedVersion = withData ? 2 : 1;
        reader.ReadVersion(withData ? "resizable_tensor" : "alias_tensor", expectedVersion);
        long n = reader.ReadSize("num_samples", int.MaxValue);
        long k = reader.ReadSize("k", int.MaxValue);
        long nr = reader.ReadSize("nr", int.MaxValue);
        long nc = reader.ReadSize("nc", int.MaxValue);
        // Each factor is below 2^31, so each pair's product fits a long, and so does theirs when
        // both are within the limit.
        long samples = n * k, plane = nr * nc;
        bool tooBig = samples != 0 && plane != 0 && (samples > MaxTensorValues || plane > MaxTensorValues || samples * plane > MaxTensorValues);
        if (tooBig)
        {
            throw reader.ErrorAt(start, $"tensor of shape ({n},{k},{nr},{nc}) claims {(Int128)samples * plane} values, more than the {MaxTensorValues} accepted");
        }

        long size = samples * plane;

        if (!withData)
        {
            return new StoredTensor(n, k, nr, nc, []);
        }

        if (size > reader.Remaining / 4)
        {
            throw reader.Error($"tensor data of shape ({n},{k},{nr},{nc}) claims {size} floats ({size * 4} bytes) but only {reader.Remaining} bytes remain");
        }

        int offset = (int)reader.Position;
        reader.Position += (long)size * 4;
        return new StoredTensor(n, k, nr, nc, reader.Buffer, offset, (int)size);
    }

    public static void WriteFields(DlibWriter writer, IEnumerable<RecordField> fields)
    {
        foreach (RecordField f in fields)
        {
            switch (f.Kind)
            {
                case FieldKind.Int:
                    writer.WriteInt((long)f.Value);
                    break;
                case FieldKind.Float:
                    writer.WriteFloat((float)(double)f.Value);
                    break;
                case FieldKind.Double:
                    writer.WriteDouble((double)f.Value);
                    break;
                case FieldKind.Bool:
                    writer.WriteBool((bool)f.Value);
                    break;
                case FieldKind.Byte:
                    writer.WriteByte((byte)f.Value);
                    break;
                case FieldKind.String:
                    writer.WriteString((string)f.Value);
                    break;
                case FieldKind.Tensor:
                case FieldKind.AliasTensor:
                    var t = (StoredTensor)f.Value;
                    writer.WriteInt(f.Kind == FieldKind.Tensor ? 2 : 1);
                    writer.WriteInt(t.N);
                    writer.WriteInt(t.K);
                    writer.WriteInt(t.Rows);
                    writer.WriteInt(t.Cols);
                    if (f.Kind == FieldKind.Tensor && t.IsFileBacked)
                    {
                        writer.WriteBytes(t.FileBytes);
                    }
                    else if (f.Kind == FieldKind.Tensor)
                    {
                        writer.WriteRawFloats(t.Data);
                    }

                    break;
            }
        }
    }

    public static void WriteRecord(DlibWriter writer, DlibRecord record)
    {
        if (record.Version.Length != 0)
        {
            writer.WriteString(record.Version);
        }

        WriteFields(writer, record.Fields);
    }
}
