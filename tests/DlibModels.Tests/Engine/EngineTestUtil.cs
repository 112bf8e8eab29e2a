using System.Text.Json;
using DlibModels.Dnn.Engine;
using DlibModels.Imaging;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Engine;

/// <summary>Helpers shared by the engine and MMOD tests.</summary>
internal static class EngineTestUtil
{
    /// <summary>Parses a golden file under shared/reference.</summary>
    public static JsonDocument Golden(string name)
    {
        string path = TestPaths.SharedFile(Path.Combine("reference", name));
        return JsonDocument.Parse(File.ReadAllBytes(path));
    }

    /// <summary>The lossless PNG of dlib's decoding of a golden's <c>image</c> path.</summary>
    public static RgbImage LoadDecoded(string imagePath)
    {
        string rel = imagePath.StartsWith("images/", StringComparison.Ordinal) ? imagePath["images/".Length..] : imagePath;
        string png = Path.ChangeExtension(Path.Combine("images", "decoded", rel), ".png");
        return DlibModels.ImageIO.ImageFile.LoadRgb(TestPaths.SharedFile(png));
    }

    /// <summary>Asserts |actual − expected| ≤ tol·max(1, |expected|) style relative tolerance.</summary>
    public static void Close(double expected, double actual, double relTol, double absTol, string what)
    {
        double diff = Math.Abs(expected - actual);
        double allowed = Math.Max(absTol, relTol * Math.Abs(expected));
        Assert.True(diff <= allowed, $"{what}: expected {expected:R}, got {actual:R} (diff {diff:G3}, allowed {allowed:G3})");
    }

    /// <summary>A tensor filled with deterministic pseudo-random values in [-1, 1).</summary>
    public static Tensor Random(int n, int k, int r, int c, int seed)
    {
        var rng = new Random(seed);
        var t = new Tensor(n, k, r, c);
        Span<float> s = t.Span;
        for (int i = 0; i < s.Length; i++)
        {
            s[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        return t;
    }

    /// <summary>Pseudo-random floats in [-scale, scale).</summary>
    public static float[] RandomArray(int length, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var a = new float[length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (float)((rng.NextDouble() * 2) - 1) * scale;
        }

        return a;
    }
}
