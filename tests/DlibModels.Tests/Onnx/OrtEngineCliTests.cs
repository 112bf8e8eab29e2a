using System.Text.Json;
using DlibModels.Tests.Cli;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Onnx;

/// <summary>
/// <c>--engine ort</c> (the network exported in memory and run by ONNX Runtime) against the default
/// engine, CLI run as a child process on golden images: the same detections (boxes, labels, and
/// confidences within 1e-4), descriptors within 1e-4 relative, the same top-5 classes.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class OrtEngineCliTests
{
    private const double Tolerance = 1e-4;
    private const string FaceNet = "standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2";
    private const string Sp5 = "standin/shape_predictor_5_face_landmarks.standin.dat.bz2";
    private const string ResNet = "standin/resnet34_1000_imagenet_classifier.random.dnn.bz2";

    /// <summary>MMOD face and vehicle detectors: the same boxes and labels, confidences within 1e-4.</summary>
    [SkippableTheory]
    [InlineData("mmod_human_face_detector.dat.bz2", "images/faces/2008_001322.jpg")]
    [InlineData("mmod_rear_end_vehicle_detector.dat.bz2", "images/mmod_cars_test_image.jpg")]
    public void Detect_ort_equals_default(string model, string image)
    {
        string[] args = ["detect", TestPaths.SharedFile(image), "--model", TestPaths.Model(model), "--json", "--cpus", "1"];
        JsonElement[] ours = Detections(Run([.. args]));
        JsonElement[] ort = Detections(Run([.. args, "--engine", "ort"]));
        Assert.NotEmpty(ours);
        Assert.Equal(ours.Length, ort.Length);
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.Equal(ours[i].GetProperty("rect").ToString(), ort[i].GetProperty("rect").ToString());
            Assert.Equal(ours[i].GetProperty("label").GetString(), ort[i].GetProperty("label").GetString());
            double a = ours[i].GetProperty("detection_confidence").GetDouble(), b = ort[i].GetProperty("detection_confidence").GetDouble();
            Assert.InRange(Math.Abs(a - b), 0, Tolerance * Math.Max(1, Math.Abs(a)));
        }
    }

    /// <summary>encode --chips on 150x150 chips: descriptors within 1e-4 relative of the default engine's.</summary>
    [SkippableFact]
    public void Encode_chips_ort_equals_default()
    {
        string[] chips = Directory.GetFiles(TestPaths.SharedFile("images/johns/John_Salley"), "*.jpg").Order(StringComparer.Ordinal).ToArray();
        string[] args = ["encode", .. chips, "--chips", "--model", TestPaths.Model(FaceNet), "--cpus", "1"];
        float[][] ours = Lines(Run(args)).Select(l => Descriptor(l.RootElement)).ToArray();
        float[][] ort = Lines(Run([.. args, "--engine", "ort"])).Select(l => Descriptor(l.RootElement)).ToArray();
        Assert.Equal(chips.Length, ours.Length);
        Assert.Equal(ours.Length, ort.Length);
        for (int i = 0; i < ours.Length; i++)
        {
            AssertClose(ours[i], ort[i]);
        }
    }

    /// <summary>encode on a photo (HOG boxes, 5-point alignment): the same faces and parts, descriptors within 1e-4 relative.</summary>
    [SkippableFact]
    public void Encode_faces_ort_equals_default()
    {
        string[] args = ["encode", TestPaths.SharedFile("images/faces/2008_001322.jpg"), "--model", TestPaths.Model(FaceNet), "--landmarks", TestPaths.Model(Sp5), "--cpus", "1"];
        using JsonDocument ours = Lines(Run(args)).Single();
        using JsonDocument ort = Lines(Run([.. args, "--engine", "ort"])).Single();
        JsonElement[] a = ours.RootElement.GetProperty("faces").EnumerateArray().ToArray();
        JsonElement[] b = ort.RootElement.GetProperty("faces").EnumerateArray().ToArray();
        Assert.NotEmpty(a);
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].GetProperty("rect").ToString(), b[i].GetProperty("rect").ToString());
            Assert.Equal(a[i].GetProperty("parts").ToString(), b[i].GetProperty("parts").ToString());
            AssertClose(Descriptor(a[i]), Descriptor(b[i]));
        }
    }

    /// <summary>classify (centre crops, ResNet34 standin): the same top-5 indices and labels, probabilities within 1e-4.</summary>
    [SkippableFact]
    public void Classify_ort_top5_equals_default()
    {
        string[] args = ["classify", TestPaths.SharedFile("images/faces/2008_001322.jpg"), TestPaths.SharedFile("images/mmod_cars_test_image.jpg"), "--model", TestPaths.Model(ResNet), "--mode", "center", "--top", "5", "--json"];
        JsonDocument[] ours = Lines(Run(args));
        JsonDocument[] ort = Lines(Run([.. args, "--engine", "ort"]));
        Assert.Equal(2, ours.Length);
        Assert.Equal(ours.Length, ort.Length);
        for (int i = 0; i < ours.Length; i++)
        {
            JsonElement[] a = ours[i].RootElement.GetProperty("top").EnumerateArray().ToArray();
            JsonElement[] b = ort[i].RootElement.GetProperty("top").EnumerateArray().ToArray();
            Assert.Equal(5, a.Length);
            Assert.Equal(5, b.Length);
            for (int k = 0; k < 5; k++)
            {
                Assert.Equal(a[k].GetProperty("index").GetInt32(), b[k].GetProperty("index").GetInt32());
                Assert.Equal(a[k].GetProperty("label").GetString(), b[k].GetProperty("label").GetString());
                Assert.InRange(Math.Abs(a[k].GetProperty("p").GetDouble() - b[k].GetProperty("p").GetDouble()), 0, Tolerance);
            }
        }
    }

    /// <summary>bench descriptors and bench forward accept --engine ort and say so in the JSON.</summary>
    [SkippableFact]
    public void Bench_runs_on_ort()
    {
        string net = TestPaths.Model(FaceNet);
        string chip = Directory.GetFiles(TestPaths.SharedFile("images/johns/John_Salley"), "*.jpg").Order(StringComparer.Ordinal).First();
        foreach (string[] args in new[]
        {
            new[] { "bench", "descriptors", net, "--chips", chip, chip, "--batch", "16" },
            new[] { "bench", "forward", net, chip, "--batch", "2" },
        })
        {
            using JsonDocument doc = JsonDocument.Parse(Run([.. args, "--reps", "1", "--warmup", "0", "--no-load-steps", "--engine", "ort"]));
            Assert.Equal("ort", doc.RootElement.GetProperty("engine").GetString());
            Assert.NotEmpty(doc.RootElement.GetProperty("steps").EnumerateArray());
        }
    }

    private static string Run(params string[] args)
    {
        (int code, string stdout, string stderr) = CliProcess.Run(args);
        Assert.True(code == 0, $"{string.Join(' ', args)}: exit {code}: {stderr}");
        return stdout;
    }

    private static JsonDocument[] Lines(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)).ToArray();

    private static JsonElement[] Detections(string stdout)
    {
        using JsonDocument doc = Lines(stdout).Single();
        return doc.RootElement.GetProperty("detections").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static float[] Descriptor(JsonElement e) => e.GetProperty("descriptor").EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static void AssertClose(float[] ours, float[] theirs)
    {
        Assert.Equal(128, ours.Length);
        Assert.Equal(ours.Length, theirs.Length);
        double diff = 0, scale = 0;
        for (int j = 0; j < ours.Length; j++)
        {
            diff = Math.Max(diff, Math.Abs((double)ours[j] - theirs[j]));
            scale = Math.Max(scale, Math.Abs((double)ours[j]));
        }

        Assert.True(diff <= Tolerance * scale, $"descriptor differs by {diff:G4} (scale {scale:G4})");
    }
}
