using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DlibModels.Detection.Hog;

/// <summary>
/// 31 planes of Felzenszwalb HOG features laid out as dlib's
/// <c>dlib::array&lt;array2d&lt;float&gt;&gt;</c>: each plane is <see cref="Rows"/>×<see cref="Cols"/>,
/// including the zero border dlib adds for the filter padding. Planes are stored one after the other.
/// </summary>
internal sealed class HogPlanes
{
    public const int NumPlanes = 31;

    public HogPlanes(int rows, int cols, float[] data)
    {
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>Plane-major data; may be longer than 31·Rows·Cols when rented.</summary>
    public float[] Data { get; }

    public int PlaneSize => Rows * Cols;

    public bool IsEmpty => Rows == 0 || Cols == 0;

    public ReadOnlySpan<float> Plane(int i) => Data.AsSpan(i * PlaneSize, PlaneSize);
}

/// <summary>
/// dlib's <c>extract_fhog_features</c> (fhog.h, cell size ≥ 2), reproducing the float arithmetic
/// of dlib 19.24 built for SSE2: the 8-wide gradient/binning path for the bulk of each row and the
/// scalar path for the last columns (the two differ in colour-channel tie breaking and in the
/// order of the interpolation weight products), and the 4-lane block normalisation.
/// </summary>
internal static class FHog
{
    /// <summary>pshufb masks: for channel k and source vector j (0..2), output byte p takes source byte 3p+k-16j, or 0.</summary>
    private static readonly Vector128<byte>[] DeintMask = BuildDeintMasks();

    private static readonly float[] DirX = [1.0000f, 0.9397f, 0.7660f, 0.500f, 0.1736f, -0.1736f, -0.5000f, -0.7660f, -0.9397f];
    private static readonly float[] DirY = [0.0000f, 0.3420f, 0.6428f, 0.8660f, 0.9848f, 0.9848f, 0.8660f, 0.6428f, 0.3420f];

