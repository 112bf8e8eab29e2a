using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using DlibModels.Imaging;

namespace DlibModels.Faces;

/// <summary>dlib's <c>pyramid_down&lt;2&gt;</c> (5×5 binomial filter, then every other row and column) for chips.</summary>
internal static class PyramidDown2
{
    public static (double X, double Y) PointDown(double x, double y) => ((x / 2.0) - 1.25, (y / 2.0) - 0.75);

    public static DRectangle RectDown(DRectangle r)
    {
        (double l, double t) = PointDown(r.Left, r.Top);
        (double rr, double b) = PointDown(r.Right, r.Bottom);
        return new DRectangle(l, t, l, t).Union(new DRectangle(rr, b, rr, b));
    }

    /// <summary>The RGB overload of <c>pyramid_down_2_1::operator()</c>; images of 8 rows or columns or fewer give an empty image.</summary>
    public static RgbImage Down(RgbImage src) => Down(src.Pixels, 0, src.Cols * 3, src.Rows, src.Cols);

    /// <summary>
    /// <see cref="Down(RgbImage)"/> over the <paramref name="nr"/>×<paramref name="nc"/> view of an RGB
    /// buffer that starts at byte <paramref name="offset"/> with rows <paramref name="stride"/> bytes apart.
    /// The horizontal pass keeps only the five rows the vertical pass needs (integer sums, so the
    /// result is dlib's exactly).
    /// </summary>
    public static RgbImage Down(byte[] src, int offset, int stride, int nr, int nc)
    {
        if (nr <= 8 || nc <= 8)
        {
            return new RgbImage(0, 0);
        }

        int tc = (nc - 3) / 2;
        int rowLen = tc * 3;
        var down = new RgbImage((nr - 3) / 2, tc);
        ushort[] ring = ArrayPool<ushort>.Shared.Rent(rowLen * 5);
        try
        {
            ref byte sp0 = ref MemoryMarshal.GetArrayDataReference(src);
            ref ushort t0 = ref MemoryMarshal.GetArrayDataReference(ring);
            ref byte dp0 = ref MemoryMarshal.GetArrayDataReference(down.Pixels);
            HorizontalRow(ref Unsafe.Add(ref sp0, offset), ref t0, tc);
            HorizontalRow(ref Unsafe.Add(ref sp0, offset + stride), ref Unsafe.Add(ref t0, rowLen), tc);
            HorizontalRow(ref Unsafe.Add(ref sp0, offset + (2 * stride)), ref Unsafe.Add(ref t0, 2 * rowLen), tc);
            int dr = 0;
            for (int r = 2; r < nr - 2; r += 2, dr++)
            {
                HorizontalRow(ref Unsafe.Add(ref sp0, offset + ((r + 1) * stride)), ref Unsafe.Add(ref t0, ((r + 1) % 5) * rowLen), tc);
                HorizontalRow(ref Unsafe.Add(ref sp0, offset + ((r + 2) * stride)), ref Unsafe.Add(ref t0, ((r + 2) % 5) * rowLen), tc);
                VerticalRow(
                    ref Unsafe.Add(ref t0, ((r - 2) % 5) * rowLen),
                    ref Unsafe.Add(ref t0, ((r - 1) % 5) * rowLen),
                    ref Unsafe.Add(ref t0, (r % 5) * rowLen),
                    ref Unsafe.Add(ref t0, ((r + 1) % 5) * rowLen),
                    ref Unsafe.Add(ref t0, ((r + 2) % 5) * rowLen),
                    ref Unsafe.Add(ref dp0, dr * rowLen),
                    rowLen);
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(ring);
        }

        return down;
    }

    // temp[c] = in[2c] + 4 in[2c+1] + 6 in[2c+2] + 4 in[2c+3] + in[2c+4], per channel (at most 16·255).
    private static void HorizontalRow(ref byte s, ref ushort t, int tc)
    {
        for (int c = 0; c < tc; c++)
        {
            ref byte o = ref Unsafe.Add(ref s, c * 6);
            ref ushort d = ref Unsafe.Add(ref t, c * 3);
            d = (ushort)(o + (4 * Unsafe.Add(ref o, 3)) + (6 * Unsafe.Add(ref o, 6)) + (4 * Unsafe.Add(ref o, 9)) + Unsafe.Add(ref o, 12));
            Unsafe.Add(ref d, 1) = (ushort)(Unsafe.Add(ref o, 1) + (4 * Unsafe.Add(ref o, 4)) + (6 * Unsafe.Add(ref o, 7)) + (4 * Unsafe.Add(ref o, 10)) + Unsafe.Add(ref o, 13));
            Unsafe.Add(ref d, 2) = (ushort)(Unsafe.Add(ref o, 2) + (4 * Unsafe.Add(ref o, 5)) + (6 * Unsafe.Add(ref o, 8)) + (4 * Unsafe.Add(ref o, 11)) + Unsafe.Add(ref o, 14));
        }
    }

    // down = uint16(a + 4b + 6m + 4d + e) / 256; the sum is at most 16·16·255 = 65280, so uint16 lanes hold it exactly.
    private static void VerticalRow(ref ushort a, ref ushort b, ref ushort m, ref ushort d, ref ushort e, ref byte dst, int n)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= n - 32; i += 32)
            {
                Vector256<ushort> lo = Sum(ref a, ref b, ref m, ref d, ref e, i);
                Vector256<ushort> hi = Sum(ref a, ref b, ref m, ref d, ref e, i + 16);
                Vector256.Narrow(lo >>> 8, hi >>> 8).StoreUnsafe(ref dst, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            int v = (ushort)(Unsafe.Add(ref a, i) + (Unsafe.Add(ref b, i) * 4) + (Unsafe.Add(ref m, i) * 6) + (Unsafe.Add(ref d, i) * 4) + Unsafe.Add(ref e, i));
            Unsafe.Add(ref dst, i) = (byte)(v / 256);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> Sum(ref ushort a, ref ushort b, ref ushort m, ref ushort d, ref ushort e, int i)
    {
        nuint u = (nuint)i;
        Vector256<ushort> va = Vector256.LoadUnsafe(ref a, u);
        Vector256<ushort> vb = Vector256.LoadUnsafe(ref b, u);
        Vector256<ushort> vm = Vector256.LoadUnsafe(ref m, u);
        Vector256<ushort> vd = Vector256.LoadUnsafe(ref d, u);
        Vector256<ushort> ve = Vector256.LoadUnsafe(ref e, u);
        return va + ve + ((vb + vd) << 2) + (vm << 2) + (vm << 1);
    }
}
