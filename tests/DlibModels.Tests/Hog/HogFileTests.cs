using DlibModels.Detection.Hog;
using DlibModels.Serialization;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Hog;

public class HogFileTests
{
    [SkippableFact]
    public void RoundTripIsByteIdentical()
    {
        string path = TestPaths.Model("frontal_face_detector.dat.bz2");
        byte[] original = ModelFile.ReadAllBytes(path);
        HogObjectDetector d = HogObjectDetector.Load(path);
        Assert.Equal(original, d.ToBytes());
    }

    [Fact]
    public void EmbeddedFrontalFaceDetectorHasDlibSettings()
    {
        HogObjectDetector d = HogObjectDetector.FrontalFace;
        Assert.Equal(5, d.NumDetectors);
        Assert.Equal(80, d.DetectionWindowWidth);
        Assert.Equal(80, d.DetectionWindowHeight);
        Assert.Equal(8, d.CellSize);
        Assert.Equal(0, d.Padding);
        Assert.Equal(10, d.FilterWidth);
        Assert.Equal(10, d.FilterHeight);
        Assert.Equal(64, d.MinPyramidLayerWidth);
        Assert.Equal(1000, d.MaxPyramidLevels);
        Assert.Equal(0.33008212188056446, d.OverlapTester.IouThreshold);
        Assert.Equal(0.7885714285714286, d.OverlapTester.PercentCoveredThreshold);
        Assert.Equal(3101, d.GetWeights(0).Length);
    }

    [SkippableFact]
    public void TruncatedFileFails()
    {
        byte[] original = ModelFile.ReadAllBytes(TestPaths.Model("frontal_face_detector.dat.bz2"));
        foreach (int len in new[] { 0, 1, 5, 30, original.Length / 2, original.Length - 1 })
        {
            Assert.Throws<DlibFormatException>(() => HogObjectDetector.Load(original[..len], "truncated"));
        }
    }

    [SkippableFact]
    public void CorruptedFileFails()
    {
        byte[] original = ModelFile.ReadAllBytes(TestPaths.Model("frontal_face_detector.dat.bz2"));

        byte[] badVersion = (byte[])original.Clone();
        badVersion[1] = 7; // object_detector version
        Assert.Throws<DlibFormatException>(() => HogObjectDetector.Load(badVersion, "bad version"));

        byte[] badDims = (byte[])original.Clone();
        int windowOffset = 13; // detection window width (80)
        Assert.Equal(80, badDims[windowOffset]);
        badDims[windowOffset] = 88;
        Assert.Throws<DlibFormatException>(() => HogObjectDetector.Load(badDims, "bad dims"));

        byte[] trailing = [.. original, 1, 0];
        Assert.Throws<DlibFormatException>(() => HogObjectDetector.Load(trailing, "trailing"));
    }
}

public class HogFileVersionTests
{
    private static byte[] WriteV1(HogObjectDetector d, int weightIndex, long cachedLevels = 0)
    {
        using var ms = new MemoryStream();
        var w = new DlibWriter(ms);
        w.WriteInt(1);
        w.WriteInt(1);
        w.WriteInt(0);
        w.WriteInt(cachedLevels);
        w.WriteInt(d.CellSize);
        w.WriteInt(d.Padding);
        w.WriteInt(d.DetectionWindowWidth);
        w.WriteInt(d.DetectionWindowHeight);
        w.WriteInt(d.MaxPyramidLevels);
        w.WriteInt(d.MinPyramidLayerWidth);
        w.WriteInt(d.MinPyramidLayerHeight);
        w.WriteDouble(d.NuclearNormRegularizationStrength);
        w.WriteInt(d.NumDimensions);
        double[] weights = d.GetWeights(weightIndex);
        w.WriteInt(-weights.Length);
        w.WriteInt(-1);
        foreach (double x in weights)
        {
            w.WriteDouble(x);
        }

        w.WriteDouble(d.OverlapTester.IouThreshold);
        w.WriteDouble(d.OverlapTester.PercentCoveredThreshold);
        return ms.ToArray();
    }

    [Fact]
    public void ReadsVersion1ObjectDetector()
    {
        HogObjectDetector full = HogObjectDetector.FrontalFace;
        HogObjectDetector v1 = HogObjectDetector.Load(WriteV1(full, 1), "v1");
        Assert.Equal(1, v1.NumDetectors);
        Assert.Equal(full.GetWeights(1), v1.GetWeights(0));
        Assert.Equal(full.OverlapTester, v1.OverlapTester);

        // Detections of the single filter are those of weight vector 1 of the full detector
        // before the cross-filter NMS; the strongest one must agree.
        var img = HogTestSupport.LoadDecoded("images/faces/2008_001322.jpg");
        IReadOnlyList<HogDetection> a = v1.Detect(img);
        HogDetection best = full.Detect(img, -0.5).Where(x => x.WeightIndex == 1).OrderByDescending(x => x.Score).FirstOrDefault();
        if (a.Count > 0)
        {
            Assert.Equal(best.Rect, a[0].Rect);
            Assert.Equal(best.Score, a[0].Score);
        }
    }

    [Fact]
    public void RejectsCachedFeatures()
    {
        var e = Assert.Throws<DlibFormatException>(() => HogObjectDetector.Load(WriteV1(HogObjectDetector.FrontalFace, 0, cachedLevels: 3), "cached"));
        Assert.Contains("cached", e.Message, StringComparison.Ordinal);
    }
}
