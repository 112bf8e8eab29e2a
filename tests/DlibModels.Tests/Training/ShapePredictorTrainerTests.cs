using System.Security.Cryptography;
using DlibModels.Datasets;
using DlibModels.ImageIO;
using DlibModels.Landmarks;
using DlibModels.Tests.Support;
using DlibModels.Training;

namespace DlibModels.Tests.Training;

public sealed class ShapePredictorTrainerTests
{
    private static readonly Lazy<(LandmarkTrainingSet Train, LandmarkTrainingSet Test)> Faces5 = new(() =>
    {
        LandmarkTrainingSet Load(string name) => LandmarkTrainingSet.Load(
            ImglabXml.Load(TestPaths.SharedFile("datasets/faces5/" + name)), ImageFile.LoadGray, b => b.Label == "hog");
        return (Load("training.xml"), Load("testing.xml"));
    });

    // SHA-256 of the models dlib 19.24's shape_predictor_trainer (Debian libdlib 19.24, default seed)
    // wrote for faces5/training.xml (boxes labelled hog, gray images) with these settings.
    [Theory]
    [InlineData(2, 5, 2, 3, 0.1, 0, 50, 5, "a44f36edabedcc219403ea12f572e89719b2a63fd8e1e13c472977bdf7df89ac")]
    [InlineData(3, 10, 3, 5, 0.1, 2, 100, 10, "c94fec093a7d01a43b1ae21699c4bfcb0c42eb8108e387bafd6e97cbb4636c92")]
    public void TrainsTheSameModelAsDlib(int cascades, int trees, int depth, int oversampling, double nu, int threads, int pool, int splits, string sha256)
    {
        var trainer = new ShapePredictorTrainer(new ShapePredictorTrainerOptions
        {
            CascadeDepth = cascades,
            NumTreesPerCascadeLevel = trees,
            TreeDepth = depth,
            OversamplingAmount = oversampling,
            Nu = nu,
            NumThreads = threads,
            FeaturePoolSize = pool,
            NumTestSplits = splits,
        });
        LandmarkTrainingSet train = Faces5.Value.Train;
        byte[] model = trainer.TrainToBytes(train.Images, train.Objects);
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(model)));
    }

    [Fact]
    public void SmallTrainingReachesASensibleErrorAndReloadsIdentically()
    {
        (LandmarkTrainingSet train, LandmarkTrainingSet test) = Faces5.Value;
        var options = new ShapePredictorTrainerOptions
        {
            CascadeDepth = 6,
            NumTreesPerCascadeLevel = 40,
            TreeDepth = 3,
            OversamplingAmount = 10,
            FeaturePoolSize = 200,
            NumThreads = 2,
        };
        int calls = 0;
        ShapePredictor sp = new ShapePredictorTrainer(options).Train(train, (done, total) =>
        {
            calls++;
            Assert.Equal(240, total);
        });
        Assert.Equal(240, calls);
        Assert.Equal(5, sp.NumParts);
        Assert.Equal(6, sp.NumCascades);
        Assert.Equal(240, sp.NumTrees);

        double trainErr = ShapePredictorTester.MeanError(sp, train, interocular: true);
        double testErr = ShapePredictorTester.MeanError(sp, test, interocular: true);
        Assert.InRange(trainErr, 0, 0.06);
        Assert.InRange(testErr, 0, 0.12);

        string path = Path.Combine(Path.GetTempPath(), $"sp-train-{Guid.NewGuid():N}.dat");
        try
        {
            File.WriteAllBytes(path, sp.ToBytes());
            ShapePredictor back = ShapePredictor.Load(path);
            Assert.Equal(sp.ToBytes(), back.ToBytes());
            for (int i = 0; i < test.Images.Count; i++)
            {
                foreach (FullObjectDetection o in test.Objects[i])
                {
                    Assert.Equal(sp.Predict(test.Images[i], o.Rect).Parts, back.Predict(test.Images[i], o.Rect).Parts);
                }
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void SameSeedSameModelOtherSeedOtherModel()
    {
        LandmarkTrainingSet train = Faces5.Value.Train;
        byte[] Train(string seed) => new ShapePredictorTrainer(new ShapePredictorTrainerOptions
        {
            CascadeDepth = 2,
            NumTreesPerCascadeLevel = 4,
            TreeDepth = 2,
            OversamplingAmount = 2,
            FeaturePoolSize = 30,
            RandomSeed = seed,
            OversamplingTranslationJitter = 0.05,
            FeaturePoolRegionPadding = 0.1,
            PaddingMode = ShapePaddingMode.BoundingBoxRelative,
        }).TrainToBytes(train.Images, train.Objects);
        Assert.Equal(Train("a"), Train("a"));
        Assert.NotEqual(Train("a"), Train("b"));
    }

    [Fact]
    public void RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => new ShapePredictorTrainer(new ShapePredictorTrainerOptions { Nu = 0 }));
        Assert.Throws<ArgumentException>(() => new ShapePredictorTrainer(new ShapePredictorTrainerOptions { FeaturePoolSize = 1 }));
        var img = new Imaging.GrayImage(10, 10);
        var trainer = new ShapePredictorTrainer();
        Assert.Throws<ArgumentException>(() => trainer.TrainToBytes([img], [[]]));
        var missing = new FullObjectDetection(new Imaging.Rectangle(0, 0, 5, 5), [new Point(1, 1), DatasetBox.PartNotPresent]);
        Assert.Throws<ArgumentException>(() => trainer.TrainToBytes([img], [[missing]]));
    }

    [SkippableFact]
    public void TestShapePredictorMatchesDlibForThe68PointModel()
    {
        ShapePredictor sp = ShapePredictor.Load(TestPaths.Model("shape_predictor_68_face_landmarks.dat.bz2"));
        LandmarkTrainingSet test = LandmarkTrainingSet.Load(
            ImglabXml.Load(TestPaths.SharedFile("images/faces/testing_with_face_landmarks.xml")), ImageFile.LoadGray);

        // dlib 19.24: test_shape_predictor(sp, images, objects, get_interocular_distances(objects)) with
        // array2d<unsigned char> images, as train_shape_predictor_ex.cpp.
        double err = ShapePredictorTester.MeanError(sp, test, interocular: true);
        Assert.Equal(0.0022097271416676566, err, 1e-15);
    }
}

