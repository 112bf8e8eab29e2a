using System.Text.Json;
using DlibModels.Detection.Hog;
using DlibModels.Imaging;
using Xunit.Abstractions;

namespace DlibModels.Tests.Hog;

public class HogGoldenTests
{
    private readonly ITestOutputHelper _output;

    public HogGoldenTests(ITestOutputHelper output) => _output = output;

    internal static Rectangle ReadRect(JsonElement e) =>
        new(e.GetProperty("left").GetInt64(), e.GetProperty("top").GetInt64(), e.GetProperty("right").GetInt64(), e.GetProperty("bottom").GetInt64());

    [Theory]
    [InlineData("hog_frontal_face_detector_rgb_up0.json", false)]
    [InlineData("hog_frontal_face_detector_rgb_up1.json", false)]
    [InlineData("hog_frontal_face_detector_gray_up1.json", true)]
    public void DetectionsMatchDlib(string golden, bool gray)
    {
        using JsonDocument doc = HogTestSupport.Golden(golden);
        Compare(golden, doc, gray);
    }

    /// <summary>
    /// Goldens made by the same dlibref binary for this test suite (Hog/Data): negative
    /// adjust_threshold values, which give many candidates and exercise the sort and NMS, and a
    /// synthetic image with flat regions, where many windows tie on exactly the same score.
    /// </summary>
    [Theory]
    [InlineData("hog_rgb_up0_thr-1.json", false)]
    [InlineData("hog_gray_up1_thr-0.6.json", true)]
    [InlineData("hog_synthetic_thr-4.5.json", false)]
    [InlineData("hog_synthetic_gray_thr-4.5.json", true)]
    public void DetectionsWithLoweredThresholdMatchDlib(string golden, bool gray)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(HogTestSupport.DataDir(), golden)));
        Compare(golden, doc, gray);
    }

    private void Compare(string golden, JsonDocument doc, bool gray)
    {
        HogObjectDetector detector = HogObjectDetector.FrontalFace;
        double adjust = doc.RootElement.TryGetProperty("adjust_threshold", out JsonElement at) ? at.GetDouble() : 0;
        var failures = new List<string>();
        int images = 0, dets = 0;
        double maxScoreDiff = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            string image = result.GetProperty("image").GetString()!;
            int upsampled = result.TryGetProperty("upsampled", out JsonElement up) ? up.GetInt32() : 0;
            RgbImage rgb = image.StartsWith("/tmp/", StringComparison.Ordinal)
                ? DlibModels.ImageIO.ImageFile.LoadRgb(Path.Combine(HogTestSupport.DataDir(), Path.GetFileName(image)))
                : HogTestSupport.LoadDecoded(image);
            IReadOnlyList<HogDetection> got;
            int rows, cols;
            if (gray)
            {
                GrayImage g = GrayImage.FromRgb(rgb);
                for (int i = 0; i < upsampled; i++)
                {
                    g = PyramidUp.Up(g);
                }

                (rows, cols) = (g.Rows, g.Cols);
                got = detector.Detect(g, adjust);
            }
            else
            {
                RgbImage img = rgb;
                for (int i = 0; i < upsampled; i++)
                {
                    img = PyramidUp.Up(img);
                }

                (rows, cols) = (img.Rows, img.Cols);
                got = detector.Detect(img, adjust);
            }

            images++;
            if (result.TryGetProperty("processed_rows", out JsonElement pr) && (pr.GetInt32() != rows || result.GetProperty("processed_cols").GetInt32() != cols))
            {
                failures.Add($"{image}: processed size {cols}x{rows} differs from dlib's {result.GetProperty("processed_cols").GetInt32()}x{pr.GetInt32()}");
            }

            JsonElement[] expected = result.GetProperty("detections").EnumerateArray().ToArray();
            if (expected.Length != got.Count)
            {
                failures.Add($"{image}: {got.Count} detections, dlib has {expected.Length}: got [{string.Join("; ", got.Select(d => $"{d.Rect} {d.Score:R} w{d.WeightIndex}"))}] expected [{string.Join("; ", expected.Select(e => $"{ReadRect(e.GetProperty("rect"))} {e.GetProperty("score").GetDouble():R} w{e.GetProperty("weight_index").GetInt32()}"))}]");
                continue;
            }

            for (int i = 0; i < expected.Length; i++)
            {
                dets++;
                Rectangle er = ReadRect(expected[i].GetProperty("rect"));
                double es = expected[i].GetProperty("score").GetDouble();
                int ew = expected[i].GetProperty("weight_index").GetInt32();
                HogDetection d = got[i];
                double diff = Math.Abs(d.Score - es);
                maxScoreDiff = Math.Max(maxScoreDiff, diff);
                if (d.Rect != er || d.WeightIndex != ew || diff > 1e-6)
                {
                    failures.Add($"{image} #{i}: got {d.Rect} {d.Score:R} w{d.WeightIndex}, dlib {er} {es:R} w{ew}");
                }
            }
        }

        _output.WriteLine($"{golden}: {images} images, {dets} detections compared, max |score diff| = {maxScoreDiff:E3}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
