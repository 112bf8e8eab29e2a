using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace DlibModels.Serialization;

/// <summary>
/// Reads dlib's serialization primitives (<c>dlib/serialize.h</c>) from an in-memory buffer.
/// Every read is bounds-checked; a failure throws <see cref="DlibFormatException"/> naming the
/// source, the offset and the object being read (see <see cref="Context"/>).
/// </summary>
/// <remarks>Not thread-safe: one reader per stream.</remarks>
public sealed class DlibReader
{
    private readonly byte[] _data;
    private readonly Stack<string> _context = new();

    /// <summary>Creates a reader over <paramref name="data"/>.</summary>
    /// <param name="data">The whole (decompressed) stream.</param>
    /// <param name="source">A name for messages, normally the file path.</param>
    public DlibReader(byte[] data, string source)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
        SourceName = source;
    }

    /// <summary>The file or stream name used in messages.</summary>
    public string SourceName { get; }

    /// <summary>The current byte offset.</summary>
    public long Position { get; set; }

    /// <summary>The whole stream (not a copy).</summary>
    internal byte[] Buffer => _data;

    /// <summary>Total length of the stream in bytes.</summary>
    public long Length => _data.Length;

    /// <summary>Bytes not yet read.</summary>
    public long Remaining => _data.Length - Position;

    /// <summary>True when every byte has been read.</summary>
    public bool AtEnd => Position >= _data.Length;

    /// <summary>The object being read, innermost last, as used in messages.</summary>
    public string Context => _context.Count == 0 ? "the file" : string.Join(" > ", _context.Reverse());

    /// <summary>Enters a named object for error messages; dispose the result to leave it.</summary>
    public ContextScope Enter(string objectName)
    {
        _context.Push(objectName);
        return new ContextScope(this);
    }

    /// <summary>Builds an exception at the current position.</summary>
    public DlibFormatException Error(string problem) => new(SourceName, Position, Context, problem);

    /// <summary>Builds an exception at <paramref name="offset"/>.</summary>
    public DlibFormatException ErrorAt(long offset, string problem) => new(SourceName, offset, Context, problem);

    /// <summary>Reads a signed integer (up to 64 bits) in dlib's variable-length encoding.</summary>
    public long ReadInt64()
    {
        long start = Position;
        if (start <= _data.Length - 9 && start >= 0)
        {
            ref byte b = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_data), (nint)start);
            int c = b;
            int n = c & 0x0F;
            if ((c & 0x70) == 0 && (uint)(n - 1) <= 7 && BitConverter.IsLittleEndian)
            {
                long v = unchecked((long)(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, 1)) & (ulong.MaxValue >> (64 - (8 * n)))));
                Position = start + 1 + n;
                return (c & 0x80) != 0 ? -v : v;
            }
        }

        return ReadInt64Checked();
    }

    private long ReadInt64Checked()
    {
        long start = Position;
        int control = ReadRawByte("an integer control byte");
        bool negative = (control & 0x80) != 0;
        int size = control & 0x0F;
        if (size == 0 || size > 8 || (control & 0x70) != 0)
        {
            throw ErrorAt(start, $"expected an integer control byte (1-8 magnitude bytes), found 0x{control:X2}");
        }

        if (Remaining < size)
        {
            throw ErrorAt(start, $"integer needs {size} more bytes but the stream ends after {Remaining}");
        }

        ulong magnitude = 0;
        for (int i = size - 1; i >= 0; i--)
        {
            magnitude = (magnitude << 8) | _data[Position + i];
        }

        Position += size;
        long value = unchecked((long)magnitude);
        return negative ? -value : value;
    }

    /// <summary>Reads an integer that must fit in 32 bits.</summary>
    public int ReadInt32()
    {
        long start = Position;
        long v = ReadInt64();
        if (v < int.MinValue || v > int.MaxValue)
        {
            throw ErrorAt(start, $"expected a 32-bit integer, found {v}");
        }

        return (int)v;
    }

    /// <summary>Reads a non-negative count or size and checks it against <paramref name="max"/>.</summary>
    /// <param name="what">What the number is, for messages.</param>
    /// <param name="max">Largest value accepted.</param>
    public long ReadSize(string what, long max)
    {
        long start = Position;
        long v = ReadInt64();
        if (v < 0 || v > max)
        {
            throw ErrorAt(start, $"{what} of {v} is outside the accepted range 0..{max}");
        }

        return v;
    }

    /// <summary>Reads a version integer and requires it to equal <paramref name="accepted"/>.</summary>
    public int ReadVersion(string what, int accepted)
    {
        long start = Position;
        long v = ReadInt64();
        if (v != accepted)
        {
            throw ErrorAt(start, $"unsupported {what} version {v} (expected {accepted})");
        }

        return accepted;
    }

    /// <summary>Reads a version integer and requires it to be one of <paramref name="accepted"/>.</summary>
    public int ReadVersion(string what, params int[] accepted)
    {
        long start = Position;
        long v = ReadInt64();
        if (Array.IndexOf(accepted, (int)v) < 0 || v > int.MaxValue || v < int.MinValue)
        {
            throw ErrorAt(start, $"unsupported {what} version {v} (expected {string.Join(" or ", accepted)})");
        }

        return (int)v;
    }

    /// <summary>Reads a bool, stored by dlib as the byte '0' or '1'.</summary>
    public bool ReadBool()
    {
        long start = Position;
        int b = ReadRawByte("a bool");
        return b switch
        {
            (byte)'0' => false,
            (byte)'1' => true,
            _ => throw ErrorAt(start, $"expected a bool ('0' or '1'), found 0x{b:X2}"),
        };
    }

    /// <summary>Reads a single byte as stored (chars, unsigned chars).</summary>
    public byte ReadByte() => (byte)ReadRawByte("a byte");

    /// <summary>Reads a float stored as dlib's (mantissa, exponent) pair.</summary>
    public float ReadFloat() => (float)ReadFloatingPoint(isFloat: true);

    /// <summary>Reads a double stored as dlib's (mantissa, exponent) pair.</summary>
    public double ReadDouble() => ReadFloatingPoint(isFloat: false);

    /// <summary>
    /// Reads <c>values.Length</c> consecutive floats, each stored as dlib's (mantissa, exponent) pair:
    /// the same values and errors as that many <see cref="ReadFloat"/> calls, decoded in one pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ReadFloats(Span<float> values)
    {
        int i = BitConverter.IsLittleEndian ? DecodeFloats(values) : 0;
        for (; i < values.Length; i++)
        {
            values[i] = ReadFloat();
        }
    }

    /// <summary>
    /// Decodes well-formed pairs from the current position while at least 18 bytes (two 9-byte
    /// integers) remain, stopping before anything unusual so that <see cref="ReadFloat"/> handles it
    /// (and reports it) exactly as before; returns how many values were decoded.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int DecodeFloats(Span<float> values)
    {
        byte[] data = _data;
        int pos = (int)Position;
        int last = data.Length - 18;
        ref byte b = ref MemoryMarshal.GetArrayDataReference(data);
        int i = 0;
        while (i < values.Length && pos <= last)
        {
            // dlib writes almost every float as a 3-byte mantissa and a 1-byte negative exponent:
            // control 0x03 or 0x83, three bytes, control 0x81, one byte.
            ulong w = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, pos));
            if ((w & 0xFF_0000_007FUL) == 0x81_0000_0003UL && ((uint)(w >> 40) & 0xFF) - 1 < 126)
            {
                int mag = (int)(w >> 8) & 0xFFFFFF;
                int sign = -(int)((w >> 7) & 1);
                values[i++] = ((mag ^ sign) - sign) * BitConverter.Int32BitsToSingle((127 - (int)((w >> 40) & 0xFF)) << 23);
                pos += 6;
                continue;
            }

            int c = Unsafe.Add(ref b, pos);
            int size = c & 0x0F;
            if ((c & 0x70) != 0 || (uint)(size - 1) > 7)
            {
                break;
            }

            long m = unchecked((long)(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, pos + 1)) & (ulong.MaxValue >> (64 - (8 * size)))));
            m = (c & 0x80) != 0 ? -m : m;
            int q = pos + 1 + size;
            int ce = Unsafe.Add(ref b, q);
            int esize = ce & 0x0F;
            if ((ce & 0x70) != 0 || (uint)(esize - 1) > 1)
            {
                break;
            }

            int e = (int)(Unsafe.ReadUnaligned<ushort>(ref Unsafe.Add(ref b, q + 1)) & (esize == 1 ? 0xFFu : 0xFFFFu));
            e = (ce & 0x80) != 0 ? -e : e;
            if (e is > short.MaxValue or < short.MinValue)
            {
                break;
            }

            // A mantissa of at most 24 bits is exact in a float, and scaling it by 2^e for e in
            // [-126, 104] stays in the normal range, so one multiplication by an exact power of two
            // gives what ScaleB gives; anything else (denormals, inf/nan codes) goes through it.
            values[i++] = (ulong)(m + 0xFFFFFF) < 0x1FFFFFF && (uint)(e + 126) <= 230
                ? m * BitConverter.Int32BitsToSingle((e + 127) << 23)
                : (float)FloatDetails.ToDouble(m, (short)e, isFloat: true);
            pos = q + 1 + esize;
        }

        Position = pos;
        return i;
    }

    private double ReadFloatingPoint(bool isFloat)
    {
        long start = Position;
        if (AtEnd)
        {
            throw Error("expected a floating point number but the stream ended");
        }

        if ((_data[Position] & 0x70) != 0)
        {
            throw ErrorAt(start, $"expected a binary floating point number, found byte 0x{_data[Position]:X2} (the pre-2012 ASCII float format is not supported)");
        }

        long mantissa = ReadInt64();
        long exponent = ReadInt64();
        if (exponent < short.MinValue || exponent > short.MaxValue)
        {
            throw ErrorAt(start, $"floating point exponent {exponent} does not fit in 16 bits");
        }

        return FloatDetails.ToDouble(mantissa, (short)exponent, isFloat);
    }

    /// <summary>Reads a std::string: a length then the bytes.</summary>
    public string ReadString(string what = "a string")
    {
        long start = Position;
        long length = ReadInt64();
        if (length < 0 || length > Remaining)
        {
            throw ErrorAt(start, $"{what} claims {length} bytes but only {Remaining} remain");
        }

        string s = Encoding.UTF8.GetString(_data, (int)Position, (int)length);
        Position += length;
        return s;
    }

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(long count, string what)
    {
        if (count < 0 || count > Remaining)
        {
            throw Error($"{what} needs {count} bytes but only {Remaining} remain");
        }

        var span = new ReadOnlySpan<byte>(_data, (int)Position, (int)count);
        Position += count;
        return span;
    }

    /// <summary>Reads <paramref name="count"/> little-endian float32 values (raw tensor data).</summary>
    public float[] ReadRawFloats(long count, string what)
    {
        if (count < 0 || count > Remaining / 4)
        {
            throw Error($"{what} claims {count} floats ({count * 4L} bytes) but only {Remaining} bytes remain");
        }

        var result = new float[count];
        ReadOnlySpan<byte> bytes = ReadBytes(count * 4, what);
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        }
        else
        {
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
            }
        }

        return result;
    }

    /// <summary>
    /// Decodes the integer at <paramref name="at"/> without moving or throwing: false when the bytes
    /// there are not a complete integer.
    /// </summary>
    /// <param name="at">Offset of the integer's control byte.</param>
    /// <param name="value">The value decoded.</param>
    /// <param name="next">The offset just past the integer.</param>
    public bool TryPeekInt64(long at, out long value, out long next)
    {
        value = 0;
        next = at;
        if (at < 0 || at >= _data.Length)
        {
            return false;
        }

        int control = _data[at];
        int size = control & 0x0F;
        if (size == 0 || size > 8 || (control & 0x70) != 0 || _data.Length - at - 1 < size)
        {
            return false;
        }

        ulong magnitude = 0;
        for (int i = size; i >= 1; i--)
        {
            magnitude = (magnitude << 8) | _data[at + i];
        }

        long v = unchecked((long)magnitude);
        value = (control & 0x80) != 0 ? -v : v;
        next = at + 1 + size;
        return true;
    }

    /// <summary>
    /// Decodes the std::string at <paramref name="at"/> without moving or throwing, when it is at most
    /// <paramref name="maxLength"/> bytes long; false otherwise.
    /// </summary>
    /// <param name="at">Offset of the string's length integer.</param>
    /// <param name="maxLength">The longest string of interest.</param>
    /// <param name="value">The string decoded.</param>
    /// <param name="next">The offset just past the string.</param>
    public bool TryPeekString(long at, int maxLength, out string value, out long next)
    {
        value = string.Empty;
        if (!TryPeekInt64(at, out long length, out next) || length < 0 || length > maxLength || length > _data.Length - next)
        {
            next = at;
            return false;
        }

        value = Encoding.UTF8.GetString(_data, (int)next, (int)length);
        next += length;
        return true;
    }

    /// <summary>Peeks at the next byte without consuming it; -1 at the end.</summary>
    public int PeekByte() => AtEnd ? -1 : _data[Position];

    /// <summary>Fails unless every byte has been consumed.</summary>
    public void RequireEnd()
    {
        if (!AtEnd)
        {
            throw Error($"expected the end of the stream, but {Remaining} bytes remain");
        }
    }

    private int ReadRawByte(string what)
    {
        if (Position >= _data.Length)
        {
            throw Error($"expected {what} but the stream ended");
        }

        return _data[Position++];
    }

    /// <summary>Leaves a context entered with <see cref="Enter"/>.</summary>
    public readonly struct ContextScope : IDisposable
    {
        private readonly DlibReader _reader;

        internal ContextScope(DlibReader reader) => _reader = reader;

        /// <inheritdoc/>
        public void Dispose() => _reader._context.Pop();
    }
}
