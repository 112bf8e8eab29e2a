using BitMiracle.LibJpeg.Classic;

namespace DlibModels.ImageIO.Jpeg;

/// <summary>The decoded samples of a JPEG: one gray channel or interleaved R,G,B.</summary>
internal sealed class JpegPixels(int rows, int cols, int channels, byte[] data)
{
    public int Rows { get; } = rows;

    public int Cols { get; } = cols;

    /// <summary>1 (grayscale JPEG) or 3 (RGB).</summary>
    public int Channels { get; } = channels;

    /// <summary>Row-major samples, <see cref="Channels"/> bytes per pixel.</summary>
    public byte[] Data { get; } = data;
}

/// <summary>
/// Decodes a JPEG to exactly the samples libjpeg-turbo 2.1.5 gives with its default settings
/// (ISLOW IDCT, fancy upsampling, fixed-point YCbCr→RGB), which is what dlib's <c>load_image</c> uses.
/// </summary>
/// <remarks>
/// LibJpeg.NET does the entropy decoding and the ISLOW IDCT in raw-data mode, returning each
/// component at its own resolution; those planes are bit-identical to libjpeg-turbo's. The chroma
/// upsampling and colour conversion are then done here following libjpeg-turbo's algorithms
/// (<c>jdsample.c</c>, <c>jdcolor.c</c>), because LibJpeg.NET's own upsampler follows IJG libjpeg 9,
/// which gives different pixels.
/// </remarks>
internal static class JpegDecoder
{
    /// <summary>Decodes a complete JPEG file held in memory.</summary>
    /// <exception cref="ImageFormatProblem">The data is not a decodable JPEG of a supported kind.</exception>
    public static JpegPixels Decode(byte[] data, long maxPixels)
    {
        JpegHeader header = JpegHeader.Parse(data);
        Validate(header, maxPixels);

        int nc = header.Components.Length;
        var err = new QuietErrorManager();
        var cinfo = new jpeg_decompress_struct(err);
        using var stream = new MemoryStream(data, writable: false);
        byte[][] planes;
        int[] strides;
        int width, height, maxH, maxV;
        int[] hs = new int[nc], vs = new int[nc], dsW = new int[nc], dsH = new int[nc];
        try
        {
            cinfo.jpeg_stdio_src(stream);
            cinfo.jpeg_read_header(true);
            if (cinfo.Num_components != nc || cinfo.Image_width != header.Width || cinfo.Image_height != header.Height)
            {
                throw new ImageFormatProblem("inconsistent frame header");
            }

            cinfo.Raw_data_out = true;
            cinfo.Do_fancy_upsampling = false;
            cinfo.Do_block_smoothing = true;
            cinfo.Dct_method = J_DCT_METHOD.JDCT_ISLOW;
            cinfo.jpeg_start_decompress();

            width = cinfo.Image_width;
            height = cinfo.Image_height;
            maxH = 1;
            maxV = 1;
            for (int ci = 0; ci < nc; ci++)
            {
                maxH = Math.Max(maxH, cinfo.Comp_info[ci].H_samp_factor);
                maxV = Math.Max(maxV, cinfo.Comp_info[ci].V_samp_factor);
            }

            int imcuRows = CeilDiv(height, 8 * maxV);
            planes = new byte[nc][];
            strides = new int[nc];
            var buffers = new byte[nc][][];
            for (int ci = 0; ci < nc; ci++)
            {
                jpeg_component_info comp = cinfo.Comp_info[ci];
                hs[ci] = comp.H_samp_factor;
                vs[ci] = comp.V_samp_factor;
                dsW[ci] = CeilDiv(width * hs[ci], maxH);
                dsH[ci] = CeilDiv(height * vs[ci], maxV);
                strides[ci] = comp.Width_in_blocks * 8;
                planes[ci] = new byte[checked(strides[ci] * imcuRows * vs[ci] * 8)];
                buffers[ci] = new byte[vs[ci] * 8][];
                for (int r = 0; r < buffers[ci].Length; r++)
                {
                    buffers[ci][r] = new byte[strides[ci]];
                }
            }

            for (int imcu = 0; imcu < imcuRows; imcu++)
            {
                int got = cinfo.jpeg_read_raw_data(buffers, maxV * 8);
                if (got <= 0)
                {
                    throw new ImageFormatProblem("the decoder returned no data");
                }

                for (int ci = 0; ci < nc; ci++)
                {
                    int rowsPer = vs[ci] * 8;
                    int baseRow = imcu * rowsPer;
                    for (int r = 0; r < rowsPer; r++)
                    {
                        Buffer.BlockCopy(buffers[ci][r], 0, planes[ci], (baseRow + r) * strides[ci], strides[ci]);
                    }
                }
            }

            cinfo.jpeg_finish_decompress();
        }
        catch (ImageFormatProblem)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            string what = err.Num_warnings > 0 ? "truncated or corrupt JPEG data" : "corrupt JPEG data";
            throw new ImageFormatProblem($"{what} ({e.Message})", e);
        }
        finally
        {
            cinfo.jpeg_abort_decompress();
        }