    /// <summary>
    /// Extracts the features of an 8-bit image with 1 (gray) or 3 (RGB interleaved) channels.
    /// The caller owns the returned data (rented from <see cref="ArrayPool{T}.Shared"/> when
    /// <paramref name="pooled"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static HogPlanes Extract(ReadOnlySpan<byte> pix, int rows, int cols, int channels, int cellSize, int filterRowsPadding, int filterColsPadding, bool pooled)
    {
        int cellsNr = (int)((double)((float)rows / (float)cellSize) + 0.5);
        int cellsNc = (int)((double)((float)cols / (float)cellSize) + 0.5);
        if (cellsNr == 0 || cellsNc == 0)
        {
            return new HogPlanes(0, 0, []);
        }

        int hogNr = Math.Max(cellsNr - 2, 0);
        int hogNc = Math.Max(cellsNc - 2, 0);
        if (hogNr == 0 || hogNc == 0)
        {
            return new HogPlanes(0, 0, []);
        }

        int histCols = cellsNc + 2;
        int histLen = (cellsNr + 2) * histCols * 18;
        float[] hist = ArrayPool<float>.Shared.Rent(histLen);
        float[] norm = ArrayPool<float>.Shared.Rent(cellsNr * cellsNc);
        int gradLen = cols + 16;
        float[] gxs = ArrayPool<float>.Shared.Rent(gradLen);
        float[] gys = ArrayPool<float>.Shared.Rent(gradLen);
        float[] lens = ArrayPool<float>.Shared.Rent(gradLen);
        int[] orients = ArrayPool<int>.Shared.Rent(gradLen);
        int[] binCol = ArrayPool<int>.Shared.Rent(gradLen);
        float[] wx0 = ArrayPool<float>.Shared.Rent(gradLen);
        float[] wx1 = ArrayPool<float>.Shared.Rent(gradLen);
        float[] ring = ArrayPool<float>.Shared.Rent((3 * channels * cols) + RingSlack);
        float[]? histPlanar = null;
        try
        {
            Array.Clear(hist, 0, histLen);
            Array.Clear(norm, 0, cellsNr * cellsNc);

            int visibleNr = (int)Math.Min((long)cellsNr * cellSize, rows) - 1;
            int visibleNc = (int)Math.Min((long)cellsNc * cellSize, cols) - 1;

            // The 8-wide path covers x in [1, simdEnd); the scalar path the rest.
            int simdEnd = 1;
            while (simdEnd < visibleNc - 7)
            {
                simdEnd += 8;
            }

            // Horizontal interpolation weights do not depend on the row: binCol is the left
            // histogram column each pixel votes into.
            float cs = cellSize;
            for (int x = 1; x < visibleNc; x++)
            {
                if (x < simdEnd)
                {
                    float xp = ((x + 0.5f) / cs) + 0.5f;
                    int ixp = (int)xp;
                    binCol[x] = ixp;
                    wx0[x] = xp - ixp;
                    wx1[x] = 1.0f - wx0[x];
                }
                else
                {
                    float xp = (float)((((double)x) + 0.5) / (double)cellSize - 0.5);
                    int ixp = (int)MathF.Floor(xp);
                    binCol[x] = ixp + 1;
                    wx0[x] = xp - ixp;
                    wx1[x] = (float)(1.0 - wx0[x]);
                }
            }

            for (int y = 1; y < visibleNr; y++)
            {
                float yp = (float)((((double)(float)y) + 0.5) / (double)cs - 0.5);
                int iyp = (int)MathF.Floor(yp);
                float vy0 = yp - iyp;
                float vy1 = (float)(1.0 - vy0);

                if (y == 1)
                {
                    LoadPlanarRow(pix, cols, channels, 0, ring);
                    LoadPlanarRow(pix, cols, channels, 1, ring);
                }

                LoadPlanarRow(pix, cols, channels, y + 1, ring);
                int done = 1;
                if (channels == 3)
                {
                    done = RgbGradientBins(ring, cols, y, simdEnd, visibleNc, lens, orients);
                    RgbGradients(ring, cols, y, done, visibleNc, simdEnd, gxs, gys, lens);
                }
                else
                {
                    GrayGradients(ring, cols, y, visibleNc, gxs, gys, lens);
                }

                Orientations(gxs, gys, lens, orients, done, visibleNc);

                int rowA = (iyp + 1) * histCols * 18;
                int rowB = (iyp + 2) * histCols * 18;
                ref float h0 = ref hist[0];
                int x = 1;

                // simdEnd <= visibleNc < gradLen, the length of every per-column buffer.
                ref float lens0 = ref MemoryMarshal.GetArrayDataReference(lens);
                ref int or0 = ref MemoryMarshal.GetArrayDataReference(orients);
                ref int bc0 = ref MemoryMarshal.GetArrayDataReference(binCol);
                ref float wx00 = ref MemoryMarshal.GetArrayDataReference(wx0);
                ref float wx10 = ref MemoryMarshal.GetArrayDataReference(wx1);
                for (; x < simdEnd; x++)
                {
                    float v = Unsafe.Add(ref lens0, x);
                    int o = Unsafe.Add(ref or0, x) + (Unsafe.Add(ref bc0, x) * 18);
                    float a1 = Unsafe.Add(ref wx10, x) * v;
                    float a0 = Unsafe.Add(ref wx00, x) * v;
                    Unsafe.Add(ref h0, rowA + o) += vy1 * a1;
                    Unsafe.Add(ref h0, rowB + o) += vy0 * a1;
                    Unsafe.Add(ref h0, rowA + o + 18) += vy1 * a0;
                    Unsafe.Add(ref h0, rowB + o + 18) += vy0 * a0;
                }

                for (; x < visibleNc; x++)
                {
                    float v = lens[x];
                    int o = orients[x] + (binCol[x] * 18);
                    hist[rowA + o] += vy1 * wx1[x] * v;
                    hist[rowB + o] += vy0 * wx1[x] * v;
                    hist[rowA + o + 18] += vy1 * wx0[x] * v;
                    hist[rowB + o + 18] += vy0 * wx0[x] * v;
                }
            }

            // Energy of each cell, summed over the 9 contrast-insensitive orientations.
            for (int r = 0; r < cellsNr; r++)
            {
                for (int c = 0; c < cellsNc; c++)
                {
                    int h = (((r + 1) * histCols) + c + 1) * 18;
                    float n = 0;
                    for (int o = 0; o < 9; o++)
                    {
                        float s = hist[h + o] + hist[h + o + 9];
                        n += s * s;
                    }

                    norm[(r * cellsNc) + c] = n;
                }
            }

            int planeRows = hogNr + filterRowsPadding - 1;
            int planeCols = hogNc + filterColsPadding - 1;
            int planeSize = planeRows * planeCols;
            int total = HogPlanes.NumPlanes * planeSize;
            float[] data = pooled ? ArrayPool<float>.Shared.Rent(total) : new float[total];
            if (pooled)
            {
                // Only the zero border needs clearing: every interior value is written below.
                int pr = (filterRowsPadding - 1) / 2, pc = (filterColsPadding - 1) / 2;
                for (int p = 0; p < HogPlanes.NumPlanes; p++)
                {
                    int pBase = p * planeSize;
                    Array.Clear(data, pBase, pr * planeCols);
                    for (int y = pr; y < pr + hogNr; y++)
                    {
                        int rowStart = pBase + (y * planeCols);
                        Array.Clear(data, rowStart, pc);
                        Array.Clear(data, rowStart + pc + hogNc, planeCols - pc - hogNc);
                    }

                    Array.Clear(data, pBase + ((pr + hogNr) * planeCols), (planeRows - pr - hogNr) * planeCols);
                }
            }

            histPlanar = ArrayPool<float>.Shared.Rent(18 * hogNc);
            int padR = (filterRowsPadding - 1) / 2;
            int padC = (filterColsPadding - 1) / 2;
            const float eps = 0.0001f;
            const float texScale = (float)(2 * 0.2357);
            Span<float> nn = stackalloc float[4];
            Span<float> nInv = stackalloc float[4];
            Span<float> t = stackalloc float[4];
            bool vec = Vector256.IsHardwareAccelerated;
            for (int y = 0; y < hogNr; y++)
            {
                int outRow = (y + padR) * planeCols;
                int n0 = y * cellsNc, n1 = (y + 1) * cellsNc, n2 = (y + 2) * cellsNc;
                int x = 0;
                if (vec && hogNc >= 8)
                {
                    // The histogram row as 18 planes so 8 neighbouring cells load as one vector.
                    int hRow = (((y + 2) * histCols) + 2) * 18;
                    for (int xx = 0; xx < hogNc; xx++)
                    {
                        int src = hRow + (xx * 18);
                        for (int o = 0; o < 18; o++)
                        {
                            histPlanar[(o * hogNc) + xx] = hist[src + o];
                        }
                    }

                    for (; x + 8 <= hogNc; x += 8)
                    {
                        FeatureBlock(norm, n0 + x, n1 + x, n2 + x, histPlanar, hogNc, x, data, planeSize, outRow + x + padC);
                    }
                }

                for (; x < hogNc; x++)
                {
                    float a11 = norm[n1 + x + 1], a01 = norm[n0 + x + 1], a10 = norm[n1 + x], a00 = norm[n0 + x];
                    float a12 = norm[n1 + x + 2], a02 = norm[n0 + x + 2];
                    float a21 = norm[n2 + x + 1], a20 = norm[n2 + x];
                    float a22 = norm[n2 + x + 2];

                    // Lanes of z1..z4 as dlib builds them.
                    nn[0] = 0.2f * MathF.Sqrt(a11 + a12 + a21 + a22 + eps);
                    nn[1] = 0.2f * MathF.Sqrt(a01 + a02 + a11 + a12 + eps);
                    nn[2] = 0.2f * MathF.Sqrt(a10 + a11 + a20 + a21 + eps);
                    nn[3] = 0.2f * MathF.Sqrt(a00 + a01 + a10 + a11 + eps);
                    for (int k = 0; k < 4; k++)
                    {
                        nInv[k] = 0.1f / nn[k];
                        t[k] = 0;
                    }

                    int h = ((((y + 2) * histCols) + x + 2) * 18);
                    int outIdx = outRow + x + padC;
                    for (int o = 0; o < 18; o += 3)
                    {
                        float v0 = hist[h + o], v1 = hist[h + o + 1], v2 = hist[h + o + 2];
                        float s0a = Min(v0, nn[0]) * nInv[0], s0b = Min(v0, nn[1]) * nInv[1], s0c = Min(v0, nn[2]) * nInv[2], s0d = Min(v0, nn[3]) * nInv[3];
                        float s1a = Min(v1, nn[0]) * nInv[0], s1b = Min(v1, nn[1]) * nInv[1], s1c = Min(v1, nn[2]) * nInv[2], s1d = Min(v1, nn[3]) * nInv[3];
                        float s2a = Min(v2, nn[0]) * nInv[0], s2b = Min(v2, nn[1]) * nInv[1], s2c = Min(v2, nn[2]) * nInv[2], s2d = Min(v2, nn[3]) * nInv[3];
                        data[(o * planeSize) + outIdx] = (s0a + s0c) + (s0b + s0d);
                        data[((o + 1) * planeSize) + outIdx] = (s1a + s1c) + (s1b + s1d);
                        data[((o + 2) * planeSize) + outIdx] = (s2a + s2c) + (s2b + s2d);
                        t[0] += s0a + s1a + s2a;
                        t[1] += s0b + s1b + s2b;
                        t[2] += s0c + s1c + s2c;
                        t[3] += s0d + s1d + s2d;
                    }

                    for (int o = 0; o < 9; o++)
                    {
                        float v = hist[h + o] + hist[h + o + 9];
                        float sa = Min(v, nn[0]) * nInv[0], sb = Min(v, nn[1]) * nInv[1], sc = Min(v, nn[2]) * nInv[2], sd = Min(v, nn[3]) * nInv[3];
                        data[((o + 18) * planeSize) + outIdx] = (sa + sc) + (sb + sd);
                    }

                    data[(27 * planeSize) + outIdx] = t[0] * texScale;
                    data[(28 * planeSize) + outIdx] = t[1] * texScale;
                    data[(29 * planeSize) + outIdx] = t[2] * texScale;
                    data[(30 * planeSize) + outIdx] = t[3] * texScale;
                }
            }

            return new HogPlanes(planeRows, planeCols, data);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(hist);
            ArrayPool<float>.Shared.Return(norm);
            ArrayPool<float>.Shared.Return(gxs);
            ArrayPool<float>.Shared.Return(gys);
            ArrayPool<float>.Shared.Return(lens);
            ArrayPool<int>.Shared.Return(orients);
            ArrayPool<int>.Shared.Return(binCol);
            ArrayPool<float>.Shared.Return(wx0);
            ArrayPool<float>.Shared.Return(wx1);
            ArrayPool<float>.Shared.Return(ring);
            if (histPlanar is not null)
            {
                ArrayPool<float>.Shared.Return(histPlanar);
            }
        }
    }

