using DlibModels.Datasets;
using DlibModels.Detection;
using DlibModels.Detection.Hog;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Tests.Support;
using DlibModels.Training;

namespace DlibModels.Tests.Training;

public sealed class HogDetectorTrainerTests
{
    private static readonly Lazy<DetectionTestSet> Faces = new(() =>
        DetectionTestSet.Load(ImglabXml.Load(TestPaths.SharedFile("images/faces/training.xml")), ImageFile.LoadGray));

    private static readonly HogDetectorTrainerOptions SmallOptions = new()
    {
        DetectionWindowWidth = 40,
        DetectionWindowHeight = 40,
        Epsilon = 0.05,
        NumThreads = 2,
    };

    private static readonly Lazy<(HogObjectDetector Detector, List<HogTrainingProgress> Progress)> Trained = new(() =>
    {
        var progress = new List<HogTrainingProgress>();
        HogObjectDetector d = new HogDetectorTrainer(SmallOptions).Train(Faces.Value, progress.Add);
        return (d, progress);
    });

    [Fact]
    public void TrainedDetectorFindsTheTrainingFaces()
    {
        (HogObjectDetector det, List<HogTrainingProgress> progress) = Trained.Value;
        Assert.Equal(7, det.FilterWidth);
        Assert.Equal(7, det.FilterHeight);
        Assert.Equal(1, det.NumDetectors);
        Assert.NotEmpty(progress);
        Assert.True(progress[^1].RiskGap < SmallOptions.Epsilon, $"final risk gap {progress[^1].RiskGap}");

        DetectionTestResult r = Faces.Value.Test(det);
        // 17 of the 18 faces at this small window without upsampling (dlib 19.24: 1 0.944 0.944).
        Assert.True(r.Recall >= 0.9, $"recall {r.Recall}");
        Assert.True(r.Precision >= 0.9, $"precision {r.Precision}");
        Assert.True(r.AveragePrecision >= 0.9, $"AP {r.AveragePrecision}");
    }

    // SHA-256 of the detector dlib 19.24 (Debian libdlib) writes for images/faces/training.xml
    // (gray, no upsampling or flips) with a 40x40 window, C 1, epsilon 0.05, 2 threads.
    [Fact]
    public void TrainsTheSameDetectorAsDlib()
    {
        byte[] bytes = Trained.Value.Detector.ToBytes();
        Assert.Equal("c4d9a3ef85a2208cf8704a85a3dbd600b04bf89bb457e743e7cf3f8e93364444", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Fact]
    public void OutputFileReloadsWithTheSameDetectionsAndAutoOverlapTester()
    {
        HogObjectDetector det = Trained.Value.Detector;
        HogObjectDetector back = HogObjectDetector.Load(det.ToBytes());
        Assert.Equal(det.ToBytes(), back.ToBytes());
        Assert.Equal(HogDetectorTrainer.FindTightOverlapTester(MappedTruth()).IouThreshold, det.OverlapTester.IouThreshold, 1e-2);
        GrayImage img = Faces.Value.Images[0];
        Assert.Equal(det.Detect(img), back.Detect(img));
    }

    [Fact]
    public void ResultDoesNotDependOnThreads()
    {
        var one = new HogDetectorTrainerOptions
        {
            DetectionWindowWidth = 40,
            DetectionWindowHeight = 40,
            Epsilon = 0.05,
            NumThreads = 1,
        };
        HogObjectDetector det = new HogDetectorTrainer(one).Train(Faces.Value);
        Assert.Equal(Trained.Value.Detector.ToBytes(), det.ToBytes());
    }

    [Fact]
    public void FindTightOverlapTesterUsesTheLargestOverlapsRelaxed()
    {
        var a = new Rectangle(0, 0, 9, 9);
        var b = new Rectangle(5, 0, 14, 9);   // IoU 50/150, covers half of each
        var c = new Rectangle(100, 100, 109, 109);
        OverlapTester t = HogDetectorTrainer.FindTightOverlapTester([[a, b], [c]]);
        Assert.Equal(Math.Min((50.0 / 150) * 1.0000001, 1), t.IouThreshold, 12);
        Assert.Equal(0.5 * 1.0000001, t.PercentCoveredThreshold, 12);
        Assert.False(t.Overlaps(a, b));

        OverlapTester none = HogDetectorTrainer.FindTightOverlapTester([[a], [c]]);
        Assert.Equal(0, none.IouThreshold);
        Assert.Equal(0, none.PercentCoveredThreshold);
    }

    [Fact]
    public void BoxesSmallerThanTheWindowAreAnImpossibleLabeling()
    {
        var big = new HogDetectorTrainerOptions { DetectionWindowWidth = 160, DetectionWindowHeight = 160 };
        DetectionTestSet set = Faces.Value;
        var e = Assert.Throws<ImpossibleLabelingException>(() =>
            new HogDetectorTrainer(big).Train(set.Images.Take(1).ToList(), set.Boxes.Take(1).ToList()));
        Assert.Contains("match threshold", e.Message);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new HogDetectorTrainer(new HogDetectorTrainerOptions { C = 0 }));
        Assert.Throws<ArgumentException>(() => new HogDetectorTrainer(new HogDetectorTrainerOptions { Epsilon = -1 }));
        Assert.Throws<ArgumentException>(() => new HogDetectorTrainer(new HogDetectorTrainerOptions { MatchEps = 1 }));
        Assert.Throws<ArgumentException>(() => new HogDetectorTrainer(new HogDetectorTrainerOptions { CellSize = 1 }));
    }

    [Fact]
    public void FlipsMirrorImagesAndBoxes()
    {
        var set = new DetectionTestSet();
        var img = new GrayImage(2, 3, [1, 2, 3, 4, 5, 6]);
        set.Images.Add(img);
        set.Boxes.Add([new Rectangle(0, 0, 0, 1)]);
        set.Ignored.Add([]);
        HogDetectorTrainer.AddLeftRightFlips(set);
        Assert.Equal(2, set.Images.Count);
        Assert.Equal(new byte[] { 3, 2, 1, 6, 5, 4 }, set.Images[1].Pixels);
        Assert.Equal(new Rectangle(2, 0, 2, 1), set.Boxes[1][0]);
    }

    private static List<List<Rectangle>> MappedTruth() =>
        [.. Faces.Value.Boxes.Select(b => b.ToList())];
}

/// <summary><c>dlib-models train hog-detector</c> run in-process.</summary>
[Collection(DlibModels.Tests.Cli.CliCollection.Name)]
public sealed class HogDetectorTrainCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hogtrain").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void WritesTheSameFileAsDlibAndRejectsBadWindows()
    {
        string xml = TestPaths.SharedFile("images/faces/training.xml");
        string model = Path.Combine(_dir, "det.svm");
        Assert.Equal(0, DlibModels.Cli.Commands.TrainCommand.Create().Parse(["hog-detector", xml, "--out", model, "--window", "40x40", "--epsilon", "0.05", "--threads", "2", "--json"]).Invoke());
        Assert.Equal("c4d9a3ef85a2208cf8704a85a3dbd600b04bf89bb457e743e7cf3f8e93364444", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(model))));
        Assert.Equal(1, DlibModels.Cli.Commands.TrainCommand.Create().Parse(["hog-detector", xml, "--out", model, "--window", "40"]).Invoke());
    }
}
