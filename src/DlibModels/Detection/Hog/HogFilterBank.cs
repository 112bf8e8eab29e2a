using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DlibModels.Detection.Hog;

/// <summary>One rank-1 term of a HOG plane filter: a horizontal and a vertical float filter.</summary>
internal sealed record SeparableFilter(float[] Row, float[] Col);

/// <summary>
/// dlib's <c>scan_fhog_pyramid::fhog_filterbank</c> for one weight vector: per plane the full
/// float filter and its separable decomposition (SVD, singular values below
/// max(1e-4, 0.001·σ_max) dropped, terms in decreasing σ order), and which of the two dlib uses.
/// </summary>
internal sealed class HogFilterBank
{
    private HogFilterBank(float[][] filters, SeparableFilter[][] separable, int height, int width)
    {
        Filters = filters;
        Separable = separable;
        Height = height;
        Width = width;
        int num = 0;
        foreach (SeparableFilter[] s in separable)
        {
            num += s.Length;
        }

        NumSeparableFilters = num;
        UseSeparable = !(num > filters.Length * Math.Min(height, width) / 3.0);
    }

    /// <summary>Full filters, one per plane, row-major Height×Width.</summary>
    public float[][] Filters { get; }

    /// <summary>Separable terms per plane.</summary>
    public SeparableFilter[][] Separable { get; }

    public int Height { get; }

    public int Width { get; }

    public int NumSeparableFilters { get; }

    /// <summary>True when dlib's <c>apply_filters_to_fhog</c> takes the separable branch.</summary>
    public bool UseSeparable { get; }

    public static HogFilterBank Build(ReadOnlySpan<double> weights, int numPlanes, int height, int width)
    {
        int size = height * width;
        var filters = new float[numPlanes][];
        var separable = new SeparableFilter[numPlanes][];
        var f = new double[height, width];
        for (int i = 0; i < numPlanes; i++)
        {
            var full = new float[size];
            for (int r = 0; r < height; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    double v = weights[(i * size) + (r * width) + c];
                    f[r, c] = v;
                    full[(r * width) + c] = (float)v;
                }
            }

            filters[i] = full;
            (double[,] u, double[] w, double[,] vt) = Svd.Decompose(f);
            double maxW = 0;
            foreach (double x in w)
            {
                maxW = Math.Max(maxW, x);
            }

            double thresh = Math.Max(1e-4, maxW * 0.001);
            var terms = new List<SeparableFilter>();
            for (int j = 0; j < w.Length; j++)
            {
                if (w[j] >= thresh || w[j] <= -thresh)
                {
                    double s = Math.Sqrt(w[j]);
                    var col = new float[height];
                    var row = new float[width];
                    for (int r = 0; r < height; r++)
                    {
                        col[r] = (float)(u[r, j] * s);
                    }

                    for (int c = 0; c < width; c++)
                    {
                        row[c] = (float)(vt[c, j] * s);
                    }

                    terms.Add(new SeparableFilter(row, col));
                }
            }

            separable[i] = terms.ToArray();
        }

        return new HogFilterBank(filters, separable, height, width);
    }
}