    /// <summary>
    /// Block normalisation and the 31 features of 8 neighbouring cells, one cell per vector lane;
    /// each lane does exactly the scalar (dlib 4-lane) arithmetic of its cell.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FeatureBlock(float[] norm, int n0, int n1, int n2, float[] histPlanar, int hogNc, int x, float[] data, int planeSize, int outIdx)
    {
        Vector256<float> eps = Vector256.Create(0.0001f);
        Vector256<float> a00 = Load(norm, n0), a01 = Load(norm, n0 + 1), a02 = Load(norm, n0 + 2);
        Vector256<float> a10 = Load(norm, n1), a11 = Load(norm, n1 + 1), a12 = Load(norm, n1 + 2);
        Vector256<float> a20 = Load(norm, n2), a21 = Load(norm, n2 + 1), a22 = Load(norm, n2 + 2);
        Vector256<float> p2 = Vector256.Create(0.2f), p1 = Vector256.Create(0.1f);
        Vector256<float> nn0 = p2 * Vector256.Sqrt(a11 + a12 + a21 + a22 + eps);
        Vector256<float> nn1 = p2 * Vector256.Sqrt(a01 + a02 + a11 + a12 + eps);
        Vector256<float> nn2 = p2 * Vector256.Sqrt(a10 + a11 + a20 + a21 + eps);
        Vector256<float> nn3 = p2 * Vector256.Sqrt(a00 + a01 + a10 + a11 + eps);
        Vector256<float> i0 = p1 / nn0, i1 = p1 / nn1, i2 = p1 / nn2, i3 = p1 / nn3;
        Vector256<float> t0 = Vector256<float>.Zero, t1 = Vector256<float>.Zero, t2 = Vector256<float>.Zero, t3 = Vector256<float>.Zero;
        for (int o = 0; o < 18; o += 3)
        {
            Vector256<float> v0 = Load(histPlanar, (o * hogNc) + x);
            Vector256<float> v1 = Load(histPlanar, ((o + 1) * hogNc) + x);
            Vector256<float> v2 = Load(histPlanar, ((o + 2) * hogNc) + x);
            Vector256<float> s0a = VMin(v0, nn0) * i0, s0b = VMin(v0, nn1) * i1, s0c = VMin(v0, nn2) * i2, s0d = VMin(v0, nn3) * i3;
            Vector256<float> s1a = VMin(v1, nn0) * i0, s1b = VMin(v1, nn1) * i1, s1c = VMin(v1, nn2) * i2, s1d = VMin(v1, nn3) * i3;
            Vector256<float> s2a = VMin(v2, nn0) * i0, s2b = VMin(v2, nn1) * i1, s2c = VMin(v2, nn2) * i2, s2d = VMin(v2, nn3) * i3;
            ((s0a + s0c) + (s0b + s0d)).CopyTo(data.AsSpan((o * planeSize) + outIdx, 8));
            ((s1a + s1c) + (s1b + s1d)).CopyTo(data.AsSpan(((o + 1) * planeSize) + outIdx, 8));
            ((s2a + s2c) + (s2b + s2d)).CopyTo(data.AsSpan(((o + 2) * planeSize) + outIdx, 8));
            t0 += s0a + s1a + s2a;
            t1 += s0b + s1b + s2b;
            t2 += s0c + s1c + s2c;
            t3 += s0d + s1d + s2d;
        }

        for (int o = 0; o < 9; o++)
        {
            Vector256<float> v = Load(histPlanar, (o * hogNc) + x) + Load(histPlanar, ((o + 9) * hogNc) + x);
            Vector256<float> sa = VMin(v, nn0) * i0, sb = VMin(v, nn1) * i1, sc = VMin(v, nn2) * i2, sd = VMin(v, nn3) * i3;
            ((sa + sc) + (sb + sd)).CopyTo(data.AsSpan(((o + 18) * planeSize) + outIdx, 8));
        }

        Vector256<float> tex = Vector256.Create((float)(2 * 0.2357));
        (t0 * tex).CopyTo(data.AsSpan((27 * planeSize) + outIdx, 8));
        (t1 * tex).CopyTo(data.AsSpan((28 * planeSize) + outIdx, 8));
        (t2 * tex).CopyTo(data.AsSpan((29 * planeSize) + outIdx, 8));
        (t3 * tex).CopyTo(data.AsSpan((30 * planeSize) + outIdx, 8));
    }

