using System.Text;

namespace DlibModels.Serialization;

/// <summary>
/// Writes dlib's serialization primitives (<c>dlib/serialize.h</c>) so that dlib can read the result.
/// </summary>
public sealed class DlibWriter
{
    private readonly Stream _out;
    private readonly byte[] _buffer = new byte[9];

    /// <summary>Creates a writer over <paramref name="output"/>.</summary>
    public DlibWriter(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _out = output;
    }

    /// <summary>Writes a signed integer in dlib's variable-length encoding.</summary>
    public void WriteInt(long value)
    {
        byte sign = 0;
        ulong magnitude = (ulong)value;
        if (value < 0)
        {
            sign = 0x80;
            magnitude = (ulong)-value;
        }

        int size = 8;
        for (int i = 1; i <= 8; i++)
        {
            _buffer[i] = (byte)(magnitude & 0xFF);
            magnitude >>= 8;
            if (magnitude == 0)
            {
                size = i;
                break;
            }
        }

        _buffer[0] = (byte)(size | sign);
        _out.Write(_buffer, 0, size + 1);
    }

    /// <summary>Writes a bool as '0' or '1'.</summary>
    public void WriteBool(bool value) => _out.WriteByte(value ? (byte)'1' : (byte)'0');

    /// <summary>Writes a raw byte.</summary>
    public void WriteByte(byte value) => _out.WriteByte(value);

    /// <summary>Writes a float as dlib's (mantissa, exponent) pair with 24 mantissa bits.</summary>
    public void WriteFloat(float value)
    {
        (long m, short e) = FloatDetails.FromDouble(value, 24);
        WriteInt(m);
        WriteInt(e);
    }

    /// <summary>Writes a double as dlib's (mantissa, exponent) pair with 53 mantissa bits.</summary>
    public void WriteDouble(double value)
    {
        (long m, short e) = FloatDetails.FromDouble(value, 53);
        WriteInt(m);
        WriteInt(e);
    }

    /// <summary>Writes a std::string: length, then bytes.</summary>
    public void WriteString(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteInt(bytes.Length);
        _out.Write(bytes);
    }

    /// <summary>Writes raw bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes) => _out.Write(bytes);

    /// <summary>Writes float32 values little-endian (raw tensor data).</summary>
    public void WriteRawFloats(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            _out.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values));
            return;
        }

        Span<byte> b = stackalloc byte[4];
        foreach (float v in values)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(b, v);
            _out.Write(b);
        }
    }
}
