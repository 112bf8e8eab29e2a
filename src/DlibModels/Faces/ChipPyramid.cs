using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DlibModels.Imaging;

namespace DlibModels.Faces;

/// <summary>dlib's <c>pyramid_down&lt;2&gt;</c> (5×5 binomial filter, then every other row and column) for chips.</summary>
internal static class ChipPyramid
{
    public static DRectangle RectDown(DRectangle r)
    {
        (double l, double t) = Imaging.PyramidDown2.PointDown(r.Left, r.Top);
        (double rr, double b) = Imaging.PyramidDown2.PointDown(r.Right, r.Bottom);
        return new DRectangle(l, t, l, t).Union(new DRectangle(rr, b, rr, b));
    }

    /// <summary>The RGB overload of <c>pyramid_down_2_1::operator()</c>; images of 8 rows or columns or fewer give an empty image.</summary>
    public static RgbImage Down(RgbImage src) => Down(src.Pixels, 0, src.Cols * 3, src.Rows, src.Cols);

    /// <summary>
    /// <see cref="Down(RgbImage)"/> over the <paramref name="nr"/>×<paramref name="nc"/> view of an RGB
    /// buffer that starts at byte <paramref name="offset"/> with rows <paramref name="stride"/> bytes apart.
    /// dlib filters the rows, then the columns; the sums are exact integers (at most 16·16·255, so
    /// dlib's uint16 never wraps), so filtering the five source rows of each output row first and
    /// then along the row gives dlib's result exactly, with vector arithmetic and no temp image.
    /// </summary>
    public static RgbImage Down(byte[] src, int offset, int stride, int nr, int nc)
    {
        (int rows, int cols) = DownSize(nr, nc);
        var down = new RgbImage(rows, cols);
        DownInto(src, offset, stride, nr, nc, down.Pixels);
        return down;
    }

    /// <summary>The size of the image <see cref="DownInto"/> writes for an <paramref name="nr"/>×<paramref name="nc"/> input.</summary>
    public static (int Rows, int Cols) DownSize(int nr, int nc) => nr <= 8 || nc <= 8 ? (0, 0) : ((nr - 3) / 2, (nc - 3) / 2);

    /// <summary><see cref="Down(byte[], int, int, int, int)"/> into the first <see cref="DownSize"/> pixels of <paramref name="dst"/>.</summary>
    public static void DownInto(byte[] src, int offset, int stride, int nr, int nc, byte[] dst)
    {
        (int rows, int cols) = DownSize(nr, nc);
        if (rows > 0)
        {
            DownWindow(src, offset, stride, nr, nc, dst, new Rectangle(0, 0, cols - 1, rows - 1));
        }
    }

