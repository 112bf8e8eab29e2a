using System.Collections.Concurrent;
using System.Text.Json;
using DlibModels.Detection.Mmod;
using DlibModels.Dnn.Format;
using DlibModels.Imaging;
using DlibModels.Tests.Engine;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Mmod;

/// <summary>MMOD detections against dlib's goldens: same count, same rects, confidences within 1e-3, same labels.</summary>
public sealed class MmodDetectionTests
{
    private static readonly ConcurrentDictionary<string, Lazy<MmodDetector>> Detectors = new();

    /// <summary>(golden file, image) pairs of the up0, threshold and vehicle goldens.</summary>
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string file in new[] { "mmod_human_face_detector_up0.json", "mmod_human_face_detector_thr-1_up0.json", "mmod_rear_end_vehicle_detector.json", "mmod_front_and_rear_end_vehicle_detector.json" })
        {
            using JsonDocument doc = EngineTestUtil.Golden(file);
            foreach (JsonElement r in doc.RootElement.GetProperty("results").EnumerateArray())
            {
                if (r.GetProperty("upsampled").GetInt32() == 0)
                {
                    data.Add(file, r.GetProperty("image").GetString()!);
                }
            }
        }

        return data;
    }

    /// <summary>One image of one golden file.</summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void DetectionsMatchDlib(string goldenFile, string image)
    {
        using JsonDocument doc = EngineTestUtil.Golden(goldenFile);
        JsonElement root = doc.RootElement;
        string model = Path.GetFileName(root.GetProperty("model").GetString()!);
        double threshold = root.TryGetProperty("adjust_threshold", out JsonElement thr) ? thr.GetDouble() : 0;
        JsonElement result = root.GetProperty("results").EnumerateArray().First(r => r.GetProperty("image").GetString() == image);
        MmodDetector detector = Detector(model);
        RgbImage img = EngineTestUtil.LoadDecoded(image);
        IReadOnlyList<MmodDetection> dets = detector.Detect(img, threshold);
        JsonElement[] expected = result.GetProperty("detections").EnumerateArray().ToArray();
        string Describe() => string.Join("; ", dets.Select(d => $"{d.Rect} {d.Confidence:F5} '{d.Label}'"));
        Assert.True(expected.Length == dets.Count, $"expected {expected.Length} detections, got {dets.Count}: {Describe()}");
        for (int i = 0; i < expected.Length; i++)
        {
            JsonElement e = expected[i];
            JsonElement r = e.GetProperty("rect");
            var rect = new Rectangle(r.GetProperty("left").GetInt64(), r.GetProperty("top").GetInt64(), r.GetProperty("right").GetInt64(), r.GetProperty("bottom").GetInt64());
            Assert.Equal(rect, dets[i].Rect);
            EngineTestUtil.Close(e.GetProperty("detection_confidence").GetDouble(), dets[i].Confidence, 0, 1e-3, $"detection {i} confidence");
            Assert.Equal(e.GetProperty("label").GetString(), dets[i].Label);
        }
    }

    private static MmodDetector Detector(string model)
    {
        string path = TestPaths.Model(model);
        return Detectors.GetOrAdd(model, _ => new Lazy<MmodDetector>(() => new MmodDetector(DnnLoader.LoadNetwork(path), 2))).Value;
    }
}

/// <summary>Edge cases of the detector that need no golden.</summary>
public sealed class MmodDetectorEdgeTests
{
    /// <summary>Images too small for the network give no detections instead of failing.</summary>
    [SkippableFact]
    public void TinyImagesGiveNoDetections()
    {
        var detector = new MmodDetector(DnnLoader.LoadNetwork(TestPaths.Model("mmod_human_face_detector.dat.bz2")), 1);
        Assert.Empty(detector.Detect(new RgbImage(0, 0)));
        Assert.Empty(detector.Detect(new RgbImage(1, 1)));
        Assert.Empty(detector.Detect(new RgbImage(3, 40)));
        Assert.Empty(detector.Detect(new RgbImage(20, 20)));
    }
}

/// <summary>One detector used from several threads at once.</summary>
public sealed class MmodDetectorConcurrencyTests
{
    /// <summary>Concurrent calls give the same answers as sequential ones.</summary>
    [SkippableFact]
    public void ConcurrentDetectionsAgree()
    {
        var detector = new MmodDetector(DnnLoader.LoadNetwork(TestPaths.Model("mmod_human_face_detector.dat.bz2")), 1);
        string[] names = { "images/johns/John_Salley/000179_02159509.jpg", "images/johns/John_Savage/000264_01099001.jpg", "images/johns/John_Schneider/000288_00925786.jpg" };
        RgbImage[] images = names.Select(EngineTestUtil.LoadDecoded).ToArray();
        var expected = images.Select(i => detector.Detect(i)).ToArray();
        var actual = new IReadOnlyList<MmodDetection>[images.Length * 4];
        Parallel.For(0, actual.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => actual[i] = detector.Detect(images[i % images.Length]));
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(expected[i % images.Length], actual[i]);
        }
    }
}