/// <summary>
/// dlib's <c>float_spatially_filter_image_separable</c> and <c>spatially_filter_image</c> on float
/// images, with the summation order of dlib's 8-wide SSE2 code for the bulk of each row and its
/// scalar code for the remaining columns.
/// </summary>
internal static class HogFiltering
{
    /// <summary>
    /// Filters <paramref name="input"/> (nr×nc) with a separable filter into <paramref name="output"/>,
    /// adding to it when <paramref name="addTo"/>. Returns the valid area (left, top, right, bottom).
    /// When not adding, the border of the output is zeroed. <paramref name="scratch"/> and
    /// <paramref name="output"/> have rows <paramref name="pitch"/> (≥ nc) floats apart: a pitch of
    /// whole cache lines, with the first filtered column on a line boundary, keeps the column
    /// pass's loads from straddling lines.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int Left, int Top, int Right, int Bottom) Separable(
        ReadOnlySpan<float> input, int nr, int nc, float[] rowFilter, float[] colFilter, Span<float> scratch, Span<float> output, bool addTo, int pitch)
    {
        int firstRow = colFilter.Length / 2;
        int firstCol = rowFilter.Length / 2;
        int lastRow = nr - ((colFilter.Length - 1) / 2);
        int lastCol = nc - ((rowFilter.Length - 1) / 2);
        if (!addTo)
        {
            output[..(((nr - 1) * pitch) + nc)].Clear();
        }

        int vecEnd = firstCol;
        while (vecEnd < lastCol - 7)
        {
            vecEnd += 8;
        }

        int rl = rowFilter.Length;
        int cl = colFilter.Length;

        // Row pass over every row.
        for (int r = 0; r < nr; r++)
        {
            ReadOnlySpan<float> inRow = input.Slice(r * nc, nc);
            Span<float> scRow = scratch.Slice(r * pitch, nc);
            int c = firstCol;
            if (Vector512.IsHardwareAccelerated && rl == 10)
            {
                // The face detector's 10-tap filters, unrolled with the taps held in registers.
                c = Row10(inRow, scRow, rowFilter, c, firstCol, vecEnd);
            }

            if (Vector512.IsHardwareAccelerated)
            {
                // Two of dlib's 8-wide blocks at a time; every lane does the same arithmetic.
                for (; c + 16 <= vecEnd; c += 16)
                {
                    ref float src = ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(inRow), c - firstCol);
                    Vector512<float> t1 = Vector512<float>.Zero, t2 = Vector512<float>.Zero, t3 = Vector512<float>.Zero;
                    int n = 0;
                    for (; n < rl - 2; n += 3)
                    {
                        t1 += Vector512.LoadUnsafe(ref src, (nuint)n) * Vector512.Create(rowFilter[n]);
                        t2 += Vector512.LoadUnsafe(ref src, (nuint)(n + 1)) * Vector512.Create(rowFilter[n + 1]);
                        t3 += Vector512.LoadUnsafe(ref src, (nuint)(n + 2)) * Vector512.Create(rowFilter[n + 2]);
                    }

                    for (; n < rl; n++)
                    {
                        t1 += Vector512.LoadUnsafe(ref src, (nuint)n) * Vector512.Create(rowFilter[n]);
                    }

                    t1 += t2 + t3;
                    t1.StoreUnsafe(ref scRow[c]);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; c < vecEnd; c += 8)
                {
                    ref float src = ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(inRow), c - firstCol);
                    Vector256<float> t1 = Vector256<float>.Zero, t2 = Vector256<float>.Zero, t3 = Vector256<float>.Zero;
                    int n = 0;
                    for (; n < rl - 2; n += 3)
                    {
                        t1 += Vector256.LoadUnsafe(ref src, (nuint)n) * Vector256.Create(rowFilter[n]);
                        t2 += Vector256.LoadUnsafe(ref src, (nuint)(n + 1)) * Vector256.Create(rowFilter[n + 1]);
                        t3 += Vector256.LoadUnsafe(ref src, (nuint)(n + 2)) * Vector256.Create(rowFilter[n + 2]);
                    }

                    for (; n < rl; n++)
                    {
                        t1 += Vector256.LoadUnsafe(ref src, (nuint)n) * Vector256.Create(rowFilter[n]);
                    }

                    t1 += t2 + t3;
                    t1.StoreUnsafe(ref scRow[c]);
                }
            }
            else
            {
                for (; c < vecEnd; c++)
                {
                    scRow[c] = LaneSum(inRow, c - firstCol, 1, rowFilter);
                }
            }

            if (Vector256.IsHardwareAccelerated && c < lastCol && (r * nc) + c - firstCol + rl - 1 + 8 <= input.Length)
            {
                // dlib's scalar columns, one per lane: each lane is the same single running sum.
                ref float ip = ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(input), (r * nc) + c - firstCol);
                Vector256<float> t = Vector256<float>.Zero;
                for (int n = 0; n < rl; n++)
                {
                    t += Vector256.LoadUnsafe(ref ip, (nuint)n) * Vector256.Create(rowFilter[n]);
                }

                for (int j = 0; c < lastCol; c++, j++)
                {
                    scRow[c] = t.GetElement(j);
                }
            }

            for (; c < lastCol; c++)
            {
                float temp = 0;
                for (int n = 0; n < rl; n++)
                {
                    temp += inRow[c - firstCol + n] * rowFilter[n];
                }

                scRow[c] = temp;
            }
        }

        // Column pass.
        for (int r = firstRow; r < lastRow; r++)
        {
            Span<float> outRow = output.Slice(r * pitch, nc);
            int baseRow = r - firstRow;
            int c = firstCol;
            if (Vector512.IsHardwareAccelerated && cl == 10)
            {
                c = Col10(scratch, baseRow * pitch, pitch, outRow, colFilter, c, vecEnd, addTo);
            }

            if (Vector512.IsHardwareAccelerated)
            {
                ref float sc0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(scratch);
                for (; c + 16 <= vecEnd; c += 16)
                {
                    Vector512<float> t1 = Vector512<float>.Zero, t2 = Vector512<float>.Zero, t3 = Vector512<float>.Zero;
                    int m = 0;
                    for (; m < cl - 2; m += 3)
                    {
                        t1 += Vector512.LoadUnsafe(ref sc0, (nuint)(((baseRow + m) * pitch) + c)) * Vector512.Create(colFilter[m]);
                        t2 += Vector512.LoadUnsafe(ref sc0, (nuint)(((baseRow + m + 1) * pitch) + c)) * Vector512.Create(colFilter[m + 1]);
                        t3 += Vector512.LoadUnsafe(ref sc0, (nuint)(((baseRow + m + 2) * pitch) + c)) * Vector512.Create(colFilter[m + 2]);
                    }

                    for (; m < cl; m++)
                    {
                        t1 += Vector512.LoadUnsafe(ref sc0, (nuint)(((baseRow + m) * pitch) + c)) * Vector512.Create(colFilter[m]);
                    }

                    t1 += t2 + t3;
                    if (addTo)
                    {
                        t1 += Vector512.Create<float>(outRow.Slice(c, 16));
                    }

                    t1.CopyTo(outRow.Slice(c, 16));
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; c < vecEnd; c += 8)
                {
                    Vector256<float> t1 = Vector256<float>.Zero, t2 = Vector256<float>.Zero, t3 = Vector256<float>.Zero;
                    int m = 0;
                    for (; m < cl - 2; m += 3)
                    {
                        t1 += Vector256.Create<float>(scratch.Slice(((baseRow + m) * pitch) + c, 8)) * Vector256.Create(colFilter[m]);
                        t2 += Vector256.Create<float>(scratch.Slice(((baseRow + m + 1) * pitch) + c, 8)) * Vector256.Create(colFilter[m + 1]);
                        t3 += Vector256.Create<float>(scratch.Slice(((baseRow + m + 2) * pitch) + c, 8)) * Vector256.Create(colFilter[m + 2]);
                    }

                    for (; m < cl; m++)
                    {
                        t1 += Vector256.Create<float>(scratch.Slice(((baseRow + m) * pitch) + c, 8)) * Vector256.Create(colFilter[m]);
                    }

                    t1 += t2 + t3;
                    if (addTo)
                    {
                        t1 += Vector256.Create<float>(outRow.Slice(c, 8));
                    }

                    t1.CopyTo(outRow.Slice(c, 8));
                }
            }
            else
            {
                for (; c < vecEnd; c++)
                {
                    float temp = LaneSum(scratch, (baseRow * pitch) + c, pitch, colFilter);
                    outRow[c] = addTo ? temp + outRow[c] : temp;
                }
            }

            if (Vector256.IsHardwareAccelerated && c < lastCol && ((baseRow + cl - 1) * pitch) + c + 8 <= scratch.Length)
            {
                ref float sp = ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(scratch), (baseRow * pitch) + c);
                Vector256<float> t = Vector256<float>.Zero;
                for (int m = 0; m < cl; m++)
                {
                    t += Vector256.LoadUnsafe(ref sp, (nuint)(m * pitch)) * Vector256.Create(colFilter[m]);
                }

                for (int j = 0; c < lastCol; c++, j++)
                {
                    float temp = t.GetElement(j);
                    outRow[c] = addTo ? outRow[c] + temp : temp;
                }
            }

            for (; c < lastCol; c++)
            {
                float temp = 0;
                for (int m = 0; m < cl; m++)
                {
                    temp += scratch[((baseRow + m) * pitch) + c] * colFilter[m];
                }

                outRow[c] = addTo ? outRow[c] + temp : temp;
            }
        }

        return (firstCol, firstRow, lastCol - 1, lastRow - 1);
    }

    /// <summary>
    /// dlib's <c>spatially_filter_image</c> on float images with a full (non-separable) float
    /// filter. Returns the valid area; zeroes the border when not adding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (int Left, int Top, int Right, int Bottom) Full(
        ReadOnlySpan<float> input, int nr, int nc, float[] filter, int fnr, int fnc, Span<float> output, bool addTo)
    {
        int firstRow = fnr / 2;
        int firstCol = fnc / 2;
        int lastRow = nr - ((fnr - 1) / 2);
        int lastCol = nc - ((fnc - 1) / 2);
        if (!addTo)
        {
            output[..(nr * nc)].Clear();
        }

        int vecEnd = firstCol;
        while (vecEnd < lastCol - 7)
        {
            vecEnd += 8;
        }

        for (int r = firstRow; r < lastRow; r++)
        {
            // The 8-wide part: each lane follows dlib's per-column sequence of float products and sums exactly.
            for (int c0 = firstCol; c0 < vecEnd; c0 += 8)
            {
                Vector256<float> v1 = Vector256<float>.Zero, v2 = Vector256<float>.Zero, v3 = Vector256<float>.Zero;
                for (int m = 0; m < fnr; m++)
                {
                    int rowStart = ((r - firstRow + m) * nc) + c0 - firstCol;
                    int fo = m * fnc;
                    int n = 0;
                    for (; n < fnc - 2; n += 3)
                    {
                        v1 += Vector256.Create(input.Slice(rowStart + n, 8)) * Vector256.Create(filter[fo + n]);
                        v2 += Vector256.Create(input.Slice(rowStart + n + 1, 8)) * Vector256.Create(filter[fo + n + 1]);
                        v3 += Vector256.Create(input.Slice(rowStart + n + 2, 8)) * Vector256.Create(filter[fo + n + 2]);
                    }

                    for (; n < fnc; n++)
                    {
                        v1 += Vector256.Create(input.Slice(rowStart + n, 8)) * Vector256.Create(filter[fo + n]);
                    }
                }

                Vector256<float> sum = v1 + (v2 + v3);
                Span<float> dst = output.Slice((r * nc) + c0, 8);
                if (addTo)
                {
                    sum += Vector256.Create((ReadOnlySpan<float>)dst);
                }

                sum.CopyTo(dst);
            }

            for (int c = vecEnd; c < lastCol; c++)
            {
                float temp = 0;
                for (int m = 0; m < fnr; m++)
                {
                    int rowStart = ((r - firstRow + m) * nc) + c - firstCol;
                    for (int n = 0; n < fnc; n++)
                    {
                        temp += input[rowStart + n] * filter[(m * fnc) + n];
                    }
                }

                int o = (r * nc) + c;
                output[o] = addTo ? temp + output[o] : temp;
            }
        }

        return (firstCol, firstRow, lastCol - 1, lastRow - 1);
    }

    /// <summary>
    /// The row pass for a 10-tap filter, 16 columns at a time: t1 gets taps 0, 3, 6, 9, t2 taps
    /// 1, 4, 7, t3 taps 2, 5, 8, then t1 + (t2 + t3), as in the generic loop. Returns the next column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Row10(ReadOnlySpan<float> inRow, Span<float> scRow, float[] f, int c, int firstCol, int vecEnd)
    {
        if (f.Length != 10 || vecEnd - firstCol + 9 > inRow.Length || vecEnd > scRow.Length)
        {
            return c;
        }

        Vector512<float> w0 = Vector512.Create(f[0]), w1 = Vector512.Create(f[1]), w2 = Vector512.Create(f[2]), w3 = Vector512.Create(f[3]), w4 = Vector512.Create(f[4]);
        Vector512<float> w5 = Vector512.Create(f[5]), w6 = Vector512.Create(f[6]), w7 = Vector512.Create(f[7]), w8 = Vector512.Create(f[8]), w9 = Vector512.Create(f[9]);
        ref float in0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(inRow);
        ref float out0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(scRow);
        for (; c + 16 <= vecEnd; c += 16)
        {
            ref float src = ref Unsafe.Add(ref in0, c - firstCol);
            Vector512<float> t1 = Vector512<float>.Zero + (Vector512.LoadUnsafe(ref src) * w0);
            Vector512<float> t2 = Vector512<float>.Zero + (Vector512.LoadUnsafe(ref src, 1) * w1);
            Vector512<float> t3 = Vector512<float>.Zero + (Vector512.LoadUnsafe(ref src, 2) * w2);
            t1 += Vector512.LoadUnsafe(ref src, 3) * w3;
            t2 += Vector512.LoadUnsafe(ref src, 4) * w4;
            t3 += Vector512.LoadUnsafe(ref src, 5) * w5;
            t1 += Vector512.LoadUnsafe(ref src, 6) * w6;
            t2 += Vector512.LoadUnsafe(ref src, 7) * w7;
            t3 += Vector512.LoadUnsafe(ref src, 8) * w8;
            t1 += Vector512.LoadUnsafe(ref src, 9) * w9;
            t1 += t2 + t3;
            t1.StoreUnsafe(ref out0, (nuint)c);
        }

        return c;
    }

    /// <summary>The column pass for a 10-tap filter, 16 columns at a time (same sums as <see cref="Row10"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int Col10(Span<float> scratch, int start, int nc, Span<float> outRow, float[] f, int c, int vecEnd, bool addTo)
    {
        if (f.Length != 10 || start + (9 * nc) + vecEnd > scratch.Length || vecEnd > outRow.Length)
        {
            return c;
        }

        Vector512<float> w0 = Vector512.Create(f[0]), w1 = Vector512.Create(f[1]), w2 = Vector512.Create(f[2]), w3 = Vector512.Create(f[3]), w4 = Vector512.Create(f[4]);
        Vector512<float> w5 = Vector512.Create(f[5]), w6 = Vector512.Create(f[6]), w7 = Vector512.Create(f[7]), w8 = Vector512.Create(f[8]), w9 = Vector512.Create(f[9]);
        ref float s0 = ref Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(scratch), start);
        ref float o0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(outRow);
        nuint st = (nuint)nc;
        for (; c + 16 <= vecEnd; c += 16)
        {
            ref float src = ref Unsafe.Add(ref s0, c);
            Vector512<float> t1 = Vector512<float>.Zero + (Vector512.LoadUnsafe(ref src) * w0);
            Vector512<float> t2 = Vector512<float>.Zero + (Vector512.LoadUnsafe(ref src, st) * w1);
            Vector512<float> t3 = Vector512<float>.Zero + (Vector512.LoadUnsafe(ref src, 2 * st) * w2);
            t1 += Vector512.LoadUnsafe(ref src, 3 * st) * w3;
            t2 += Vector512.LoadUnsafe(ref src, 4 * st) * w4;
            t3 += Vector512.LoadUnsafe(ref src, 5 * st) * w5;
            t1 += Vector512.LoadUnsafe(ref src, 6 * st) * w6;
            t2 += Vector512.LoadUnsafe(ref src, 7 * st) * w7;
            t3 += Vector512.LoadUnsafe(ref src, 8 * st) * w8;
            t1 += Vector512.LoadUnsafe(ref src, 9 * st) * w9;
            t1 += t2 + t3;
            if (addTo)
            {
                t1 += Vector512.LoadUnsafe(ref o0, (nuint)c);
            }

            t1.StoreUnsafe(ref o0, (nuint)c);
        }

        return c;
    }

    /// <summary>One lane of dlib's 8-wide filter loop: three interleaved partial sums.</summary>
    private static float LaneSum(ReadOnlySpan<float> data, int start, int step, float[] filter)
    {
        float t1 = 0, t2 = 0, t3 = 0;
        int n = 0;
        int len = filter.Length;
        for (; n < len - 2; n += 3)
        {
            t1 += data[start + (n * step)] * filter[n];
            t2 += data[start + ((n + 1) * step)] * filter[n + 1];
            t3 += data[start + ((n + 2) * step)] * filter[n + 2];
        }

        for (; n < len; n++)
        {
            t1 += data[start + (n * step)] * filter[n];
        }

        return t1 + (t2 + t3);
    }
}

