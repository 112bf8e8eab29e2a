using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DlibModels.Dnn.Engine;

/// <summary>
/// A convolution prepared for fast inference: the filters repacked into panels of
/// <see cref="MR"/> output channels, plus an optional fused epilogue (bias, then a per-channel
/// affine y = gamma·x + beta, then the addition of a residual tensor, then relu), which gives the
/// same floats as running the layers one by one.
/// </summary>
internal sealed class PackedConvolution
{
    /// <summary>Output channels computed together by the micro-kernel.</summary>
    internal const int MR = 6;

    /// <summary>Output pixels computed together by the micro-kernel.</summary>
    internal const int NR = 16;

    /// <summary>Floats of one micro-kernel block's results (the largest: 6 × 32, 12 × 16 or 2 × 64).</summary>
    private const int AccFloats = MR * 2 * NR;

    private readonly float[] packedFilters;

    public PackedConvolution(ConvolutionLayer layer, AffineLayer? affine = null, bool relu = false, bool addsResidual = false)
    {
        Layer = layer;
        AddsResidual = addsResidual;
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

    /// <summary>
    /// Whether the epilogue adds a residual tensor (passed to <see cref="Forward"/>) after the
    /// affine and before the relu: a following add_prev layer fused in.
    /// </summary>
    public bool AddsResidual { get; }

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
    /// <param name="forceImplicit">
    /// True: the in-place path wherever its layout fits, even where the cost estimate picks packing
    /// (and never the few-pixel path); for tests.
    /// </param>
    /// <param name="residual">
    /// With <see cref="AddsResidual"/>: the tensor (of the output's shape) added after the affine
    /// and before the relu, as a following add_prev layer would; not modified.
    /// </param>
    public Tensor Forward(Tensor input, int maxThreads, bool allowSimd = true, bool allowWide = true, bool allowImplicit = true, bool forceImplicit = false, Tensor? residual = null)
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
        if (AddsResidual != residual is not null || (residual is not null && (residual.N != input.N || residual.K != Co || residual.Rows != oh || residual.Cols != ow)))
        {
            throw new InvalidOperationException(AddsResidual ? $"convolution with a fused residual needs a residual tensor of shape [{input.N}, {Co}, {oh}, {ow}]" : "this convolution has no residual epilogue");
        }

        var output = new Tensor(input.N, Co, oh, ow);
        float[]? res = residual?.Buffer;
        int outPixels = oh * ow;
        if (outPixels == 0 || input.N == 0)
        {
            return output;
        }

        if (Co <= DirectMaxFilters && Sx == 1)
        {
            ForwardDirect(input, output, res, maxThreads, allowSimd && Fma.IsSupported && Avx.IsSupported);
            return output;
        }

        bool simd = allowSimd && Fma.IsSupported && Avx.IsSupported;
        bool wide = simd && allowWide && Wide;
        if (simd && allowImplicit && !forceImplicit && (long)input.N * outPixels <= SmallMaxColumns && Co % ChannelBlock(wide) == 0)
        {
            ForwardFewPixels(input, output, res, maxThreads, wide);
            return output;
        }

        if (allowImplicit && ImplicitFits(input.Rows, input.Cols) && (forceImplicit || ImplicitPays(input.N, input.Cols, oh, ow, wide)))
        {
            ForwardImplicit(input, output, res, maxThreads, simd, wide);
            return output;
        }

        // Tiles run over the output pixels of all samples in order, so small late layers (a few
        // pixels per sample) still fill whole micro-kernel blocks when a batch is run.
        long columns = (long)input.N * outPixels;
        int pt = TileWidth((int)Math.Min(columns, int.MaxValue), KSize, wide ? 2 * NR : NR);
        int total = (int)((columns + pt - 1) / pt);
        int packLen = (KSize * pt) + PackSlack + 16;
        PhasePlanes? planes = allowImplicit ? PhasePlanes.TryCreate(this, input, wide) : null;
        try
        {
            if (SplitsFilters(maxThreads, total))
            {
                // Too few tiles to keep every thread busy: each tile is packed once and the threads
                // share its filters.
                float[] pack = BufferPool.Rent(packLen);
                int packBase = LineStart(pack);
                try
                {
                    for (int t = 0; t < total; t++)
                    {
                        long c0 = (long)t * pt;
                        int count = PackTile(input, output, c0, columns, pt, pack, packBase, planes);
                        Parallel.For(0, maxThreads, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, part =>
                            ComputeTile(output, res, c0, count, pt, pack, packBase, simd, wide, PanelBound(part, maxThreads), PanelBound(part + 1, maxThreads)));
                    }
                }
                finally
                {
                    BufferPool.Return(pack);
                }
            }
            else if (maxThreads <= 1 || total == 1)
            {
                float[] pack = BufferPool.Rent(packLen);
                try
                {
                    for (int t = 0; t < total; t++)
                    {
                        RunTile(input, output, res, (long)t * pt, columns, pt, pack, LineStart(pack), simd, wide, planes);
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
                        RunTile(input, output, res, (long)t * pt, columns, pt, pack, LineStart(pack), simd, wide, planes);
                        return pack;
                    },
                    BufferPool.Return);
            }
        }
        finally
        {
            planes?.Dispose();
        }

        return output;
    }

