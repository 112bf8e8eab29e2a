using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DlibModels.Dnn.Engine;

/// <summary>
/// A convolution prepared for fast inference: the filters repacked into panels of
/// <see cref="MR"/> output channels, plus an optional fused epilogue (bias, then a per-channel
/// affine y = gamma·x + beta, then relu), which gives the same floats as running the layers one by one.
/// </summary>
internal sealed class PackedConvolution
{
    /// <summary>Output channels computed together by the micro-kernel.</summary>
    internal const int MR = 6;

    /// <summary>Output pixels computed together by the micro-kernel.</summary>
    internal const int NR = 16;

    private readonly float[] packedFilters;

    public PackedConvolution(ConvolutionLayer layer, AffineLayer? affine = null, bool relu = false)
    {
        Layer = layer;
        Co = layer.NumFilters;
        Ci = layer.InputChannels;
        Kh = layer.KernelRows;
        Kw = layer.KernelCols;
        Sy = layer.StrideY;
        Sx = layer.StrideX;
        Py = layer.PaddingY;
        Px = layer.PaddingX;
        KSize = Ci * Kh * Kw;
        if (layer.WeightCount != Co * KSize)
        {
            throw new ArgumentException($"convolution has {layer.WeightCount} weights, expected {Co * KSize}");
        }

        Panels = (Co + MR - 1) / MR;

        // The direct path (few filters, unit stride) reads the layer's plain filters.
        packedFilters = UsesDirect(Co, Sx) ? [] : PackedFilters(layer);

        Bias = layer.HasBias ? layer.BiasesArray : null;
        if (affine is not null)
        {
            if (!affine.ConvolutionMode || affine.GammaArray.Length != Co || affine.BetaArray.Length != Co)
            {
                throw new ArgumentException("only a per-channel affine layer with one value per filter can be fused into a convolution");
            }

            Gamma = affine.GammaArray;
            Beta = affine.BetaArray;
        }

        Relu = relu;
    }

    public ConvolutionLayer Layer { get; }

    /// <summary>
    /// The layer's filters in micro-kernel order (panels of <see cref="MR"/> filters, tap by tap,
    /// zero lanes past the last filter), packed once per layer and shared by every executor.
    /// </summary>
    internal static float[] PackedFilters(ConvolutionLayer layer)
    {
        float[]? packed = Volatile.Read(ref layer.PackedFiltersCache);
        if (packed is not null)
        {
            return packed;
        }

        packed = Pack(layer.WeightsArray, layer.NumFilters, layer.InputChannels * layer.KernelRows * layer.KernelCols);
        return Interlocked.CompareExchange(ref layer.PackedFiltersCache, packed, null) ?? packed;
    }

    /// <summary>True when a convolution with <paramref name="filters"/> filters and horizontal stride <paramref name="strideX"/> runs directly on its plain filters (no packing).</summary>
    internal static bool UsesDirect(int filters, int strideX) => filters <= DirectMaxFilters && strideX == 1;

