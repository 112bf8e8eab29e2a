namespace DlibModels.Dnn.Format;

/// <summary>The encodings a field of a dlib record can have.</summary>
public enum FieldKind
{
    /// <summary>A variable-length integer.</summary>
    Int,

    /// <summary>A float as (mantissa, exponent) with 24 mantissa bits.</summary>
    Float,

    /// <summary>A double as (mantissa, exponent) with 53 mantissa bits.</summary>
    Double,

    /// <summary>A bool as '0'/'1'.</summary>
    Bool,

    /// <summary>A raw byte (uint8_t).</summary>
    Byte,

    /// <summary>A std::string.</summary>
    String,

    /// <summary>A <c>resizable_tensor</c>: version 2, shape, float data.</summary>
    Tensor,

    /// <summary>An <c>alias_tensor</c>: version 1, shape only.</summary>
    AliasTensor,
}

/// <summary>A tensor as stored: shape (num_samples, k, nr, nc) and, for resizable tensors, the values.</summary>
/// <param name="N">num_samples.</param>
/// <param name="K">Channels.</param>
/// <param name="Rows">Rows.</param>
/// <param name="Cols">Columns.</param>
/// <param name="Data">Values (empty for alias tensors).</param>
public sealed record StoredTensor(long N, long K, long Rows, long Cols, float[] Data)
{
    /// <summary>N·K·Rows·Cols.</summary>
    public long Size => N * K * Rows * Cols;
}

/// <summary>One named field of a record, with the value as read.</summary>
/// <param name="Name">The field's name in dlib's source.</param>
/// <param name="Kind">Its encoding.</param>
/// <param name="Value">long, double, bool, byte, string or <see cref="StoredTensor"/>.</param>
public sealed record RecordField(string Name, FieldKind Kind, object Value);

/// <summary>
/// A serialized dlib object read field by field (a layer's details, an input layer, a loss, or a
/// wrapper's state), kept so it can be written back byte for byte.
/// </summary>
/// <param name="Version">The version string (e.g. <c>con_5</c>) or, for wrappers, empty.</param>
/// <param name="Fields">The fields in stream order.</param>
/// <param name="Offset">Byte offset where the record starts.</param>
public sealed record DlibRecord(string Version, IReadOnlyList<RecordField> Fields, long Offset)
{
    /// <summary>The value of field <paramref name="name"/>.</summary>
    public object this[string name]
    {
        get
        {
            foreach (RecordField f in Fields)
            {
                if (f.Name == name)
                {
                    return f.Value;
                }
            }

            throw new KeyNotFoundException($"record {Version} has no field {name}");
        }
    }

    /// <summary>True when the record has field <paramref name="name"/>.</summary>
    public bool Has(string name)
    {
        foreach (RecordField f in Fields)
        {
            if (f.Name == name)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An integer field.</summary>
    public long Int(string name) => (long)this[name];

    /// <summary>A float or double field.</summary>
    public double Real(string name) => (double)this[name];

    /// <summary>A bool field.</summary>
    public bool Bool(string name) => (bool)this[name];

    /// <summary>A tensor field.</summary>
    public StoredTensor Tensor(string name) => (StoredTensor)this[name];
}