    private static Vector256<float> Load(float[] a, int i) => Vector256.Create(a.AsSpan(i, 8));

    /// <summary>_mm_min_ps per lane: a &lt; b ? a : b.</summary>
    private static Vector256<float> VMin(Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(Vector256.LessThan(a, b), a, b);

    /// <summary>_mm_min_ps for one lane.</summary>
    private static float Min(float a, float b) => a < b ? a : b;

    /// <summary>
    /// For x in [1, end): the orientation bin of each gradient and, in place of its squared
    /// length, the gradient magnitude (float sqrt).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Orientations(float[] gxs, float[] gys, float[] lens, int[] orients, int start, int end)
    {
        int x = start;
        if (Vector512.IsHardwareAccelerated)
        {
            // Lane-wise the same arithmetic as the 8-wide loop and the scalar tail.
            ref float gx0 = ref MemoryMarshal.GetArrayDataReference(gxs);
            ref float gy0 = ref MemoryMarshal.GetArrayDataReference(gys);
            ref float len0 = ref MemoryMarshal.GetArrayDataReference(lens);
            ref int or0 = ref MemoryMarshal.GetArrayDataReference(orients);
            int limit = Math.Min(Math.Min(gxs.Length, gys.Length), Math.Min(lens.Length, orients.Length));
            for (; x + 16 <= end && x + 16 <= limit; x += 16)
            {
                Vector512<float> gx = Vector512.LoadUnsafe(ref gx0, (nuint)x);
                Vector512<float> gy = Vector512.LoadUnsafe(ref gy0, (nuint)x);
                // best >= 0 throughout, so "dot > best, else -dot > best" is "|dot| > best", the
                // sign of the winning dot choosing o or o + 9.
                Vector512<float> best = Vector512<float>.Zero;
                Vector512<float> bestDot = Vector512<float>.Zero;
                Vector512<int> bestO = Vector512<int>.Zero;
                for (int o = 0; o < 9; o++)
                {
                    Vector512<float> dot = (gx * Vector512.Create(DirX[o])) + (gy * Vector512.Create(DirY[o]));
                    Vector512<float> a = Vector512.Abs(dot);
                    Vector512<float> cmp = Vector512.GreaterThan(a, best);
                    best = Vector512.ConditionalSelect(cmp, a, best);
                    bestDot = Vector512.ConditionalSelect(cmp, dot, bestDot);
                    bestO = Vector512.ConditionalSelect(cmp.AsInt32(), Vector512.Create(o), bestO);
                }

                bestO += Vector512.LessThan(bestDot, Vector512<float>.Zero).AsInt32() & Vector512.Create(9);
                bestO.StoreUnsafe(ref or0, (nuint)x);
                Vector512.Sqrt(Vector512.LoadUnsafe(ref len0, (nuint)x)).StoreUnsafe(ref len0, (nuint)x);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; x + 8 <= end; x += 8)
            {
                Vector256<float> gx = Vector256.Create(gxs.AsSpan(x, 8));
                Vector256<float> gy = Vector256.Create(gys.AsSpan(x, 8));
                Vector256<float> best = Vector256<float>.Zero;
                Vector256<float> bestDot = Vector256<float>.Zero;
                Vector256<int> bestO = Vector256<int>.Zero;
                for (int o = 0; o < 9; o++)
                {
                    Vector256<float> dot = (gx * Vector256.Create(DirX[o])) + (gy * Vector256.Create(DirY[o]));
                    Vector256<float> a = Vector256.Abs(dot);
                    Vector256<float> cmp = Vector256.GreaterThan(a, best);
                    best = Vector256.ConditionalSelect(cmp, a, best);
                    bestDot = Vector256.ConditionalSelect(cmp, dot, bestDot);
                    bestO = Vector256.ConditionalSelect(cmp.AsInt32(), Vector256.Create(o), bestO);
                }

                bestO += Vector256.LessThan(bestDot, Vector256<float>.Zero).AsInt32() & Vector256.Create(9);

                bestO.CopyTo(orients.AsSpan(x, 8));
                Vector256.Sqrt(Vector256.Create(lens.AsSpan(x, 8))).CopyTo(lens.AsSpan(x, 8));
            }
        }

        for (; x < end; x++)
        {
            orients[x] = Orientation(gxs[x], gys[x]);
            lens[x] = MathF.Sqrt(lens[x]);
        }
    }

    /// <summary>Snaps a gradient to one of 18 orientations as dlib does.</summary>
    private static int Orientation(float gx, float gy)
    {
        float bestDot = 0;
        int bestO = 0;
        for (int o = 0; o < 9; o++)
        {
            float dot = (gx * DirX[o]) + (gy * DirY[o]);
            if (dot > bestDot)
            {
                bestDot = dot;
                bestO = o;
            }
            else if (-dot > bestDot)
            {
                bestDot = -dot;
                bestO = o + 9;
            }
        }

        return bestO;
    }

    private static Vector128<byte>[] BuildDeintMasks()
    {
        var masks = new Vector128<byte>[9];
        Span<byte> m = stackalloc byte[16];
        for (int k = 0; k < 3; k++)
        {
            for (int j = 0; j < 3; j++)
            {
                for (int p = 0; p < 16; p++)
                {
                    int srcByte = (3 * p) + k - (16 * j);
                    m[p] = srcByte is >= 0 and < 16 ? (byte)srcByte : (byte)0x80;
                }

                masks[(3 * k) + j] = Vector128.Create<byte>(m);
            }
        }

        return masks;
    }

    /// <summary>Copies image row <paramref name="y"/> into slot y % 3 of the planar ring (one float row per channel).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LoadPlanarRow(ReadOnlySpan<byte> pix, int cols, int channels, int y, float[] ring)
    {
        int slot = (y % 3) * channels * cols;
        ReadOnlySpan<byte> src = pix.Slice(y * cols * channels, cols * channels);
        if (channels == 1)
        {
            Span<float> dst = ring.AsSpan(slot, cols);
            for (int x = 0; x < cols; x++)
            {
                dst[x] = src[x];
            }

            return;
        }

        // Bounds were checked by the slices above.
        ref byte s0 = ref MemoryMarshal.GetReference(src);
        ref float r0 = ref MemoryMarshal.GetReference(ring.AsSpan(slot, 3 * cols));
        int x0 = 0;
        if (Avx2.IsSupported)
        {
            // 16 pixels at a time: byte shuffles pick each channel out of the 48 source bytes,
            // then zero-extension to int and exact conversion to float.
            for (; x0 + 16 <= cols; x0 += 16)
            {
                ref byte p = ref Unsafe.Add(ref s0, x0 * 3);
                Vector128<byte> a = Vector128.LoadUnsafe(ref p);
                Vector128<byte> b = Vector128.LoadUnsafe(ref p, 16);
                Vector128<byte> c = Vector128.LoadUnsafe(ref p, 32);
                for (int k = 0; k < 3; k++)
                {
                    Vector128<byte> v = Ssse3.Shuffle(a, DeintMask[(3 * k) + 0]) | Ssse3.Shuffle(b, DeintMask[(3 * k) + 1]) | Ssse3.Shuffle(c, DeintMask[(3 * k) + 2]);
                    ref float d = ref Unsafe.Add(ref r0, (k * cols) + x0);
                    Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(v)).StoreUnsafe(ref d);
                    Avx.ConvertToVector256Single(Avx2.ConvertToVector256Int32(Sse2.ShiftRightLogical128BitLane(v, 8))).StoreUnsafe(ref d, 8);
                }
            }
        }

        for (int x = x0, i = x0 * 3; x < cols; x++, i += 3)
        {
            Unsafe.Add(ref r0, x) = Unsafe.Add(ref s0, i);
            Unsafe.Add(ref r0, cols + x) = Unsafe.Add(ref s0, i + 1);
            Unsafe.Add(ref r0, (2 * cols) + x) = Unsafe.Add(ref s0, i + 2);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GrayGradients(float[] ring, int cols, int y, int visibleNc, float[] gxs, float[] gys, float[] lens)
    {
        ReadOnlySpan<float> row = ring.AsSpan((y % 3) * cols, cols);
        ReadOnlySpan<float> up = ring.AsSpan(((y - 1) % 3) * cols, cols);
        ReadOnlySpan<float> down = ring.AsSpan(((y + 1) % 3) * cols, cols);
        int x = 1;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; x + 8 <= visibleNc; x += 8)
            {
                Vector256<float> gx = Vector256.Create(row.Slice(x + 1, 8)) - Vector256.Create(row.Slice(x - 1, 8));
                Vector256<float> gy = Vector256.Create(down.Slice(x, 8)) - Vector256.Create(up.Slice(x, 8));
                gx.CopyTo(gxs.AsSpan(x, 8));
                gy.CopyTo(gys.AsSpan(x, 8));
                ((gx * gx) + (gy * gy)).CopyTo(lens.AsSpan(x, 8));
            }
        }

        for (; x < visibleNc; x++)
        {
            float gx = row[x + 1] - row[x - 1];
            float gy = down[x] - up[x];
            gxs[x] = gx;
            gys[x] = gy;
            lens[x] = (gx * gx) + (gy * gy);
        }
    }

