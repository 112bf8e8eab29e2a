using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using DlibModels.Geometry;
using DlibModels.Imaging;

namespace DlibModels.Faces;

/// <summary>
/// dlib's <c>transform_image</c> with <c>interpolate_bilinear</c> for RGB images: every output pixel
/// (c, r) is the source sampled at the affine map of (c, r), black where the 2×2 neighbourhood leaves
/// the source.
/// </summary>
/// <remarks>
/// Each output pixel is computed on its own with dlib's double arithmetic in dlib's order: the mapped
/// point is (m00·c + m01·r) + b0 (no incremental stepping), and each channel is
/// (1−tb)·((1−lr)·tl + lr·tr) + tb·((1−lr)·bl + lr·br) with separate multiplies and adds (no fused
/// multiply-add), truncated to a byte. The vector paths do exactly these operations on 8 (AVX-512)
/// or 4 (AVX2) pixels at once, so they give the scalar result bit for bit.
/// <para>
/// The vector paths work in two passes over a run of an output row: the first computes the mapped
/// points, the interpolation weights and the source offsets of every pixel in the run, the second
/// loads the source pixels and blends them. Keeping the offsets out of the long dependency chain of
/// the blend lets the loads of many pixels be in flight at once (the CPU's gather instructions are
/// slower than plain loads on recent AMD cores, so the source pixels are read with plain 8-byte loads).
/// </para>
/// </remarks>
internal static class BilinearSampler
{
    /// <summary>Output pixels per run of the two-pass vector paths (the buffers live on the stack).</summary>
    private const int RunPixels = 256;

    /// <summary>The most source bytes <see cref="Prefetch"/> asks for.</summary>
    private const int PrefetchLimit = 512 * 1024;

    /// <summary>
    /// Fills <paramref name="dst"/> from the view <paramref name="area"/> of <paramref name="srcPixels"/>
    /// (an RGB image <paramref name="srcCols"/> pixels wide); mapped coordinates are relative to the view's top-left.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Transform(byte[] srcPixels, int srcCols, Rectangle area, RgbImage dst, Affine map)
    {
        int nr = area.IsEmpty ? 0 : checked((int)area.Height);
        int nc = area.IsEmpty ? 0 : checked((int)area.Width);
        if (nr < 2 || nc < 2)
        {
            // No 2x2 neighbourhood inside the view: every pixel is outside.
            Array.Clear(dst.Pixels);
            return;
        }

        int stride = srcCols * 3;
        if (area.Left < 0 || area.Top < 0 || area.Right >= srcCols || (area.Bottom + 1) * stride > srcPixels.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(area), $"the view {area} is not inside the {srcCols}-pixel-wide source");
        }