public sealed class ObjectDetectionTesterTests
{
    // dlib 19.24: test_object_detection_function(get_frontal_face_detector(), images, boxes, ignore)
    // after load_image_dataset(array2d<unsigned char>) and N x upsample_image_dataset<pyramid_down<2>>.
    [Theory]
    [InlineData("testing.xml", 0, 1.0, 0.20000000000000001, 0.20000000000000001)]
    [InlineData("testing.xml", 1, 1.0, 1.0, 1.0)]
    [InlineData("training.xml", 0, 1.0, 0.33333333333333331, 0.33333333333333331)]
    public void FrontalFaceDetectorScoresAsDlib(string file, int upsample, double precision, double recall, double ap)
    {
        DetectionTestSet set = DetectionTestSet.Load(ImglabXml.Load(TestPaths.SharedFile("images/faces/" + file)), ImageFile.LoadGray);
        for (int i = 0; i < upsample; i++)
        {
            set.Upsample();
        }

        DetectionTestResult r = set.Test(Detection.Hog.HogObjectDetector.FrontalFace);
        Assert.Equal(precision, r.Precision, 1e-15);
        Assert.Equal(recall, r.Recall, 1e-15);
        Assert.Equal(ap, r.AveragePrecision, 1e-15);
    }

    [Fact]
    public void AveragePrecisionFollowsDlib()
    {
        // ranked hits: T F T -> precisions 1, 2/3; running max from the end: 2/3, 1 -> (1 + 2/3) / (2 + 1 missing)
        Assert.Equal((1 + (2.0 / 3)) / 3, ObjectDetectionTester.AveragePrecision([(3, true), (2, false), (1, true)], 1), 1e-15);
        Assert.Equal(1, ObjectDetectionTester.AveragePrecision([], 0));
    }
}
