using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Numerics;

namespace DlibModels.Dnn.Engine;

/// <summary>CPU kernels with the semantics of dlib's <c>cpu_dlib.cpp</c> (inference only).</summary>
internal static class Kernels
{
    /// <summary>y = gamma·x + beta in place: per channel (conv mode) or per element of a sample (fc mode).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AffineInPlace(Tensor t, AffineLayer layer)
    {
        float[] g = layer.GammaArray;
        float[] b = layer.BetaArray;
        Span<float> d = t.Span;
        if (layer.ConvolutionMode)
        {
            if (g.Length != t.K)
            {
                throw new InvalidOperationException($"affine layer has {g.Length} channels, input has {t.K}");
            }

            int plane = t.PlaneSize;
            for (int n = 0; n < t.N; n++)
            {
                for (int k = 0; k < t.K; k++)
                {
                    Span<float> p = d.Slice(((n * t.K) + k) * plane, plane);
                    float gk = g[k];
                    float bk = b[k];
                    for (int i = 0; i < p.Length; i++)
                    {
                        p[i] = (gk * p[i]) + bk;
                    }
                }
            }
        }
        else
        {
            int size = t.SampleSize;
            if (g.Length != size)
            {
                throw new InvalidOperationException($"affine layer has {g.Length} values, input sample has {size}");
            }

            for (int n = 0; n < t.N; n++)
            {
                Span<float> p = d.Slice(n * size, size);
                for (int i = 0; i < size; i++)
                {
                    p[i] = (g[i] * p[i]) + b[i];
                }
            }
        }
    }

    /// <summary>max(0, x) in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ReluInPlace(Tensor t)
    {
        Span<float> d = t.Span;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            Span<Vector<float>> v = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(d);
            for (int j = 0; j < v.Length; j++)
            {
                v[j] = Vector.Max(v[j], Vector<float>.Zero);
            }

            i = v.Length * Vector<float>.Count;
        }