    /// <summary>Packs <paramref name="co"/> filters of <paramref name="kSize"/> values each (<c>[out][in][kh][kw]</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe float[] Pack(ReadOnlySpan<float> weights, int co, int kSize)
    {
        if (weights.Length != co * kSize)
        {
            throw new ArgumentException($"convolution has {weights.Length} weights, expected {co * kSize}");
        }

        int panels = (co + MR - 1) / MR;
        float[] packed = GC.AllocateUninitializedArray<float>(panels * kSize * MR);
        fixed (float* src = weights)
        fixed (float* dst = packed)
        {
            for (int p = 0; p < panels; p++)
            {
                float* d = dst + ((long)p * kSize * MR);
                float* s = src + ((long)p * MR * kSize);
                int lanes = Math.Min(MR, co - (p * MR));
                if (lanes == MR)
                {
                    float* s1 = s + kSize, s2 = s1 + kSize, s3 = s2 + kSize, s4 = s3 + kSize, s5 = s4 + kSize;
                    int k = 0;
                    if (Sse.IsSupported)
                    {
                        // Four taps of the six filters at a time: a 4x4 transpose of filters 0-3 and
                        // the interleave of filters 4-5, stored as six contiguous groups of four.
                        for (; k + 4 <= kSize; k += 4, d += 4 * MR)
                        {
                            Vector128<float> r0 = Sse.LoadVector128(s + k), r1 = Sse.LoadVector128(s1 + k);
                            Vector128<float> r2 = Sse.LoadVector128(s2 + k), r3 = Sse.LoadVector128(s3 + k);
                            Vector128<float> r4 = Sse.LoadVector128(s4 + k), r5 = Sse.LoadVector128(s5 + k);
                            Vector128<float> lo01 = Sse.UnpackLow(r0, r1), lo23 = Sse.UnpackLow(r2, r3);
                            Vector128<float> hi01 = Sse.UnpackHigh(r0, r1), hi23 = Sse.UnpackHigh(r2, r3);
                            Vector128<float> lo45 = Sse.UnpackLow(r4, r5), hi45 = Sse.UnpackHigh(r4, r5);
                            Vector128<float> tap1 = Sse.MoveHighToLow(lo23, lo01), tap3 = Sse.MoveHighToLow(hi23, hi01);
                            Sse.Store(d, Sse.MoveLowToHigh(lo01, lo23));
                            Sse.Store(d + 4, Sse.MoveLowToHigh(lo45, tap1));
                            Sse.Store(d + 8, Sse.Shuffle(tap1, lo45, 0b11_10_11_10));
                            Sse.Store(d + 12, Sse.MoveLowToHigh(hi01, hi23));
                            Sse.Store(d + 16, Sse.MoveLowToHigh(hi45, tap3));
                            Sse.Store(d + 20, Sse.Shuffle(tap3, hi45, 0b11_10_11_10));
                        }
                    }

                    for (; k < kSize; k++, d += MR)
                    {
                        d[0] = s[k];
                        d[1] = s1[k];
                        d[2] = s2[k];
                        d[3] = s3[k];
                        d[4] = s4[k];
                        d[5] = s5[k];
                    }

                    continue;
                }

                for (int k = 0; k < kSize; k++, d += MR)
                {
                    for (int lane = 0; lane < MR; lane++)
                    {
                        d[lane] = lane < lanes ? s[((long)lane * kSize) + k] : 0f;
                    }
                }
            }
        }

        return packed;
    }

    /// <summary>The plain filters (<c>[out][in][kh][kw]</c>) of <see cref="Pack"/>'s output.</summary>
    internal static float[] Unpack(float[] packed, int co, int kSize)
    {
        float[] weights = co * kSize == 0 ? [] : GC.AllocateUninitializedArray<float>(co * kSize);
        for (int c = 0; c < co; c++)
        {
            int from = ((c / MR) * kSize * MR) + (c % MR);
            int to = c * kSize;
            for (int k = 0; k < kSize; k++)
            {
                weights[to + k] = packed[from + (k * MR)];
            }
        }

        return weights;
    }

    public int Co { get; }

    public int Ci { get; }

    public int Kh { get; }

    public int Kw { get; }

    public int Sy { get; }

    public int Sx { get; }

    public int Py { get; }

    public int Px { get; }

    /// <summary>Ci·Kh·Kw, the length of one filter.</summary>
    public int KSize { get; }

    public int Panels { get; }

    public float[]? Bias { get; }

    public float[]? Gamma { get; }

    public float[]? Beta { get; }

    public bool Relu { get; }

    /// <summary>Output rows for <paramref name="rows"/> input rows (dlib's formula).</summary>
    public int OutRows(int rows) => 1 + ((rows + (2 * Py) - Kh) / Sy);

    /// <summary>Output columns for <paramref name="cols"/> input columns.</summary>
    public int OutCols(int cols) => 1 + ((cols + (2 * Px) - Kw) / Sx);

    /// <summary>Output pixels per tile, chosen so a packed tile of input patches stays in L2.</summary>
    private static int TileWidth(int outPixels, int kSize, int unit)
    {
        int byCache = (96 * 1024) / Math.Max(1, kSize);
        int pt = Math.Clamp(byCache / unit * unit, 2 * unit, 512);
        int needed = (outPixels + unit - 1) / unit * unit;
        return Math.Min(pt, Math.Max(unit, needed));
    }