    /// <summary>
    /// Output pixels (over the whole batch) up to which <see cref="ForwardFewPixels"/> is used: one
    /// group of pixels, so the filters are read once (those layers are bound by reading the filters).
    /// </summary>
    internal const int SmallMaxColumns = MR;

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
    private unsafe void ForwardFewPixels(Tensor input, Tensor output, float[]? residual, int maxThreads, bool wide)
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

            int blocks = Co / cb;
            if (maxThreads > 1 && blocks >= 2 * maxThreads)
            {
                // These layers are bound by reading the filters: the threads share them.
                Parallel.For(0, maxThreads, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, part =>
                    FewPixelsBlocks(patches, filters, output, residual, columns, wide, blocks * part / maxThreads, blocks * (part + 1) / maxThreads));
            }
            else
            {
                FewPixelsBlocks(patches, filters, output, residual, columns, wide, 0, blocks);
            }
        }
        finally
        {
            BufferPool.Return(patches);
        }
    }

    /// <summary>Channel blocks [blockStart, blockEnd) of <see cref="ForwardFewPixels"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void FewPixelsBlocks(float[] patches, float[] filters, Tensor output, float[]? residual, int columns, bool wide, int blockStart, int blockEnd)
    {
        int outPixels = output.Rows * output.Cols;
        int cb = ChannelBlock(wide);
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
                for (int block = blockStart; block < blockEnd; block++)
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
                            Store(colp + done, output.Buffer, (n * output.SampleSize) + (co * outPixels) + p, len, co, residual);
                            done += len;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Most floats the phase-split copy of a strided layer's input may take (it is read at scattered
    /// offsets, so it should stay in L2); larger strided inputs are packed.
    /// </summary>
    internal const int PhaseSplitMaxFloats = 96 * 1024;

    /// <summary>Phase planes' height, width and plane size for an input of <paramref name="h"/>×<paramref name="w"/>.</summary>
    private (int Hp, int Wp, int Plane) PhaseGeometry(int h, int w)
    {
        int hp = (h + (2 * Py) + Sy - 1) / Sy;
        int wp = (w + (2 * Px) + Sx - 1) / Sx;
        return (hp, wp, hp * wp);
    }

    /// <summary>Whether the in-place layout of <see cref="ForwardImplicit"/> suits an input of this size.</summary>
    private bool ImplicitFits(int h, int w) =>
        (Sx == 1 && Sy == 1) || (long)Ci * Sy * Sx * PhaseGeometry(h, w).Plane <= PhaseSplitMaxFloats;

    /// <summary>
    /// Columns the micro-kernels compute for a run of <paramref name="count"/> columns: blocks of 32
    /// and a last one of 16 with 512-bit registers, blocks of 16 without.
    /// </summary>
    private static long BlockedColumns(long count, bool wide)
    {
        if (!wide)
        {
            return (count + NR - 1) / NR * NR;
        }

        long blocks = WideBlocks(count);
        return (blocks * 2 * NR) + (count > blocks * 2 * NR ? NR : 0);
    }

    /// <summary>Blocks of 32 columns the 512-bit path runs before its last narrow block (none when at most 16 columns are left).</summary>
    private static long WideBlocks(long count) => count <= NR ? 0 : (count - NR + (2 * NR) - 1) / (2 * NR);

    /// <summary>
    /// Cost estimate: the in-place path computes (and drops) the columns between output rows, the
    /// packed path copies every patch first and reads B from a larger buffer. Measured on the face
    /// ResNet's layers (32–256 filters, 4×4–72×72 outputs), a packed column costs about as much as
    /// 16 more filters' multiply-adds.
    /// </summary>
    private bool ImplicitPays(int n, int w, int oh, int ow, bool wide)
    {
        int wpp = PhaseGeometry(1, w).Wp;
        long qCount = ((long)(oh - 1) * wpp) + ow;
        long inPlace = n * BlockedColumns(qCount, wide);
        long packed = BlockedColumns((long)n * oh * ow, wide);
        return inPlace * Co <= packed * (Co + 16);
    }

    /// <summary>
    /// Convolution as a GEMM whose B matrix is never packed. Each sample is copied once into
    /// zero-padded phase planes: plane (ci, ry, rx) holds the padded input's pixels (Sy·i + ry,
    /// Sx·j + rx) at (i, j) with row pitch Wp (one plane per channel at unit stride). Output pixel
    /// (y, x) sits at q = y·Wp + x and the patch value of tap (ci, ky, kx) is at q plus a per-tap
    /// offset (plane (ci, ky mod Sy, kx mod Sx), row ky / Sy, column kx / Sx). The micro-kernel reads
    /// each tap's row at that offset. Columns with x ≥ output width are computed and dropped. Per
    /// output the taps are summed in the same order, with the same zero padding, as the packed path,
    /// so the floats are identical.
    /// </summary>
    private void ForwardImplicit(Tensor input, Tensor output, float[]? residual, int maxThreads, bool simd, bool wide)
    {
        (int hpp, int wpp, int planeP) = PhaseGeometry(input.Rows, input.Cols);
        int oh = output.Rows, ow = output.Cols;
        int unit = wide ? 2 * NR : NR;

        // Columns of one sample in plane coordinates, rounded up to whole blocks; reads past the
        // last plane stay inside the slack.
        int qCount = ((oh - 1) * wpp) + ow;
        int planes = Ci * Sy * Sx;
        int slack = (((Kh - 1) / Sy) * wpp) + ((Kw - 1) / Sx) + (2 * unit) + 1;
        long paddedLen = ((long)planes * planeP) + slack;
        int pt = Math.Min(TileWidth(qCount, Math.Min(KSize, 4 * 1024), unit), (qCount + unit - 1) / unit * unit);
        int tiles = (qCount + pt - 1) / pt;

        int[] offsets = TapOffsets(planeP, wpp);

        float[] padded = BufferPool.Rent(paddedLen);
        try
        {
            for (int n = 0; n < input.N; n++)
            {
                CopyPhasePlanes(input, n, padded, hpp, wpp, slack);
                int sample = n;
                if (SplitsFilters(maxThreads, tiles))
                {
                    // Too few tiles to keep every thread busy: the threads share each tile's filters.
                    for (int t = 0; t < tiles; t++)
                    {
                        int tile = t;
                        Parallel.For(0, maxThreads, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, part =>
                            RunImplicitTile(output, residual, sample, padded, offsets, tile * pt, Math.Min(pt, qCount - (tile * pt)), wpp, simd, wide, PanelBound(part, maxThreads), PanelBound(part + 1, maxThreads)));
                    }
                }
                else if (maxThreads <= 1 || tiles == 1)
                {
                    for (int t = 0; t < tiles; t++)
                    {
                        RunImplicitTile(output, residual, n, padded, offsets, t * pt, Math.Min(pt, qCount - (t * pt)), wpp, simd, wide, 0, Panels);
                    }
                }
                else
                {
                    Parallel.For(0, tiles, new ParallelOptions { MaxDegreeOfParallelism = maxThreads }, t =>
                        RunImplicitTile(output, residual, sample, padded, offsets, t * pt, Math.Min(pt, qCount - (t * pt)), wpp, simd, wide, 0, Panels));
                }
            }
        }
        finally
        {
            BufferPool.Return(padded);
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>Where tap k's value sits in the phase planes, relative to the output pixel's position (rented; return it).</summary>
    private int[] TapOffsets(int planeP, int wpp)
    {
        int[] offsets = ArrayPool<int>.Shared.Rent(KSize);
        for (int ci = 0, k = 0; ci < Ci; ci++)
        {
            for (int ky = 0; ky < Kh; ky++)
            {
                for (int kx = 0; kx < Kw; kx++, k++)
                {
                    int plane = (((ci * Sy) + (ky % Sy)) * Sx) + (kx % Sx);
                    offsets[k] = (plane * planeP) + ((ky / Sy) * wpp) + (kx / Sx);
                }
            }
        }

        return offsets;
    }

    /// <summary>
    /// The index from which a rented array's data starts a 64-byte cache line (where the array lies
    /// now), so that a pack whose rows are whole lines apart is read without loads straddling lines.
    /// Only speed depends on it.
    /// </summary>
    private static unsafe int LineStart(float[] a)
    {
        fixed (float* p = a)
        {
            return (16 - (int)(((nuint)p & 63) / sizeof(float))) & 15;
        }
    }

    /// <summary>Floats a pack may be written past its last row (whole-vector segment copies).</summary>
    private const int PackSlack = 16;

    /// <summary>
    /// Most floats the phase planes of a whole batch may take for <see cref="PhasePlanes"/>; larger
    /// inputs are packed straight from the tensor.
    /// </summary>
    internal const int PlanesMaxFloats = 4 * 1024 * 1024;

    /// <summary>
    /// The whole batch copied once into the phase-plane layout of <see cref="ForwardImplicit"/>, from
    /// which a tile's patch matrix is gathered with one contiguous copy per tap and output row (no
    /// bounds or padding logic per segment: the planes hold the zeros).
    /// </summary>
    private sealed class PhasePlanes : IDisposable
    {
        private readonly PackedConvolution conv;
        private readonly float[] data;
        private readonly int[] offsets;
        private readonly long sampleLen;
        private readonly int wpp;

        private PhasePlanes(PackedConvolution conv, float[] data, int[] offsets, long sampleLen, int wpp)
        {
            this.conv = conv;
            this.data = data;
            this.offsets = offsets;
            this.sampleLen = sampleLen;
            this.wpp = wpp;
        }

        public static PhasePlanes? TryCreate(PackedConvolution conv, Tensor input, bool wide)
        {
            (int hpp, int wpp, int planeP) = conv.PhaseGeometry(input.Rows, input.Cols);
            long sampleLen = (long)conv.Ci * conv.Sy * conv.Sx * planeP;
            int slack = (((conv.Kh - 1) / conv.Sy) * wpp) + ((conv.Kw - 1) / conv.Sx) + (4 * NR) + 1;
            long len = (input.N * sampleLen) + slack;
            if (len > PlanesMaxFloats)
            {
                return null;
            }

            float[] data = BufferPool.Rent(len);
            for (int n = 0; n < input.N; n++)
            {
                conv.CopyPhasePlanes(input, n, data, hpp, wpp, n == input.N - 1 ? slack : 0, n * sampleLen);
            }

            return new PhasePlanes(conv, data, conv.TapOffsets(planeP, wpp), sampleLen, wpp);
        }

        /// <summary>Writes the patches of columns [c0, c0+count) into the [KSize][pt] pack; columns past count up to the next block are zeroed.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public unsafe void Pack(long c0, int count, int outPixels, int ow, int pt, float[] pack, int packBase)
        {
            // Segments: runs of one output row of one sample (source position, pack column, length).
            int[] segs = ArrayPool<int>.Shared.Rent(3 * count);
            try
            {
                int nSeg = 0;
                for (int j = 0; j < count;)
                {
                    long c = c0 + j;
                    int n = (int)(c / outPixels);
                    int p = (int)(c - ((long)n * outPixels));
                    int y = p / ow, x = p - (y * ow);
                    int len = Math.Min(count - j, ow - x);
                    segs[3 * nSeg] = (int)((n * sampleLen) + (y * wpp) + x);
                    segs[(3 * nSeg) + 1] = j;
                    segs[(3 * nSeg) + 2] = len;
                    nSeg++;
                    j += len;
                }

                int blockEnd = Math.Min(pt, (count + NR - 1) / NR * NR);
                int kSize = conv.KSize;
                fixed (float* src = data)
                fixed (float* dst0 = pack)
                fixed (int* sg = segs)
                fixed (int* off = offsets)
                {
                    for (int k = 0; k < kSize; k++)
                    {
                        float* s = src + off[k];
                        float* d = dst0 + packBase + ((long)k * pt);
                        for (int i = 0; i < nSeg; i++)
                        {
                            float* from = s + sg[3 * i];
                            float* to = d + sg[(3 * i) + 1];
                            int len = sg[(3 * i) + 2];
                            if (Vector256.IsHardwareAccelerated)
                            {
                                // Whole vectors; a copy may run past the segment into columns written next.
                                for (int q = 0; q < len; q += 8)
                                {
                                    Vector256.Store(Vector256.Load(from + q), to + q);
                                }
                            }
                            else
                            {
                                new ReadOnlySpan<float>(from, len).CopyTo(new Span<float>(to, len));
                            }
                        }

                        for (int q = count; q < blockEnd; q++)
                        {
                            d[q] = 0f;
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(segs);
            }
        }

        public void Dispose()
        {
            BufferPool.Return(data);
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    /// <summary>
    /// Copies sample n into the phase planes of <see cref="ForwardImplicit"/> (zero outside the
    /// input), then zeroes the slack.
    /// </summary>
    private void CopyPhasePlanes(Tensor input, int n, float[] padded, int hpp, int wpp, int slack, long at = 0)
    {
        int h = input.Rows, w = input.Cols;
        float[] src = input.Buffer;
        int planeP = hpp * wpp;
        int planes = Ci * Sy * Sx;
        for (int plane = 0; plane < planes; plane++)
        {
            int ci = plane / (Sy * Sx), ry = plane / Sx % Sy, rx = plane % Sx;
            Span<float> dst = padded.AsSpan((int)(at + (plane * planeP)), planeP);
            int srcBase = (n * input.SampleSize) + (ci * h * w);

            // Phase column j reads input column Sx·j + rx − Px: valid for j in [j0, j1).
            int j0 = Math.Max(0, (Px - rx + Sx - 1) / Sx);
            int j1 = Math.Clamp((w + Px - rx + Sx - 1) / Sx, j0, wpp);
            for (int i = 0; i < hpp; i++)
            {
                Span<float> row = dst.Slice(i * wpp, wpp);
                int iy = (Sy * i) + ry - Py;
                if (iy < 0 || iy >= h || j1 <= j0)
                {
                    row.Clear();
                    continue;
                }

                row[..j0].Clear();
                row[j1..].Clear();
                ReadOnlySpan<float> srcRow = src.AsSpan(srcBase + (iy * w), w);
                int ix = (Sx * j0) + rx - Px;
                if (Sx == 1)
                {
                    srcRow.Slice(ix, j1 - j0).CopyTo(row[j0..j1]);
                }
                else
                {
                    for (int j = j0; j < j1; j++, ix += Sx)
                    {
                        row[j] = srcRow[ix];
                    }
                }
            }
        }

        padded.AsSpan((int)(at + (planes * planeP)), slack).Clear();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void RunImplicitTile(Tensor output, float[]? residual, int n, float[] padded, int[] offsets, int q0, int count, int wp, bool simd, bool wide, int panelStart, int panelEnd)
    {
        Span<float> acc = stackalloc float[AccFloats];
        fixed (float* pb = padded)
        fixed (int* off = offsets)
        fixed (float* accp = acc)
        {
            var store = new PlaneStore(this, output, residual, n, q0, wp);
            RunBlocks(new OffsetRows(pb + q0, off), count, simd, wide, accp, store, panelStart, panelEnd);
        }
    }

    /// <summary>Writes micro-kernel results for in-place (<see cref="ForwardImplicit"/>) columns: q = y·Wp + x, only x &lt; output width.</summary>
    private readonly struct PlaneStore(PackedConvolution conv, Tensor output, float[]? residual, int n, int q0, int wp) : IBlockStore
    {
        public unsafe void Store(float* acc, int ldc, int co0, int rows, int j, int cols)
        {
            int ow = output.Cols;
            int outPixels = output.Rows * ow;
            int sampleBase = n * output.SampleSize;
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
                        int co = co0 + i;
                        conv.Store(acc + (i * ldc) + done, output.Buffer, sampleBase + (co * outPixels) + (y * ow) + x, valid, co, residual);
                    }
                }

                done += len;
            }
        }
    }

    /// <summary>Writes micro-kernel results for packed columns: column c is pixel c mod (H·W) of sample c / (H·W).</summary>
    private readonly struct PackedStore(PackedConvolution conv, Tensor output, float[]? residual, long c0) : IBlockStore
    {
        public unsafe void Store(float* acc, int ldc, int co0, int rows, int j, int cols)
        {
            int outPixels = output.Rows * output.Cols;
            for (int done = 0; done < cols;)
            {
                long c = c0 + j + done;
                int n = (int)(c / outPixels);
                int p = (int)(c - ((long)n * outPixels));
                int len = Math.Min(cols - done, outPixels - p);
                int sampleBase = n * output.SampleSize;
                for (int i = 0; i < rows; i++)
                {
                    int co = co0 + i;
                    conv.Store(acc + (i * ldc) + done, output.Buffer, sampleBase + (co * outPixels) + p, len, co, residual);
                }

                done += len;
            }
        }
    }

    /// <summary>
    /// All filters times <paramref name="count"/> columns of B, block by block of columns (with
    /// 512-bit registers 32 wide, the last ≤ 16 columns two filter panels at a time; otherwise 16
    /// wide), every filter panel over one block before the next. B may be read up to a whole block
    /// past <paramref name="count"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void RunBlocks<TRows, TStore>(TRows b, int count, bool simd, bool wide, float* c, TStore store, int panelStart, int panelEnd)
        where TRows : struct, IRowSource<TRows>
        where TStore : struct, IBlockStore
    {
        int wideEnd = wide ? (int)WideBlocks(count) * 2 * NR : 0;

        // A last panel with only 1 or 2 filters runs in blocks of 2 × 64 after the others.
        int thin = wide && Co % MR is 1 or 2 && panelEnd == Panels && panelStart < Panels - 1 && wideEnd >= 4 * NR ? Panels - 1 : -1;
        int fullEnd = thin >= 0 ? thin : panelEnd;
        fixed (float* a0 = packedFilters)
        {
            for (int j = 0; j < count;)
            {
                TRows bj = b.Shift(j);
                if (wide && j < wideEnd)
                {
                    int cols = Math.Min(2 * NR, count - j);
                    for (int panel = panelStart; panel < fullEnd; panel++)
                    {
                        MicroKernels.Block6x32(a0 + ((long)panel * KSize * MR), bj, KSize, c);
                        store.Store(c, 2 * NR, panel * MR, Math.Min(MR, Co - (panel * MR)), j, cols);
                    }

                    j += 2 * NR;
                }
                else if (wide)
                {
                    int cols = count - j;
                    int panel = panelStart;
                    for (; panel + 1 < panelEnd; panel += 2)
                    {
                        float* a = a0 + ((long)panel * KSize * MR);
                        MicroKernels.Block12x16(a, a + ((long)KSize * MR), bj, KSize, c);
                        store.Store(c, NR, panel * MR, Math.Min(2 * MR, Co - (panel * MR)), j, cols);
                    }

                    if (panel < panelEnd)
                    {
                        MicroKernels.Block6x16Wide(a0 + ((long)panel * KSize * MR), bj, KSize, c);
                        store.Store(c, NR, panel * MR, Co - (panel * MR), j, cols);
                    }

                    j = count;
                }
                else
                {
                    int cols = Math.Min(NR, count - j);
                    for (int panel = panelStart; panel < panelEnd; panel++)
                    {
                        float* a = a0 + ((long)panel * KSize * MR);
                        if (simd)
                        {
                            MicroKernels.Block6x16(a, bj, KSize, c);
                        }
                        else
                        {
                            MicroKernels.BlockScalar(a, bj, KSize, c);
                        }

                        store.Store(c, NR, panel * MR, Math.Min(MR, Co - (panel * MR)), j, cols);
                    }

                    j += NR;
                }
            }

            if (thin >= 0)
            {
                // Whole blocks of 64 while they fit in the 32-wide part (B may be read up to a
                // block past count, no further); a last block of 32 with the 6 × 32 kernel.
                float* a = a0 + ((long)thin * KSize * MR);
                int rows = Co - (thin * MR);
                int j = 0;
                for (; j + (4 * NR) <= wideEnd; j += 4 * NR)
                {
                    MicroKernels.Block2x64(a, b.Shift(j), KSize, c);
                    store.Store(c, 4 * NR, thin * MR, rows, j, Math.Min(4 * NR, count - j));
                }

                if (j < wideEnd)
                {
                    MicroKernels.Block6x32(a, b.Shift(j), KSize, c);
                    store.Store(c, 2 * NR, thin * MR, rows, j, Math.Min(2 * NR, count - j));
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
    private void ForwardDirect(Tensor input, Tensor output, float[]? residual, int maxThreads, bool simd)
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
                    DirectRow(input, output, residual, n, co, oy, acc, simd);
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
    private unsafe void DirectRow(Tensor input, Tensor output, float[]? residual, int n, int co, int oy, float[] accArr, bool simd)
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

            Store(acc, output.Buffer, (((n * Co) + co) * output.Rows * ow) + (oy * ow), ow, co, residual);
        }
    }

    /// <summary>
    /// Whether the threads split the filters of each tile instead of taking whole tiles: when there
    /// are fewer tiles than threads (the small late layers of a network run on one image) and
    /// enough filter panels to share.
    /// </summary>
    private bool SplitsFilters(int maxThreads, int tiles) => maxThreads > 1 && tiles < maxThreads && Panels >= 4 * maxThreads;

    /// <summary>The first filter panel of part <paramref name="part"/> of <paramref name="parts"/> (an even panel, so the narrow blocks' panel pairs stay whole).</summary>
    private int PanelBound(int part, int parts) => part >= parts ? Panels : (int)((long)Panels * part / parts) & ~1;

    private void RunTile(Tensor input, Tensor output, float[]? residual, long c0, long columns, int pt, float[] pack, int packBase, bool simd, bool wide, PhasePlanes? planes)
    {
        int count = PackTile(input, output, c0, columns, pt, pack, packBase, planes);
        ComputeTile(output, residual, c0, count, pt, pack, packBase, simd, wide, 0, Panels);
    }

    /// <summary>Packs the patches of columns [c0, c0 + pt) (fewer at the end); returns how many columns the tile has.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int PackTile(Tensor input, Tensor output, long c0, long columns, int pt, float[] pack, int packBase, PhasePlanes? planes)
    {
        int ow = output.Cols;
        int outPixels = output.Rows * ow;
        int count = (int)Math.Min(pt, columns - c0);
        if (planes is not null)
        {
            planes.Pack(c0, count, outPixels, ow, pt, pack, packBase);
            return count;
        }

        if (count < pt)
        {
            for (int k = 0; k < KSize; k++)
            {
                pack.AsSpan(packBase + (k * pt) + count, pt - count).Clear();
            }
        }

        for (int j = 0; j < count;)
        {
            long c = c0 + j;
            int n = (int)(c / outPixels);
            int p = (int)(c - ((long)n * outPixels));
            int len = Math.Min(count - j, outPixels - p);
            PackPatches(input, n, p, len, pt, packBase + j, ow, pack);
            j += len;
        }

        return count;
    }

    /// <summary>Filter panels [panelStart, panelEnd) over a packed tile.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void ComputeTile(Tensor output, float[]? residual, long c0, int count, int pt, float[] pack, int packBase, bool simd, bool wide, int panelStart, int panelEnd)
    {
        Span<float> acc = stackalloc float[AccFloats];
        fixed (float* b0 = pack)
        fixed (float* accp = acc)
        {
            // The pack is zero past `count` up to pt (a multiple of the block width), so a kernel may read whole blocks.
            RunBlocks(new StridedRows(b0 + packBase, pt), count, simd, wide, accp, new PackedStore(this, output, residual, c0), panelStart, panelEnd);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal unsafe void Store(float* acc, float[] outBuf, int offset, int cols, int co, float[]? residual)
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

                    if (residual is not null)
                    {
                        v += Vector256.Create(residual.AsSpan(offset + c0, 8));
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

            if (residual is not null)
            {
                v += residual[offset + c];
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

/// <summary>Writes a micro-kernel block (rows of <c>ldc</c> floats) to the output, through the fused epilogue.</summary>
internal interface IBlockStore
{
    /// <summary>Stores filters co0 … co0+rows−1 for block columns j … j+cols−1.</summary>
    unsafe void Store(float* acc, int ldc, int co0, int rows, int j, int cols);
}