/// <summary>Singular value decomposition of a small dense matrix by one-sided Jacobi rotations.</summary>
internal static class Svd
{
    /// <summary>
    /// Decomposes the m×n matrix <paramref name="a"/> (m ≥ n) as U·diag(w)·Vᵀ, singular values
    /// sorted in decreasing order. Returns U (m×n), w (n) and V (n×n).
    /// </summary>
    public static (double[,] U, double[] W, double[,] V) Decompose(double[,] a)
    {
        int m = a.GetLength(0);
        int n = a.GetLength(1);
        if (m < n)
        {
            // Decompose the transpose and swap the roles of U and V.
            var at = new double[n, m];
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    at[j, i] = a[i, j];
                }
            }

            (double[,] u2, double[] w2, double[,] v2) = Decompose(at);

            // at = u2 w2 v2ᵀ (n×m, u2 n×m, v2 m×m) → a = v2 w2 u2ᵀ; keep the first n columns.
            var u = new double[m, n];
            var v = new double[n, n];
            var w = new double[n];
            for (int j = 0; j < n; j++)
            {
                w[j] = j < w2.Length ? w2[j] : 0;
                for (int i = 0; i < m; i++)
                {
                    u[i, j] = j < m ? v2[i, j] : 0;
                }

                for (int i = 0; i < n; i++)
                {
                    v[i, j] = j < m ? u2[i, j] : 0;
                }
            }

