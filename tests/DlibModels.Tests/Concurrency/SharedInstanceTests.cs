using DlibModels.Detection.Mmod;
using DlibModels.Dnn.Format;
using DlibModels.Faces;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Tests.Engine;
using DlibModels.Tests.Landmarks;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Concurrency;

/// <summary>
/// One detector, one shape predictor and one face encoder, each used from 8 threads released at the
/// same moment, give exactly (bit for bit) what sequential calls give.
/// </summary>
public sealed class SharedInstanceTests
{
    private const int Threads = 8;

    private static readonly string[] Images =
    [
        "images/faces/2008_001322.jpg",
        "images/johns/John_Salley/000179_02159509.jpg",
        "images/johns/John_Savage/000264_01099001.jpg",
        "images/johns/John_Schneider/000288_00925786.jpg",
    ];

    [SkippableFact]
    public void Detector_predictor_and_encoder_shared_by_8_threads_match_sequential_results()
    {
        var detector = new MmodDetector(DnnLoader.LoadNetwork(TestPaths.Model("mmod_human_face_detector.dat.bz2")), 2);
        ShapePredictor sp = LandmarkGoldens.Sp68.Value;
        var encoder = FaceRecognitionModel.Load(TestPaths.Model("standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2"), 2);
        RgbImage[] images = Images.Select(EngineTestUtil.LoadDecoded).ToArray();

        // Sequential reference: detections, landmarks, chips and descriptors per image.
        var expected = new (IReadOnlyList<MmodDetection> Dets, FullObjectDetection[] Shapes, float[][] Descriptors)[images.Length];
        for (int i = 0; i < images.Length; i++)
        {
            expected[i] = Run(detector, sp, encoder, images[i]);
            Assert.NotEmpty(expected[i].Dets);
        }

        var results = new (IReadOnlyList<MmodDetection> Dets, FullObjectDetection[] Shapes, float[][] Descriptors)[Threads * 2];
        Exception? failure = null;
        using var start = new Barrier(Threads);
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int id = t;
            threads[t] = new Thread(() =>
            {
                try
                {
                    start.SignalAndWait();
                    for (int k = 0; k < 2; k++)
                    {
                        int slot = (id * 2) + k;
                        results[slot] = Run(detector, sp, encoder, images[slot % images.Length]);
                    }
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            });
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Null(failure);
        for (int slot = 0; slot < results.Length; slot++)
        {
            var want = expected[slot % images.Length];
            var got = results[slot];
            Assert.Equal(want.Dets, got.Dets);
            Assert.Equal(want.Shapes.Length, got.Shapes.Length);
            for (int f = 0; f < want.Shapes.Length; f++)
            {
                Assert.Equal(want.Shapes[f].Parts, got.Shapes[f].Parts);
                Assert.Equal(want.Descriptors[f], got.Descriptors[f]);
            }
        }
    }

    private static (IReadOnlyList<MmodDetection>, FullObjectDetection[], float[][]) Run(MmodDetector detector, ShapePredictor sp, FaceRecognitionModel encoder, RgbImage image)
    {
        IReadOnlyList<MmodDetection> dets = detector.Detect(image);
        FullObjectDetection[] shapes = dets.Select(d => sp.Predict(image, d.Rect)).ToArray();
        RgbImage[] chips = FaceChips.ExtractImageChips(image, shapes.Select(s => FaceChips.GetFaceChipDetails(s, 150, 0.25)).ToArray());
        return (dets, shapes, encoder.ComputeDescriptors(chips));
    }
}
