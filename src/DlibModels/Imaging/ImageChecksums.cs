namespace DlibModels.Imaging;

/// <summary>
/// The image checksums printed by the reference tool <c>dlibref</c> (the <c>decoded</c> and
/// <c>pixels</c> fields of the golden files): channel sums and an FNV-1a-style 64-bit hash over
/// the row-major pixel bytes.
/// </summary>
public static class ImageChecksums
{
    /// <summary>
    /// The hash's starting value as <c>dlibref</c> uses it: 1469598103934665603. Note this is NOT
    /// the standard FNV-1a 64-bit offset basis (14695981039346656037, 0xcbf29ce484222325); the
    /// reference tool's constant lacks the last digit, and the golden hashes depend on it.
    /// </summary>
    public const ulong OffsetBasis = 1469598103934665603UL;

    /// <summary>The FNV 64-bit prime, 1099511628211.</summary>
    public const ulong Prime = 1099511628211UL;

    /// <summary>The hash over the R,G,B bytes in row-major order, starting from <see cref="OffsetBasis"/>.</summary>
    public static ulong Fnv1a64(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Fnv1a64(image.Pixels);
    }

    /// <summary>The hash over the gray bytes in row-major order, starting from <see cref="OffsetBasis"/>.</summary>
    public static ulong Fnv1a64(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Fnv1a64(image.Pixels);
    }

    /// <summary>The hash of a byte sequence, starting from <paramref name="hash"/>.</summary>
    public static ulong Fnv1a64(ReadOnlySpan<byte> bytes, ulong hash = OffsetBasis)
    {
        foreach (byte b in bytes)
        {
            hash ^= b;
            hash *= Prime;
        }

        return hash;
    }

    /// <summary>The hash as the golden files print it: 16 lower-case hex digits.</summary>
    public static string ToHex(ulong hash) => hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Per-channel sums of an RGB image.</summary>
    public static (long R, long G, long B) SumRgb(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        long r = 0, g = 0, b = 0;
        byte[] p = image.Pixels;
        for (int i = 0; i < p.Length; i += 3)
        {
            r += p[i];
            g += p[i + 1];
            b += p[i + 2];
        }

        return (r, g, b);
    }

    /// <summary>The sum of a gray image's pixels.</summary>
    public static long SumGray(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        long s = 0;
        foreach (byte v in image.Pixels)
        {
            s += v;
        }

        return s;
    }
}
