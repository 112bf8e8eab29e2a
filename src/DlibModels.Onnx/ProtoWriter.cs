using System.Buffers.Binary;
using System.Text;

namespace DlibModels.Onnx;

/// <summary>
/// A minimal protocol-buffers encoder for the subset of <c>onnx.proto</c> the exporter writes
/// (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto and their small
/// children). Hand-written rather than Google.Protobuf's <c>CodedOutputStream</c> plus generated
/// classes: the subset is a few dozen fields of four wire types (varint, 32-bit, length-delimited),
/// so this keeps the adapter free of a package dependency and of a code-generation step.
/// Nested messages are encoded into their own buffer first and then written length-prefixed.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream buffer = new();

    /// <summary>The bytes written so far.</summary>
    public byte[] ToArray() => buffer.ToArray();

    /// <summary>Writes the encoded bytes to <paramref name="stream"/>.</summary>
    public void CopyTo(Stream stream)
    {
        buffer.Position = 0;
        buffer.CopyTo(stream);
    }

    /// <summary>A varint field (int32, int64, enum, bool).</summary>
    public void Varint(int field, long value)
    {
        Key(field, 0);
        RawVarint(unchecked((ulong)value));
    }

    /// <summary>A 32-bit float field.</summary>
    public void Float(int field, float value)
    {
        Key(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        buffer.Write(b);
    }

    /// <summary>A string field (UTF-8).</summary>
    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Key(field, 2);
        RawVarint((ulong)value.Length);
        buffer.Write(value);
    }

    /// <summary>A packed repeated varint field.</summary>
    public void PackedVarints(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (long v in values)
        {
            inner.RawVarint(unchecked((ulong)v));
        }

        Bytes(field, inner.buffer.GetBuffer().AsSpan(0, (int)inner.buffer.Length));
    }

    /// <summary>An embedded message field, encoded by <paramref name="write"/>.</summary>
    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Bytes(field, inner.buffer.GetBuffer().AsSpan(0, (int)inner.buffer.Length));
    }

    private void Key(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

    private void RawVarint(ulong v)
    {
        while (v >= 0x80)
        {
            buffer.WriteByte((byte)(v | 0x80));
            v >>= 7;
        }

        buffer.WriteByte((byte)v);
    }
}