            return (u, w, v);
        }

        var work = (double[,])a.Clone();
        var vv = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            vv[i, i] = 1;
        }

        for (int sweep = 0; sweep < 100; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int i = 0; i < m; i++)
                    {
                        alpha += work[i, p] * work[i, p];
                        beta += work[i, q] * work[i, q];
                        gamma += work[i, p] * work[i, q];
                    }

                    if (gamma == 0 || Math.Abs(gamma) <= 1e-17 * Math.Sqrt(alpha * beta))
                    {
                        continue;
                    }

                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + (zeta * zeta)));
                    double c = 1 / Math.Sqrt(1 + (t * t));
                    double s = c * t;
                    for (int i = 0; i < m; i++)
                    {
                        double x = work[i, p], y = work[i, q];
                        work[i, p] = (c * x) - (s * y);
                        work[i, q] = (s * x) + (c * y);
                    }

                    for (int i = 0; i < n; i++)
                    {
                        double x = vv[i, p], y = vv[i, q];
                        vv[i, p] = (c * x) - (s * y);
                        vv[i, q] = (s * x) + (c * y);
                    }
                }
            }

            if (!rotated)
            {
                break;
            }
        }

        var sv = new double[n];
        for (int j = 0; j < n; j++)
        {
            double s = 0;
            for (int i = 0; i < m; i++)
            {
                s += work[i, j] * work[i, j];
            }

            sv[j] = Math.Sqrt(s);
        }

        int[] order = Enumerable.Range(0, n).OrderByDescending(j => sv[j]).ToArray();
        var uOut = new double[m, n];
        var vOut = new double[n, n];
        var wOut = new double[n];
        for (int k = 0; k < n; k++)
        {
            int j = order[k];
            wOut[k] = sv[j];
            for (int i = 0; i < m; i++)
            {
                uOut[i, k] = sv[j] > 0 ? work[i, j] / sv[j] : 0;
            }

            for (int i = 0; i < n; i++)
            {
                vOut[i, k] = vv[i, j];
            }
        }

        return (uOut, wOut, vOut);
    }
}
