using System.Buffers;

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
    private static readonly float[] DirX = [1.0000f, 0.9397f, 0.7660f, 0.500f, 0.1736f, -0.1736f, -0.5000f, -0.7660f, -0.9397f];
    private static readonly float[] DirY = [0.0000f, 0.3420f, 0.6428f, 0.8660f, 0.9848f, 0.9848f, 0.8660f, 0.6428f, 0.3420f];

    /// <summary>
    /// Extracts the features of an 8-bit image with 1 (gray) or 3 (RGB interleaved) channels.
    /// The caller owns the returned data (rented from <see cref="ArrayPool{T}.Shared"/> when
    /// <paramref name="pooled"/>).
    /// </summary>
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
        int[] gxs = ArrayPool<int>.Shared.Rent(gradLen);
        int[] gys = ArrayPool<int>.Shared.Rent(gradLen);
        int[] lens = ArrayPool<int>.Shared.Rent(gradLen);
        try
        {
            Array.Clear(hist, 0, histLen);
            Array.Clear(norm, 0, cellsNr * cellsNc);

            int visibleNr = (int)Min((long)cellsNr * cellSize, rows) - 1;
            int visibleNc = (int)Min((long)cellsNc * cellSize, cols) - 1;

            // The 8-wide path covers x in [1, simdEnd); the scalar path the rest.
            int simdEnd = 1;
            while (simdEnd < visibleNc - 7)
            {
                simdEnd += 8;
            }

            float cs = cellSize;
            for (int y = 1; y < visibleNr; y++)
            {
                float yp = (float)((((double)(float)y) + 0.5) / (double)cs - 0.5);
                int iyp = (int)MathF.Floor(yp);
                float vy0 = yp - iyp;
                float vy1 = (float)(1.0 - vy0);

                if (channels == 3)
                {
                    RgbGradients(pix, cols, y, visibleNc, simdEnd, gxs, gys, lens);
                }
                else
                {
                    GrayGradients(pix, cols, y, visibleNc, gxs, gys, lens);
                }

                int rowA = (iyp + 1) * histCols;
                int rowB = (iyp + 2) * histCols;
                for (int x = 1; x < visibleNc; x++)
                {
                    float gx = gxs[x];
                    float gy = gys[x];
                    float v = MathF.Sqrt(lens[x]);
                    int bestO = Orientation(gx, gy);
                    if (x < simdEnd)
                    {
                        float xp = ((x + 0.5f) / cs) + 0.5f;
                        int ixp = (int)xp;
                        float vx0 = xp - ixp;
                        float vx1 = 1.0f - vx0;
                        vx1 *= v;
                        vx0 *= v;
                        hist[((rowA + ixp) * 18) + bestO] += vy1 * vx1;
                        hist[((rowB + ixp) * 18) + bestO] += vy0 * vx1;
                        hist[((rowA + ixp + 1) * 18) + bestO] += vy1 * vx0;
                        hist[((rowB + ixp + 1) * 18) + bestO] += vy0 * vx0;
                    }
                    else
                    {
                        float xp = (float)((((double)x) + 0.5) / (double)cellSize - 0.5);
                        int ixp = (int)MathF.Floor(xp);
                        float vx0 = xp - ixp;
                        float vx1 = (float)(1.0 - vx0);
                        hist[((rowA + ixp + 1) * 18) + bestO] += vy1 * vx1 * v;
                        hist[((rowB + ixp + 1) * 18) + bestO] += vy0 * vx1 * v;
                        hist[((rowA + ixp + 2) * 18) + bestO] += vy1 * vx0 * v;
                        hist[((rowB + ixp + 2) * 18) + bestO] += vy0 * vx0 * v;
                    }
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
                Array.Clear(data, 0, total);
            }

            int padR = (filterRowsPadding - 1) / 2;
            int padC = (filterColsPadding - 1) / 2;
            const float eps = 0.0001f;
            const float texScale = (float)(2 * 0.2357);
            Span<float> nn = stackalloc float[4];
            Span<float> nInv = stackalloc float[4];
            Span<float> t = stackalloc float[4];
            for (int y = 0; y < hogNr; y++)
            {
                int outRow = (y + padR) * planeCols;
                int n0 = y * cellsNc, n1 = (y + 1) * cellsNc, n2 = (y + 2) * cellsNc;
                for (int x = 0; x < hogNc; x++)
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
            ArrayPool<int>.Shared.Return(gxs);
            ArrayPool<int>.Shared.Return(gys);
            ArrayPool<int>.Shared.Return(lens);
        }
    }

    /// <summary>_mm_min_ps for one lane.</summary>
    private static float Min(float a, float b) => a < b ? a : b;

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

    private static void GrayGradients(ReadOnlySpan<byte> pix, int cols, int y, int visibleNc, int[] gxs, int[] gys, int[] lens)
    {
        ReadOnlySpan<byte> row = pix.Slice(y * cols, cols);
        ReadOnlySpan<byte> up = pix.Slice((y - 1) * cols, cols);
        ReadOnlySpan<byte> down = pix.Slice((y + 1) * cols, cols);
        for (int x = 1; x < visibleNc; x++)
        {
            int gx = row[x + 1] - row[x - 1];
            int gy = down[x] - up[x];
            gxs[x] = gx;
            gys[x] = gy;
            lens[x] = (gx * gx) + (gy * gy);
        }
    }

    private static void RgbGradients(ReadOnlySpan<byte> pix, int cols, int y, int visibleNc, int simdEnd, int[] gxs, int[] gys, int[] lens)
    {
        int stride = cols * 3;
        ReadOnlySpan<byte> row = pix.Slice(y * stride, stride);
        ReadOnlySpan<byte> up = pix.Slice((y - 1) * stride, stride);
        ReadOnlySpan<byte> down = pix.Slice((y + 1) * stride, stride);
        for (int x = 1; x < visibleNc; x++)
        {
            int i = x * 3;
            int rx = row[i + 3] - row[i - 3], ry = down[i] - up[i];
            int gx = row[i + 4] - row[i - 2], gy = down[i + 1] - up[i + 1];
            int bx = row[i + 5] - row[i - 1], by = down[i + 2] - up[i + 2];
            int rl = (rx * rx) + (ry * ry);
            int gl = (gx * gx) + (gy * gy);
            int bl = (bx * bx) + (by * by);
            int ox, oy, ol;
            if (x < simdEnd)
            {
                // dlib's simd path: red only when strictly stronger than green, then the
                // winner only when strictly stronger than blue.
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