        var m = new MapRow(map, nr, nc);
        int dcols = dst.Cols;
        byte* scratch = stackalloc byte[Math.Max((RunPixels / 8) * sizeof(Block8), (RunPixels / 4) * sizeof(Block4))];
        fixed (byte* src = srcPixels)
        fixed (byte* dstPixels = dst.Pixels)
        {
            byte* view = src + (area.Top * stride) + (area.Left * 3);
            Prefetch(view, stride, dst, map, nr, nc);
            for (int r = 0; r < dst.Rows; r++)
            {
                // point_transform_affine: (m00·c + m01·r) + b0, the row's products computed once.
                m.SetRow(r);
                byte* drow = dstPixels + ((long)r * dcols * 3);
                if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported && Avx512BW.IsSupported && Avx512DQ.IsSupported && dcols >= 8)
                {
                    RowAvx512(view, stride, drow, dcols, in m, (Block8*)scratch);
                }
                else if (Avx2.IsSupported && dcols >= 4)
                {
                    RowAvx2(view, stride, drow, dcols, in m, (Block4*)scratch);
                }
                else
                {
                    RowScalar(view, stride, drow, dcols, in m);
                }
            }
        }
    }

    /// <summary>
    /// Asks for the source cache lines of the whole output ahead of time: the bounding box of the mapped
    /// output corners, clipped to the view, row by row (up to <see cref="PrefetchLimit"/> bytes). The
    /// sampling itself walks a slanted band of source rows, a new memory page each, which the hardware
    /// prefetchers do not follow, and the source of a chip is rarely in cache (the detector has just
    /// streamed the whole image through).
    /// </summary>
    private static unsafe void Prefetch(byte* view, int stride, RgbImage dst, Affine map, int nr, int nc)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        double x0 = double.PositiveInfinity, y0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y1 = double.NegativeInfinity;
        for (int corner = 0; corner < 4; corner++)
        {
            (double x, double y) = map.Apply((corner & 1) == 0 ? 0 : dst.Cols - 1, corner < 2 ? 0 : dst.Rows - 1);
            x0 = Math.Min(x0, x);
            x1 = Math.Max(x1, x);
            y0 = Math.Min(y0, y);
            y1 = Math.Max(y1, y);
        }

        // Whole source pixels [left, right] × [top, bottom] (NaN maps leave the range empty).
        double left = Math.Max(0, Math.Floor(x0)), top = Math.Max(0, Math.Floor(y0));
        double right = Math.Min(nc - 1, Math.Floor(x1) + 1), bottom = Math.Min(nr - 1, Math.Floor(y1) + 1);
        if (!(left <= right && top <= bottom))
        {
            return;
        }

        // From the top, where sampling starts.
        int from = (int)left * 3, to = ((int)right * 3) + 2;
        int last = (int)Math.Min(bottom, top + ((PrefetchLimit / (to - from + 64)) - 1));
        for (int r = (int)top; r <= last; r++)
        {
            byte* row = view + ((long)r * stride);
            for (int b = from; b < to + 64; b += 64)
            {
                Sse.Prefetch0(row + Math.Min(b, to));
            }
        }
    }

    /// <summary>The map's coefficients, the current row's products m01·r and m11·r, and the view's size as doubles.</summary>
    private struct MapRow(Affine map, int nr, int nc)
    {
        public readonly double M00 = map.M00;
        public readonly double M10 = map.M10;
        public readonly double B0 = map.B0;
        public readonly double B1 = map.B1;
        public readonly double Nr = nr;
        public readonly double Nc = nc;
        public double Rx;
        public double Ry;
        private readonly double _m01 = map.M01;
        private readonly double _m11 = map.M11;

        public void SetRow(int r)
        {
            double yr = r;
            Rx = _m01 * yr;
            Ry = _m11 * yr;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowScalar(byte* view, int stride, byte* drow, int dcols, in MapRow m)
    {
        // The bounds as doubles: C# compares fl + 1 < nc exactly for image sizes.
        double nc = m.Nc, nr = m.Nr;
        for (int c = 0; c < dcols; c++)
        {
            double xc = c;
            double x = (m.M00 * xc) + m.Rx + m.B0;
            double y = (m.M10 * xc) + m.Ry + m.B1;
            double fl = Math.Floor(x);
            double ft = Math.Floor(y);
            byte* d = drow + (3 * c);
            if (!(fl >= 0 && ft >= 0 && fl + 1 < nc && ft + 1 < nr))
            {
                d[0] = 0;
                d[1] = 0;
                d[2] = 0;
                continue;
            }

            // fl and ft are whole numbers inside the view, so x - fl is dlib's x - left exactly.
            double lr = x - fl;
            double tb = y - ft;
            double omlr = 1 - lr;
            double omtb = 1 - tb;
            byte* p00 = view + (((long)ft * stride) + ((long)fl * 3));
            byte* p10 = p00 + stride;
            d[0] = Blend(p00[0], p00[3], p10[0], p10[3], lr, omlr, tb, omtb);
            d[1] = Blend(p00[1], p00[4], p10[1], p10[4], lr, omlr, tb, omtb);
            d[2] = Blend(p00[2], p00[5], p10[2], p10[5], lr, omlr, tb, omtb);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Blend(double tl, double tr, double bl, double br, double lr, double omlr, double tb, double omtb)
    {
        double top2 = (omlr * tl) + (lr * tr);
        double bot2 = (omlr * bl) + (lr * br);
        double v = (omtb * top2) + (tb * bot2);
        return (byte)(int)v;
    }

    // ------------------------------------------------------------------ AVX-512: 8 pixels a block

    /// <summary>What the first pass leaves for a block of 8 pixels: the weights (0 for pixels outside) and the byte offsets of the top-left source pixels.</summary>
    private struct Block8
    {
        public Vector512<double> Lr;
        public Vector512<double> OneMinusLr;
        public Vector512<double> Tb;
        public Vector512<double> OneMinusTb;
        public Vector256<int> Offsets;
    }

    /// <summary>
    /// One output row in blocks of 8 pixels; the last block overlaps the one before when the width is not
    /// a multiple of 8 (it recomputes the same values).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowAvx512(byte* view, int stride, byte* drow, int dcols, in MapRow m, Block8* blocks)
    {
        const int runBlocks = RunPixels / 8;
        int totalBlocks = (dcols + 7) / 8;
        for (int first = 0; first < totalBlocks; first += runBlocks)
        {
            int count = Math.Min(runBlocks, totalBlocks - first);
            if (Prepare8(blocks, first, count, dcols, stride, in m))
            {
                Sample8(view, stride, drow, blocks, first, count, dcols);
            }
            else
            {
                // The whole run maps outside the view.
                int from = first * 8 * 3;
                new Span<byte>(drow + from, Math.Min((first + count) * 8 * 3, dcols * 3) - from).Clear();
            }
        }
    }

    /// <summary>The first pass over blocks [first, first + count); false when no pixel of them is inside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool Prepare8(Block8* blocks, int first, int count, int dcols, int stride, in MapRow m)
    {
        Vector512<double> one = Vector512<double>.One;
        Vector512<double> m00 = Vector512.Create(m.M00), m10 = Vector512.Create(m.M10);
        Vector512<double> rx = Vector512.Create(m.Rx), ry = Vector512.Create(m.Ry);
        Vector512<double> b0 = Vector512.Create(m.B0), b1 = Vector512.Create(m.B1);
        Vector512<double> nc = Vector512.Create(m.Nc), nr = Vector512.Create(m.Nr);
        Vector512<double> iota = Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7);
        Vector256<int> vstride = Vector256.Create(stride);
        Vector512<double> any = Vector512<double>.Zero;
        for (int k = 0; k < count; k++)
        {
            int c = Math.Min((first + k) * 8, dcols - 8);
            Vector512<double> xc = Vector512.Create((double)c) + iota;
            Vector512<double> x = (m00 * xc) + rx + b0;
            Vector512<double> y = (m10 * xc) + ry + b1;
            Vector512<double> fl = Vector512.Floor(x);
            Vector512<double> ft = Vector512.Floor(y);
            Vector512<double> inside = Vector512.GreaterThanOrEqual(fl, Vector512<double>.Zero) & Vector512.GreaterThanOrEqual(ft, Vector512<double>.Zero)
                & Vector512.LessThan(fl + one, nc) & Vector512.LessThan(ft + one, nr);
            any |= inside;

            // Outside pixels get zero weights (so they blend to exactly 0) and read the view's top-left pixels.
            Vector512<double> lr = x - fl;
            Vector512<double> tb = y - ft;
            Block8* b = blocks + k;
            b->Lr = lr & inside;
            b->OneMinusLr = (one - lr) & inside;
            b->Tb = tb & inside;
            b->OneMinusTb = (one - tb) & inside;
            Vector256<int> ix = Avx512F.ConvertToVector256Int32WithTruncation(fl & inside);
            Vector256<int> iy = Avx512F.ConvertToVector256Int32WithTruncation(ft & inside);
            b->Offsets = (iy * vstride) + ix + ix + ix;
        }

        return any != Vector512<double>.Zero;
    }

    /// <summary>
    /// The second pass: per pixel, 8 bytes from the top source row at the top-left pixel (its R, G, B and
    /// the right pixel's) and 8 bytes from the bottom row ending with the bottom-right pixel; both stay
    /// inside the view, which has at least 2 rows and 2 columns.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Sample8(byte* view, int stride, byte* drow, Block8* blocks, int first, int count, int dcols)
    {
        byte* bot = view + stride - 2;

        // Byte j of each 8-byte word, zero-extended to 64 bits (vpshufb works within 16-byte lanes of two words).
        Vector512<byte> b0 = Lanes(0), b1 = Lanes(1), b2 = Lanes(2), b3 = Lanes(3), b4 = Lanes(4), b5 = Lanes(5), b6 = Lanes(6), b7 = Lanes(7);
        for (int k = 0; k < count; k++)
        {
            Block8* b = blocks + k;
            int* o = (int*)&b->Offsets;
            Vector512<byte> top = Vector512.Create(
                Vector256.Create(*(long*)(view + o[0]), *(long*)(view + o[1]), *(long*)(view + o[2]), *(long*)(view + o[3])),
                Vector256.Create(*(long*)(view + o[4]), *(long*)(view + o[5]), *(long*)(view + o[6]), *(long*)(view + o[7]))).AsByte();
            Vector512<byte> bottom = Vector512.Create(
                Vector256.Create(*(long*)(bot + o[0]), *(long*)(bot + o[1]), *(long*)(bot + o[2]), *(long*)(bot + o[3])),
                Vector256.Create(*(long*)(bot + o[4]), *(long*)(bot + o[5]), *(long*)(bot + o[6]), *(long*)(bot + o[7]))).AsByte();
            Vector512<double> lr = b->Lr, omlr = b->OneMinusLr, tb = b->Tb, omtb = b->OneMinusTb;

            // top: tl = bytes 0..2, tr = 3..5; bottom: bl = bytes 2..4, br = 5..7.
            Vector512<double> red = Blend(Channel(top, b0), Channel(top, b3), Channel(bottom, b2), Channel(bottom, b5), lr, omlr, tb, omtb);
            Vector512<double> green = Blend(Channel(top, b1), Channel(top, b4), Channel(bottom, b3), Channel(bottom, b6), lr, omlr, tb, omtb);
            Vector512<double> blue = Blend(Channel(top, b2), Channel(top, b5), Channel(bottom, b4), Channel(bottom, b7), lr, omlr, tb, omtb);
            Vector256<int> rgb = Avx512F.ConvertToVector256Int32WithTruncation(red)
                | (Avx512F.ConvertToVector256Int32WithTruncation(green) << 8)
                | (Avx512F.ConvertToVector256Int32WithTruncation(blue) << 16);
            Store8(rgb, drow + (3 * Math.Min((first + k) * 8, dcols - 8)));
        }
    }

    /// <summary>A vpshufb control that moves byte <paramref name="j"/> of each 8-byte word to the word's low byte and zeroes the rest.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> Lanes(int j)
    {
        var lo = Vector128.Create((byte)j, 128, 128, 128, 128, 128, 128, 128, (byte)(j + 8), 128, 128, 128, 128, 128, 128, 128);
        return Vector512.Create(Vector256.Create(lo, lo), Vector256.Create(lo, lo));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Channel(Vector512<byte> words, Vector512<byte> control)
        => Avx512DQ.ConvertToVector512Double(Avx512BW.Shuffle(words, control).AsInt64());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Blend(Vector512<double> tl, Vector512<double> tr, Vector512<double> bl, Vector512<double> br, Vector512<double> lr, Vector512<double> omlr, Vector512<double> tb, Vector512<double> omtb)
    {
        Vector512<double> top2 = (omlr * tl) + (lr * tr);
        Vector512<double> bot2 = (omlr * bl) + (lr * br);
        return (omtb * top2) + (tb * bot2);
    }

    /// <summary>Writes the low three bytes of each of the 8 ints as 24 consecutive bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store8(Vector256<int> rgb, byte* d)
    {
        Vector256<byte> packed = Avx2.Shuffle(rgb.AsByte(), Vector256.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 128, 128, 128, 128, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 128, 128, 128, 128));
        packed = Avx2.PermuteVar8x32(packed.AsInt32(), Vector256.Create(0, 1, 2, 4, 5, 6, 3, 7)).AsByte();
        packed.GetLower().Store(d);
        *(ulong*)(d + 16) = packed.AsUInt64().GetElement(2);
    }

    // ------------------------------------------------------------------ AVX2: 4 pixels a block

    /// <summary><see cref="Block8"/> for 4 pixels.</summary>
    private struct Block4
    {
        public Vector256<double> Lr;
        public Vector256<double> OneMinusLr;
        public Vector256<double> Tb;
        public Vector256<double> OneMinusTb;
        public Vector128<int> Offsets;
    }

    /// <summary><see cref="RowAvx512"/> in blocks of 4 pixels.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowAvx2(byte* view, int stride, byte* drow, int dcols, in MapRow m, Block4* blocks)
    {
        const int runBlocks = RunPixels / 4;
        int totalBlocks = (dcols + 3) / 4;
        for (int first = 0; first < totalBlocks; first += runBlocks)
        {
            int count = Math.Min(runBlocks, totalBlocks - first);
            if (Prepare4(blocks, first, count, dcols, stride, in m))
            {
                Sample4(view, stride, drow, blocks, first, count, dcols);
            }
            else
            {
                int from = first * 4 * 3;
                new Span<byte>(drow + from, Math.Min((first + count) * 4 * 3, dcols * 3) - from).Clear();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool Prepare4(Block4* blocks, int first, int count, int dcols, int stride, in MapRow m)
    {
        Vector256<double> one = Vector256<double>.One;
        Vector256<double> m00 = Vector256.Create(m.M00), m10 = Vector256.Create(m.M10);
        Vector256<double> rx = Vector256.Create(m.Rx), ry = Vector256.Create(m.Ry);
        Vector256<double> b0 = Vector256.Create(m.B0), b1 = Vector256.Create(m.B1);
        Vector256<double> nc = Vector256.Create(m.Nc), nr = Vector256.Create(m.Nr);
        Vector256<double> iota = Vector256.Create(0.0, 1, 2, 3);
        Vector128<int> vstride = Vector128.Create(stride);
        Vector256<double> any = Vector256<double>.Zero;
        for (int k = 0; k < count; k++)
        {
            int c = Math.Min((first + k) * 4, dcols - 4);
            Vector256<double> xc = Vector256.Create((double)c) + iota;
            Vector256<double> x = (m00 * xc) + rx + b0;
            Vector256<double> y = (m10 * xc) + ry + b1;
            Vector256<double> fl = Vector256.Floor(x);
            Vector256<double> ft = Vector256.Floor(y);
            Vector256<double> inside = Vector256.GreaterThanOrEqual(fl, Vector256<double>.Zero) & Vector256.GreaterThanOrEqual(ft, Vector256<double>.Zero)
                & Vector256.LessThan(fl + one, nc) & Vector256.LessThan(ft + one, nr);
            any |= inside;
            Vector256<double> lr = x - fl;
            Vector256<double> tb = y - ft;
            Block4* b = blocks + k;
            b->Lr = lr & inside;
            b->OneMinusLr = (one - lr) & inside;
            b->Tb = tb & inside;
            b->OneMinusTb = (one - tb) & inside;
            Vector128<int> ix = Avx.ConvertToVector128Int32WithTruncation(fl & inside);
            Vector128<int> iy = Avx.ConvertToVector128Int32WithTruncation(ft & inside);
            b->Offsets = (iy * vstride) + ix + ix + ix;
        }

        return any != Vector256<double>.Zero;
    }

    /// <summary>
    /// <see cref="Sample8"/> for 4 pixels: a vpshufb puts two of a word's bytes into 32-bit lanes
    /// (pixels 0, 1 of one byte, then of the other, in each 16-byte half) and a vpermd gathers the four
    /// pixels of each byte into one half.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Sample4(byte* view, int stride, byte* drow, Block4* blocks, int first, int count, int dcols)
    {
        byte* bot = view + stride - 2;
        Vector256<byte> p03 = Pairs(0, 3), p14 = Pairs(1, 4), p25 = Pairs(2, 5), p36 = Pairs(3, 6), p47 = Pairs(4, 7);
        Vector256<int> halves = Vector256.Create(0, 1, 4, 5, 2, 3, 6, 7);
        Vector128<byte> pack = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 128, 128, 128, 128);
        for (int k = 0; k < count; k++)
        {
            Block4* b = blocks + k;
            int* o = (int*)&b->Offsets;
            Vector256<byte> top = Vector256.Create(*(long*)(view + o[0]), *(long*)(view + o[1]), *(long*)(view + o[2]), *(long*)(view + o[3])).AsByte();
            Vector256<byte> bottom = Vector256.Create(*(long*)(bot + o[0]), *(long*)(bot + o[1]), *(long*)(bot + o[2]), *(long*)(bot + o[3])).AsByte();
            Vector256<double> lr = b->Lr, omlr = b->OneMinusLr, tb = b->Tb, omtb = b->OneMinusTb;
            Vector256<int> tR = Avx2.PermuteVar8x32(Avx2.Shuffle(top, p03).AsInt32(), halves);
            Vector256<int> tG = Avx2.PermuteVar8x32(Avx2.Shuffle(top, p14).AsInt32(), halves);
            Vector256<int> tB = Avx2.PermuteVar8x32(Avx2.Shuffle(top, p25).AsInt32(), halves);
            Vector256<int> bR = Avx2.PermuteVar8x32(Avx2.Shuffle(bottom, p25).AsInt32(), halves);
            Vector256<int> bG = Avx2.PermuteVar8x32(Avx2.Shuffle(bottom, p36).AsInt32(), halves);
            Vector256<int> bB = Avx2.PermuteVar8x32(Avx2.Shuffle(bottom, p47).AsInt32(), halves);
            Vector256<double> red = Blend(tR, bR, lr, omlr, tb, omtb);
            Vector256<double> green = Blend(tG, bG, lr, omlr, tb, omtb);
            Vector256<double> blue = Blend(tB, bB, lr, omlr, tb, omtb);
            Vector128<int> rgb = Avx.ConvertToVector128Int32WithTruncation(red)
                | (Avx.ConvertToVector128Int32WithTruncation(green) << 8)
                | (Avx.ConvertToVector128Int32WithTruncation(blue) << 16);
            Vector128<byte> packed = Ssse3.Shuffle(rgb.AsByte(), pack);
            byte* d = drow + (3 * Math.Min((first + k) * 4, dcols - 4));
            *(ulong*)d = packed.AsUInt64().ToScalar();
            *(uint*)(d + 8) = packed.AsUInt32().GetElement(2);
        }
    }

    /// <summary>A vpshufb control giving, in each 16-byte half (two words), [byte i of word 0, of word 1, byte j of word 0, of word 1] as 32-bit lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Pairs(int i, int j)
    {
        var lo = Vector128.Create((byte)i, 128, 128, 128, (byte)(i + 8), 128, 128, 128, (byte)j, 128, 128, 128, (byte)(j + 8), 128, 128, 128);
        return Vector256.Create(lo, lo);
    }

    /// <summary>One channel of 4 pixels: <paramref name="top"/> holds tl (low half) and tr, <paramref name="bottom"/> bl and br.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Blend(Vector256<int> top, Vector256<int> bottom, Vector256<double> lr, Vector256<double> omlr, Vector256<double> tb, Vector256<double> omtb)
    {
        Vector256<double> top2 = (omlr * Avx.ConvertToVector256Double(top.GetLower())) + (lr * Avx.ConvertToVector256Double(top.GetUpper()));
        Vector256<double> bot2 = (omlr * Avx.ConvertToVector256Double(bottom.GetLower())) + (lr * Avx.ConvertToVector256Double(bottom.GetUpper()));
        return (omtb * top2) + (tb * bot2);
    }
}