        for (; i < d.Length; i++)
        {
            d[i] = Math.Max(d[i], 0f);
        }
    }

    /// <summary>x·value in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiplyInPlace(Tensor t, float value)
    {
        Span<float> d = t.Span;
        for (int i = 0; i < d.Length; i++)
        {
            d[i] *= value;
        }
    }

    /// <summary>dlib's pooling: windows centred like <c>centered_rect</c>, clipped to the input; avg divides by the clipped count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Pool(Tensor src, PoolLayer layer)
    {
        int wh = layer.IsGlobal ? src.Rows : layer.WindowRows;
        int ww = layer.IsGlobal ? src.Cols : layer.WindowCols;
        int sy = layer.StrideY;
        int sx = layer.StrideX;
        int py = layer.PaddingY;
        int px = layer.PaddingX;
        if (wh > src.Rows + (2 * py) || ww > src.Cols + (2 * px))
        {
            throw new InvalidOperationException($"pooling window {wh}x{ww} does not fit input {src}");
        }

        int oh = 1 + ((src.Rows + (2 * py) - wh) / sy);
        int ow = 1 + ((src.Cols + (2 * px) - ww) / sx);
        var dst = new Tensor(src.N, src.K, oh, ow);
        float[] s = src.Buffer;
        float[] d = dst.Buffer;
        bool max = layer.Pool == PoolKind.Max;
        int splane = src.PlaneSize;
        int dplane = dst.PlaneSize;
        if (max)
        {
            MaxPool(s, d, src.N * src.K, src.Rows, src.Cols, oh, ow, wh, ww, sy, sx, py, px);
            return dst;
        }

        for (int plane = 0; plane < src.N * src.K; plane++)
        {
            int sb = plane * splane;
            int db = plane * dplane;
            for (int r = 0; r < oh; r++)
            {
                // centered_rect(c*stride + w/2 - pad, ...) spans [c*stride - pad, c*stride - pad + w - 1]
                int top = (r * sy) - py;
                int r0 = Math.Max(top, 0);
                int r1 = Math.Min(top + wh - 1, src.Rows - 1);
                for (int c = 0; c < ow; c++)
                {
                    int left = (c * sx) - px;
                    int c0 = Math.Max(left, 0);
                    int c1 = Math.Min(left + ww - 1, src.Cols - 1);
                    float v;
                    if (max)
                    {
                        v = float.NegativeInfinity;
                        for (int y = r0; y <= r1; y++)
                        {
                            int rb = sb + (y * src.Cols);
                            for (int x = c0; x <= c1; x++)
                            {
                                v = Math.Max(v, s[rb + x]);
                            }
                        }
                    }
                    else
                    {
                        float sum = 0f;
                        for (int y = r0; y <= r1; y++)
                        {
                            int rb = sb + (y * src.Cols);
                            for (int x = c0; x <= c1; x++)
                            {
                                sum += s[rb + x];
                            }
                        }

                        long count = (long)(r1 - r0 + 1) * (c1 - c0 + 1);
                        v = count > 0 ? sum / count : 0f;
                    }

                    d[db + (r * ow) + c] = v;
                }
            }
        }

        return dst;
    }

    /// <summary>
    /// Max pooling as the maximum of column maxima: for each output row the window's rows are first
    /// reduced element-wise over the whole width (vectorized), then each output takes the maximum of
    /// its columns (for windows inside the row, every start at once: the maximum of ww shifted
    /// copies, vectorized). The maximum (with Math.Max's NaN and signed-zero rules, which the vector Max
    /// shares) does not depend on the order of its operands, so this equals the window-by-window scan.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool(float[] s, float[] d, int planes, int rows, int cols, int oh, int ow, int wh, int ww, int sy, int sx, int py, int px)
    {
        float[] colMax = ArrayPool<float>.Shared.Rent(cols);
        float[] winMax = ArrayPool<float>.Shared.Rent(cols);
        try
        {
            Span<float> m = colMax.AsSpan(0, cols);

            // Windows lying wholly inside the row start at columns [0, inner): their maxima are
            // computed for every start at once (ww shifted vector maxima), the rest one by one.
            int inner = Math.Max(0, cols - ww + 1);
            Span<float> wm = winMax.AsSpan(0, inner);
            for (int plane = 0; plane < planes; plane++)
            {
                int sb = plane * rows * cols;
                int db = plane * oh * ow;
                for (int r = 0; r < oh; r++)
                {
                    int top = (r * sy) - py;
                    int r0 = Math.Max(top, 0);
                    int r1 = Math.Min(top + wh - 1, rows - 1);
                    if (r1 < r0)
                    {
                        m.Fill(float.NegativeInfinity);
                    }
                    else
                    {
                        s.AsSpan(sb + (r0 * cols), cols).CopyTo(m);
                        for (int y = r0 + 1; y <= r1; y++)
                        {
                            MaxInto(m, s.AsSpan(sb + (y * cols), cols));
                        }
                    }

                    if (inner > 0)
                    {
                        m[..inner].CopyTo(wm);
                        for (int dx = 1; dx < ww; dx++)
                        {
                            MaxInto(wm, m.Slice(dx, inner));
                        }
                    }

                    Span<float> outRow = d.AsSpan(db + (r * ow), ow);
                    for (int c = 0; c < ow; c++)
                    {
                        int left = (c * sx) - px;
                        if (left >= 0 && left < inner)
                        {
                            outRow[c] = wm[left];
                            continue;
                        }

                        int c0 = Math.Max(left, 0);
                        int c1 = Math.Min(left + ww - 1, cols - 1);
                        float v = float.NegativeInfinity;
                        for (int x = c0; x <= c1; x++)
                        {
                            v = Math.Max(v, m[x]);
                        }

                        outRow[c] = v;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(colMax);
            ArrayPool<float>.Shared.Return(winMax);
        }
    }

    /// <summary>acc[i] = Math.Max(acc[i], x[i]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxInto(Span<float> acc, ReadOnlySpan<float> x)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<float>.Count <= acc.Length; i += Vector256<float>.Count)
            {
                Vector256.Max(Vector256.Create(acc.Slice(i, Vector256<float>.Count)), Vector256.Create(x.Slice(i, Vector256<float>.Count))).CopyTo(acc.Slice(i));
            }
        }

        for (; i < acc.Length; i++)
        {
            acc[i] = Math.Max(acc[i], x[i]);
        }
    }

    /// <summary>dlib's <c>tt::add(dest, a, b)</c>: the output takes the larger of each dimension; values missing from one input count as 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor Add(Tensor a, Tensor b)
    {
        var dst = new Tensor(Math.Max(a.N, b.N), Math.Max(a.K, b.K), Math.Max(a.Rows, b.Rows), Math.Max(a.Cols, b.Cols));
        if (a.SameShape(b))
        {
            Span<float> d = dst.Span;
            ReadOnlySpan<float> x = a.Span;
            ReadOnlySpan<float> y = b.Span;
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = x[i] + y[i];
            }

            return dst;
        }

        dst.Clear();
        AddInto(dst, a);
        AddInto(dst, b);
        return dst;
    }

    /// <summary>In place a += b when shapes match.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddInPlace(Tensor a, Tensor b)
    {
        Span<float> d = a.Span;
        ReadOnlySpan<float> y = b.Span;
        for (int i = 0; i < d.Length; i++)
        {
            d[i] += y[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddInto(Tensor dst, Tensor src)
    {
        float[] d = dst.Buffer;
        float[] s = src.Buffer;
        for (int n = 0; n < src.N; n++)
        {
            for (int k = 0; k < src.K; k++)
            {
                for (int r = 0; r < src.Rows; r++)
                {
                    int so = (((n * src.K) + k) * src.Rows + r) * src.Cols;
                    int dO = (((n * dst.K) + k) * dst.Rows + r) * dst.Cols;
                    for (int c = 0; c < src.Cols; c++)
                    {
                        d[dO + c] += s[so + c];
                    }
                }
            }
        }
    }

    /// <summary>Concatenates along channels (all inputs must agree in N, Rows, Cols).</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> parts)
    {
        Tensor first = parts[0];
        int k = 0;
        foreach (Tensor t in parts)
        {
            if (t.N != first.N || t.Rows != first.Rows || t.Cols != first.Cols)
            {
                throw new InvalidOperationException($"concat inputs differ in shape: {first} vs {t}");
            }

            k += t.K;
        }

        var dst = new Tensor(first.N, k, first.Rows, first.Cols);
        int offset = 0;
        for (int n = 0; n < first.N; n++)
        {
            foreach (Tensor t in parts)
            {
                t.Span.Slice(n * t.SampleSize, t.SampleSize).CopyTo(dst.Span.Slice(offset));
                offset += t.SampleSize;
            }
        }

        return dst;
    }

    /// <summary>dlib's <c>fc_</c>: out = x·W (+ b), x flattened per sample.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Tensor FullyConnected(Tensor src, FullyConnectedLayer layer)
    {
        int inputs = src.SampleSize;
        if (inputs != layer.NumInputs)
        {
            throw new InvalidOperationException($"fc layer expects {layer.NumInputs} inputs, got {inputs}");
        }

        int outs = layer.NumOutputs;
        var dst = new Tensor(src.N, outs, 1, 1);
        float[] w = layer.WeightsArray;
        float[] b = layer.BiasesArray;
        Span<float> acc = outs <= 4096 ? stackalloc float[outs] : new float[outs];
        for (int n = 0; n < src.N; n++)
        {
            acc.Clear();
            ReadOnlySpan<float> x = src.Span.Slice(n * inputs, inputs);
            for (int i = 0; i < inputs; i++)
            {
                float xi = x[i];
                ReadOnlySpan<float> row = w.AsSpan(i * outs, outs);
                Axpy(xi, row, acc);
            }

            Span<float> o = dst.Span.Slice(n * outs, outs);
            for (int j = 0; j < outs; j++)
            {
                o[j] = b.Length != 0 ? acc[j] + b[j] : acc[j];
            }
        }

        return dst;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var va = new Vector<float>(a);
            ReadOnlySpan<Vector<float>> vx = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(x);
            Span<Vector<float>> vy = System.Runtime.InteropServices.MemoryMarshal.Cast<float, Vector<float>>(y);
            for (int j = 0; j < vx.Length; j++)
            {
                vy[j] += va * vx[j];
            }

            i = vx.Length * Vector<float>.Count;
        }

        for (; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>dlib's <c>tt::softmax</c>: over channels, separately at each (sample, row, column).</summary>
    public static Tensor Softmax(Tensor src)
    {
        var dst = new Tensor(src.N, src.K, src.Rows, src.Cols);
        float[] s = src.Buffer;
        float[] d = dst.Buffer;
        int plane = src.PlaneSize;
        for (int n = 0; n < src.N; n++)
        {
            int b = n * src.SampleSize;
            for (int i = 0; i < plane; i++)
            {
                float m = float.NegativeInfinity;
                for (int k = 0; k < src.K; k++)
                {
                    m = Math.Max(m, s[b + (k * plane) + i]);
                }

                float sum = 0f;
                for (int k = 0; k < src.K; k++)
                {
                    float e = MathF.Exp(s[b + (k * plane) + i] - m);
                    d[b + (k * plane) + i] = e;
                    sum += e;
                }

                for (int k = 0; k < src.K; k++)
                {
                    d[b + (k * plane) + i] /= sum;
                }
            }
        }

        return dst;
    }

    /// <summary>
    /// dlib's <c>resize_image</c> for float planes (the path <c>tt::resize_bilinear</c> takes on the CPU):
    /// a 4-wide float loop with truncating conversions, then a scalar tail computed partly in double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ResizeBilinearPlane(
        float[] src, int srcOffset, int srcRows, int srcCols, int srcStride,
        float[] dst, int dstOffset, int dstRows, int dstCols, int dstStride)
    {
        if (dstRows == 0 || dstCols == 0 || srcRows == 0 || srcCols == 0)
        {
            return;
        }

        double xScale = (srcCols - 1) / (double)Math.Max(dstCols - 1, 1);
        double yScale = (srcRows - 1) / (double)Math.Max(dstRows - 1, 1);
        double y = -yScale;
        float xs4 = (float)(4 * xScale);
        for (int r = 0; r < dstRows; r++)
        {
            y += yScale;
            long top = (long)Math.Floor(y);
            long bottom = Math.Min(top + 1, srcRows - 1);
            double tbFrac = y - top;
            double x = -4 * xScale;
            float tb = (float)tbFrac;
            float itb = (float)(1 - tbFrac);
            float x0 = (float)x;
            float x1 = (float)(x + xScale);
            float x2 = (float)(x + (2 * xScale));
            float x3 = (float)(x + (3 * xScale));
            int topRow = srcOffset + (int)(top * srcStride);
            int botRow = srcOffset + (int)(bottom * srcStride);
            int outRow = dstOffset + (r * dstStride);
            int c = 0;
            for (; ; c += 4)
            {
                x0 += xs4;
                x1 += xs4;
                x2 += xs4;
                x3 += xs4;
                int l0 = (int)x0;
                int l1 = (int)x1;
                int l2 = (int)x2;
                int l3 = (int)x3;
                if (l3 + 1 >= srcCols)
                {
                    break;
                }

                if (c + 3 < dstCols)
                {
                    dst[outRow + c] = Lane(src, topRow, botRow, x0, l0, tb, itb);
                    dst[outRow + c + 1] = Lane(src, topRow, botRow, x1, l1, tb, itb);
                    dst[outRow + c + 2] = Lane(src, topRow, botRow, x2, l2, tb, itb);
                    dst[outRow + c + 3] = Lane(src, topRow, botRow, x3, l3, tb, itb);
                }
                else
                {
                    // dlib's loop only stops on the source width; lanes past the destination row are not ours to write.
                    if (c < dstCols)
                    {
                        dst[outRow + c] = Lane(src, topRow, botRow, x0, l0, tb, itb);
                    }

                    if (c + 1 < dstCols)
                    {
                        dst[outRow + c + 1] = Lane(src, topRow, botRow, x1, l1, tb, itb);
                    }

                    if (c + 2 < dstCols)
                    {
                        dst[outRow + c + 2] = Lane(src, topRow, botRow, x2, l2, tb, itb);
                    }
                }
            }

            x = -xScale + (c * xScale);
            for (; c < dstCols; c++)
            {
                x += xScale;
                long left = (long)Math.Floor(x);
                long right = Math.Min(left + 1, srcCols - 1);
                float lr = (float)(x - left);
                float tl = src[topRow + left];
                float tr = src[topRow + right];
                float bl = src[botRow + left];
                float br = src[botRow + right];
                float upper = ((1 - lr) * tl) + (lr * tr);
                float lower = ((1 - lr) * bl) + (lr * br);
                dst[outRow + c] = (float)(((1 - tbFrac) * upper) + (tbFrac * lower));
            }
        }
    }

    private static float Lane(float[] src, int topRow, int botRow, float x, int left, float tb, float itb)
    {
        float lr = x - left;
        float ilr = 1 - lr;
        float tlf = itb * ilr;
        float trf = itb * lr;
        float blf = tb * ilr;
        float brf = tb * lr;
        float s = tlf * src[topRow + left];
        s += trf * src[topRow + left + 1];
        s += blf * src[botRow + left];
        s += brf * src[botRow + left + 1];
        return s;
    }
}
