using System.Buffers.Binary;
using System.IO.Compression;

namespace DlibModels.ImageIO.Png;

/// <summary>
/// Decodes PNG and converts it to 8-bit RGB or gray exactly as dlib's <c>load_png</c> does.
/// </summary>
/// <remarks>
/// dlib reads PNG through libpng with <c>png_set_palette_to_rgb</c> (which in libpng 1.6 is the
/// full "expand": palette → RGB, gray below 8 bits → 8 bits scaled, a tRNS chunk → an alpha
/// channel), <c>PNG_TRANSFORM_PACKING</c> and native byte order for 16-bit samples. Its
/// <c>get_image</c> then assigns each pixel to the target with dlib's <c>assign_pixel</c> rules:
/// <list type="bullet">
/// <item>16-bit RGB/RGBA samples are cast to 8 bits, i.e. the LOW byte is kept (alpha too);</item>
/// <item>16-bit gray (with or without alpha) saturates at 255;</item>
/// <item>gray+alpha: alpha is ignored (neither target has alpha);</item>
/// <item>RGBA onto RGB (target zero-filled first): alpha 255 copies, otherwise each channel
/// becomes <c>(c·alpha) &gt;&gt; 8</c>;</item>
/// <item>RGB onto gray: <c>(r+g+b)/3</c>; RGBA onto gray: that average, times alpha / 255 (integer
/// division) unless alpha is 255.</item>
/// </list>
/// </remarks>
internal static class PngDecoder
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly uint[] CrcTable = BuildCrcTable();

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
    [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ];

    /// <summary>True when the data starts with the PNG signature.</summary>
    public static bool HasSignature(ReadOnlySpan<byte> data) => data.Length >= 8 && data[..8].SequenceEqual(Signature);

    /// <summary>Decodes to interleaved RGB (<paramref name="gray"/> false) or to gray.</summary>
    /// <exception cref="ImageFormatProblem">Corrupt, truncated or unsupported data.</exception>
    public static (int Rows, int Cols, byte[] Pixels) Decode(ReadOnlySpan<byte> data, bool gray, long maxPixels)
    {
        if (!HasSignature(data))
        {
            throw new ImageFormatProblem("not a PNG file");
        }

        int pos = 8;
        int width = 0, height = 0, bitDepth = 0, colorType = -1, interlace = 0;
        bool sawHeader = false, sawEnd = false;
        byte[]? palette = null;
        byte[]? trns = null;
        using var idat = new MemoryStream();
        while (!sawEnd)
        {
            if (pos + 8 > data.Length)
            {
                throw new ImageFormatProblem("the file ends before the IEND chunk (truncated)");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            ReadOnlySpan<byte> typeBytes = data.Slice(pos + 4, 4);
            if (length > int.MaxValue || pos + 12L + length > data.Length)
            {
                throw new ImageFormatProblem("the file ends inside a chunk (truncated)");
            }

            ReadOnlySpan<byte> body = data.Slice(pos + 8, (int)length);
            uint storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)length)..]);
            bool crcOk = Crc32(data.Slice(pos + 4, 4 + (int)length)) == storedCrc;
            bool critical = (typeBytes[0] & 0x20) == 0;
            pos += 12 + (int)length;
            string type = System.Text.Encoding.ASCII.GetString(typeBytes);
            if (!crcOk)
            {
                if (critical)
                {
                    throw new ImageFormatProblem($"CRC error in the {type} chunk");
                }

                continue; // libpng warns and discards an ancillary chunk with a bad CRC
            }

            if (!sawHeader && type != "IHDR")
            {
                throw new ImageFormatProblem("the first chunk is not IHDR");
            }

            switch (type)
            {
                case "IHDR":
                    if (sawHeader || body.Length != 13)
                    {
                        throw new ImageFormatProblem("invalid IHDR chunk");
                    }

                    sawHeader = true;
                    uint w = BinaryPrimitives.ReadUInt32BigEndian(body);
                    uint h = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                    bitDepth = body[8];
                    colorType = body[9];
                    interlace = body[12];
                    if (body[10] != 0 || body[11] != 0 || interlace > 1)
                    {
                        throw new ImageFormatProblem("unknown compression, filter or interlace method");
                    }

                    if (!ValidDepth(colorType, bitDepth))
                    {
                        throw new ImageFormatProblem($"invalid bit depth {bitDepth} for colour type {colorType}");
                    }

                    ImageLimits.Check(w, h, maxPixels);
                    width = (int)w;
                    height = (int)h;
                    break;
                case "PLTE":
                    if (body.Length % 3 != 0 || body.Length == 0 || body.Length > 768)
                    {
                        if (colorType == 3)
                        {
                            throw new ImageFormatProblem("invalid palette");
                        }

                        break;
                    }

                    palette = body.ToArray();
                    break;
                case "tRNS":
                    trns = ValidTrns(colorType, body, palette) ? body.ToArray() : null;
                    break;
                case "IDAT":
                    idat.Write(body);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    break;
            }
        }

        if (colorType == 3 && palette is null)
        {
            throw new ImageFormatProblem("missing palette");
        }

        if (idat.Length == 0)
        {
            throw new ImageFormatProblem("no image data (IDAT)");
        }

        var sink = new PixelSink(width, height, bitDepth, colorType, palette, trns, gray);
        idat.Position = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            if (interlace == 0)
            {
                DecodePass(z, sink, 0, 0, 1, 1, width, height);
            }
            else
            {
                foreach ((int x0, int y0, int dx, int dy) in Adam7)
                {
                    int pw = (width - x0 + dx - 1) / dx;
                    int ph = (height - y0 + dy - 1) / dy;
                    if (pw > 0 && ph > 0)
                    {
                        DecodePass(z, sink, x0, y0, dx, dy, pw, ph);
                    }
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new ImageFormatProblem($"corrupt compressed image data ({e.Message})", e);
        }

        return (height, width, sink.Output);
    }

    private static void DecodePass(Stream z, PixelSink sink, int x0, int y0, int dx, int dy, int pw, int ph)
    {
        int bitsPerPixel = sink.BitDepth * sink.SourceChannels;
        int rowBytes = (int)(((long)pw * bitsPerPixel + 7) / 8);
        int bpp = Math.Max(1, bitsPerPixel / 8);
        var prev = new byte[rowBytes];
        var cur = new byte[rowBytes];
        var filter = new byte[1];
        for (int r = 0; r < ph; r++)
        {
            ReadExactly(z, filter);
            ReadExactly(z, cur);
            Unfilter(filter[0], cur, prev, bpp);
            sink.WriteRow(cur, pw, y0 + (r * dy), x0, dx);
            (prev, cur) = (cur, prev);
        }
    }

    private static void ReadExactly(Stream z, byte[] buffer)
    {
        int got = 0;
        while (got < buffer.Length)
        {
            int n = z.Read(buffer, got, buffer.Length - got);
            if (n == 0)
            {
                throw new ImageFormatProblem("not enough image data (truncated or corrupt IDAT)");
            }

            got += n;
        }
    }

    private static void Unfilter(byte type, byte[] cur, byte[] prev, int bpp)
    {
        int n = cur.Length;
        switch (type)
        {
            case 0:
                break;
            case 1:
                for (int i = bpp; i < n; i++)
                {
                    cur[i] = (byte)(cur[i] + cur[i - bpp]);
                }

                break;
            case 2:
                for (int i = 0; i < n; i++)
                {
                    cur[i] = (byte)(cur[i] + prev[i]);
                }

                break;
            case 3:
                for (int i = 0; i < n; i++)
                {
                    int left = i >= bpp ? cur[i - bpp] : 0;
                    cur[i] = (byte)(cur[i] + ((left + prev[i]) >> 1));
                }

                break;
            case 4:
                for (int i = 0; i < n; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0;
                    int b = prev[i];
                    int c = i >= bpp ? prev[i - bpp] : 0;
                    int p = a + b - c;
                    int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    int pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    cur[i] = (byte)(cur[i] + pred);
                }

                break;
            default:
                throw new ImageFormatProblem($"bad adaptive filter value {type}");
        }
    }

    private static bool ValidDepth(int colorType, int bitDepth) => colorType switch
    {
        0 => bitDepth is 1 or 2 or 4 or 8 or 16,
        3 => bitDepth is 1 or 2 or 4 or 8,
        2 or 4 or 6 => bitDepth is 8 or 16,
        _ => false,
    };

    private static bool ValidTrns(int colorType, ReadOnlySpan<byte> body, byte[]? palette) => colorType switch
    {
        0 => body.Length == 2,
        2 => body.Length == 6,
        3 => palette is not null && body.Length > 0 && body.Length <= palette.Length / 3,
        _ => false,
    };

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFFu;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    /// <summary>Turns unfiltered rows into the target pixels with libpng's expansion and dlib's assignment rules.</summary>
    private sealed class PixelSink
    {
        private readonly int width;
        private readonly int colorType;
        private readonly byte[]? palette;
        private readonly byte[]? trns;
        private readonly bool gray;
        private readonly (int R, int G, int B) trnsRgb = (-1, -1, -1);

        public PixelSink(int width, int height, int bitDepth, int colorType, byte[]? palette, byte[]? trns, bool gray)
        {
            this.width = width;
            BitDepth = bitDepth;
            this.colorType = colorType;
            this.palette = palette;
            this.trns = trns;
            this.gray = gray;
            SourceChannels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
            if (trns is not null && colorType == 2)
            {
                int mask = (1 << bitDepth) - 1;
                trnsRgb = (((trns[0] << 8) | trns[1]) & mask, ((trns[2] << 8) | trns[3]) & mask, ((trns[4] << 8) | trns[5]) & mask);
            }

            Output = new byte[checked(width * height * (gray ? 1 : 3))];
        }

        public int BitDepth { get; }

        public int SourceChannels { get; }

        public byte[] Output { get; }

        public void WriteRow(byte[] row, int pw, int y, int x0, int dx)
        {
            for (int i = 0; i < pw; i++)
            {
                int x = x0 + (i * dx);
                int o = (y * width) + x;
                switch (colorType)
                {
                    case 0:
                        {
                            int v = Sample(row, i);
                            // libpng scales low-depth gray to 8 bits; 16-bit gray saturates in assign_pixel.
                            // A tRNS-derived alpha is ignored by both targets for gray+alpha.
                            byte g = BitDepth switch { 1 => (byte)(v * 255), 2 => (byte)(v * 85), 4 => (byte)(v * 17), 8 => (byte)v, _ => (byte)Math.Min(v, 255) };
                            PutGray(o, g);
                            break;
                        }

                    case 4:
                        {
                            int v = Sample(row, 2 * i);
                            PutGray(o, BitDepth == 8 ? (byte)v : (byte)Math.Min(v, 255));
                            break;
                        }

                    case 2:
                        {
                            int r = Sample(row, 3 * i), g = Sample(row, (3 * i) + 1), b = Sample(row, (3 * i) + 2);
                            if (trnsRgb.R >= 0)
                            {
                                // tRNS makes it RGBA; the alpha is 0 or full, and a 16-bit full alpha's
                                // low byte is 255, so only exact matches change.
                                int a = (r, g, b) == trnsRgb ? 0 : 255;
                                PutRgba(o, (byte)r, (byte)g, (byte)b, a);
                            }
                            else
                            {
                                PutRgb(o, (byte)r, (byte)g, (byte)b);
                            }

                            break;
                        }

                    case 3:
                        {
                            int idx = Sample(row, i);
                            byte r = 0, g = 0, b = 0;
                            if (3 * idx < palette!.Length)
                            {
                                r = palette[3 * idx];
                                g = palette[(3 * idx) + 1];
                                b = palette[(3 * idx) + 2];
                            }

                            if (trns is not null)
                            {
                                PutRgba(o, r, g, b, idx < trns.Length ? trns[idx] : 255);
                            }
                            else
                            {
                                PutRgb(o, r, g, b);
                            }

                            break;
                        }

                    default:
                        {
                            int r = Sample(row, 4 * i), g = Sample(row, (4 * i) + 1), b = Sample(row, (4 * i) + 2), a = Sample(row, (4 * i) + 3);
                            PutRgba(o, (byte)r, (byte)g, (byte)b, (byte)a);
                            break;
                        }
                }
            }
        }

        /// <summary>Sample number <paramref name="k"/> of the row at the image's bit depth.</summary>
        private int Sample(byte[] row, int k)
        {
            switch (BitDepth)
            {
                case 8:
                    return row[k];
                case 16:
                    return (row[2 * k] << 8) | row[(2 * k) + 1];
                default:
                    int bit = k * BitDepth;
                    int shift = 8 - BitDepth - (bit & 7);
                    return (row[bit >> 3] >> shift) & ((1 << BitDepth) - 1);
            }
        }

        private void PutGray(int o, byte g)
        {
            if (gray)
            {
                Output[o] = g;
            }
            else
            {
                Output[3 * o] = g;
                Output[(3 * o) + 1] = g;
                Output[(3 * o) + 2] = g;
            }
        }

        private void PutRgb(int o, byte r, byte g, byte b)
        {
            if (gray)
            {
                Output[o] = (byte)((r + g + b) / 3);
            }
            else
            {
                Output[3 * o] = r;
                Output[(3 * o) + 1] = g;
                Output[(3 * o) + 2] = b;
            }
        }

        private void PutRgba(int o, byte r, byte g, byte b, int a)
        {
            if (a == 255)
            {
                PutRgb(o, r, g, b);
            }
            else if (gray)
            {
                Output[o] = (byte)(((r + g + b) / 3) * a / 255);
            }
            else
            {
                Output[3 * o] = (byte)((r * a) >> 8);
                Output[(3 * o) + 1] = (byte)((g * a) >> 8);
                Output[(3 * o) + 2] = (byte)((b * a) >> 8);
            }
        }
    }
}