    /// <summary>Whether the 512-bit micro-kernel can run (it gives the same floats as the 256-bit one).</summary>
    private static bool Wide => Avx512F.IsSupported;

    /// <summary>Runs the convolution (and fused epilogue) of <paramref name="input"/> into a new tensor.</summary>
    /// <param name="input">The input (not modified).</param>
    /// <param name="maxThreads">Most threads to use.</param>
    /// <param name="allowSimd">False: the portable scalar kernel.</param>
    /// <param name="allowWide">False: no 512-bit kernel even where AVX-512 exists.</param>
    /// <param name="allowImplicit">
    /// False: always the packed-patch GEMM, never the in-place (<see cref="ForwardImplicit"/>) or
    /// few-pixel (<see cref="ForwardFewPixels"/>) paths. Every combination gives the same floats;
    /// the switches exist so tests can compare the paths.
    /// </param>
    public Tensor Forward(Tensor input, int maxThreads, bool allowSimd = true, bool allowWide = true, bool allowImplicit = true)
    {
        if (input.K != Ci)
        {
            throw new InvalidOperationException($"convolution expects {Ci} input channels, got {input.K}");
        }

        if (input.Rows + (2 * Py) < Kh || input.Cols + (2 * Px) < Kw)
        {
            throw new InvalidOperationException($"input {input} is smaller than the {Kh}x{Kw} filter");
        }

        int oh = OutRows(input.Rows);
        int ow = OutCols(input.Cols);
        var output = new Tensor(input.N, Co, oh, ow);
        int outPixels = oh * ow;
        if (outPixels == 0 || input.N == 0)
        {
            return output;
        }

        if (Co <= DirectMaxFilters && Sx == 1)
        {
            ForwardDirect(input, output, maxThreads, allowSimd && Fma.IsSupported && Avx.IsSupported);
            return output;
        }

        bool simd = allowSimd && Fma.IsSupported && Avx.IsSupported;
        bool wide = simd && allowWide && Wide;
        if (Sx == 1 && Sy == 1 && ow >= ImplicitMinCols && allowImplicit)
        {
            ForwardImplicit(input, output, maxThreads, simd, wide);
            return output;
        }

        if (simd && allowImplicit && (long)input.N * outPixels <= SmallMaxColumns && Co % ChannelBlock(wide) == 0)
        {
            ForwardFewPixels(input, output, wide);
            return output;
        }

        // Tiles run over the output pixels of all samples in order, so small late layers (a few
        // pixels per sample) still fill whole micro-kernel blocks when a batch is run.
        long columns = (long)input.N * outPixels;
        int pt = TileWidth((int)Math.Min(columns, int.MaxValue), KSize, wide ? 2 * NR : NR);
        int total = (int)((columns + pt - 1) / pt);
        int packLen = KSize * pt;

        if (maxThreads <= 1 || total == 1)
        {
            float[] pack = BufferPool.Rent(packLen);
            try
            {
                for (int t = 0; t < total; t++)
                {
                    RunTile(input, output, (long)t * pt, columns, pt, pack, simd, wide);
                }
            }
            finally
            {
                BufferPool.Return(pack);
            }
        }
        else
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = maxThreads };
            Parallel.For(
                0,
                total,
                options,
                () => BufferPool.Rent(packLen),
                (t, _, pack) =>
                {
                    RunTile(input, output, (long)t * pt, columns, pt, pack, simd, wide);
                    return pack;
                },
                BufferPool.Return);
        }

        return output;
    }

    /// <summary>Output pixels (over the whole batch) up to which <see cref="ForwardFewPixels"/> is used.</summary>
    internal const int SmallMaxColumns = 24;

    private static int ChannelBlock(bool wide) => wide ? 32 : 16;

    /// <summary>
    /// The filters as [channel block][k][block lanes] for <see cref="ForwardFewPixels"/>, made on
    /// first use (only layers with tiny outputs need them).
    /// </summary>
    private float[]? channelMajor256;
    private float[]? channelMajor512;

    private float[] ChannelMajorFilters(bool wide)
    {
        ref float[]? slot = ref wide ? ref channelMajor512 : ref channelMajor256;
        float[]? packed = Volatile.Read(ref slot);
        if (packed is not null)
        {
            return packed;
        }

        // Re-laid out from the micro-kernel packing (panels of MR filters, tap by tap), so the
        // layer's plain filters never need to be materialized.
        int cb = ChannelBlock(wide);
        packed = new float[Co * KSize];
        float[] w = packedFilters;
        for (int co = 0; co < Co; co++)
        {
            int block = co / cb, lane = co % cb;
            int src = (co / MR * KSize * MR) + (co % MR);
            for (int k = 0; k < KSize; k++)
            {
                packed[(((block * KSize) + k) * cb) + lane] = w[src + (k * MR)];
            }
        }

        Interlocked.CompareExchange(ref slot, packed, null);
        return Volatile.Read(ref slot)!;
    }

    /// <summary>
    /// Convolution with very few output pixels in the whole batch (the 1×1 … 4×4 layers at the end
    /// of a ResNet run on one image): vectorized over output channels instead of pixels, 6 pixels ×
    /// 16 or 32 channels per micro-kernel call, each output summed over k in the same order with the
    /// same fused multiply-adds as the packed path, so the floats are identical.
    /// </summary>
    private unsafe void ForwardFewPixels(Tensor input, Tensor output, bool wide)
    {
        int outPixels = output.Rows * output.Cols;
        int columns = input.N * outPixels;
        int cb = ChannelBlock(wide);
        float[] filters = ChannelMajorFilters(wide);
        int groups = (columns + MR - 1) / MR;
        float[] patches = BufferPool.Rent((long)groups * KSize * MR);
        try
        {
            // Pixels in groups of MR, laid out like a filter panel: patches[group][k][pixel lane],
            // zero where a window reads padding and for lanes past the last pixel.
            float[] src = input.Buffer;
            int h = input.Rows, w = input.Cols, ow = output.Cols;
            patches.AsSpan(0, groups * KSize * MR).Clear();
            for (int c = 0; c < columns; c++)
            {
                int n = c / outPixels, p = c % outPixels;
                int oy = p / ow, ox = p % ow;
                int k = 0;
                int dst = ((c / MR) * KSize * MR) + (c % MR);
                for (int ci = 0; ci < Ci; ci++)
                {
                    int plane = (n * input.SampleSize) + (ci * h * w);
                    for (int ky = 0; ky < Kh; ky++)
                    {
                        int iy = (oy * Sy) - Py + ky;
                        for (int kx = 0; kx < Kw; kx++, k++)
                        {
                            int ix = (ox * Sx) - Px + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                            {
                                patches[dst + (k * MR)] = src[plane + (iy * w) + ix];
                            }
                        }
                    }
                }
            }

            Span<float> acc = stackalloc float[MR * 32];
            Span<float> column = stackalloc float[MR];
            fixed (float* pp = patches)
            fixed (float* wp = filters)
            fixed (float* accp = acc)
            fixed (float* colp = column)
            {
                for (int c0 = 0; c0 < columns; c0 += MR)
                {
                    int rows = Math.Min(MR, columns - c0);
                    for (int block = 0; block < Co / cb; block++)
                    {
                        // The same register block as the filter GEMM with the roles swapped: the
                        // pixels are broadcast, the channel-major filters are the rows.
                        float* wb = wp + ((long)block * KSize * cb);
                        float* group = pp + ((long)c0 * KSize);
                        if (wide)
                        {
                            MicroKernels.Block6x32(group, new StridedRows(wb, cb), KSize, accp);
                        }
                        else
                        {
                            MicroKernels.Block6x16(group, new StridedRows(wb, cb), KSize, accp);
                        }

                        for (int lane = 0; lane < cb; lane++)
                        {
                            int co = (block * cb) + lane;
                            for (int i = 0; i < rows; i++)
                            {
                                column[i] = acc[(i * cb) + lane];
                            }

                            for (int done = 0; done < rows;)
                            {
                                int c = c0 + done;
                                int n = c / outPixels, p = c % outPixels;
                                int len = Math.Min(rows - done, outPixels - p);
                                Store(colp + done, output.Buffer, (n * output.SampleSize) + (co * outPixels) + p, len, co);
                                done += len;
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            BufferPool.Return(patches);
        }
    }

    /// <summary>Output width from which a unit-stride convolution skips the patch packing (<see cref="ForwardImplicit"/>).</summary>
    internal const int ImplicitMinCols = 4;

    /// <summary>
    /// Unit-stride convolution as a GEMM whose B matrix is never packed: the sample is copied once
    /// into a zero-padded layout of row pitch Wp = W + 2·Px, where output pixel (y, x) sits at
    /// q = y·Wp + x and the patch value of tap (ci, ky, kx) is at q + ci·plane + ky·Wp + kx. The
    /// micro-kernel reads each tap's row at that offset. Columns with x ≥ output width are computed
    /// and dropped. Per output the taps are summed in the same order, with the same zero padding, as
    /// the packed path, so the floats are identical.
    /// </summary>
    private void ForwardImplicit(Tensor input, Tensor output, int maxThreads, bool simd, bool wide)
    {
        int h = input.Rows, w = input.Cols;
        int hp = h + (2 * Py), wp = w + (2 * Px);
        int oh = output.Rows, ow = output.Cols;
        int unit = wide ? 2 * NR : NR;

        // Columns of one sample in padded coordinates, rounded up to whole blocks; reads past the
        // last plane stay inside the slack.
        int qCount = ((oh - 1) * wp) + ow;
        int planeP = hp * wp;
        int slack = ((Kh - 1) * wp) + Kw + (2 * unit);
        long paddedLen = ((long)Ci * planeP) + slack;
        int pt = Math.Min(TileWidth(qCount, Math.Min(KSize, 4 * 1024), unit), (qCount + unit - 1) / unit * unit);
        int tiles = (qCount + pt - 1) / pt;

        int[] offsets = ArrayPool<int>.Shared.Rent(KSize);
        for (int ci = 0, k = 0; ci < Ci; ci++)
        {
            for (int ky = 0; ky < Kh; ky++)
            {
                for (int kx = 0; kx < Kw; kx++, k++)
                {
                    offsets[k] = (ci * planeP) + (ky * wp) + kx;
                }
            }
        }

        float[] padded = BufferPool.Rent(paddedLen);
        try
        {
            for (int n = 0; n < input.N; n++)
            {
                CopyPadded(input, n, padded, hp, wp, slack);
                if (maxThreads <= 1 || tiles == 1)
                {
                    for (int t = 0; t < tiles; t++)
                    {
                        RunImplicitTile(output, n, padded, offsets, t * pt, Math.Min(pt, qCount - (t * pt)), wp, simd, wide);
                    }
                }
                else
                {
                    int sample = n;
                    Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, t =>
                        RunImplicitTile(output, sample, padded, offsets, t * pt, Math.Min(pt, qCount - (t * pt)), wp, simd, wide));
                }
            }
        }
        finally
        {
            BufferPool.Return(padded);
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>Copies sample n into the zero-padded layout (planes of hp×wp, then zeroed slack).</summary>
    private void CopyPadded(Tensor input, int n, float[] padded, int hp, int wp, int slack)
    {
        int h = input.Rows, w = input.Cols;
        float[] src = input.Buffer;
        int planeP = hp * wp;
        for (int ci = 0; ci < Ci; ci++)
        {
            Span<float> plane = padded.AsSpan(ci * planeP, planeP);
            plane[..(Py * wp)].Clear();
            plane[((Py + h) * wp)..].Clear();
            int srcBase = (n * input.SampleSize) + (ci * h * w);
            for (int y = 0; y < h; y++)
            {
                Span<float> row = plane.Slice((y + Py) * wp, wp);
                row[..Px].Clear();
                src.AsSpan(srcBase + (y * w), w).CopyTo(row.Slice(Px, w));
                row[(Px + w)..].Clear();
            }
        }

        padded.AsSpan(Ci * planeP, slack).Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void RunImplicitTile(Tensor output, int n, float[] padded, int[] offsets, int q0, int count, int wp, bool simd, bool wide)
    {
        int ow = output.Cols;
        int outPixels = output.Rows * ow;
        float[] outBuf = output.Buffer;
        int sampleBase = n * output.SampleSize;
        Span<float> acc = stackalloc float[MR * 2 * NR];
        fixed (float* a0 = packedFilters)
        fixed (float* pb = padded)
        fixed (int* off = offsets)
        fixed (float* accp = acc)
        {
            for (int panel = 0; panel < Panels; panel++)
            {
                float* a = a0 + ((long)panel * KSize * MR);
                int rows = Math.Min(MR, Co - (panel * MR));
                int step;
                for (int j = 0; j < count; j += step)
                {
                    float* b = pb + q0 + j;
                    if (wide && count - j > NR)
                    {
                        step = 2 * NR;
                        MicroKernels.Block6x32(a, new OffsetRows(b, off), KSize, accp);
                    }
                    else if (simd)
                    {
                        step = NR;
                        MicroKernels.Block6x16(a, new OffsetRows(b, off), KSize, accp);
                    }
                    else
                    {
                        step = NR;
                        MicroKernels.BlockScalar(a, new OffsetRows(b, off), KSize, accp);
                    }

                    // Scatter the block's valid columns (x < ow) row by row.
                    int cols = Math.Min(step, count - j);
                    for (int done = 0; done < cols;)
                    {
                        int q = q0 + j + done;
                        int y = q / wp;
                        int x = q - (y * wp);
                        int len = Math.Min(cols - done, wp - x);
                        int valid = Math.Min(len, ow - x);
                        if (valid > 0)
                        {
                            for (int i = 0; i < rows; i++)
                            {
                                int co = (panel * MR) + i;
                                Store(accp + (i * step) + done, outBuf, sampleBase + (co * outPixels) + (y * ow) + x, valid, co);
                            }
                        }

                        done += len;
                    }
                }
            }
        }
    }

    /// <summary>Filters up to which a unit-stride convolution is computed directly rather than as a packed GEMM.</summary>
    internal const int DirectMaxFilters = 2;

    /// <summary>
    /// Direct convolution for very few filters (e.g. the MMOD output layer): each output row
    /// accumulates kernel taps over contiguous input rows, in the same (ci, ky, kx) order as the GEMM.
    /// </summary>
    private void ForwardDirect(Tensor input, Tensor output, int maxThreads, bool simd)
    {
        int oh = output.Rows;
        int rowsTotal = input.N * Co * oh;
        const int chunk = 8;
        int chunks = (rowsTotal + chunk - 1) / chunk;
        void Body(int ch)
        {
            float[] acc = BufferPool.Rent(output.Cols);
            try
            {
                int end = Math.Min(rowsTotal, (ch + 1) * chunk);
                for (int idx = ch * chunk; idx < end; idx++)
                {
                    int oy = idx % oh;
                    int co = (idx / oh) % Co;
                    int n = idx / (oh * Co);
                    DirectRow(input, output, n, co, oy, acc, simd);
                }
            }
            finally
            {
                BufferPool.Return(acc);
            }
        }

        if (maxThreads <= 1 || chunks == 1)
        {
            for (int ch = 0; ch < chunks; ch++)
            {
                Body(ch);
            }
        }
        else
        {
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, Body);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void DirectRow(Tensor input, Tensor output, int n, int co, int oy, float[] accArr, bool simd)
    {
        int ow = output.Cols;
        int h = input.Rows;
        int w = input.Cols;
        float[] src = input.Buffer;
        float[] wts = Layer.WeightsArray;
        Array.Clear(accArr, 0, ow);
        fixed (float* acc = accArr)
        fixed (float* s0 = src)
        {
            for (int ci = 0; ci < Ci; ci++)
            {
                float* plane = s0 + ((long)((n * Ci) + ci) * h * w);
                for (int ky = 0; ky < Kh; ky++)
                {
                    int iy = (oy * Sy) - Py + ky;
                    if (iy < 0 || iy >= h)
                    {
                        continue;
                    }

                    float* row = plane + ((long)iy * w);
                    for (int kx = 0; kx < Kw; kx++)
                    {
                        float wv = wts[(((co * Ci) + ci) * Kh + ky) * Kw + kx];
                        int lo = Math.Max(0, Px - kx);
                        int hi = Math.Min(ow - 1, w - 1 + Px - kx);
                        float* inp = row + (kx - Px);
                        int ox = lo;
                        if (simd)
                        {
                            Vector256<float> wvv = Vector256.Create(wv);
                            for (; ox + 8 <= hi + 1; ox += 8)
                            {
                                Avx.Store(acc + ox, Fma.MultiplyAdd(wvv, Avx.LoadVector256(inp + ox), Avx.LoadVector256(acc + ox)));
                            }

                            for (; ox <= hi; ox++)
                            {
                                acc[ox] = MathF.FusedMultiplyAdd(wv, inp[ox], acc[ox]);
                            }
                        }
                        else
                        {
                            for (; ox <= hi; ox++)
                            {
                                acc[ox] += wv * inp[ox];
                            }
                        }
                    }
                }
            }

            Store(acc, output.Buffer, (((n * Co) + co) * output.Rows * ow) + (oy * ow), ow, co);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void RunTile(Tensor input, Tensor output, long c0, long columns, int pt, float[] pack, bool simd, bool wide)
    {
        int ow = output.Cols;
        int outPixels = output.Rows * ow;
        int count = (int)Math.Min(pt, columns - c0);
        if (count < pt)
        {
            for (int k = 0; k < KSize; k++)
            {
                pack.AsSpan((k * pt) + count, pt - count).Clear();
            }
        }

        for (int j = 0; j < count;)
        {
            long c = c0 + j;
            int n = (int)(c / outPixels);
            int p = (int)(c - ((long)n * outPixels));
            int len = Math.Min(count - j, outPixels - p);
            PackPatches(input, n, p, len, pt, j, ow, pack);
            j += len;
        }

        float[] outBuf = output.Buffer;
        Span<float> acc = stackalloc float[MR * 2 * NR];
        fixed (float* a0 = packedFilters)
        fixed (float* b0 = pack)
        fixed (float* accp = acc)
        {
            for (int panel = 0; panel < Panels; panel++)
            {
                float* a = a0 + ((long)panel * KSize * MR);
                int rows = Math.Min(MR, Co - (panel * MR));
                int step;
                for (int j = 0; j < count; j += step)
                {
                    // The pack is zero past `count` up to pt, so a kernel may read whole blocks.
                    if (wide && j + (2 * NR) <= pt && count - j > NR)
                    {
                        step = 2 * NR;
                        MicroKernels.Block6x32(a, new StridedRows(b0 + j, pt), KSize, accp);
                    }
                    else if (simd)
                    {
                        step = NR;
                        MicroKernels.Block6x16(a, new StridedRows(b0 + j, pt), KSize, accp);
                    }
                    else
                    {
                        step = NR;
                        MicroKernels.BlockScalar(a, new StridedRows(b0 + j, pt), KSize, accp);
                    }

                    int cols = Math.Min(step, count - j);
                    for (int done = 0; done < cols;)
                    {
                        long c = c0 + j + done;
                        int n = (int)(c / outPixels);
                        int p = (int)(c - ((long)n * outPixels));
                        int len = Math.Min(cols - done, outPixels - p);
                        int sampleBase = n * output.SampleSize;
                        for (int i = 0; i < rows; i++)
                        {
                            int co = (panel * MR) + i;
                            Store(accp + (i * step) + done, outBuf, sampleBase + (co * outPixels) + p, len, co);
                        }

                        done += len;
                    }
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void Store(float* acc, float[] outBuf, int offset, int cols, int co)
    {
        float bias = Bias is null ? 0f : Bias[co];
        float gamma = Gamma is null ? 1f : Gamma[co];
        float beta = Beta is null ? 0f : Beta[co];
        bool affine = Gamma is not null;
        int c0 = 0;
        if (Vector256.IsHardwareAccelerated && cols >= 8)
        {
            Vector256<float> vb = Vector256.Create(bias);
            Vector256<float> vg = Vector256.Create(gamma);
            Vector256<float> vbeta = Vector256.Create(beta);
            fixed (float* o = &outBuf[offset])
            {
                for (; c0 + 8 <= cols; c0 += 8)
                {
                    Vector256<float> v = Vector256.Load(acc + c0);
                    if (Bias is not null)
                    {
                        v += vb;
                    }

                    if (affine)
                    {
                        v = (vg * v) + vbeta;
                    }

                    if (Relu)
                    {
                        v = Vector256.Max(v, Vector256<float>.Zero);
                    }

                    v.Store(o + c0);
                }
            }
        }

        for (int c = c0; c < cols; c++)
        {
            float v = acc[c];
            if (Bias is not null)
            {
                v += bias;
            }

            if (affine)
            {
                v = (gamma * v) + beta;
            }

            if (Relu)
            {
                v = Math.Max(v, 0f);
            }

            outBuf[offset + c] = v;
        }
    }

    /// <summary>
    /// Writes the input patches for output pixels [p0, p0+count) of sample n into columns
    /// [col0, col0+count) of the [KSize][pt] pack (zero where the window reads padding).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PackPatches(Tensor input, int n, int p0, int count, int pt, int col0, int ow, float[] pack)
    {
        float[] src = input.Buffer;
        int h = input.Rows;
        int w = input.Cols;
        int plane = h * w;
        int sampleBase = n * input.SampleSize;
        int k = 0;
        for (int ci = 0; ci < Ci; ci++)
        {
            int chanBase = sampleBase + (ci * plane);
            for (int ky = 0; ky < Kh; ky++)
            {
                for (int kx = 0; kx < Kw; kx++, k++)
                {
                    Span<float> dst = pack.AsSpan((k * pt) + col0, count);

                    // valid output columns: 0 <= ox*Sx - Px + kx < w
                    int oxLo = Px - kx <= 0 ? 0 : (Px - kx + Sx - 1) / Sx;
                    int oxHi = (w - 1 + Px - kx) < 0 ? -1 : (w - 1 + Px - kx) / Sx;
                    int j = 0;
                    int p = p0;
                    while (j < count)
                    {
                        int oy = p / ow;
                        int ox = p - (oy * ow);
                        int seg = Math.Min(count - j, ow - ox);
                        int iy = (oy * Sy) - Py + ky;
                        if (iy < 0 || iy >= h)
                        {
                            dst.Slice(j, seg).Clear();
                        }
                        else
                        {
                            int rowBase = chanBase + (iy * w);
                            int end = ox + seg;
                            int a = Math.Max(ox, oxLo);
                            int b = Math.Min(end - 1, oxHi);
                            if (b < a)
                            {
                                dst.Slice(j, seg).Clear();
                            }
                            else
                            {
                                if (a > ox)
                                {
                                    dst.Slice(j, a - ox).Clear();
                                }

                                int ix0 = (a * Sx) - Px + kx;
                                int len = b - a + 1;
                                int dj = j + (a - ox);
                                if (Sx == 1)
                                {
                                    src.AsSpan(rowBase + ix0, len).CopyTo(dst.Slice(dj, len));
                                }
                                else
                                {
                                    int s = rowBase + ix0;
                                    int q = 0;
                                    if (Sx == 2 && Avx2.IsSupported)
                                    {
                                        q = GatherEven(src, s, dst.Slice(dj, len));
                                        s += 2 * q;
                                    }

                                    for (; q < len; q++, s += Sx)
                                    {
                                        dst[dj + q] = src[s];
                                    }
                                }

                                if (b < end - 1)
                                {
                                    dst.Slice(dj + len, end - 1 - b).Clear();
                                }
                            }
                        }

                        j += seg;
                        p += seg;
                    }
                }
            }
        }
    }

    /// <summary>Copies src[s], src[s+2], ... into dst with AVX2 shuffles; returns how many were copied.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int GatherEven(float[] src, int s, Span<float> dst)
    {
        int q = 0;
        int len = dst.Length;
        fixed (float* sp = src)
        fixed (float* dp = dst)
        {
            // each step reads 16 floats starting at s + 2q
            for (; q + 8 <= len && (long)s + (2 * q) + 16 <= src.Length; q += 8)
            {
                Vector256<float> v0 = Avx.LoadVector256(sp + s + (2 * q));
                Vector256<float> v1 = Avx.LoadVector256(sp + s + (2 * q) + 8);
                Vector256<float> even = Avx.Shuffle(v0, v1, 0b10_00_10_00);
                Vector256<double> ordered = Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00);
                Avx.Store(dp + q, ordered.AsSingle());
            }
        }

        return q;
    }

}
