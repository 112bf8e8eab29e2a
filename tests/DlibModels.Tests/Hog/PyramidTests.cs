using System.Text.Json;
using DlibModels.Imaging;

namespace DlibModels.Tests.Hog;

public class PyramidTests
{
    [Fact]
    public void PyramidDown6LevelsMatchDlibForEveryImage()
    {
        using JsonDocument doc = HogTestSupport.Golden("pyramid.json");
        var failures = new List<string>();
        int checkedLevels = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            string image = result.GetProperty("image").GetString()!;
            RgbImage img = HogTestSupport.LoadDecoded(image);
            int level = 0;
            foreach (JsonElement lv in result.GetProperty("pyramid_down6_levels").EnumerateArray())
            {
                if (level > 0)
                {
                    img = PyramidDown6.Down(img);
                }

                int rows = lv.GetProperty("rows").GetInt32();
                int cols = lv.GetProperty("cols").GetInt32();
                long[] sums = lv.GetProperty("sum_rgb").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                string hash = lv.GetProperty("fnv1a64").GetString()!;
                long[] got = HogTestSupport.SumRgb(img);
                string gotHash = HogTestSupport.Fnv1a64(img.Pixels);
                if (img.Rows != rows || img.Cols != cols || !got.SequenceEqual(sums) || gotHash != hash)
                {
                    failures.Add($"{image} level {level}: expected {cols}x{rows} [{string.Join(",", sums)}] {hash}, got {img.Cols}x{img.Rows} [{string.Join(",", got)}] {gotHash}");
                }

                checkedLevels++;
                level++;
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedLevels} levels differ:\n" + string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void PyramidUpSizesFollowDlib()
    {
        Assert.Equal((751, 1002), PyramidUp.UpSize(375, 500));
        Assert.Equal((0, 0), PyramidUp.UpSize(0, 10));
    }

    [Fact]
    public void RectDownOfPyramidDown2MatchesGoldenRectOrig()
    {
        using JsonDocument doc = HogTestSupport.Golden("hog_frontal_face_detector_rgb_up1.json");
        int n = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            foreach (JsonElement det in result.GetProperty("detections").EnumerateArray())
            {
                Rectangle r = HogGoldenTests.ReadRect(det.GetProperty("rect"));
                Rectangle expected = HogGoldenTests.ReadRect(det.GetProperty("rect_orig"));
                Assert.Equal(expected, PyramidDown2.RectDown(r, 1));
                n++;
            }
        }

        Assert.True(n > 0);
    }
}
