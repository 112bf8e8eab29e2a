using System.Text.Json;
using DlibModels.Detection.Hog;
using DlibModels.Imaging;
using DlibModels.Serialization;

namespace DlibModels.Tests.Hog;

/// <summary>
/// dlib runs full (non-separable) filters when the SVD of the filters has too many terms. The
/// frontal face detector never does, so these tests perturb its weights (deterministically) until
/// every filter has full rank, and compare with dlib's output for that detector (made with
/// <c>dlibref hog --hog-model</c> on the file <see cref="PerturbedDetectorBytes"/> writes).
/// </summary>
public class HogFullFilterTests
{
    internal static byte[] PerturbedDetectorBytes()
    {
        HogObjectDetector d = HogObjectDetector.FrontalFace;
        using var ms = new MemoryStream();
        var w = new DlibWriter(ms);
        w.WriteInt(2);
        w.WriteInt(1);
        w.WriteInt(0);
        w.WriteInt(0);
        w.WriteInt(d.CellSize);
        w.WriteInt(d.Padding);
        w.WriteInt(d.DetectionWindowWidth);
        w.WriteInt(d.DetectionWindowHeight);
        w.WriteInt(d.MaxPyramidLevels);
        w.WriteInt(d.MinPyramidLayerWidth);
        w.WriteInt(d.MinPyramidLayerHeight);
        w.WriteDouble(d.NuclearNormRegularizationStrength);
        w.WriteInt(d.NumDimensions);
        w.WriteDouble(d.OverlapTester.IouThreshold);
        w.WriteDouble(d.OverlapTester.PercentCoveredThreshold);
        w.WriteInt(d.NumDetectors);
        for (int i = 0; i < d.NumDetectors; i++)
        {
            double[] weights = d.GetWeights(i);
            for (int k = 0; k < d.NumDimensions; k++)
            {
                weights[k] += ((((k * 7919) + (i * 104729)) % 1000) - 500) * 2e-5;
            }

            w.WriteInt(-weights.Length);
            w.WriteInt(-1);
            foreach (double x in weights)
            {
                w.WriteDouble(x);
            }
        }

        return ms.ToArray();
    }

    [Fact]
    public void PerturbedDetectorUsesFullFilters()
    {
        byte[] bytes = PerturbedDetectorBytes();
        string? dump = Environment.GetEnvironmentVariable("HOG_WRITE_PERTURBED");
        if (!string.IsNullOrEmpty(dump))
        {
            File.WriteAllBytes(dump, bytes);
        }

        HogObjectDetector d = HogObjectDetector.Load(bytes, "perturbed");
        Assert.Equal(bytes, d.ToBytes());
        for (int i = 0; i < d.NumDetectors; i++)
        {
            HogFilterBank bank = HogFilterBank.Build(d.GetWeights(i), 31, d.FilterHeight, d.FilterWidth);
            Assert.False(bank.UseSeparable);
        }
    }

    [Fact]
    public void PerturbedDetectorMatchesDlib()
    {
        HogObjectDetector d = HogObjectDetector.Load(PerturbedDetectorBytes(), "perturbed");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(HogTestSupport.DataDir(), "hog_perturbed_full_filters.json")));
        double adjust = doc.RootElement.GetProperty("adjust_threshold").GetDouble();
        int compared = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            RgbImage img = HogTestSupport.LoadDecoded(result.GetProperty("image").GetString()!);
            IReadOnlyList<HogDetection> got = d.Detect(img, adjust);
            JsonElement[] expected = result.GetProperty("detections").EnumerateArray().ToArray();
            Assert.Equal(expected.Length, got.Count);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(HogGoldenTests.ReadRect(expected[i].GetProperty("rect")), got[i].Rect);
                Assert.Equal(expected[i].GetProperty("weight_index").GetInt32(), got[i].WeightIndex);
                Assert.Equal(expected[i].GetProperty("score").GetDouble(), got[i].Score);
                compared++;
            }
        }

        Assert.True(compared > 0);
    }
}