        if (nc == 1)
        {
            // Grayscale: libjpeg-turbo outputs the component as is (a 1-component image has no
            // subsampling relative to itself).
            var gray = new byte[width * height];
            for (int y = 0; y < height; y++)
            {
                Buffer.BlockCopy(planes[0], y * strides[0], gray, y * width, width);
            }

            return new JpegPixels(height, width, 1, gray);
        }

        // Three components: bring each row to full size and convert it straight into the output.
        var ups = new JpegUpsampler[3];
        for (int ci = 0; ci < 3; ci++)
        {
            ups[ci] = new JpegUpsampler(planes[ci], strides[ci], dsW[ci], dsH[ci], hs[ci], vs[ci], maxH, maxV, width);
        }

        var rgb = new byte[checked(width * height * 3)];
        int rowBytes = width * 3;
        for (int y = 0; y < height; y++)
        {
            Span<byte> outRow = rgb.AsSpan(y * rowBytes, rowBytes);
            if (header.IsYCbCr)
            {
                JpegColor.YCbCrToRgb(ups[0].Row(y), ups[1].Row(y), ups[2].Row(y), outRow);
            }
            else
            {
                JpegColor.Interleave(ups[0].Row(y), ups[1].Row(y), ups[2].Row(y), outRow);
            }
        }

        return new JpegPixels(height, width, 3, rgb);
    }

    private static void Validate(JpegHeader header, long maxPixels)
    {
        switch (header.FrameMarker)
        {
            case 0xC0: // baseline
            case 0xC1: // extended sequential, Huffman
            case 0xC2: // progressive, Huffman
                break;
            case 0xC9:
            case 0xCA:
                throw new ImageFormatProblem("arithmetic-coded JPEG is not supported (LibJpeg.NET cannot decode it; dlib's libjpeg-turbo can)");
            case 0xC3:
            case 0xC7:
            case 0xCB:
            case 0xCF:
                throw new ImageFormatProblem("lossless JPEG is not supported (neither by libjpeg-turbo 2.1.5 as used by dlib)");
            default:
                throw new ImageFormatProblem($"unsupported JPEG process (SOF marker 0x{header.FrameMarker:X2})");
        }

        if (header.Precision != 8)
        {
            throw new ImageFormatProblem($"unsupported JPEG data precision {header.Precision} (dlib's libjpeg decodes 8-bit JPEG only)");
        }

        if (header.Width == 0 || header.Height == 0)
        {
            throw new ImageFormatProblem($"empty image ({header.Width}x{header.Height}; DNL-defined heights are not supported)");
        }

        ImageLimits.Check(header.Width, header.Height, maxPixels);

        int n = header.Components.Length;
        if (n == 4)
        {
            throw new ImageFormatProblem("CMYK/YCCK JPEG is not supported (dlib itself reads it as RGBA with undefined results)");
        }

        if (n != 1 && n != 3)
        {
            throw new ImageFormatProblem($"unsupported number of colour components ({n})");
        }

        int maxH = 1, maxV = 1;
        foreach (JpegComponent c in header.Components)
        {
            if (c.H < 1 || c.H > 4 || c.V < 1 || c.V > 4)
            {
                throw new ImageFormatProblem($"bogus sampling factors {c.H}x{c.V}");
            }

            maxH = Math.Max(maxH, c.H);
            maxV = Math.Max(maxV, c.V);
        }

        foreach (JpegComponent c in header.Components)
        {
            if (maxH % c.H != 0 || maxV % c.V != 0)
            {
                throw new ImageFormatProblem($"fractional chroma sampling ({c.H}x{c.V} of {maxH}x{maxV}) is not supported (neither by libjpeg-turbo)");
            }
        }
    }

    private static int CeilDiv(int a, int b) => (int)(((long)a + b - 1) / b);

    /// <summary>Turns libjpeg errors into exceptions and swallows warnings (libjpeg-turbo only prints them).</summary>
    private sealed class QuietErrorManager : jpeg_error_mgr
    {
        public override void output_message()
        {
        }
    }
}
