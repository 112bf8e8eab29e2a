using System.Text.Json;
using DlibModels.Classification;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Randomness;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Classification;

/// <summary>
/// The ResNet34 stand-in (random weights, real layout) classifying the golden images like
/// dlibref's <c>classify</c> (dnn_imagenet_ex): random 16-crop, center and full modes.
/// </summary>
public sealed class ImageNetClassifierTests
{
    private const string Model = "standin/resnet34_1000_imagenet_classifier.random.dnn.bz2";

    /// <summary>
    /// How many golden images the random-crop test runs (in order, sharing one generator): all 14
    /// (16 ResNet34 passes each, about 10 s on 2 cores); DLIB_CLASSIFY_QUICK=1 runs the first 2.
    /// </summary>
    private static readonly int RandomImages = Environment.GetEnvironmentVariable("DLIB_CLASSIFY_QUICK") == "1" ? 2 : int.MaxValue;

    private static readonly Lazy<ImageNetClassifier> Classifier = new(() => ImageNetClassifier.Load(TestPaths.Model(Model)));

    /// <summary>Random 16-crop mode with one default-seeded generator: top-5 indices and labels identical, p within 1e-4.</summary>
    [SkippableFact]
    public void Random_crops_match_dlib()
    {
        TestPaths.Model(Model);
        var rng = new DlibRandom();
        int n = 0;
        foreach (JsonElement result in Results("classify_random16.json").Take(RandomImages))
        {
            RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile(result.GetProperty("image").GetString()!));
            ImageClassification c = Classifier.Value.Classify(img, CropMode.Random, rng);
            Assert.Equal(16, c.CropCount);
            CheckTop(result, c);
            n++;
        }

        Assert.True(n > 0);
    }

    /// <summary>Center mode: crop rectangle and crop pixels exact, top-5 identical, all 1000 probabilities within 1e-4.</summary>
    [SkippableFact]
    public void Center_crop_matches_dlib()
    {
        TestPaths.Model(Model);
        RgbImage[] images = Results("classify_center.json").Select(r => ImageFile.LoadRgb(TestPaths.SharedFile(r.GetProperty("image").GetString()!))).ToArray();
        ImageClassification[] got = Classifier.Value.ClassifyAll(images, CropMode.Center).ToArray();
        int i = 0;
        foreach (JsonElement result in Results("classify_center.json"))
        {
            string name = result.GetProperty("image").GetString()!;
            JsonElement r = result.GetProperty("crop_rect");
            Assert.Equal(new Rectangle(r.GetProperty("left").GetInt64(), r.GetProperty("top").GetInt64(), r.GetProperty("right").GetInt64(), r.GetProperty("bottom").GetInt64()), got[i].CropRect);
            CheckCropPixels(result, images[i], CropMode.Center);
            CheckTop(result, got[i]);
            float[] probs = result.GetProperty("probs").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            Assert.Equal(probs.Length, got[i].Probabilities.Count);
            for (int k = 0; k < probs.Length; k++)
            {
                Assert.True(Math.Abs(probs[k] - got[i].Probabilities[k]) < 1e-4, $"{name} class {k}: {got[i].Probabilities[k]} vs dlib {probs[k]}");
            }

            i++;
        }
    }

    /// <summary>Full mode: the stretched image's pixels exact, top-5 identical with p within 1e-4.</summary>
    [SkippableFact]
    public void Full_image_matches_dlib()
    {
        TestPaths.Model(Model);
        foreach (JsonElement result in Results("classify_full.json"))
        {
            RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile(result.GetProperty("image").GetString()!));
            CheckCropPixels(result, img, CropMode.Full);
            CheckTop(result, Classifier.Value.Classify(img, CropMode.Full));
        }
    }

    /// <summary>The random crops' draws: same generator state afterwards whatever the image, and reproducible.</summary>
    [SkippableFact]
    public void Random_crops_are_reproducible()
    {
        TestPaths.Model(Model);
        var img = new RgbImage(100, 140);
        for (int k = 0; k < img.Pixels.Length; k++)
        {
            img.Pixels[k] = (byte)(k * 7);
        }

        (RgbImage[] a, _) = Classifier.Value.MakeCrops(img, CropMode.Random, new DlibRandom(), 4);
        (RgbImage[] b, _) = Classifier.Value.MakeCrops(img, CropMode.Random, new DlibRandom(), 4);
        Assert.Equal(4, a.Length);
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(227, a[k].Rows);
            Assert.Equal(a[k].Pixels, b[k].Pixels);
        }

        Assert.Throws<ArgumentException>(() => Classifier.Value.MakeCrops(img, CropMode.Random, null));
    }

    private static void CheckCropPixels(JsonElement result, RgbImage img, CropMode mode)
    {
        // The crop is extract_image_chip through dlib's find_affine_transform (its LAPACK pinv
        // reproduced bit for bit), so every pixel equals dlib's.
        (RgbImage[] crops, _) = Classifier.Value.MakeCrops(img, mode);
        JsonElement want = result.GetProperty("crop_pixels");
        Assert.Equal(want.GetProperty("rows").GetInt32(), crops[0].Rows);
        Assert.Equal(want.GetProperty("cols").GetInt32(), crops[0].Cols);
        Assert.Equal(want.GetProperty("fnv1a64").GetString(), ImageChecksums.ToHex(ImageChecksums.Fnv1a64(crops[0])));
    }

    /// <summary>
    /// Top-k identical (indices, order and labels), and every dlib top-k class's probability within
    /// 1e-4 of ours: the crops are dlib's pixels exactly, so only the network's float rounding differs.
    /// </summary>
    private static void CheckTop(JsonElement result, ImageClassification c)
    {
        string name = result.GetProperty("image").GetString()!;
        JsonElement[] top = result.GetProperty("top").EnumerateArray().ToArray();
        IReadOnlyList<ClassScore> ours = c.Top(top.Length);
        for (int k = 0; k < top.Length; k++)
        {
            int index = top[k].GetProperty("index").GetInt32();
            float p = top[k].GetProperty("p").GetSingle();
            Assert.True(Math.Abs(p - c.Probabilities[index]) < 1e-4, $"{name} rank {k} (class {index}): p {c.Probabilities[index]} vs dlib {p}");
            Assert.True(ours[k].Index == index, $"{name} rank {k}: class {ours[k].Index}, dlib {index}");
            Assert.Equal(top[k].GetProperty("label").GetString(), ours[k].Label);
        }
    }

    private static JsonElement[] Results(string golden)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile("reference/" + golden)));
        return doc.RootElement.GetProperty("results").EnumerateArray().Select(e => e.Clone()).ToArray();
    }
}