    /// <summary>
    /// The pixels inside <paramref name="window"/> (output coordinates, inside the <see cref="DownSize"/>
    /// image) of <see cref="DownInto"/>, written where <see cref="DownInto"/> writes them; the rest of
    /// <paramref name="dst"/> is left alone. Output pixel (r, c) is the 5×5 filter over input rows
    /// 2r .. 2r + 4 and columns 2c .. 2c + 4, so only those are read and a window equals the same part
    /// of the whole image.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DownWindow(byte[] src, int offset, int stride, int nr, int nc, byte[] dst, Rectangle window)
    {
        (int rows, int cols) = DownSize(nr, nc);
        if (window.IsEmpty || window.Left < 0 || window.Top < 0 || window.Right >= cols || window.Bottom >= rows)
        {
            throw new ArgumentOutOfRangeException(nameof(window), $"{window} is empty or not inside the {cols}x{rows} image");
        }

        if ((long)offset + ((long)(nr - 1) * stride) + ((long)nc * 3) > src.Length || (long)rows * cols * 3 > dst.Length)
        {
            throw new ArgumentException("the source view or the destination is larger than its buffer");
        }

        int c0 = (int)window.Left;
        int tc = (int)window.Width;
        int rowLen = cols * 3;
        int inLen = ((2 * tc) + 3) * 3;
        ushort[] vbuf = ArrayPool<ushort>.Shared.Rent(inLen);
        byte[] fbuf = ArrayPool<byte>.Shared.Rent(6 * tc);
        try
        {
            ref byte sp0 = ref MemoryMarshal.GetArrayDataReference(src);
            ref ushort v0 = ref MemoryMarshal.GetArrayDataReference(vbuf);
            ref byte f0 = ref MemoryMarshal.GetArrayDataReference(fbuf);
            ref byte dp0 = ref MemoryMarshal.GetArrayDataReference(dst);
            for (int dr = (int)window.Top; dr <= window.Bottom; dr++)
            {
                ref byte a = ref Unsafe.Add(ref sp0, offset + (2 * dr * stride) + (6 * c0));
                VerticalSums(ref a, stride, ref v0, inLen);
                HorizontalSums(ref v0, inLen, ref f0, (6 * tc) - 3);
                EveryOtherPixel(ref f0, fbuf.Length, ref Unsafe.Add(ref dp0, (dr * rowLen) + (3 * c0)), tc);
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(vbuf);
            ArrayPool<byte>.Shared.Return(fbuf);
        }
    }

    // Every other pixel: output pixel c (of tc) is the filtered value centred on input pixel 2c + 2,
    // f[6c .. 6c + 2]; f holds fLen readable bytes (at least 6·tc − 3).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EveryOtherPixel(ref byte f, int fLen, ref byte d, int tc)
    {
        int c = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // 4 pixels a step: two 16-byte loads 12 bytes apart, each giving 2 pixels, one 16-byte store (12 bytes used).
            Vector128<byte> lo = Vector128.Create((byte)0, 1, 2, 6, 7, 8, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255);
            Vector128<byte> hi = Vector128.Create((byte)255, 255, 255, 255, 255, 255, 0, 1, 2, 6, 7, 8, 255, 255, 255, 255);
            for (; (6 * c) + 28 <= fLen && (3 * c) + 16 <= 3 * tc; c += 4)
            {
                Vector128<byte> a = Vector128.LoadUnsafe(ref f, (nuint)(6 * c));
                Vector128<byte> b = Vector128.LoadUnsafe(ref f, (nuint)((6 * c) + 12));
                (Vector128.ShuffleNative(a, lo) | Vector128.ShuffleNative(b, hi)).StoreUnsafe(ref d, (nuint)(3 * c));
            }
        }

        for (; c < tc; c++)
        {
            ref byte src = ref Unsafe.Add(ref f, 6 * c);
            ref byte o = ref Unsafe.Add(ref d, 3 * c);
            o = src;
            Unsafe.Add(ref o, 1) = Unsafe.Add(ref src, 1);
            Unsafe.Add(ref o, 2) = Unsafe.Add(ref src, 2);
        }
    }

