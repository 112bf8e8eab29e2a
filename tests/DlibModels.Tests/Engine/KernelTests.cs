using DlibModels.Dnn;
using DlibModels.Dnn.Engine;

namespace DlibModels.Tests.Engine;

/// <summary>Engine kernels against naive reference loops.</summary>
public sealed class KernelTests
{
    /// <summary>Convolution (packed, SIMD and scalar, 1 and 2 threads) against a direct loop.</summary>
    [Theory]
    [InlineData(1, 3, 16, 5, 5, 2, 2, 0, 0, 23, 19)]
    [InlineData(2, 7, 13, 5, 5, 1, 1, 2, 2, 17, 21)]
    [InlineData(1, 4, 1, 9, 9, 1, 1, 4, 4, 12, 11)]
    [InlineData(3, 5, 8, 3, 3, 2, 2, 0, 0, 9, 9)]
    [InlineData(1, 2, 6, 1, 1, 1, 1, 0, 0, 4, 40)]
    [InlineData(1, 3, 7, 7, 7, 2, 2, 0, 0, 31, 30)]
    [InlineData(2, 6, 12, 3, 3, 1, 1, 1, 1, 33, 35)]
    public void ConvolutionMatchesNaive(int n, int ci, int co, int kh, int kw, int sy, int sx, int py, int px, int rows, int cols)
    {
        float[] w = EngineTestUtil.RandomArray(co * ci * kh * kw, 1);
        float[] b = EngineTestUtil.RandomArray(co, 2);
        var layer = new ConvolutionLayer(co, ci, kh, kw, sy, sx, py, px, w, b);
        using Tensor x = EngineTestUtil.Random(n, ci, rows, cols, 3);
        float[] expected = NaiveConv(x, layer);
        foreach (bool simd in new[] { true, false })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var conv = new PackedConvolution(layer);
                using Tensor y = conv.Forward(x, threads, simd);
                Assert.Equal(new[] { n, co, layer.OutputSize(rows, cols).Rows, layer.OutputSize(rows, cols).Cols }, y.Shape);
                AssertClose(expected, y.Span, 1e-5f, $"simd={simd} threads={threads}");
            }
        }
    }

    /// <summary>
    /// The 512-bit micro-kernel (used where AVX-512 exists) gives bit-identical floats to the
    /// 256-bit one: same fused multiply-adds in the same order per output. Where the machine has
    /// no AVX-512 both runs take the 256-bit path and the test still checks determinism.
    /// </summary>
    [Theory]
    [InlineData(2, 32, 32, 3, 3, 1, 1, 1, 1, 35, 35)]
    [InlineData(1, 3, 32, 7, 7, 2, 2, 0, 0, 150, 150)]
    [InlineData(3, 45, 45, 5, 5, 1, 1, 2, 2, 19, 23)]
    [InlineData(1, 5, 13, 3, 3, 1, 1, 1, 1, 7, 50)]
    public void WideKernelEqualsAvx2Kernel(int n, int ci, int co, int kh, int kw, int sy, int sx, int py, int px, int rows, int cols)
    {
        float[] w = EngineTestUtil.RandomArray(co * ci * kh * kw, 11);
        float[] b = EngineTestUtil.RandomArray(co, 12);
        var layer = new ConvolutionLayer(co, ci, kh, kw, sy, sx, py, px, w, b);
        using Tensor x = EngineTestUtil.Random(n, ci, rows, cols, 13);
        var conv = new PackedConvolution(layer);
        using Tensor wide = conv.Forward(x, 2, allowSimd: true, allowWide: true, allowImplicit: false);
        using Tensor narrow = conv.Forward(x, 1, allowSimd: true, allowWide: false, allowImplicit: false);
        Assert.Equal(narrow.Span.ToArray(), wide.Span.ToArray());
    }

    /// <summary>
    /// Convolutions read patches straight from a padded (for strided layers: phase-split) copy of the
    /// input instead of a packed patch matrix; every kernel width (and the scalar kernel) gives the
    /// packed path's floats, and so does the path the cost estimate picks.
    /// </summary>
    [Theory]
    [InlineData(2, 32, 32, 3, 3, 1, 1, 1, 1, 35, 35)]
    [InlineData(1, 45, 45, 5, 5, 1, 1, 2, 2, 40, 61)]
    [InlineData(3, 7, 13, 3, 3, 1, 1, 0, 0, 17, 12)]
    [InlineData(2, 128, 128, 3, 3, 1, 1, 1, 1, 8, 8)]
    [InlineData(1, 256, 256, 3, 3, 1, 1, 1, 1, 4, 4)]
    [InlineData(1, 3, 8, 7, 7, 1, 1, 3, 1, 12, 30)]
    [InlineData(2, 64, 64, 3, 3, 1, 1, 1, 1, 17, 17)]
    [InlineData(2, 3, 32, 7, 7, 2, 2, 0, 0, 150, 150)]
    [InlineData(1, 32, 64, 3, 3, 2, 2, 0, 0, 35, 35)]
    [InlineData(3, 5, 19, 5, 5, 2, 2, 2, 2, 21, 18)]
    [InlineData(2, 4, 7, 3, 5, 3, 2, 1, 2, 16, 13)]
    [InlineData(1, 6, 13, 4, 4, 2, 3, 0, 1, 11, 17)]
    [InlineData(16, 256, 256, 3, 3, 1, 1, 1, 1, 4, 4)]
    [InlineData(5, 128, 256, 3, 3, 2, 2, 0, 0, 8, 8)]
    [InlineData(1, 16, 31, 3, 3, 1, 1, 1, 1, 20, 37)]
    [InlineData(2, 9, 8, 5, 5, 1, 1, 2, 2, 30, 41)]
    public void ImplicitGemmEqualsPackedPatches(int n, int ci, int co, int kh, int kw, int sy, int sx, int py, int px, int rows, int cols)
    {
        float[] w = EngineTestUtil.RandomArray(co * ci * kh * kw, 21);
        float[] b = EngineTestUtil.RandomArray(co, 22);
        var layer = new ConvolutionLayer(co, ci, kh, kw, sy, sx, py, px, w, b);
        using Tensor x = EngineTestUtil.Random(n, ci, rows, cols, 23);
        var conv = new PackedConvolution(layer);
        foreach ((bool simd, bool wide) in new[] { (true, true), (true, false), (false, false) })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                using Tensor packed = conv.Forward(x, threads, simd, wide, allowImplicit: false);
                using Tensor direct = conv.Forward(x, threads, simd, wide, allowImplicit: true, forceImplicit: true);
                using Tensor chosen = conv.Forward(x, threads, simd, wide);
                Assert.True(packed.Span.SequenceEqual(direct.Span), $"in place: simd={simd} wide={wide} threads={threads}");
                Assert.True(packed.Span.SequenceEqual(chosen.Span), $"chosen path: simd={simd} wide={wide} threads={threads}");
            }
        }
    }

    /// <summary>
    /// Layers with a handful of output pixels (the end of a ResNet on one image) are vectorized over
    /// channels instead of pixels; the floats equal the packed path's, with and without AVX-512.
    /// </summary>
    [Theory]
    [InlineData(1, 256, 256, 3, 3, 1, 1, 1, 1, 2, 2)]
    [InlineData(1, 128, 256, 3, 3, 2, 2, 0, 0, 6, 6)]
    [InlineData(2, 64, 32, 3, 3, 1, 1, 1, 1, 1, 3)]
    [InlineData(3, 32, 64, 3, 3, 2, 2, 0, 0, 3, 4)]
    [InlineData(1, 16, 48, 1, 1, 1, 1, 0, 0, 1, 1)]
    [InlineData(1, 256, 256, 3, 3, 1, 1, 1, 1, 3, 3)]
    [InlineData(1, 256, 256, 3, 3, 1, 1, 1, 1, 4, 4)]
    [InlineData(2, 100, 45, 3, 3, 1, 1, 1, 1, 3, 3)]
    public void FewPixelsPathEqualsPackedPath(int n, int ci, int co, int kh, int kw, int sy, int sx, int py, int px, int rows, int cols)
    {
        float[] w = EngineTestUtil.RandomArray(co * ci * kh * kw, 31);
        float[] b = EngineTestUtil.RandomArray(co, 32);
        var layer = new ConvolutionLayer(co, ci, kh, kw, sy, sx, py, px, w, b);
        var affine = new AffineLayer(true, EngineTestUtil.RandomArray(co, 33), EngineTestUtil.RandomArray(co, 34));
        using Tensor x = EngineTestUtil.Random(n, ci, rows, cols, 35);
        var conv = new PackedConvolution(layer, affine, relu: true);
        foreach (bool wide in new[] { true, false })
        {
            using Tensor packed = conv.Forward(x, 1, true, wide, allowImplicit: false);
            using Tensor few = conv.Forward(x, 1, true, wide, allowImplicit: true);
            Assert.True(packed.Span.SequenceEqual(few.Span), $"wide={wide}");
        }
    }

    /// <summary>The fused epilogue gives exactly what separate affine and relu passes give.</summary>
    [Fact]
    public void FusedAffineReluEqualsSeparatePasses()
    {
        const int co = 9;
        var layer = new ConvolutionLayer(co, 4, 5, 5, 1, 1, 2, 2, EngineTestUtil.RandomArray(co * 4 * 25, 5), EngineTestUtil.RandomArray(co, 6));
        var affine = new AffineLayer(true, EngineTestUtil.RandomArray(co, 7), EngineTestUtil.RandomArray(co, 8));
        using Tensor x = EngineTestUtil.Random(2, 4, 20, 18, 9);
        using Tensor fused = new PackedConvolution(layer, affine, relu: true).Forward(x, 2);
        using Tensor sep = new PackedConvolution(layer).Forward(x, 1);
        Kernels.AffineInPlace(sep, affine);
        Kernels.ReluInPlace(sep);
        Assert.Equal(sep.ToArray(), fused.ToArray());
    }

    /// <summary>
    /// A residual block's end fused into the convolution (affine, then the residual added, then
    /// relu) gives exactly what the separate affine, add and relu passes give, on every path.
    /// </summary>
    [Theory]
    [InlineData(2, 32, 32, 35, 35)]
    [InlineData(1, 256, 256, 4, 4)]
    [InlineData(16, 128, 128, 8, 8)]
    [InlineData(1, 64, 64, 1, 2)]
    public void FusedResidualEqualsSeparatePasses(int n, int ci, int co, int rows, int cols)
    {
        var layer = new ConvolutionLayer(co, ci, 3, 3, 1, 1, 1, 1, EngineTestUtil.RandomArray(co * ci * 9, 51), EngineTestUtil.RandomArray(co, 52));
        var affine = new AffineLayer(true, EngineTestUtil.RandomArray(co, 53), EngineTestUtil.RandomArray(co, 54));
        using Tensor x = EngineTestUtil.Random(n, ci, rows, cols, 55);
        using Tensor residual = EngineTestUtil.Random(n, co, rows, cols, 56);
        float[] before = residual.ToArray();
        var fused = new PackedConvolution(layer, affine, relu: true, addsResidual: true);
        foreach ((bool simd, bool implicitOk, int threads) in new[] { (true, true, 1), (true, true, 2), (true, false, 2), (false, true, 1) })
        {
            // The portable kernel rounds each product (no fused multiply-add): compare like with like.
            using Tensor sep = new PackedConvolution(layer).Forward(x, 1, simd);
            Kernels.AffineInPlace(sep, affine);
            Kernels.AddInPlace(sep, residual);
            Kernels.ReluInPlace(sep);
            using Tensor y = fused.Forward(x, threads, simd, allowImplicit: implicitOk, residual: residual);
            Assert.Equal(sep.ToArray(), y.ToArray());
        }

        Assert.Equal(before, residual.ToArray());
        Assert.Throws<InvalidOperationException>(() => fused.Forward(x, 1));
    }

    /// <summary>Max and average pooling with padding; averages divide by the clipped window.</summary>
    [Theory]
    [InlineData(PoolKind.Max, 3, 3, 2, 2, 0, 0)]
    [InlineData(PoolKind.Average, 2, 2, 2, 2, 0, 0)]
    [InlineData(PoolKind.Average, 3, 3, 1, 1, 1, 1)]
    [InlineData(PoolKind.Max, 3, 3, 1, 1, 1, 1)]
    [InlineData(PoolKind.Average, 0, 0, 1, 1, 0, 0)]
    public void PoolingMatchesNaive(PoolKind kind, int wh, int ww, int sy, int sx, int py, int px)
    {
        var layer = new PoolLayer(kind, wh, ww, sy, sx, py, px);
        using Tensor x = EngineTestUtil.Random(2, 3, 11, 10, 11);
        using Tensor y = Kernels.Pool(x, layer);
        int h = wh == 0 ? x.Rows : wh;
        int w = ww == 0 ? x.Cols : ww;
        int oh = 1 + ((x.Rows + (2 * py) - h) / sy);
        int ow = 1 + ((x.Cols + (2 * px) - w) / sx);
        Assert.Equal(new[] { 2, 3, oh, ow }, y.Shape);
        for (int n = 0; n < 2; n++)
        {
            for (int k = 0; k < 3; k++)
            {
                for (int r = 0; r < oh; r++)
                {
                    for (int c = 0; c < ow; c++)
                    {
                        double acc = kind == PoolKind.Max ? double.NegativeInfinity : 0;
                        int cnt = 0;
                        for (int yy = (r * sy) - py; yy < (r * sy) - py + h; yy++)
                        {
                            for (int xx = (c * sx) - px; xx < (c * sx) - px + w; xx++)
                            {
                                if (yy >= 0 && yy < x.Rows && xx >= 0 && xx < x.Cols)
                                {
                                    float v = x[n, k, yy, xx];
                                    acc = kind == PoolKind.Max ? Math.Max(acc, v) : acc + v;
                                    cnt++;
                                }
                            }
                        }

                        double expected = kind == PoolKind.Max ? acc : acc / cnt;
                        Assert.True(Math.Abs(expected - y[n, k, r, c]) <= 1e-6, $"pool at {n},{k},{r},{c}: {expected} vs {y[n, k, r, c]}");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Max pooling (column maxima first, vectorized) equals the window-by-window Math.Max scan bit
    /// for bit, also with NaN, infinities and zeros of both signs in the input.
    /// </summary>
    [Theory]
    [InlineData(3, 3, 2, 2, 0, 0, 72, 72)]
    [InlineData(3, 3, 1, 1, 1, 1, 19, 37)]
    [InlineData(2, 5, 2, 3, 1, 2, 13, 40)]
    public void MaxPoolingIsExactWithSpecialValues(int wh, int ww, int sy, int sx, int py, int px, int rows, int cols)
    {
        using Tensor x = EngineTestUtil.Random(2, 4, rows, cols, 41);
        Span<float> v = x.Span;
        var rng = new Random(5);
        float[] special = [float.NaN, 0f, -0f, float.PositiveInfinity, float.NegativeInfinity];
        for (int i = 0; i < v.Length / 10; i++)
        {
            v[rng.Next(v.Length)] = special[rng.Next(special.Length)];
        }

        for (int i = 0; i < v.Length / 5; i++)
        {
            int j = rng.Next(v.Length);
            v[j] = v[j] < 0 ? -0f : 0f;
        }

        using Tensor y = Kernels.Pool(x, new PoolLayer(PoolKind.Max, wh, ww, sy, sx, py, px));
        int oh = y.Rows, ow = y.Cols;
        for (int n = 0; n < 2; n++)
        {
            for (int k = 0; k < 4; k++)
            {
                for (int r = 0; r < oh; r++)
                {
                    for (int c = 0; c < ow; c++)
                    {
                        float acc = float.NegativeInfinity;
                        for (int yy = Math.Max((r * sy) - py, 0); yy <= Math.Min((r * sy) - py + wh - 1, rows - 1); yy++)
                        {
                            for (int xx = Math.Max((c * sx) - px, 0); xx <= Math.Min((c * sx) - px + ww - 1, cols - 1); xx++)
                            {
                                acc = Math.Max(acc, x[n, k, yy, xx]);
                            }
                        }

                        Assert.Equal(BitConverter.SingleToInt32Bits(acc), BitConverter.SingleToInt32Bits(y[n, k, r, c]));
                    }
                }
            }
        }
    }

    /// <summary>tt::add with different shapes zero-extends the smaller tensor.</summary>
    [Fact]
    public void AddZeroExtends()
    {
        using Tensor a = EngineTestUtil.Random(2, 3, 4, 5, 1);
        using Tensor b = EngineTestUtil.Random(2, 5, 3, 6, 2);
        using Tensor s = Kernels.Add(a, b);
        Assert.Equal(new[] { 2, 5, 4, 6 }, s.Shape);
        for (int n = 0; n < 2; n++)
        {
            for (int k = 0; k < 5; k++)
            {
                for (int r = 0; r < 4; r++)
                {
                    for (int c = 0; c < 6; c++)
                    {
                        float va = k < 3 && c < 5 ? a[n, k, r, c] : 0f;
                        float vb = r < 3 ? b[n, k, r, c] : 0f;
                        Assert.Equal(va + vb, s[n, k, r, c]);
                    }
                }
            }
        }
    }

    /// <summary>Fully connected: out = x·W + b with W stored [in][out].</summary>
    [Fact]
    public void FullyConnectedMatchesNaive()
    {
        const int inputs = 2 * 3 * 3;
        const int outs = 13;
        var layer = new FullyConnectedLayer(outs, inputs, EngineTestUtil.RandomArray(inputs * outs, 3), EngineTestUtil.RandomArray(outs, 4));
        using Tensor x = EngineTestUtil.Random(3, 2, 3, 3, 5);
        using Tensor y = Kernels.FullyConnected(x, layer);
        Assert.Equal(new[] { 3, outs, 1, 1 }, y.Shape);
        for (int n = 0; n < 3; n++)
        {
            for (int o = 0; o < outs; o++)
            {
                double acc = layer.BiasesArray[o];
                for (int i = 0; i < inputs; i++)
                {
                    acc += x.Span[(n * inputs) + i] * layer.WeightsArray[(i * outs) + o];
                }

                Assert.True(Math.Abs(acc - y[n, o, 0, 0]) < 1e-5);
            }
        }
    }

    /// <summary>Softmax over channels sums to one at every location; concat stacks channels.</summary>
    [Fact]
    public void SoftmaxAndConcat()
    {
        using Tensor x = EngineTestUtil.Random(2, 4, 2, 3, 6);
        using Tensor p = Kernels.Softmax(x);
        for (int n = 0; n < 2; n++)
        {
            for (int r = 0; r < 2; r++)
            {
                for (int c = 0; c < 3; c++)
                {
                    double s = 0;
                    for (int k = 0; k < 4; k++)
                    {
                        s += p[n, k, r, c];
                    }

                    Assert.True(Math.Abs(s - 1) < 1e-6);
                }
            }
        }

        using Tensor y = EngineTestUtil.Random(2, 1, 2, 3, 7);
        using Tensor cat = Kernels.Concat(new[] { x, y });
        Assert.Equal(new[] { 2, 5, 2, 3 }, cat.Shape);
        Assert.Equal(x[1, 3, 1, 2], cat[1, 3, 1, 2]);
        Assert.Equal(y[1, 0, 1, 2], cat[1, 4, 1, 2]);
    }

    /// <summary>Tags, skips and add_prev through the executor (a small residual block), fused and unfused.</summary>
    [Fact]
    public void ExecutorRunsResidualBlock()
    {
        var conv1 = new ConvolutionLayer(4, 3, 3, 3, 1, 1, 1, 1, EngineTestUtil.RandomArray(4 * 3 * 9, 1), EngineTestUtil.RandomArray(4, 2));
        var bn = new AffineLayer(true, EngineTestUtil.RandomArray(4, 3), EngineTestUtil.RandomArray(4, 4));
        var conv2 = new ConvolutionLayer(4, 4, 3, 3, 2, 2, 0, 0, EngineTestUtil.RandomArray(4 * 4 * 9, 5), Array.Empty<float>());
        var layers = new Layer[]
        {
            new TagLayer(1), conv1, bn, new ReluLayer(), new TagLayer(2), new SkipLayer(1), new PoolLayer(PoolKind.Average, 2, 2, 2, 2, 0, 0),
            new AddPrevLayer(2), new ReluLayer(), new TagLayer(3), conv2, new AddPrevLayer(3), new PoolLayer(PoolKind.Average, 0, 0, 1, 1, 0, 0),
            new FullyConnectedLayer(5, 4, EngineTestUtil.RandomArray(20, 6), EngineTestUtil.RandomArray(5, 7)),
        };
        var net = new DnnNetwork(new InputLayer(InputKind.RgbImage, 0, 0, 0), layers, new MulticlassLogLoss(), "test");
        using Tensor x = EngineTestUtil.Random(2, 3, 12, 10, 8);
        float[] xCopy = x.ToArray();

        // Reference, by hand.
        using Tensor c1 = new PackedConvolution(conv1).Forward(x, 1, false);
        Kernels.AffineInPlace(c1, bn);
        Kernels.ReluInPlace(c1);
        using Tensor pooled = Kernels.Pool(x, new PoolLayer(PoolKind.Average, 2, 2, 2, 2, 0, 0));
        using Tensor sum = Kernels.Add(pooled, c1);
        Kernels.ReluInPlace(sum);
        using Tensor c2 = new PackedConvolution(conv2).Forward(sum, 1, false);
        using Tensor sum2 = Kernels.Add(c2, sum);
        using Tensor g = Kernels.Pool(sum2, new PoolLayer(PoolKind.Average, 0, 0, 1, 1, 0, 0));
        using Tensor expected = Kernels.FullyConnected(g, (FullyConnectedLayer)layers[^1]);

        var exec = new DnnExecutor(net, 2);
        using Tensor y = exec.Forward(x);
        AssertClose(expected.ToArray(), y.Span, 1e-5f, "fused");
        IReadOnlyList<LayerStatistics> stats = exec.ForwardWithStatistics(x, out Tensor y2);
        using (y2)
        {
            AssertClose(expected.ToArray(), y2.Span, 1e-5f, "unfused");
        }

        Assert.Equal(layers.Length + 1, stats.Count);
        Assert.Equal(layers.Length + 1, stats[0].Index);
        Assert.Equal(1, stats[^1].Index);
        Assert.Equal(xCopy, x.ToArray());
    }

    private static float[] NaiveConv(Tensor x, ConvolutionLayer l)
    {
        (int oh, int ow) = l.OutputSize(x.Rows, x.Cols);
        var y = new float[x.N * l.NumFilters * oh * ow];
        int idx = 0;
        for (int n = 0; n < x.N; n++)
        {
            for (int o = 0; o < l.NumFilters; o++)
            {
                for (int r = 0; r < oh; r++)
                {
                    for (int c = 0; c < ow; c++)
                    {
                        double acc = 0;
                        for (int i = 0; i < l.InputChannels; i++)
                        {
                            for (int ky = 0; ky < l.KernelRows; ky++)
                            {
                                for (int kx = 0; kx < l.KernelCols; kx++)
                                {
                                    int yy = (r * l.StrideY) - l.PaddingY + ky;
                                    int xx = (c * l.StrideX) - l.PaddingX + kx;
                                    if (yy >= 0 && yy < x.Rows && xx >= 0 && xx < x.Cols)
                                    {
                                        acc += x[n, i, yy, xx] * l.WeightsArray[(((o * l.InputChannels) + i) * l.KernelRows + ky) * l.KernelCols + kx];
                                    }
                                }
                            }
                        }

                        y[idx++] = (float)(acc + (l.HasBias ? l.BiasesArray[o] : 0));
                    }
                }
            }
        }

        return y;
    }

    private static void AssertClose(float[] expected, ReadOnlySpan<float> actual, float tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float diff = Math.Abs(expected[i] - actual[i]);
            Assert.True(diff <= tol * Math.Max(1f, Math.Abs(expected[i])), $"{what}: index {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
