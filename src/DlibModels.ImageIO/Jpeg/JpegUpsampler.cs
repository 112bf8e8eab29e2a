using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DlibModels.ImageIO.Jpeg;

/// <summary>
/// Chroma upsampling as libjpeg-turbo 2.1.5 does it with <c>do_fancy_upsampling</c> on:
/// a triangle filter ("3/4 of the nearer sample, 1/4 of the further one", with libjpeg-turbo's
/// alternating rounding biases) for 2:1 horizontal, 2:1 vertical, and 2:1 both ways; plain
/// replication for every other integral ratio and for planes at most 2 samples wide.
/// </summary>
/// <remarks>
/// Edges: beyond the first and last valid sample (the component's "downsampled" size,
/// ceil(image size × factor / max factor)) the nearest valid sample is used, matching the
/// context rows libjpeg-turbo's main controller supplies and the special first/last columns of
/// its upsamplers.
/// </remarks>
internal sealed class JpegUpsampler
{
    private readonly byte[] _src;
    private readonly int _stride, _dsW, _dsH, _fx, _fy, _width;
    private readonly Kind _kind;
    private readonly byte[]? _row;
    private readonly ushort[]? _sums;

    /// <summary>
    /// An upsampler giving rows of <paramref name="width"/> samples from a component plane of
    /// <paramref name="dsW"/> × <paramref name="dsH"/> valid samples stored with row stride
    /// <paramref name="stride"/>.
    /// </summary>
    public JpegUpsampler(byte[] src, int stride, int dsW, int dsH, int h, int v, int maxH, int maxV, int width)
    {
        _src = src;
        _stride = stride;
        _dsW = dsW;
        _dsH = dsH;
        _width = width;
        _fx = maxH / h;
        _fy = maxV / v;
        if (h == maxH && v == maxV)
        {
            _kind = Kind.Copy;
        }
        else if (h * 2 == maxH && v == maxV && dsW > 2)
        {
            _kind = Kind.H2V1;
        }
        else if (h == maxH && v * 2 == maxV)
        {
            _kind = Kind.H1V2;
        }
        else if (h * 2 == maxH && v * 2 == maxV && dsW > 2)
        {
            _kind = Kind.H2V2;
            _sums = new ushort[dsW];
        }
        else
        {
            _kind = Kind.Replicate;
        }

        if (_kind != Kind.Copy)
        {
            _row = new byte[Math.Max(dsW * 2, width)];
        }
    }

    private enum Kind
    {
        Copy,
        H2V1,
        H1V2,
        H2V2,
        Replicate,
    }

    /// <summary>Output row <paramref name="y"/> (valid until the next call).</summary>
    public ReadOnlySpan<byte> Row(int y)
    {
        switch (_kind)
        {
            case Kind.Copy:
                return _src.AsSpan(y * _stride, _width);
            case Kind.H2V1:
                H2V1Fancy(_src.AsSpan(y * _stride, _dsW), _row!);
                break;
            case Kind.H1V2:
                H1V2Fancy(y);
                break;
            case Kind.H2V2:
                H2V2Fancy(y);
                break;
            default:
                Replicate(y);
                break;
        }

        return _row.AsSpan(0, _width);
    }

