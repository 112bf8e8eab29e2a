using System.Runtime.CompilerServices;
using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DlibModels.Imaging;

/// <summary>
/// dlib's <c>resize_image(in, out)</c> with bilinear interpolation, reproduced bit for bit as
/// dlib 19.24 computes it in an SSE2 build: four output columns at a time in single precision
/// (the source x position accumulated in float, the result truncated for RGB and rounded for
/// gray), and the last columns of each row through dlib's scalar path.
/// </summary>
public static class ImageResize
{
    /// <summary>Resizes <paramref name="src"/> to <paramref name="rows"/>×<paramref name="cols"/> like dlib's bilinear <c>resize_image</c> on <c>rgb_pixel</c> images.</summary>
    /// <param name="src">The source image.</param>
    /// <param name="rows">Output rows (≥ 0).</param>
    /// <param name="cols">Output columns (≥ 0).</param>
    public static RgbImage Bilinear(RgbImage src, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var dst = new RgbImage(rows, cols);
        ResizeRgb(src.Pixels, src.Rows, src.Cols, dst.Pixels, rows, cols);
        return dst;
    }

    /// <summary>Resizes <paramref name="src"/> to <paramref name="rows"/>×<paramref name="cols"/> like dlib's bilinear <c>resize_image</c> on <c>unsigned char</c> images.</summary>
    /// <param name="src">The source image.</param>
    /// <param name="rows">Output rows (≥ 0).</param>
    /// <param name="cols">Output columns (≥ 0).</param>
    public static GrayImage Bilinear(GrayImage src, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var dst = new GrayImage(rows, cols);
        ResizeGray(src.Pixels, src.Rows, src.Cols, dst.Pixels, rows, cols);
        return dst;
    }

