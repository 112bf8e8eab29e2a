using System.Text.Json;
using DlibModels.Applications;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Hipsterizer;

/// <summary>The vehicle files' shape predictors (stored after the MMOD net), as dnn_mmod_find_cars_ex uses them.</summary>
public sealed class VehicleShapeTests
{
    /// <summary>Per detection: rect, label, sp_parts and sp_rect exactly equal to dlib's.</summary>
    [SkippableTheory]
    [InlineData("mmod_rear_end_vehicle_detector")]
    [InlineData("mmod_front_and_rear_end_vehicle_detector")]
    public void Parts_match_dlib(string model)
    {
        VehicleDetector detector = VehicleDetector.Load(TestPaths.Model(model + ".dat.bz2"));
        Assert.NotNull(detector.Predictor);
        Assert.Equal(4, detector.Predictor!.NumParts);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile($"reference/{model}.json")));
        int n = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile(result.GetProperty("image").GetString()!));
            IReadOnlyList<VehicleDetection> found = detector.Detect(img);
            JsonElement[] expected = result.GetProperty("detections").EnumerateArray().ToArray();
            Assert.Equal(expected.Length, found.Count);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(Rect(expected[i].GetProperty("rect")), found[i].Detection.Rect);
                Assert.Equal(expected[i].GetProperty("label").GetString(), found[i].Detection.Label);
                long[][] parts = expected[i].GetProperty("sp_parts").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
                Assert.Equal(parts.Length, found[i].Shape!.NumParts);
                for (int j = 0; j < parts.Length; j++)
                {
                    Assert.Equal((parts[j][0], parts[j][1]), (found[i].Shape!.Part(j).X, found[i].Shape!.Part(j).Y));
                }

                Assert.Equal(Rect(expected[i].GetProperty("sp_rect")), found[i].RefinedRect);
                n++;
            }
        }

        Assert.True(n > 0);
    }

    private static Rectangle Rect(JsonElement r) =>
        new(r.GetProperty("left").GetInt64(), r.GetProperty("top").GetInt64(), r.GetProperty("right").GetInt64(), r.GetProperty("bottom").GetInt64());
}