    /// <summary>Floats after the planar ring that whole-vector reads past a row's end may touch.</summary>
    private const int RingSlack = 32;

    /// <summary>
    /// The colour gradient, its orientation bin and magnitude of every pixel x in [1, end), 16 at a
    /// time with 512-bit registers, without storing the gradients. Below <paramref name="simdEnd"/>
    /// a lane picks the channel as dlib's 8-wide code does (red only when strictly stronger than
    /// green, then the winner only when strictly stronger than blue), from there as dlib's scalar
    /// code does (a later channel only when strictly stronger); otherwise the lane arithmetic is
    /// that of <see cref="RgbGradients"/> followed by <see cref="Orientations"/>. The last vector
    /// may compute lanes past <paramref name="end"/> (from the ring's slack; never read). Returns
    /// the first x not done (1 without 512-bit support).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int RgbGradientBins(float[] ring, int cols, int y, int simdEnd, int end, float[] lens, int[] orients)
    {
        int x = 1;
        if (!Vector512.IsHardwareAccelerated || end + 16 > lens.Length || end + 16 > orients.Length || ring.Length < (9 * cols) + RingSlack)
        {
            return x;
        }

        int rowBase = (y % 3) * 3 * cols;
        int upBase = ((y - 1) % 3) * 3 * cols;
        int downBase = ((y + 1) % 3) * 3 * cols;
        Vector512<float> d0x = Vector512.Create(DirX[0]), d1x = Vector512.Create(DirX[1]), d2x = Vector512.Create(DirX[2]);
        Vector512<float> d3x = Vector512.Create(DirX[3]), d4x = Vector512.Create(DirX[4]), d5x = Vector512.Create(DirX[5]);
        Vector512<float> d6x = Vector512.Create(DirX[6]), d7x = Vector512.Create(DirX[7]), d8x = Vector512.Create(DirX[8]);
        Vector512<float> d0y = Vector512.Create(DirY[0]), d1y = Vector512.Create(DirY[1]), d2y = Vector512.Create(DirY[2]);
        Vector512<float> d3y = Vector512.Create(DirY[3]), d4y = Vector512.Create(DirY[4]), d5y = Vector512.Create(DirY[5]);
        Vector512<float> d6y = Vector512.Create(DirY[6]), d7y = Vector512.Create(DirY[7]), d8y = Vector512.Create(DirY[8]);
        Vector512<int> lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        fixed (float* rg = ring)
        fixed (float* lp = lens)
        fixed (int* op = orients)
        {
            float* r0 = rg + rowBase, g0 = r0 + cols, b0 = g0 + cols;
            float* ru = rg + upBase, gu = ru + cols, bu = gu + cols;
            float* rd = rg + downBase, gd = rd + cols, bd = gd + cols;
            for (; x < end; x += 16)
            {
                Vector512<float> rx = Vector512.Load(r0 + x + 1) - Vector512.Load(r0 + x - 1);
                Vector512<float> ry = Vector512.Load(rd + x) - Vector512.Load(ru + x);
                Vector512<float> gx = Vector512.Load(g0 + x + 1) - Vector512.Load(g0 + x - 1);
                Vector512<float> gy = Vector512.Load(gd + x) - Vector512.Load(gu + x);
                Vector512<float> bx = Vector512.Load(b0 + x + 1) - Vector512.Load(b0 + x - 1);
                Vector512<float> by = Vector512.Load(bd + x) - Vector512.Load(bu + x);
                Vector512<float> rl = (rx * rx) + (ry * ry);
                Vector512<float> gl = (gx * gx) + (gy * gy);
                Vector512<float> bl = (bx * bx) + (by * by);

                // dlib's 8-wide channel choice.
                Vector512<float> cmp = Vector512.GreaterThan(rl, gl);
                Vector512<float> tx = Vector512.ConditionalSelect(cmp, rx, gx);
                Vector512<float> ty = Vector512.ConditionalSelect(cmp, ry, gy);
                Vector512<float> tl = Vector512.ConditionalSelect(cmp, rl, gl);
                cmp = Vector512.GreaterThan(tl, bl);
                Vector512<float> ox = Vector512.ConditionalSelect(cmp, tx, bx);
                Vector512<float> oy = Vector512.ConditionalSelect(cmp, ty, by);
                Vector512<float> ol = Vector512.ConditionalSelect(cmp, tl, bl);
                if (x + 16 > simdEnd)
                {
                    // From simdEnd on, dlib's scalar choice.
                    cmp = Vector512.GreaterThan(gl, rl);
                    tx = Vector512.ConditionalSelect(cmp, gx, rx);
                    ty = Vector512.ConditionalSelect(cmp, gy, ry);
                    tl = Vector512.ConditionalSelect(cmp, gl, rl);
                    cmp = Vector512.GreaterThan(bl, tl);
                    Vector512<float> scalar = Vector512.GreaterThanOrEqual(Vector512.Create(x) + lane, Vector512.Create(simdEnd)).AsSingle();
                    ox = Vector512.ConditionalSelect(scalar, Vector512.ConditionalSelect(cmp, bx, tx), ox);
                    oy = Vector512.ConditionalSelect(scalar, Vector512.ConditionalSelect(cmp, by, ty), oy);
                    ol = Vector512.ConditionalSelect(scalar, Vector512.ConditionalSelect(cmp, bl, tl), ol);
                }

                Vector512<float> best = Vector512<float>.Zero, bestDot = Vector512<float>.Zero;
                Vector512<int> bestO = Vector512<int>.Zero;
                Bin(ox, oy, d0x, d0y, 0, ref best, ref bestDot, ref bestO);
                Bin(ox, oy, d1x, d1y, 1, ref best, ref bestDot, ref bestO);
                Bin(ox, oy, d2x, d2y, 2, ref best, ref bestDot, ref bestO);
                Bin(ox, oy, d3x, d3y, 3, ref best, ref bestDot, ref bestO);
                Bin(ox, oy, d4x, d4y, 4, ref best, ref bestDot, ref bestO);
                Bin(ox, oy, d5x, d5y, 5, ref best, ref bestDot, ref bestO);
                Bin(ox, oy, d6x, d6y, 6, ref best, ref bestDot, ref bestO);
                Bin(ox, oy, d7x, d7y, 7, ref best, ref bestDot, ref bestO);
                Bin(ox, oy, d8x, d8y, 8, ref best, ref bestDot, ref bestO);
                bestO += Vector512.LessThan(bestDot, Vector512<float>.Zero).AsInt32() & Vector512.Create(9);
                bestO.Store(op + x);
                Vector512.Sqrt(ol).Store(lp + x);
            }
        }

        return Math.Max(x, end);
    }

