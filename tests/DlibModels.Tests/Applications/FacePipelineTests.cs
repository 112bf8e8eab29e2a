using System.Text.Json;
using DlibModels.Applications;
using DlibModels.Faces;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Randomness;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Applications;

/// <summary>
/// The whole dnn_face_recognition_ex pipeline (HOG without upsampling, shape predictor, 150×150 chip,
/// descriptor) through <see cref="FaceAnalyzer"/>, against dlib's goldens, from the original JPEGs.
/// </summary>
public sealed class FacePipelineTests
{
    private const string Net = "standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2";
    private const string Sp5 = "standin/shape_predictor_5_face_landmarks.standin.dat.bz2";
    private const string Sp68 = "shape_predictor_68_face_landmarks.dat.bz2";

    private static readonly Lazy<FaceRecognitionModel> Recognition = new(() => FaceRecognitionModel.Load(TestPaths.Model(Net)));
    private static Lazy<ShapePredictor> Predictor5 => DlibModels.Tests.Landmarks.LandmarkGoldens.Sp5;

    private static Lazy<ShapePredictor> Predictor68 => DlibModels.Tests.Landmarks.LandmarkGoldens.Sp68;

    [SkippableTheory]
    [InlineData("descriptors_hog_shape_predictor_5_face_landmarks.json", 5)]
    [InlineData("descriptors_hog_shape_predictor_68_face_landmarks.json", 68)]
    public void Full_pipeline_matches_dlib(string golden, int parts)
    {
        TestPaths.Model(Net);
        TestPaths.Model(parts == 5 ? Sp5 : Sp68);
        var analyzer = new FaceAnalyzer(parts == 5 ? Predictor5.Value : Predictor68.Value, Recognition.Value);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/" + golden)));
        int faces = 0;
        double worst = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            string image = result.GetProperty("image").GetString()!;
            RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile(image));
            IReadOnlyList<Face> found = analyzer.FaceLandmarks(img, upsample: 0);
            JsonElement[] expected = result.GetProperty("faces").EnumerateArray().ToArray();
            Assert.True(expected.Length == found.Count, $"{image}: {found.Count} faces, dlib found {expected.Length}");
            IReadOnlyList<float[]> descriptors = analyzer.FaceEncodings(img, found);
            for (int i = 0; i < expected.Length; i++)
            {
                JsonElement e = expected[i];
                JsonElement r = e.GetProperty("rect");
                Assert.Equal(new Rectangle(r.GetProperty("left").GetInt64(), r.GetProperty("top").GetInt64(), r.GetProperty("right").GetInt64(), r.GetProperty("bottom").GetInt64()), found[i].Rect);
                long[][] ep = e.GetProperty("parts").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
                Assert.Equal(ep.Length, found[i].Landmarks!.NumParts);
                for (int j = 0; j < ep.Length; j++)
                {
                    Assert.Equal((ep[j][0], ep[j][1]), (found[i].Landmarks!.Part(j).X, found[i].Landmarks!.Part(j).Y));
                }

                float[] ed = e.GetProperty("descriptor").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                double d = FaceRecognitionModel.Distance(ed, descriptors[i]);
                worst = Math.Max(worst, d);
                Assert.True(d < 1e-3, $"{image} face {i}: descriptor L2 distance {d:G3} from dlib's");
                faces++;
            }
        }

        Assert.True(faces > 20, $"only {faces} faces compared");
    }

    [SkippableFact]
    public void Jittered_descriptors_share_one_generator_like_dlibs_example()
    {
        TestPaths.Model(Net);
        TestPaths.Model(Sp5);
        var analyzer = new FaceAnalyzer(Predictor5.Value, Recognition.Value);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/descriptors_hog_5_jitter10.json")));
        JsonElement result = doc.RootElement.GetProperty("results")[0];
        RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile(result.GetProperty("image").GetString()!));
        IReadOnlyList<Face> found = analyzer.FaceLandmarks(img, upsample: 0);
        IReadOnlyList<float[]> jittered = analyzer.FaceEncodings(img, found, numJitters: 10, random: new DlibRandom());
        JsonElement[] expected = result.GetProperty("faces").EnumerateArray().ToArray();
        Assert.Equal(expected.Length, jittered.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            float[] ed = expected[i].GetProperty("jittered_descriptor").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            double d = FaceRecognitionModel.Distance(ed, jittered[i]);
            Assert.True(d < 1e-3, $"face {i}: jittered descriptor L2 distance {d:G3} from dlib's");
        }
    }

    [SkippableFact]
    public void Clustering_bald_guys_finds_dlibs_four_people()
    {
        TestPaths.Model(Net);
        TestPaths.Model(Sp68);
        var analyzer = new FaceAnalyzer(Predictor68.Value, Recognition.Value);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/cluster_bald_guys.json")));
        JsonElement result = doc.RootElement.GetProperty("results")[0];
        RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile(result.GetProperty("image").GetString()!));
        IReadOnlyList<float[]> descriptors = analyzer.FaceEncodings(img, upsample: 0);
        int[] labels = FaceAnalyzer.Cluster(descriptors);
        int[] expected = result.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        Assert.Equal(expected, labels);
        Assert.Equal(result.GetProperty("num_clusters").GetInt32(), labels.Distinct().Count());
    }
}

/// <summary>face_landmark_detection_ex.cpp's way: pyramid_up, HOG, 68-point predictor, all in the upsampled image.</summary>
public sealed class UpsampledLandmarkTests
{
    [SkippableFact]
    public void Landmarks_in_the_upsampled_image_match_dlib()
    {
        TestPaths.Model("shape_predictor_68_face_landmarks.dat.bz2");
        ShapePredictor sp = DlibModels.Tests.Landmarks.LandmarkGoldens.Sp68.Value;
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/landmarks_68_hog_up1.json")));
        int faces = 0;
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            string image = result.GetProperty("image").GetString()!;
            RgbImage up = PyramidUp.Up(ImageFile.LoadRgb(TestPaths.SharedFile(image)));
            IReadOnlyList<DlibModels.Detection.Hog.HogDetection> found = DlibModels.Detection.Hog.HogObjectDetector.FrontalFace.Detect(up);
            JsonElement[] expected = result.GetProperty("faces").EnumerateArray().ToArray();
            Assert.True(expected.Length == found.Count, $"{image}: {found.Count} faces, dlib found {expected.Length}");
            for (int i = 0; i < expected.Length; i++)
            {
                FullObjectDetection shape = sp.Predict(up, found[i].Rect);
                long[][] ep = expected[i].GetProperty("parts").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
                for (int j = 0; j < ep.Length; j++)
                {
                    Assert.True(ep[j][0] == shape.Part(j).X && ep[j][1] == shape.Part(j).Y, $"{image} face {i} part {j}: ({shape.Part(j).X},{shape.Part(j).Y}) vs dlib ({ep[j][0]},{ep[j][1]})");
                }

                faces++;
            }
        }

        Assert.True(faces > 40, $"only {faces} faces compared");
    }
}
