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
        HogObjectDetector detector = HogObjectDetector.FrontalFace;
        using JsonDocument doc = HogTestSupport.Golden(golden);
        var failures = new List<string>();
        int images = 0, dets = 0;
        double maxScoreDiff = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            string image = result.GetProperty("image").GetString()!;
            int upsampled = result.GetProperty("upsampled").GetInt32();
            RgbImage rgb = HogTestSupport.LoadDecoded(image);
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
                got = detector.Detect(g);
            }
            else
            {
                RgbImage img = rgb;
                for (int i = 0; i < upsampled; i++)
                {
                    img = PyramidUp.Up(img);
                }

                (rows, cols) = (img.Rows, img.Cols);
                got = detector.Detect(img);
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
