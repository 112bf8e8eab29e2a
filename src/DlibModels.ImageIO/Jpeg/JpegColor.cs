namespace DlibModels.ImageIO.Jpeg;

/// <summary>
/// YCbCr→RGB as libjpeg-turbo's <c>jdcolor.c</c> computes it: 16-bit fixed point, per-value
/// tables, round-half-up, results clamped to 0..255.
/// </summary>
internal static class JpegColor
{
    private const int ScaleBits = 16;
    private const int OneHalf = 1 << (ScaleBits - 1);

    private static readonly int[] CrR = new int[256];
    private static readonly int[] CbB = new int[256];
    private static readonly int[] CrG = new int[256];
    private static readonly int[] CbG = new int[256];

    static JpegColor()
    {
        int fixCrR = Fix(1.40200), fixCbB = Fix(1.77200), fixCrG = Fix(0.71414), fixCbG = Fix(0.34414);
        for (int i = 0; i < 256; i++)
        {
            int x = i - 128;
            CrR[i] = ((fixCrR * x) + OneHalf) >> ScaleBits;
            CbB[i] = ((fixCbB * x) + OneHalf) >> ScaleBits;
            CrG[i] = -fixCrG * x;
            CbG[i] = (-fixCbG * x) + OneHalf;
        }
    }

    /// <summary>Converts full-size Y, Cb, Cr planes to interleaved RGB.</summary>
    public static void YCbCrToRgb(ReadOnlySpan<byte> yPlane, ReadOnlySpan<byte> cbPlane, ReadOnlySpan<byte> crPlane, Span<byte> rgb)
    {
        int[] crR = CrR, cbB = CbB, crG = CrG, cbG = CbG;
        cbPlane = cbPlane[..yPlane.Length];
        crPlane = crPlane[..yPlane.Length];
        rgb = rgb[..(yPlane.Length * 3)];
        for (int i = 0, j = 0; i < yPlane.Length; i++, j += 3)
        {
            int y = yPlane[i], cb = cbPlane[i], cr = crPlane[i];
            rgb[j] = Clamp(y + crR[cr]);
            rgb[j + 1] = Clamp(y + ((cbG[cb] + crG[cr]) >> ScaleBits));
            rgb[j + 2] = Clamp(y + cbB[cb]);
        }
    }

    /// <summary>Interleaves three full-size planes that already hold R, G and B.</summary>
    public static void Interleave(ReadOnlySpan<byte> r, ReadOnlySpan<byte> g, ReadOnlySpan<byte> b, Span<byte> rgb)
    {
        g = g[..r.Length];
        b = b[..r.Length];
        rgb = rgb[..(r.Length * 3)];
        for (int i = 0, j = 0; i < r.Length; i++, j += 3)
        {
            rgb[j] = r[i];
            rgb[j + 1] = g[i];
            rgb[j + 2] = b[i];
        }
    }

    private static int Fix(double x) => (int)((x * (1 << ScaleBits)) + 0.5);

    private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
}