    // v[j] = s0[j] + 4 s1[j] + 6 s2[j] + 4 s3[j] + s4[j] over five rows (at most 16·255).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void VerticalSums(ref byte s, int stride, ref ushort v, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - 64; i += 64)
            {
                (Vector512<ushort> a0, Vector512<ushort> a1) = Vector512.Widen(Vector512.LoadUnsafe(ref s, (nuint)i));
                (Vector512<ushort> b0, Vector512<ushort> b1) = Vector512.Widen(Vector512.LoadUnsafe(ref Unsafe.Add(ref s, stride), (nuint)i));
                (Vector512<ushort> m0, Vector512<ushort> m1) = Vector512.Widen(Vector512.LoadUnsafe(ref Unsafe.Add(ref s, 2 * stride), (nuint)i));
                (Vector512<ushort> d0, Vector512<ushort> d1) = Vector512.Widen(Vector512.LoadUnsafe(ref Unsafe.Add(ref s, 3 * stride), (nuint)i));
                (Vector512<ushort> e0, Vector512<ushort> e1) = Vector512.Widen(Vector512.LoadUnsafe(ref Unsafe.Add(ref s, 4 * stride), (nuint)i));
                Five(a0, b0, m0, d0, e0).StoreUnsafe(ref v, (nuint)i);
                Five(a1, b1, m1, d1, e1).StoreUnsafe(ref v, (nuint)(i + 32));
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 32; i += 32)
            {
                (Vector256<ushort> a0, Vector256<ushort> a1) = Vector256.Widen(Vector256.LoadUnsafe(ref s, (nuint)i));
                (Vector256<ushort> b0, Vector256<ushort> b1) = Vector256.Widen(Vector256.LoadUnsafe(ref Unsafe.Add(ref s, stride), (nuint)i));
                (Vector256<ushort> m0, Vector256<ushort> m1) = Vector256.Widen(Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 2 * stride), (nuint)i));
                (Vector256<ushort> d0, Vector256<ushort> d1) = Vector256.Widen(Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 3 * stride), (nuint)i));
                (Vector256<ushort> e0, Vector256<ushort> e1) = Vector256.Widen(Vector256.LoadUnsafe(ref Unsafe.Add(ref s, 4 * stride), (nuint)i));
                Five(a0, b0, m0, d0, e0).StoreUnsafe(ref v, (nuint)i);
                Five(a1, b1, m1, d1, e1).StoreUnsafe(ref v, (nuint)(i + 16));
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref v, i) = (ushort)(Unsafe.Add(ref s, i) + (4 * Unsafe.Add(ref s, stride + i)) + (6 * Unsafe.Add(ref s, (2 * stride) + i))
                + (4 * Unsafe.Add(ref s, (3 * stride) + i)) + Unsafe.Add(ref s, (4 * stride) + i));
        }
    }

    // f[j] = (v[j] + 4 v[j+3] + 6 v[j+6] + 4 v[j+9] + v[j+12]) / 256 for j < count (sums at most 65280).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HorizontalSums(ref ushort v, int n, ref byte f, int count)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= count - 64 && j + 64 + 12 <= n; j += 64)
            {
                Vector512<ushort> lo = Five512(ref v, j);
                Vector512<ushort> hi = Five512(ref v, j + 32);
                Vector512.Narrow(lo >>> 8, hi >>> 8).StoreUnsafe(ref f, (nuint)j);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= count - 32 && j + 32 + 12 <= n; j += 32)
            {
                Vector256<ushort> lo = Five(ref v, j);
                Vector256<ushort> hi = Five(ref v, j + 16);
                Vector256.Narrow(lo >>> 8, hi >>> 8).StoreUnsafe(ref f, (nuint)j);
            }
        }

        for (; j < count; j++)
        {
            int sum = (ushort)(Unsafe.Add(ref v, j) + (4 * Unsafe.Add(ref v, j + 3)) + (6 * Unsafe.Add(ref v, j + 6)) + (4 * Unsafe.Add(ref v, j + 9)) + Unsafe.Add(ref v, j + 12));
            Unsafe.Add(ref f, j) = (byte)(sum / 256);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> Five(ref ushort v, int j)
    {
        nuint u = (nuint)j;
        return Five(Vector256.LoadUnsafe(ref v, u), Vector256.LoadUnsafe(ref v, u + 3), Vector256.LoadUnsafe(ref v, u + 6), Vector256.LoadUnsafe(ref v, u + 9), Vector256.LoadUnsafe(ref v, u + 12));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> Five512(ref ushort v, int j)
    {
        nuint u = (nuint)j;
        return Five(Vector512.LoadUnsafe(ref v, u), Vector512.LoadUnsafe(ref v, u + 3), Vector512.LoadUnsafe(ref v, u + 6), Vector512.LoadUnsafe(ref v, u + 9), Vector512.LoadUnsafe(ref v, u + 12));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> Five(Vector512<ushort> a, Vector512<ushort> b, Vector512<ushort> m, Vector512<ushort> d, Vector512<ushort> e)
        => a + e + ((b + d) << 2) + (m << 2) + (m << 1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> Five(Vector256<ushort> a, Vector256<ushort> b, Vector256<ushort> m, Vector256<ushort> d, Vector256<ushort> e)
        => a + e + ((b + d) << 2) + (m << 2) + (m << 1);
}
