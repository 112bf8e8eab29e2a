using System.Text.Json;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Hog;

/// <summary>Helpers shared by the HOG tests: golden files, decoded images, checksums.</summary>
internal static class HogTestSupport
{
    private static readonly Dictionary<string, RgbImage> Cache = new();
    private static readonly Lock CacheLock = new();

    /// <summary>The Hog/Data folder beside this source file (test data made for these tests).</summary>
    public static string DataDir([System.Runtime.CompilerServices.CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(sourceFile)!, "Data");

    /// <summary>Loads a golden JSON file from shared/reference.</summary>
    public static JsonDocument Golden(string name)
    {
        string path = TestPaths.SharedFile(Path.Combine("reference", name));
        return JsonDocument.Parse(File.ReadAllBytes(path));
    }

    /// <summary>The decoded PNG for a golden image path (images/x/y.jpg -> images/decoded/x/y.png).</summary>
    public static RgbImage LoadDecoded(string imagePath)
    {
        lock (CacheLock)
        {
            if (Cache.TryGetValue(imagePath, out RgbImage? img))
            {
                return img;
            }

            string rel = imagePath.StartsWith("images/", StringComparison.Ordinal) ? imagePath["images/".Length..] : imagePath;
            string png = TestPaths.SharedFile(Path.Combine("images", "decoded", Path.ChangeExtension(rel, ".png")));
            img = ImageFile.LoadRgb(png);
            Cache[imagePath] = img;
            return img;
        }
    }

    /// <summary>The FNV-1a-style 64-bit hash dlibref writes as fnv1a64, as lower-case hex.</summary>
    public static string Fnv1a64(ReadOnlySpan<byte> bytes)
    {
        ulong h = 1469598103934665603UL; // the offset dlibref uses (one digit shorter than FNV-1a's standard basis)
        foreach (byte b in bytes)
        {
            h ^= b;
            h *= 1099511628211UL;
        }

        return h.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Per-channel sums of an RGB image.</summary>
    public static long[] SumRgb(RgbImage img)
    {
        var s = new long[3];
        byte[] p = img.Pixels;
        for (int i = 0; i < p.Length; i += 3)
        {
            s[0] += p[i];
            s[1] += p[i + 1];
            s[2] += p[i + 2];
        }

        return s;
    }
}