    /// <summary>One orientation of the bin search: |dot| strictly larger than the best so far wins.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Bin(Vector512<float> gx, Vector512<float> gy, Vector512<float> dx, Vector512<float> dy, int o, ref Vector512<float> best, ref Vector512<float> bestDot, ref Vector512<int> bestO)
    {
        Vector512<float> dot = (gx * dx) + (gy * dy);
        Vector512<float> a = Vector512.Abs(dot);
        Vector512<float> cmp = Vector512.GreaterThan(a, best);
        best = Vector512.ConditionalSelect(cmp, a, best);
        bestDot = Vector512.ConditionalSelect(cmp, dot, bestDot);
        bestO = Vector512.ConditionalSelect(cmp.AsInt32(), Vector512.Create(o), bestO);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RgbGradients(float[] ring, int cols, int y, int start, int visibleNc, int simdEnd, float[] gxs, float[] gys, float[] lens)
    {
        // All values are small integers held exactly in float, so this is dlib's integer arithmetic.
        int rowBase = (y % 3) * 3 * cols;
        int upBase = ((y - 1) % 3) * 3 * cols;
        int downBase = ((y + 1) % 3) * 3 * cols;
        ReadOnlySpan<float> rRow = ring.AsSpan(rowBase, cols), gRow = ring.AsSpan(rowBase + cols, cols), bRow = ring.AsSpan(rowBase + (2 * cols), cols);
        ReadOnlySpan<float> rUp = ring.AsSpan(upBase, cols), gUp = ring.AsSpan(upBase + cols, cols), bUp = ring.AsSpan(upBase + (2 * cols), cols);
        ReadOnlySpan<float> rDn = ring.AsSpan(downBase, cols), gDn = ring.AsSpan(downBase + cols, cols), bDn = ring.AsSpan(downBase + (2 * cols), cols);
        int x = start;
        if (Vector256.IsHardwareAccelerated)
        {
            // dlib's simd path: red only when strictly stronger than green, then the winner
            // only when strictly stronger than blue.
            for (; x + 8 <= simdEnd && x + 8 <= visibleNc; x += 8)
            {
                Vector256<float> rx = Vector256.Create(rRow.Slice(x + 1, 8)) - Vector256.Create(rRow.Slice(x - 1, 8));
                Vector256<float> ry = Vector256.Create(rDn.Slice(x, 8)) - Vector256.Create(rUp.Slice(x, 8));
                Vector256<float> gx = Vector256.Create(gRow.Slice(x + 1, 8)) - Vector256.Create(gRow.Slice(x - 1, 8));
                Vector256<float> gy = Vector256.Create(gDn.Slice(x, 8)) - Vector256.Create(gUp.Slice(x, 8));
                Vector256<float> bx = Vector256.Create(bRow.Slice(x + 1, 8)) - Vector256.Create(bRow.Slice(x - 1, 8));
                Vector256<float> by = Vector256.Create(bDn.Slice(x, 8)) - Vector256.Create(bUp.Slice(x, 8));
                Vector256<float> rl = (rx * rx) + (ry * ry);
                Vector256<float> gl = (gx * gx) + (gy * gy);
                Vector256<float> bl = (bx * bx) + (by * by);
                Vector256<float> cmp = Vector256.GreaterThan(rl, gl);
                Vector256<float> tx = Vector256.ConditionalSelect(cmp, rx, gx);
                Vector256<float> ty = Vector256.ConditionalSelect(cmp, ry, gy);
                Vector256<float> tl = Vector256.ConditionalSelect(cmp, rl, gl);
                cmp = Vector256.GreaterThan(tl, bl);
                Vector256.ConditionalSelect(cmp, tx, bx).CopyTo(gxs.AsSpan(x, 8));
                Vector256.ConditionalSelect(cmp, ty, by).CopyTo(gys.AsSpan(x, 8));
                Vector256.ConditionalSelect(cmp, tl, bl).CopyTo(lens.AsSpan(x, 8));
            }
        }

        for (; x < visibleNc; x++)
        {
            float rx = rRow[x + 1] - rRow[x - 1], ry = rDn[x] - rUp[x];
            float gx = gRow[x + 1] - gRow[x - 1], gy = gDn[x] - gUp[x];
            float bx = bRow[x + 1] - bRow[x - 1], by = bDn[x] - bUp[x];
            float rl = (rx * rx) + (ry * ry);
            float gl = (gx * gx) + (gy * gy);
            float bl = (bx * bx) + (by * by);
            float ox, oy, ol;
            if (x < simdEnd)
            {
                if (rl > gl)
                {
                    ox = rx;
                    oy = ry;
                    ol = rl;
                }
                else
                {
                    ox = gx;
                    oy = gy;
                    ol = gl;
                }

                if (!(ol > bl))
                {
                    ox = bx;
                    oy = by;
                    ol = bl;
                }
            }
            else
            {
                // dlib's scalar path: a later channel wins only when strictly stronger.
                ox = rx;
                oy = ry;
                ol = rl;
                if (gl > ol)
                {
                    ox = gx;
                    oy = gy;
                    ol = gl;
                }

                if (bl > ol)
                {
                    ox = bx;
                    oy = by;
                    ol = bl;
                }
            }

            gxs[x] = ox;
            gys[x] = oy;
            lens[x] = ol;
        }
    }
}