    /// <summary>
    /// The column geometry of dlib's 4-wide float loop, identical for every row: for each output
    /// column before the scalar tail, the left source column and the float fraction. Returns the
    /// first column handled by the scalar tail.
    /// </summary>
    private static int SimdColumns(int inCols, int outCols, double xScale, Span<int> lefts, Span<float> fracs)
    {
        double x = -4 * xScale;
        float xScale4 = (float)(4 * xScale);
        float x0 = (float)x, x1 = (float)(x + xScale), x2 = (float)(x + (2 * xScale)), x3 = (float)(x + (3 * xScale));
        int c = 0;
        for (; ; c += 4)
        {
            x0 += xScale4;
            x1 += xScale4;
            x2 += xScale4;
            x3 += xScale4;
            int l3 = Trunc(x3);
            if (l3 + 1 >= inCols || c + 4 > outCols)
            {
                break;
            }

            int l0 = Trunc(x0), l1 = Trunc(x1), l2 = Trunc(x2);
            lefts[c] = l0;
            lefts[c + 1] = l1;
            lefts[c + 2] = l2;
            lefts[c + 3] = l3;
            fracs[c] = x0 - l0;
            fracs[c + 1] = x1 - l1;
            fracs[c + 2] = x2 - l2;
            fracs[c + 3] = x3 - l3;
        }

        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ResizeRgb(ReadOnlySpan<byte> inPix, int inRows, int inCols, Span<byte> outPix, int outRows, int outCols)
    {
        if ((long)outRows * outCols == 0 || (long)inRows * inCols == 0)
        {
            return;
        }

        double xScale = (inCols - 1) / (double)Math.Max(outCols - 1, 1);
        double yScale = (inRows - 1) / (double)Math.Max(outRows - 1, 1);
        int inStride = inCols * 3;
        int outStride = outCols * 3;
        int[] lefts = ArrayPool<int>.Shared.Rent(outCols + 8);
        float[] fracs = ArrayPool<float>.Shared.Rent(outCols + 8);
        try
        {
            int tail = SimdColumns(inCols, outCols, xScale, lefts, fracs);
            using ExpandedRows? rows = ExpandedRows.Create(3, lefts, fracs, tail);
            double y = -yScale;
            for (int r = 0; r < outRows; r++)
            {
                y += yScale;
                long top = (long)Math.Floor(y);
                long bottom = Math.Min(top + 1, inRows - 1);
                double tbFrac = y - top;
                ReadOnlySpan<byte> topRow = inPix.Slice((int)top * inStride, inStride);
                ReadOnlySpan<byte> botRow = inPix.Slice((int)bottom * inStride, inStride);
                Span<byte> outRow = outPix.Slice(r * outStride, outStride);

                float tbF = (float)tbFrac;
                float invTbF = (float)(1 - tbFrac);
                if (rows is not null)
                {
                    rows.Blend(inPix, inStride, (int)top, (int)bottom, tbF, invTbF, outRow, rounding: false);
                }
                else
                {
                    for (int c = 0; c < tail; c++)
                    {
                        float lr = fracs[c];
                        float invLr = 1f - lr;
                        float tlf = invTbF * invLr;
                        float trf = invTbF * lr;
                        float blf = tbF * invLr;
                        float brf = tbF * lr;
                        int li = lefts[c] * 3, o = c * 3;
                        ReadOnlySpan<byte> t = topRow.Slice(li, 6);
                        ReadOnlySpan<byte> b = botRow.Slice(li, 6);
                        outRow[o] = unchecked((byte)Trunc((tlf * t[0]) + (trf * t[3]) + (blf * b[0]) + (brf * b[3])));
                        outRow[o + 1] = unchecked((byte)Trunc((tlf * t[1]) + (trf * t[4]) + (blf * b[1]) + (brf * b[4])));
                        outRow[o + 2] = unchecked((byte)Trunc((tlf * t[2]) + (trf * t[5]) + (blf * b[2]) + (brf * b[5])));
                    }
                }

                double x = -xScale + (tail * xScale);
                for (int c = tail; c < outCols; c++)
                {
                    x += xScale;
                    long left = (long)Math.Floor(x);
                    long right = Math.Min(left + 1, inCols - 1);
                    double lrFrac = x - left;
                    int li = (int)left * 3, ri = (int)right * 3, o = c * 3;
                    for (int ch = 0; ch < 3; ch++)
                    {
                        double tl = topRow[li + ch], tr = topRow[ri + ch], bl = botRow[li + ch], br = botRow[ri + ch];
                        double v = ((1 - tbFrac) * (((1 - lrFrac) * tl) + (lrFrac * tr))) + (tbFrac * (((1 - lrFrac) * bl) + (lrFrac * br)));
                        outRow[o + ch] = unchecked((byte)(int)v);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(lefts);
            ArrayPool<float>.Shared.Return(fracs);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ResizeGray(ReadOnlySpan<byte> inPix, int inRows, int inCols, Span<byte> outPix, int outRows, int outCols)
    {
        if ((long)outRows * outCols == 0 || (long)inRows * inCols == 0)
        {
            return;
        }

        double xScale = (inCols - 1) / (double)Math.Max(outCols - 1, 1);
        double yScale = (inRows - 1) / (double)Math.Max(outRows - 1, 1);
        double y = -yScale;
        int[] lefts = ArrayPool<int>.Shared.Rent(outCols + 8);
        float[] fracs = ArrayPool<float>.Shared.Rent(outCols + 8);
        int tail = SimdColumns(inCols, outCols, xScale, lefts, fracs);
        using ExpandedRows? rows = ExpandedRows.Create(1, lefts, fracs, tail);
        for (int r = 0; r < outRows; r++)
        {
            y += yScale;
            long top = (long)Math.Floor(y);
            long bottom = Math.Min(top + 1, inRows - 1);
            double tbFrac = y - top;
            ReadOnlySpan<byte> topRow = inPix.Slice((int)top * inCols, inCols);
            ReadOnlySpan<byte> botRow = inPix.Slice((int)bottom * inCols, inCols);
            Span<byte> outRow = outPix.Slice(r * outCols, outCols);

            float tbF = (float)tbFrac;
            float invTbF = (float)(1 - tbFrac);
            int c = 0;
            if (rows is not null)
            {
                rows.Blend(inPix, inCols, (int)top, (int)bottom, tbF, invTbF, outRow, rounding: true);
                c = tail;
            }

            for (; c < tail; c++)
            {
                int left = lefts[c];
                float lr = fracs[c];
                float invLr = 1f - lr;
                float tlf = invTbF * invLr;
                float trf = invTbF * lr;
                float blf = tbF * invLr;
                float brf = tbF * lr;
                float v = (tlf * topRow[left]) + (trf * topRow[left + 1]) + (blf * botRow[left]) + (brf * botRow[left + 1]);
                outRow[c] = unchecked((byte)(int)(v + 0.5));
            }

            double x = -xScale + (c * xScale);
            for (; c < outCols; c++)
            {
                x += xScale;
                long left = (long)Math.Floor(x);
                long right = Math.Min(left + 1, inCols - 1);
                float lrFrac = (float)(x - left);
                float tl = topRow[(int)left], tr = topRow[(int)right], bl = botRow[(int)left], br = botRow[(int)right];
                float upper = ((1 - lrFrac) * tl) + (lrFrac * tr);
                float lower = ((1 - lrFrac) * bl) + (lrFrac * br);
                float temp = (float)(((1 - tbFrac) * upper) + (tbFrac * lower));
                outRow[c] = ClampToByte(temp);
            }
        }

        ArrayPool<int>.Shared.Return(lefts);
        ArrayPool<float>.Shared.Return(fracs);
    }

    /// <summary>dlib's assign_pixel from float to unsigned char: clamp to [0,255], then truncate.</summary>
    private static byte ClampToByte(float v)
    {
        if (v <= 255f)
        {
            return v >= 0f ? (byte)(int)v : (byte)0;
        }

        return 255;
    }

    /// <summary>_mm_cvttps_epi32 for one lane (values out of range become int.MinValue).</summary>
    private static int Trunc(float v)
    {
        if (!(v > -2147483648f && v < 2147483648f))
        {
            return int.MinValue;
        }

        return (int)v;
    }
}

/// <summary>
/// Vectorised form of dlib's 4-wide float loop in <c>resize_image</c>: each source row used is
/// first gathered at the left and right source columns of every output column (as float), then
/// output columns are blended 8 at a time with exactly dlib's per-lane arithmetic.
/// </summary>
internal sealed class ExpandedRows : IDisposable
{
    /// <summary>pshufb masks: output vector j, byte q = channel (16j+q)%3 of pixel (16j+q)/3; index 3j+k for channel k.</summary>
    private static readonly Vector128<byte>[] InterleaveMasks = BuildInterleaveMasks();

    private readonly int _channels;
    private readonly int[] _lefts;
    private readonly float[] _fracs;
    private readonly int _tail;
    private readonly float[] _a;
    private readonly float[] _b;
    private readonly int[] _tmp;
    private int _rowA = -1;
    private int _rowB = -1;

    private ExpandedRows(int channels, int[] lefts, float[] fracs, int tail)
    {
        _channels = channels;
        _lefts = lefts;
        _fracs = fracs;
        _tail = tail;
        _a = ArrayPool<float>.Shared.Rent(Math.Max(1, 2 * channels * tail));
        _b = ArrayPool<float>.Shared.Rent(Math.Max(1, 2 * channels * tail));
        _tmp = ArrayPool<int>.Shared.Rent(Math.Max(1, channels * tail));
    }

    /// <summary>Null when 256-bit vectors are not accelerated (callers then use the scalar loop).</summary>
    public static ExpandedRows? Create(int channels, int[] lefts, float[] fracs, int tail) =>
        Vector256.IsHardwareAccelerated ? new ExpandedRows(channels, lefts, fracs, tail) : null;

    public void Dispose()
    {
        ArrayPool<float>.Shared.Return(_a);
        ArrayPool<float>.Shared.Return(_b);
        ArrayPool<int>.Shared.Return(_tmp);
    }

    private float[] Row(ReadOnlySpan<byte> pix, int stride, int row, bool preferA)
    {
        if (row == _rowA)
        {
            return _a;
        }

        if (row == _rowB)
        {
            return _b;
        }

        float[] dst;
        if (preferA)
        {
            dst = _a;
            _rowA = row;
        }
        else
        {
            dst = _b;
            _rowB = row;
        }

        ReadOnlySpan<byte> src = pix.Slice(row * stride, stride);
        int ch = _channels;
        int tail = _tail;
        int c0 = 0;
        if (Avx2.IsSupported && (ch == 3 || ch == 1))
        {
            c0 = GatherRow(pix, row * stride, src.Length, dst);
        }

        for (int k = 0; k < ch; k++)
        {
            Span<float> l = dst.AsSpan(2 * k * tail, tail);
            Span<float> r = dst.AsSpan(((2 * k) + 1) * tail, tail);
            for (int c = c0; c < tail; c++)
            {
                int i = (_lefts[c] * ch) + k;
                l[c] = src[i];
                r[c] = src[i + ch];
            }
        }

        return dst;
    }

    /// <summary>
    /// The left/right samples of output columns [0, returned) of one source row, 8 columns at a
    /// time with dword gathers (each dword holds the bytes wanted in its low bytes; the rest is
    /// masked off). Stops before any gather would read past the end of the source row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe int GatherRow(ReadOnlySpan<byte> pix, int rowStart, int rowLen, float[] dst)
    {
        int ch = _channels;
        int tail = _tail;
        int[] lefts = _lefts;
        int c = 0;
        Vector256<int> mask = Vector256.Create(0xFF);
        fixed (byte* p0 = pix)
        fixed (float* d0 = dst)
        {
            byte* row = p0 + rowStart;
            if (ch == 3)
            {
                // Dword at 3·left: R G B of the left pixel; dword at 3·left + 3: R G B of the right one.
                float* lR = d0, rR = d0 + tail, lG = d0 + (2 * tail), rG = d0 + (3 * tail), lB = d0 + (4 * tail), rB = d0 + (5 * tail);
                for (; c + 8 <= tail && (lefts[c + 7] * 3) + 7 <= rowLen; c += 8)
                {
                    Vector256<int> idx = Vector256.Create(lefts.AsSpan(c, 8)) * 3;
                    Vector256<int> a = Avx2.GatherVector256((int*)row, idx, 1);
                    Vector256<int> b = Avx2.GatherVector256((int*)(row + 3), idx, 1);
                    Vector256.ConvertToSingle(a & mask).Store(lR + c);
                    Vector256.ConvertToSingle(Vector256.ShiftRightLogical(a, 8) & mask).Store(lG + c);
                    Vector256.ConvertToSingle(Vector256.ShiftRightLogical(a, 16) & mask).Store(lB + c);
                    Vector256.ConvertToSingle(b & mask).Store(rR + c);
                    Vector256.ConvertToSingle(Vector256.ShiftRightLogical(b, 8) & mask).Store(rG + c);
                    Vector256.ConvertToSingle(Vector256.ShiftRightLogical(b, 16) & mask).Store(rB + c);
                }
            }
            else
            {
                float* l = d0, r = d0 + tail;
                for (; c + 8 <= tail && lefts[c + 7] + 4 <= rowLen; c += 8)
                {
                    Vector256<int> a = Avx2.GatherVector256((int*)row, Vector256.Create(lefts.AsSpan(c, 8)), 1);
                    Vector256.ConvertToSingle(a & mask).Store(l + c);
                    Vector256.ConvertToSingle(Vector256.ShiftRightLogical(a, 8) & mask).Store(r + c);
                }
            }
        }

        return c;
    }

    private static Vector128<byte>[] BuildInterleaveMasks()
    {
        var masks = new Vector128<byte>[9];
        Span<byte> mk = stackalloc byte[16];
        for (int j = 0; j < 3; j++)
        {
            for (int k = 0; k < 3; k++)
            {
                for (int q = 0; q < 16; q++)
                {
                    int b = (16 * j) + q;
                    mk[q] = b % 3 == k ? (byte)(b / 3) : (byte)0x80;
                }

                masks[(3 * j) + k] = Vector128.Create<byte>(mk);
            }
        }

        return masks;
    }

    /// <summary>Writes output columns [0, tail) of one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Blend(ReadOnlySpan<byte> pix, int stride, int top, int bottom, float tb, float invTb, Span<byte> outRow, bool rounding)
    {
        // Keep the top row in one buffer and the bottom row in the other, reusing what is cached.
        float[] t, b;
        if (top == _rowB && bottom != _rowB)
        {
            t = _b;
            b = Row(pix, stride, bottom, preferA: true);
        }
        else
        {
            t = Row(pix, stride, top, preferA: true);
            b = top == bottom ? t : Row(pix, stride, bottom, preferA: false);
        }

        int ch = _channels;
        int tail = _tail;
        Vector256<float> vTb = Vector256.Create(tb), vInvTb = Vector256.Create(invTb);
        for (int k = 0; k < ch; k++)
        {
            ReadOnlySpan<float> tl = t.AsSpan(2 * k * tail, tail), tr = t.AsSpan(((2 * k) + 1) * tail, tail);
            ReadOnlySpan<float> bl = b.AsSpan(2 * k * tail, tail), br = b.AsSpan(((2 * k) + 1) * tail, tail);
            Span<int> res = _tmp.AsSpan(k * tail, tail);
            int c = 0;
            for (; c + 8 <= tail; c += 8)
            {
                Vector256<float> lr = Vector256.Create(_fracs.AsSpan(c, 8));
                Vector256<float> inv = Vector256.Create(1f) - lr;
                Vector256<float> v = ((vInvTb * inv) * Vector256.Create(tl.Slice(c, 8))) + ((vInvTb * lr) * Vector256.Create(tr.Slice(c, 8)));
                v += (vTb * inv) * Vector256.Create(bl.Slice(c, 8));
                v += (vTb * lr) * Vector256.Create(br.Slice(c, 8));
                Vector256<int> iv = Vector256.ConvertToInt32(v);
                if (rounding)
                {
                    Vector256<float> frac = v - Vector256.ConvertToSingle(iv);
                    iv -= Vector256.GreaterThanOrEqual(frac, Vector256.Create(0.5f)).AsInt32();
                }

                iv.CopyTo(res.Slice(c, 8));
            }

            for (; c < tail; c++)
            {
                float lr = _fracs[c];
                float inv = 1f - lr;
                float v = (invTb * inv * tl[c]) + (invTb * lr * tr[c]);
                v += tb * inv * bl[c];
                v += tb * lr * br[c];
                res[c] = rounding ? (int)(v + 0.5) : (int)v;
            }
        }

        if (ch == 1)
        {
            ReadOnlySpan<int> res = _tmp.AsSpan(0, tail);
            int c0 = 0;
            if (Avx512F.IsSupported)
            {
                Span<byte> outPix = outRow[..tail];
                ref byte ob = ref MemoryMarshal.GetReference(outPix);
                ref int i0 = ref MemoryMarshal.GetReference(res);
                for (; c0 + 16 <= tail; c0 += 16)
                {
                    Avx512F.ConvertToVector128Byte(Vector512.LoadUnsafe(ref i0, (nuint)c0)).StoreUnsafe(ref ob, (nuint)c0);
                }
            }

            for (int c = c0; c < tail; c++)
            {
                outRow[c] = unchecked((byte)res[c]);
            }
        }
        else
        {
            ReadOnlySpan<int> r0 = _tmp.AsSpan(0, tail), r1 = _tmp.AsSpan(tail, tail), r2 = _tmp.AsSpan(2 * tail, tail);
            int c0 = 0;
            if (Avx512BW.IsSupported)
            {
                // Truncating int -> byte narrowing (the (byte) cast) and a pshufb interleave, 16 pixels at a time.
                Span<byte> outPix = outRow[..(3 * tail)];
                ref byte ob = ref MemoryMarshal.GetReference(outPix);
                ref int i0 = ref MemoryMarshal.GetReference(r0), i1 = ref MemoryMarshal.GetReference(r1), i2 = ref MemoryMarshal.GetReference(r2);
                Vector128<byte>[] m = InterleaveMasks;
                for (; c0 + 16 <= tail; c0 += 16)
                {
                    Vector128<byte> rb = Avx512F.ConvertToVector128Byte(Vector512.LoadUnsafe(ref i0, (nuint)c0));
                    Vector128<byte> gb = Avx512F.ConvertToVector128Byte(Vector512.LoadUnsafe(ref i1, (nuint)c0));
                    Vector128<byte> bb = Avx512F.ConvertToVector128Byte(Vector512.LoadUnsafe(ref i2, (nuint)c0));
                    ref byte o = ref Unsafe.Add(ref ob, 3 * c0);
                    (Ssse3.Shuffle(rb, m[0]) | Ssse3.Shuffle(gb, m[1]) | Ssse3.Shuffle(bb, m[2])).StoreUnsafe(ref o);
                    (Ssse3.Shuffle(rb, m[3]) | Ssse3.Shuffle(gb, m[4]) | Ssse3.Shuffle(bb, m[5])).StoreUnsafe(ref o, 16);
                    (Ssse3.Shuffle(rb, m[6]) | Ssse3.Shuffle(gb, m[7]) | Ssse3.Shuffle(bb, m[8])).StoreUnsafe(ref o, 32);
                }
            }

            for (int c = c0, o = c0 * 3; c < tail; c++, o += 3)
            {
                outRow[o] = unchecked((byte)r0[c]);
                outRow[o + 1] = unchecked((byte)r1[c]);
                outRow[o + 2] = unchecked((byte)r2[c]);
            }
        }
    }
}
