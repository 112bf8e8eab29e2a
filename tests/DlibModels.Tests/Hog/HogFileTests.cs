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
