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

    public static List<RecordField> ReadFields(DlibReader reader, IEnumerable<(string Name, FieldKind Kind)> schema)
    {
        var fields = new List<RecordField>();
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
        Int128 size = (Int128)n * k * nr * nc;
        if (size > MaxTensorValues)
        {
            throw reader.ErrorAt(start, $"tensor of shape ({n},{k},{nr},{nc}) claims {size} values, more than the {MaxTensorValues} accepted");
        }

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
