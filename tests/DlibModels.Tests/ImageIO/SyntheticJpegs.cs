using BitMiracle.LibJpeg.Classic;

namespace DlibModels.Tests.ImageIO;

/// <summary>
/// JPEG files generated deterministically at test time with LibJpeg.NET's (integer) encoder,
/// covering every chroma subsampling path, progressive and restart-marker streams, odd sizes,
/// grayscale and RGB-colourspace JPEGs. Their expected checksums were produced by
/// <c>dlibref decode</c> (dlib 19.24 + libjpeg-turbo 2.1.5) on the generated files.
/// </summary>
internal static class SyntheticJpegs
{
    /// <summary>One synthetic file: size, sampling factors per component (h,v), and options.</summary>
    internal sealed record Spec(string Name, int Width, int Height, (int H, int V)[] Sampling, bool Progressive = false, int RestartInterval = 0, int RestartRows = 0, int Quality = 90, bool Gray = false, bool RgbColorspace = false);

    public static readonly Spec[] All =
    [
        new("s444_37x23", 37, 23, [(1, 1), (1, 1), (1, 1)]),
        new("s422_37x23", 37, 23, [(2, 1), (1, 1), (1, 1)]),
        new("s440_37x23", 37, 23, [(1, 2), (1, 1), (1, 1)]),
        new("s420_37x23", 37, 23, [(2, 2), (1, 1), (1, 1)]),
        new("s411_37x23", 37, 23, [(4, 1), (1, 1), (1, 1)]),
        new("s420_3x5", 3, 5, [(2, 2), (1, 1), (1, 1)]),
        new("s420_4x9", 4, 9, [(2, 2), (1, 1), (1, 1)]),
        new("s420_5x3", 5, 3, [(2, 2), (1, 1), (1, 1)]),
        new("s422_4x6", 4, 6, [(2, 1), (1, 1), (1, 1)]),
        new("s422_5x6", 5, 6, [(2, 1), (1, 1), (1, 1)]),
        new("s440_6x1", 6, 1, [(1, 2), (1, 1), (1, 1)]),
        new("s420_1x1", 1, 1, [(2, 2), (1, 1), (1, 1)]),
        new("chroma_bigger_19x17", 19, 17, [(1, 1), (2, 2), (2, 2)]),
        new("mixed_420_440_21x19", 21, 19, [(2, 2), (1, 1), (2, 1)]),
        new("mixed_422_411_21x19", 21, 19, [(2, 2), (1, 2), (1, 1)]),
        new("s4x2_35x21", 35, 21, [(4, 2), (1, 1), (1, 1)]),
        new("prog420_41x29", 41, 29, [(2, 2), (1, 1), (1, 1)], Progressive: true),
        new("prog440_41x29", 41, 29, [(1, 2), (1, 1), (1, 1)], Progressive: true),
        new("rst1_420_41x29", 41, 29, [(2, 2), (1, 1), (1, 1)], RestartInterval: 1),
        new("rstrow_444_41x29", 41, 29, [(1, 1), (1, 1), (1, 1)], RestartRows: 1),
        new("q100_420_65x49", 65, 49, [(2, 2), (1, 1), (1, 1)], Quality: 100),
        new("q10_422_65x49", 65, 49, [(2, 1), (1, 1), (1, 1)], Quality: 10),
        new("gray_37x23", 37, 23, [(1, 1)], Gray: true),
        new("grayprog_37x23", 37, 23, [(1, 1)], Progressive: true, Gray: true),
        new("rgb_444_37x23", 37, 23, [(1, 1), (1, 1), (1, 1)], RgbColorspace: true),
    ];

    /// <summary>The deterministic source pixels: gradients, saturated bars and pseudo-random noise.</summary>
    public static byte[] SourcePixels(int width, int height)
    {
        var px = new byte[width * height * 3];
        uint state = 12345;
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                state = (state * 1103515245) + 12345;
                int noise = (int)((state >> 16) & 63) - 32;
                int i = ((y * width) + x) * 3;
                bool bar = ((x / 5) + (y / 4)) % 3 == 0;
                px[i] = (byte)Math.Clamp(bar ? 255 : (x * 255 / Math.Max(1, width - 1)) + noise, 0, 255);
                px[i + 1] = (byte)Math.Clamp(bar ? 0 : (y * 255 / Math.Max(1, height - 1)) + noise, 0, 255);
                px[i + 2] = (byte)Math.Clamp(((x + y) * 9 % 256) - noise, 0, 255);
            }
        }

        return px;
    }

    /// <summary>Encodes the spec's image.</summary>
    public static byte[] Encode(Spec spec)
    {
        byte[] src = SourcePixels(spec.Width, spec.Height);
        int comps = spec.Gray ? 1 : 3;
        var c = new jpeg_compress_struct();
        using var ms = new MemoryStream();
        c.jpeg_stdio_dest(ms);
        c.Image_width = spec.Width;
        c.Image_height = spec.Height;
        c.Input_components = comps;
        c.In_color_space = spec.Gray ? J_COLOR_SPACE.JCS_GRAYSCALE : J_COLOR_SPACE.JCS_RGB;
        c.jpeg_set_defaults();

        // Plain box downsampling and 8x8 DCTs only (LibJpeg.NET lacks libjpeg 9's scaled FDCTs).
        c.do_fancy_downsampling = false;
        if (spec.RgbColorspace)
        {
            c.jpeg_set_colorspace(J_COLOR_SPACE.JCS_RGB);
        }

        c.jpeg_set_quality(spec.Quality, true);
        for (int i = 0; i < comps; i++)
        {
            c.Component_info[i].H_samp_factor = spec.Sampling[i].H;
            c.Component_info[i].V_samp_factor = spec.Sampling[i].V;
        }

        if (spec.Progressive)
        {
            c.jpeg_simple_progression();
        }

        c.Restart_interval = spec.RestartInterval;
        c.Restart_in_rows = spec.RestartRows;
        c.jpeg_start_compress(true);
        var row = new byte[1][];
        for (int y = 0; y < spec.Height; y++)
        {
            row[0] = new byte[spec.Width * comps];
            for (int x = 0; x < spec.Width; x++)
            {
                int i = ((y * spec.Width) + x) * 3;
                if (spec.Gray)
                {
                    row[0][x] = (byte)((src[i] + src[i + 1] + src[i + 2]) / 3);
                }
                else
                {
                    row[0][3 * x] = src[i];
                    row[0][(3 * x) + 1] = src[i + 1];
                    row[0][(3 * x) + 2] = src[i + 2];
                }
            }

            c.jpeg_write_scanlines(row, 1);
        }

        c.jpeg_finish_compress();
        return ms.ToArray();
    }
}
