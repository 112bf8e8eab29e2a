namespace DlibModels.ImageIO.Jpeg;

/// <summary>
/// Chroma upsampling as libjpeg-turbo 2.1.5 does it with <c>do_fancy_upsampling</c> on:
/// a triangle filter ("3/4 of the nearer sample, 1/4 of the further one", with libjpeg-turbo's
/// alternating rounding biases) for 2:1 horizontal, 2:1 vertical, and 2:1 both ways; plain
/// replication for every other integral ratio and for planes at most 2 samples wide.
/// </summary>
/// <remarks>
/// Edges: beyond the first and last valid sample (the component's "downsampled" size,
/// ceil(image size × factor / max factor)) the nearest valid sample is used, matching the
/// context rows libjpeg-turbo's main controller supplies and the special first/last columns of
/// its upsamplers.
/// </remarks>
internal static class JpegUpsampler
{
    /// <summary>
    /// Returns a width × height plane from a component plane of <paramref name="dsW"/> ×
    /// <paramref name="dsH"/> valid samples stored with row stride <paramref name="stride"/>.
    /// </summary>
    public static byte[] Upsample(byte[] src, int stride, int dsW, int dsH, int h, int v, int maxH, int maxV, int width, int height)
    {
        var dst = new byte[checked(width * height)];
        if (h == maxH && v == maxV)
        {
            for (int y = 0; y < height; y++)
            {
                Buffer.BlockCopy(src, y * stride, dst, y * width, width);
            }
        }
        else if (h * 2 == maxH && v == maxV && dsW > 2)
        {
            H2V1Fancy(src, stride, dsW, dst, width, height);
        }
        else if (h == maxH && v * 2 == maxV)
        {
            H1V2Fancy(src, stride, dsH, dst, width, height);
        }
        else if (h * 2 == maxH && v * 2 == maxV && dsW > 2)
        {
            H2V2Fancy(src, stride, dsW, dsH, dst, width, height);
        }
        else
        {
            Replicate(src, stride, maxH / h, maxV / v, dst, width, height);
        }

        return dst;
    }

    private static void Replicate(byte[] src, int stride, int fx, int fy, byte[] dst, int width, int height)
    {
        for (int y = 0; y < height; y++)
        {
            int s = (y / fy) * stride;
            int d = y * width;
            for (int x = 0; x < width; x++)
            {
                dst[d + x] = src[s + (x / fx)];
            }
        }
    }

    private static void H2V1Fancy(byte[] src, int stride, int dsW, byte[] dst, int width, int height)
    {
        // Each input sample gives two outputs: left = (3·cur + prev + 1) >> 2, right = (3·cur + next + 2) >> 2;
        // the outermost outputs copy the edge sample.
        var row = new byte[dsW * 2];
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> input = src.AsSpan(y * stride, dsW);
            row[0] = input[0];
            row[1] = (byte)(((input[0] * 3) + input[1] + 2) >> 2);
            for (int c = 1; c < dsW - 1; c++)
            {
                int cur = input[c] * 3;
                row[2 * c] = (byte)((cur + input[c - 1] + 1) >> 2);
                row[(2 * c) + 1] = (byte)((cur + input[c + 1] + 2) >> 2);
            }

            int last = dsW - 1;
            row[2 * last] = (byte)(((input[last] * 3) + input[last - 1] + 1) >> 2);
            row[(2 * last) + 1] = input[last];
            Buffer.BlockCopy(row, 0, dst, y * width, width);
        }
    }

    private static void H1V2Fancy(byte[] src, int stride, int dsH, byte[] dst, int width, int height)
    {
        // Output row 2i uses row i-1 as the further row (bias 1), row 2i+1 uses row i+1 (bias 2).
        for (int y = 0; y < height; y++)
        {
            int inRow = y >> 1;
            bool upper = (y & 1) == 0;
            int farRow = upper ? Math.Max(inRow - 1, 0) : Math.Min(inRow + 1, dsH - 1);
            int bias = upper ? 1 : 2;
            ReadOnlySpan<byte> near = src.AsSpan(inRow * stride, width);
            ReadOnlySpan<byte> far = src.AsSpan(farRow * stride, width);
            Span<byte> output = dst.AsSpan(y * width, width);
            for (int x = 0; x < width; x++)
            {
                output[x] = (byte)(((near[x] * 3) + far[x] + bias) >> 2);
            }
        }
    }

    private static void H2V2Fancy(byte[] src, int stride, int dsW, int dsH, byte[] dst, int width, int height)
    {
        // Vertical pass: colsum = 3·nearer row + further row; horizontal pass as in h2v1 on the
        // sums, with biases 8 (left output) and 7 (right output), >> 4.
        var sums = new int[dsW];
        var row = new byte[dsW * 2];
        for (int y = 0; y < height; y++)
        {
            int inRow = y >> 1;
            int farRow = (y & 1) == 0 ? Math.Max(inRow - 1, 0) : Math.Min(inRow + 1, dsH - 1);
            ReadOnlySpan<byte> near = src.AsSpan(inRow * stride, dsW);
            ReadOnlySpan<byte> far = src.AsSpan(farRow * stride, dsW);
            for (int c = 0; c < dsW; c++)
            {
                sums[c] = (near[c] * 3) + far[c];
            }

            row[0] = (byte)(((sums[0] * 4) + 8) >> 4);
            row[1] = (byte)(((sums[0] * 3) + sums[1] + 7) >> 4);
            for (int c = 1; c < dsW - 1; c++)
            {
                int cur = sums[c] * 3;
                row[2 * c] = (byte)((cur + sums[c - 1] + 8) >> 4);
                row[(2 * c) + 1] = (byte)((cur + sums[c + 1] + 7) >> 4);
            }

            int last = dsW - 1;
            row[2 * last] = (byte)(((sums[last] * 3) + sums[last - 1] + 8) >> 4);
            row[(2 * last) + 1] = (byte)(((sums[last] * 4) + 7) >> 4);
            Buffer.BlockCopy(row, 0, dst, y * width, width);
        }
    }
}
