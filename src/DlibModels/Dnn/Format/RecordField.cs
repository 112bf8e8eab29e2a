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

/// <summary>
/// A tensor as stored: shape (num_samples, k, nr, nc) and, for resizable tensors, the values. A
/// tensor read from a file keeps a reference to the file's bytes and decodes <see cref="Data"/> only
/// when asked (the network bound from it copies what it needs straight from those bytes).
/// </summary>
public sealed record StoredTensor
{
    private readonly byte[]? _source;
    private readonly int _sourceOffset;
    private float[]? _data;

    /// <summary>Creates a tensor holding <paramref name="data"/>.</summary>
    /// <param name="n">num_samples.</param>
    /// <param name="k">Channels.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="data">Values (empty for alias tensors).</param>
    public StoredTensor(long n, long k, long rows, long cols, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        (N, K, Rows, Cols) = (n, k, rows, cols);
        _data = data;
        Count = data.Length;
    }

    /// <summary>A tensor whose <paramref name="count"/> values are little-endian floats in <paramref name="source"/> at <paramref name="offset"/>.</summary>
    internal StoredTensor(long n, long k, long rows, long cols, byte[] source, int offset, int count)
    {
        (N, K, Rows, Cols) = (n, k, rows, cols);
        _source = source;
        _sourceOffset = offset;
        Count = count;
    }

    /// <summary>num_samples.</summary>
    public long N { get; init; }

    /// <summary>Channels.</summary>
    public long K { get; init; }

    /// <summary>Rows.</summary>
    public long Rows { get; init; }

    /// <summary>Columns.</summary>
    public long Cols { get; init; }

    /// <summary>Values (empty for alias tensors); decoded on first use for tensors read from a file.</summary>
    public float[] Data
    {
        get => _data ?? Decode();
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _data = value;
            _source = null;
            _sourceOffset = 0;
            Count = value.Length;
        }
    }

    /// <summary>N·K·Rows·Cols.</summary>
    public long Size => N * K * Rows * Cols;

    /// <summary>How many values <see cref="Data"/> holds.</summary>
    internal int Count { get; private init; }

    /// <summary>Deconstructs the tensor into its shape and values.</summary>
    public void Deconstruct(out long n, out long k, out long rows, out long cols, out float[] data) =>
        (n, k, rows, cols, data) = (N, K, Rows, Cols, Data);

    /// <summary>Values <paramref name="start"/>.. (<paramref name="length"/> of them) without copying when the platform reads the file's floats as they are.</summary>
    internal ReadOnlySpan<float> Values(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Count - start);
        if (_data is { } d)
        {
            return d.AsSpan(start, length);
        }

        if (BitConverter.IsLittleEndian)
        {
            return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(_source.AsSpan(_sourceOffset + (4 * start), 4 * length));
        }

        return Data.AsSpan(start, length);
    }

    /// <summary>Values <paramref name="start"/>.. as a new array of <paramref name="length"/>.</summary>
    internal float[] Slice(int start, int length)
    {
        ReadOnlySpan<float> values = Values(start, length);
        float[] result = length == 0 ? [] : GC.AllocateUninitializedArray<float>(length);
        values.CopyTo(result);
        return result;
    }

    /// <summary>True when the values are still the file's bytes (<see cref="FileBytes"/>).</summary>
    internal bool IsFileBacked => _source is not null;

    /// <summary>The values as the file stores them (little-endian floats); empty unless <see cref="IsFileBacked"/>.</summary>
    internal ReadOnlySpan<byte> FileBytes => _source.AsSpan(_sourceOffset, _source is null ? 0 : 4 * Count);

    private float[] Decode()
    {
        ReadOnlySpan<byte> bytes = _source.AsSpan(_sourceOffset, 4 * Count);
        float[] values = Count == 0 ? [] : GC.AllocateUninitializedArray<float>(Count);
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
            }
        }

        return Interlocked.CompareExchange(ref _data, values, null) ?? values;
    }
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
    public object this[string name] =>
        Find(name)?.Value ?? throw new KeyNotFoundException($"record {Version} has no field {name}");

    /// <summary>True when the record has field <paramref name="name"/>.</summary>
    public bool Has(string name) => Find(name) is not null;

    /// <summary>An integer field.</summary>
    public long Int(string name) => (long)this[name];

    /// <summary>A float or double field.</summary>
    public double Real(string name) => (double)this[name];

    /// <summary>A bool field.</summary>
    public bool Bool(string name) => (bool)this[name];

    /// <summary>A tensor field.</summary>
    public StoredTensor Tensor(string name) => (StoredTensor)this[name];

    private RecordField? Find(string name)
    {
        IReadOnlyList<RecordField> fields = Fields;
        for (int i = 0; i < fields.Count; i++)
        {
            RecordField f = fields[i];
            if (ReferenceEquals(f.Name, name) || f.Name == name)
            {
                return f;
            }
        }

        return null;
    }
}
