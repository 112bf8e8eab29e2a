using System.Text;
using System.Text.Json;
using DlibModels.Faces;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Tests.Landmarks;
using DlibModels.Tests.Support;
using Xunit.Abstractions;

namespace DlibModels.Tests.Faces;

public class FaceChipTests(ITestOutputHelper output)
{
    internal static ulong Fnv1a64(byte[] bytes)
    {
        ulong h = 1469598103934665603UL; // dlibref's basis (not the standard FNV one)
        foreach (byte b in bytes)
        {
            h ^= b;
            h *= 1099511628211UL;
        }

        return h;
    }

    internal static ChipDetails Details(JsonElement e)
    {
        JsonElement r = e.GetProperty("rect");
        return new ChipDetails(
            new DRectangle(r.GetProperty("left").GetDouble(), r.GetProperty("top").GetDouble(), r.GetProperty("right").GetDouble(), r.GetProperty("bottom").GetDouble()),
            e.GetProperty("angle").GetDouble(),
            e.GetProperty("rows").GetInt32(),
            e.GetProperty("cols").GetInt32());
    }

    [Theory]
    [InlineData("chips_68_hog_all.json")]
    [InlineData("chips_5_hog_all.json")]
    [InlineData("chips_68_hog_each.json")]
    [InlineData("chips_5_hog_each.json")]
    public void ChipDetailsMatch(string golden)
    {
        using JsonDocument doc = LandmarkGoldens.Load(golden);
        int size = doc.RootElement.GetProperty("size").GetInt32();
        double padding = doc.RootElement.GetProperty("padding").GetDouble();
        double maxErr = 0;
        int n = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            foreach (JsonElement face in result.GetProperty("faces").EnumerateArray())
            {
                var det = new FullObjectDetection(LandmarkGoldens.Rect(face.GetProperty("rect")), LandmarkGoldens.Parts(face.GetProperty("parts")));
                ChipDetails mine = FaceChips.GetFaceChipDetails(det, size, padding);
                ChipDetails want = Details(face.GetProperty("chip_details"));
                Assert.Equal(want.Rows, mine.Rows);
                Assert.Equal(want.Cols, mine.Cols);
                foreach ((double a, double b) in new[] { (want.Rect.Left, mine.Rect.Left), (want.Rect.Top, mine.Rect.Top), (want.Rect.Right, mine.Rect.Right), (want.Rect.Bottom, mine.Rect.Bottom), (want.Angle, mine.Angle) })
                {
                    maxErr = Math.Max(maxErr, Math.Abs(a - b));
                }

                n++;
            }
        }

        output.WriteLine($"{golden}: {n} chips, max |difference| {maxErr:E3}");
        Assert.True(n > 0);
        Assert.True(maxErr == 0, $"max difference {maxErr}");
    }

    [Theory]
    [InlineData("chips_68_hog_all.json", true, false)]
    [InlineData("chips_5_hog_all.json", true, false)]
    [InlineData("chips_68_hog_each.json", false, false)]
    [InlineData("chips_5_hog_each.json", false, false)]
    [InlineData("chips_68_hog_all.json", true, true)]
    [InlineData("chips_5_hog_all.json", true, true)]
    public void ChipPixelsMatch(string golden, bool all, bool ownDetails)
    {
        using JsonDocument doc = LandmarkGoldens.Load(golden);
        int size = doc.RootElement.GetProperty("size").GetInt32();
        double padding = doc.RootElement.GetProperty("padding").GetDouble();
        int n = 0, bad = 0;
        var msg = new StringBuilder();
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            JsonElement faces = result.GetProperty("faces");
            if (faces.GetArrayLength() == 0)
            {
                continue;
            }

            RgbImage img = LandmarkGoldens.LoadDecoded(result.GetProperty("image").GetString()!);
            var details = new List<ChipDetails>();
            var expected = new List<JsonElement>();
            foreach (JsonElement face in faces.EnumerateArray())
            {
                if (ownDetails)
                {
                    var det = new FullObjectDetection(LandmarkGoldens.Rect(face.GetProperty("rect")), LandmarkGoldens.Parts(face.GetProperty("parts")));
                    details.Add(FaceChips.GetFaceChipDetails(det, size, padding));
                }
                else
                {
                    details.Add(Details(face.GetProperty("chip_details")));
                }

                expected.Add(face.GetProperty("chip_pixels"));
            }

            RgbImage[] chips = all ? FaceChips.ExtractImageChips(img, details) : details.Select(d => FaceChips.ExtractImageChip(img, d)).ToArray();
            for (int i = 0; i < chips.Length; i++)
            {
                string want = expected[i].GetProperty("fnv1a64").GetString()!;
                string got = Fnv1a64(chips[i].Pixels).ToString("x16");
                n++;
                if (want != got)
                {
                    bad++;
                    long[] sums = new long[3];
                    for (int k = 0; k < chips[i].Pixels.Length; k++)
                    {
                        sums[k % 3] += chips[i].Pixels[k];
                    }

                    msg.AppendLine($"{result.GetProperty("image").GetString()} face {i}: sums {string.Join(",", sums)} want {expected[i].GetProperty("sum_rgb")}");
                }
            }
        }

        output.WriteLine($"{golden} all={all} own={ownDetails}: {n} chips, {bad} differ");
        output.WriteLine(msg.ToString());
        Assert.True(bad == 0, msg.ToString());
    }

    [Fact]
    public void PngChipsMatch()
    {
        using JsonDocument doc = LandmarkGoldens.Load("chips_68_hog_png.json");
        JsonElement result = doc.RootElement.GetProperty("results")[0];
        RgbImage img = LandmarkGoldens.LoadDecoded(result.GetProperty("image").GetString()!);
        var details = new List<ChipDetails>();
        var pngs = new List<RgbImage>();
        foreach (JsonElement face in result.GetProperty("faces").EnumerateArray())
        {
            details.Add(Details(face.GetProperty("chip_details")));
            pngs.Add(ImageFile.LoadRgb(TestPaths.SharedFile(Path.Combine("reference", "chips", face.GetProperty("png").GetString()!))));
        }

        RgbImage[] chips = FaceChips.ExtractImageChips(img, details);
        int totalDiff = 0, maxDiff = 0;
        for (int i = 0; i < chips.Length; i++)
        {
            for (int k = 0; k < chips[i].Pixels.Length; k++)
            {
                int d = Math.Abs(chips[i].Pixels[k] - pngs[i].Pixels[k]);
                totalDiff += d > 0 ? 1 : 0;
                maxDiff = Math.Max(maxDiff, d);
            }
        }

        output.WriteLine($"differing values: {totalDiff}, max difference {maxDiff}");
        Assert.True(maxDiff <= 1);
        Assert.Equal(0, totalDiff);
    }
}
