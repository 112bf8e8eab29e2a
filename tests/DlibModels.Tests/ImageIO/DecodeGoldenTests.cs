using System.Text.Json;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.ImageIO;

/// <summary>Decoding the shared images gives exactly dlib's pixels (reference/decode.json).</summary>
public class DecodeGoldenTests
{
    /// <summary>Every image listed in decode.json: (relative path, rows, cols, r, g, b, fnv hex).</summary>
    public static TheoryData<string> GoldenImages()
    {
        var data = new TheoryData<string>();
        foreach (Golden g in LoadGoldens())
        {
            data.Add(g.Image);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GoldenImages))]
    public void JpegDecodesToDlibPixels(string image)
    {
        Golden g = LoadGoldens().Single(x => x.Image == image);
        RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile(image));
        AssertMatches(g, img);
    }

    [Theory]
    [MemberData(nameof(GoldenImages))]
    public void DecodedPngHasTheJpegChecksum(string image)
    {
        Golden g = LoadGoldens().Single(x => x.Image == image);
        string png = TestPaths.SharedFile(Path.ChangeExtension(Path.Combine("images", "decoded", Path.GetRelativePath("images", image)), ".png"));
        Assert.True(File.Exists(png), $"missing {png}");
        RgbImage img = ImageFile.LoadRgb(png);
        AssertMatches(g, img);
    }

    [Theory]
    [MemberData(nameof(GoldenImages))]
    public void GrayLoadIsIntegerAverageOfRgb(string image)
    {
        string path = TestPaths.SharedFile(image);
        RgbImage rgb = ImageFile.LoadRgb(path);
        GrayImage gray = ImageFile.LoadGray(path);
        Assert.Equal(rgb.Rows, gray.Rows);
        Assert.Equal(rgb.Cols, gray.Cols);
        for (int i = 0; i < gray.Pixels.Length; i++)
        {
            int expected = (rgb.Pixels[3 * i] + rgb.Pixels[(3 * i) + 1] + rgb.Pixels[(3 * i) + 2]) / 3;
            Assert.Equal(expected, gray.Pixels[i]);
        }
    }

    [Fact]
    public void AllDecodedPngsAreCovered()
    {
        string dir = TestPaths.SharedFile(Path.Combine("images", "decoded"));
        var expected = LoadGoldens().Select(g => Path.GetRelativePath("images", g.Image)).Select(p => Path.ChangeExtension(p, ".png")).ToHashSet();
        foreach (string png in Directory.EnumerateFiles(dir, "*.png", SearchOption.AllDirectories))
        {
            Assert.Contains(Path.GetRelativePath(dir, png), expected);
        }
    }

    [Fact]
    public void ChecksumsOfAKnownImage()
    {
        // 1x2 image: bytes 1,2,3,4,5,6. Hash computed by hand from dlibref's definition.
        var img = new RgbImage(1, 2, [1, 2, 3, 4, 5, 6]);
        ulong h = ImageChecksums.OffsetBasis;
        foreach (byte b in img.Pixels)
        {
            h = unchecked((h ^ b) * 1099511628211UL);
        }

        Assert.Equal(h, ImageChecksums.Fnv1a64(img));
        Assert.Equal((5L, 7L, 9L), ImageChecksums.SumRgb(img));
        Assert.Equal(0x14650FB0739D0383UL, ImageChecksums.Fnv1a64(ReadOnlySpan<byte>.Empty));
        Assert.Equal("14650fb0739d0383", ImageChecksums.ToHex(ImageChecksums.OffsetBasis));
    }

    internal static void AssertMatches(Golden g, RgbImage img)
    {
        Assert.Equal(g.Rows, img.Rows);
        Assert.Equal(g.Cols, img.Cols);
        Assert.Equal((g.R, g.G, g.B), ImageChecksums.SumRgb(img));
        Assert.Equal(g.Fnv, ImageChecksums.ToHex(ImageChecksums.Fnv1a64(img)));
    }

    internal static List<Golden> LoadGoldens()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(TestPaths.SharedFile(Path.Combine("reference", "decode.json"))));
        var list = new List<Golden>();
        foreach (JsonElement r in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            JsonElement d = r.GetProperty("decoded");
            JsonElement s = d.GetProperty("sum_rgb");
            list.Add(new Golden(
                r.GetProperty("image").GetString()!,
                d.GetProperty("rows").GetInt32(),
                d.GetProperty("cols").GetInt32(),
                s[0].GetInt64(),
                s[1].GetInt64(),
                s[2].GetInt64(),
                d.GetProperty("fnv1a64").GetString()!));
        }

        Assert.NotEmpty(list);
        return list;
    }

    internal sealed record Golden(string Image, int Rows, int Cols, long R, long G, long B, string Fnv);
}
