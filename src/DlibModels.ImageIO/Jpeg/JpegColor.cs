using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DlibModels.ImageIO.Jpeg;

/// <summary>
/// YCbCr→RGB as libjpeg-turbo's <c>jdcolor.c</c> computes it: 16-bit fixed point, per-value
/// tables, round-half-up, results clamped to 0..255.
/// </summary>
internal static class JpegColor
{
    private const int ScaleBits = 16;
    private const int OneHalf = 1 << (ScaleBits - 1);

    private static readonly int FixCrR = Fix(1.40200);
    private static readonly int FixCbB = Fix(1.77200);
    private static readonly int FixCrG = Fix(0.71414);
    private static readonly int FixCbG = Fix(0.34414);
    private static readonly Vector128<byte>[] InterleaveMasks = BuildInterleaveMasks();
    private static readonly int[] CrR = new int[256];
    private static readonly int[] CbB = new int[256];
    private static readonly int[] CrG = new int[256];
    private static readonly int[] CbG = new int[256];

    static JpegColor()
    {
        int fixCrR = FixCrR, fixCbB = FixCbB, fixCrG = FixCrG, fixCbG = FixCbG;
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void YCbCrToRgb(ReadOnlySpan<byte> yPlane, ReadOnlySpan<byte> cbPlane, ReadOnlySpan<byte> crPlane, Span<byte> rgb)
    {
        int[] crR = CrR, cbB = CbB, crG = CrG, cbG = CbG;
        cbPlane = cbPlane[..yPlane.Length];
        crPlane = crPlane[..yPlane.Length];
        rgb = rgb[..(yPlane.Length * 3)];
        int i0 = 0;
        if (Avx512BW.IsSupported)
        {
            i0 = YCbCrToRgb16(yPlane, cbPlane, crPlane, rgb);
        }

        for (int i = i0, j = i0 * 3; i < yPlane.Length; i++, j += 3)
        {
            int y = yPlane[i], cb = cbPlane[i], cr = crPlane[i];
            rgb[j] = Clamp(y + crR[cr]);
            rgb[j + 1] = Clamp(y + ((cbG[cb] + crG[cr]) >> ScaleBits));
            rgb[j + 2] = Clamp(y + cbB[cb]);
        }
    }

    /// <summary>
    /// 16 pixels at a time in 32-bit lanes: the table entries computed with their own integer
    /// formulas (exactly the tables' values), clamped, narrowed and interleaved by byte shuffles.
    /// Returns the number of pixels done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int YCbCrToRgb16(ReadOnlySpan<byte> yPlane, ReadOnlySpan<byte> cbPlane, ReadOnlySpan<byte> crPlane, Span<byte> rgb)
    {
        int n = yPlane.Length;
        ref byte y0 = ref MemoryMarshal.GetReference(yPlane);
        ref byte cb0 = ref MemoryMarshal.GetReference(cbPlane);
        ref byte cr0 = ref MemoryMarshal.GetReference(crPlane);
        ref byte o0 = ref MemoryMarshal.GetReference(rgb);
        Vector512<int> c128 = Vector512.Create(128), half = Vector512.Create(OneHalf);
        Vector512<int> fCrR = Vector512.Create(FixCrR), fCbB = Vector512.Create(FixCbB), fCrG = Vector512.Create(-FixCrG), fCbG = Vector512.Create(-FixCbG);
        Vector512<int> zero = Vector512<int>.Zero, max = Vector512.Create(255);
        Vector128<byte>[] m = InterleaveMasks;
        Vector128<byte> m0r = m[0], m0g = m[1], m0b = m[2], m1r = m[3], m1g = m[4], m1b = m[5], m2r = m[6], m2g = m[7], m2b = m[8];
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            Vector512<int> y = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref y0, (nuint)i));
            Vector512<int> cb = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref cb0, (nuint)i)) - c128;
            Vector512<int> cr = Avx512F.ConvertToVector512Int32(Vector128.LoadUnsafe(ref cr0, (nuint)i)) - c128;
            Vector512<int> r = y + Vector512.ShiftRightArithmetic((fCrR * cr) + half, ScaleBits);
            Vector512<int> g = y + Vector512.ShiftRightArithmetic(((fCbG * cb) + half) + (fCrG * cr), ScaleBits);
            Vector512<int> b = y + Vector512.ShiftRightArithmetic((fCbB * cb) + half, ScaleBits);
            Vector128<byte> rb = Avx512F.ConvertToVector128Byte(Vector512.Min(Vector512.Max(r, zero), max));
            Vector128<byte> gb = Avx512F.ConvertToVector128Byte(Vector512.Min(Vector512.Max(g, zero), max));
            Vector128<byte> bb = Avx512F.ConvertToVector128Byte(Vector512.Min(Vector512.Max(b, zero), max));
            ref byte o = ref Unsafe.Add(ref o0, i * 3);
            (Ssse3.Shuffle(rb, m0r) | Ssse3.Shuffle(gb, m0g) | Ssse3.Shuffle(bb, m0b)).StoreUnsafe(ref o);
            (Ssse3.Shuffle(rb, m1r) | Ssse3.Shuffle(gb, m1g) | Ssse3.Shuffle(bb, m1b)).StoreUnsafe(ref o, 16);
            (Ssse3.Shuffle(rb, m2r) | Ssse3.Shuffle(gb, m2g) | Ssse3.Shuffle(bb, m2b)).StoreUnsafe(ref o, 32);
        }

        return i;
    }

    /// <summary>pshufb masks: output vector j, byte q = channel (16j+q)%3 of pixel (16j+q)/3; index 3j+k for channel k.</summary>
    private static Vector128<byte>[] BuildInterleaveMasks()
    {
        var masks = new Vector128<byte>[9];
        Span<byte> mk = stackalloc byte[16];
        for (int j = 0; j < 3; j++)
        {
            for (int k = 0; k < 3; k++)
            {
                for (int q = 0; q < 16; q++)
                {
                    int b = (16 * j) + q;
                    mk[q] = b % 3 == k ? (byte)(b / 3) : (byte)0x80;
                }

                masks[(3 * j) + k] = Vector128.Create<byte>(mk);
            }
        }

        return masks;
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