    /// <summary>
    /// Returns a width × height plane from a component plane of <paramref name="dsW"/> ×
    /// <paramref name="dsH"/> valid samples stored with row stride <paramref name="stride"/>.
    /// </summary>
    public static byte[] Upsample(byte[] src, int stride, int dsW, int dsH, int h, int v, int maxH, int maxV, int width, int height)
    {
        var dst = new byte[checked(width * height)];
        var up = new JpegUpsampler(src, stride, dsW, dsH, h, v, maxH, maxV, width);
        for (int y = 0; y < height; y++)
        {
            up.Row(y).CopyTo(dst.AsSpan(y * width, width));
        }

        return dst;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Replicate(int y)
    {
        int s = (y / _fy) * _stride;
        int fx = _fx;
        byte[] src = _src;
        Span<byte> row = _row.AsSpan(0, _width);
        for (int x = 0; x < row.Length; x++)
        {
            row[x] = src[s + (x / fx)];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void H2V1Fancy(ReadOnlySpan<byte> input, byte[] rowArr)
    {
        // Each input sample gives two outputs: left = (3·cur + prev + 1) >> 2, right = (3·cur + next + 2) >> 2;
        // the outermost outputs copy the edge sample.
        int dsW = input.Length;
        Span<byte> row = rowArr.AsSpan(0, dsW * 2);
        row[0] = input[0];
        row[1] = (byte)(((input[0] * 3) + input[1] + 2) >> 2);
        int c = 1;
        if (Avx2.IsSupported)
        {
            // 16 samples at a time in 16-bit lanes; even | odd << 8 is the interleaved byte pair.
            ref byte in0 = ref MemoryMarshal.GetReference(input);
            ref byte out0 = ref MemoryMarshal.GetReference(row);
            Vector256<ushort> one = Vector256.Create((ushort)1), two = Vector256.Create((ushort)2);
            for (; c + 17 <= dsW; c += 16)
            {
                Vector256<ushort> prev = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref in0, (nuint)(c - 1))).AsUInt16();
                Vector256<ushort> curv = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref in0, (nuint)c)).AsUInt16();
                Vector256<ushort> next = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref in0, (nuint)(c + 1))).AsUInt16();
                Vector256<ushort> cur3 = curv * 3;
                Vector256<ushort> even = Vector256.ShiftRightLogical(cur3 + prev + one, 2);
                Vector256<ushort> odd = Vector256.ShiftRightLogical(cur3 + next + two, 2);
                (even | Vector256.ShiftLeft(odd, 8)).AsByte().StoreUnsafe(ref out0, (nuint)(2 * c));
            }
        }

        for (; c < dsW - 1; c++)
        {
            int cur = input[c] * 3;
            row[2 * c] = (byte)((cur + input[c - 1] + 1) >> 2);
            row[(2 * c) + 1] = (byte)((cur + input[c + 1] + 2) >> 2);
        }

        int last = dsW - 1;
        row[2 * last] = (byte)(((input[last] * 3) + input[last - 1] + 1) >> 2);
        row[(2 * last) + 1] = input[last];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void H1V2Fancy(int y)
    {
        // Output row 2i uses row i-1 as the further row (bias 1), row 2i+1 uses row i+1 (bias 2).
        int inRow = y >> 1;
        bool upper = (y & 1) == 0;
        int farRow = upper ? Math.Max(inRow - 1, 0) : Math.Min(inRow + 1, _dsH - 1);
        int bias = upper ? 1 : 2;
        int width = _width;
        ReadOnlySpan<byte> near = _src.AsSpan(inRow * _stride, width);
        ReadOnlySpan<byte> far = _src.AsSpan(farRow * _stride, width);
        Span<byte> output = _row.AsSpan(0, width);
        for (int x = 0; x < output.Length; x++)
        {
            output[x] = (byte)(((near[x] * 3) + far[x] + bias) >> 2);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void H2V2Fancy(int y)
    {
        // Vertical pass: colsum = 3·nearer row + further row; horizontal pass as in h2v1 on the
        // sums, with biases 8 (left output) and 7 (right output), >> 4.
        int dsW = _dsW;
        int inRow = y >> 1;
        int farRow = (y & 1) == 0 ? Math.Max(inRow - 1, 0) : Math.Min(inRow + 1, _dsH - 1);
        ReadOnlySpan<byte> near = _src.AsSpan(inRow * _stride, dsW);
        ReadOnlySpan<byte> far = _src.AsSpan(farRow * _stride, dsW);
        Span<ushort> sums = _sums.AsSpan(0, dsW);
        int c = 0;
        if (Avx2.IsSupported)
        {
            ref byte n0 = ref MemoryMarshal.GetReference(near);
            ref byte f0 = ref MemoryMarshal.GetReference(far);
            ref ushort s0 = ref MemoryMarshal.GetReference(sums);
            for (; c + 16 <= dsW; c += 16)
            {
                Vector256<ushort> nv = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref n0, (nuint)c)).AsUInt16();
                Vector256<ushort> fv = Avx2.ConvertToVector256Int16(Vector128.LoadUnsafe(ref f0, (nuint)c)).AsUInt16();
                ((nv * 3) + fv).StoreUnsafe(ref s0, (nuint)c);
            }
        }

        for (; c < sums.Length; c++)
        {
            sums[c] = (ushort)((near[c] * 3) + far[c]);
        }

        Span<byte> row = _row.AsSpan(0, dsW * 2);
        row[0] = (byte)(((sums[0] * 4) + 8) >> 4);
        row[1] = (byte)(((sums[0] * 3) + sums[1] + 7) >> 4);
        c = 1;
        if (Avx2.IsSupported)
        {
            // Sums are at most 1020, so every intermediate fits 16 bits.
            ref ushort s0 = ref MemoryMarshal.GetReference(sums);
            ref byte out0 = ref MemoryMarshal.GetReference(row);
            Vector256<ushort> seven = Vector256.Create((ushort)7), eight = Vector256.Create((ushort)8);
            for (; c + 17 <= dsW; c += 16)
            {
                Vector256<ushort> prev = Vector256.LoadUnsafe(ref s0, (nuint)(c - 1));
                Vector256<ushort> cur3 = Vector256.LoadUnsafe(ref s0, (nuint)c) * 3;
                Vector256<ushort> next = Vector256.LoadUnsafe(ref s0, (nuint)(c + 1));
                Vector256<ushort> even = Vector256.ShiftRightLogical(cur3 + prev + eight, 4);
                Vector256<ushort> odd = Vector256.ShiftRightLogical(cur3 + next + seven, 4);
                (even | Vector256.ShiftLeft(odd, 8)).AsByte().StoreUnsafe(ref out0, (nuint)(2 * c));
            }
        }

        for (; c < dsW - 1; c++)
        {
            int cur = sums[c] * 3;
            row[2 * c] = (byte)((cur + sums[c - 1] + 8) >> 4);
            row[(2 * c) + 1] = (byte)((cur + sums[c + 1] + 7) >> 4);
        }

        int last = dsW - 1;
        row[2 * last] = (byte)(((sums[last] * 3) + sums[last - 1] + 8) >> 4);
        row[(2 * last) + 1] = (byte)(((sums[last] * 4) + 7) >> 4);
    }
}
