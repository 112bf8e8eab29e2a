using DlibModels.Detection.Mmod;
using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Dnn.Format;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Onnx;
using DlibModels.Tests.Support;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace DlibModels.Tests.Onnx;

/// <summary>
/// The exported ONNX graph run by ONNX Runtime (CPU, one thread) against this project's engine on the
/// same input: max |ours − ORT| / max |ours| must stay within 1e-4.
/// </summary>
public sealed class OnnxParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    /// <summary>The face ResNet (or its standin) on 150x150 chips, batch 1 and 2: the 128-d fc output.</summary>
    [SkippableTheory]
    [InlineData("dlib_face_recognition_resnet_model_v1.dat.bz2", "standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2")]
    public void FaceResNetMatchesEngine(string model, string standin)
    {
        string path = FindModel(model, standin);
        DnnNetwork net = DnnLoader.LoadNetwork(path);
        RgbImage photo = ImageFile.LoadRgb(TestPaths.SharedFile("images/faces/2008_001322.jpg"));
        RgbImage[] chips = [Crop(photo, 40, 120, 150, 150), Crop(photo, 100, 200, 150, 150)];
        byte[] onnx = OnnxExporter.ExportToBytes(net, new OnnxExportOptions { SourceSha256 = "00", SourceName = Path.GetFileName(path) });

        using Tensor input = InputTensors.FromRgbImages(net.Input, chips);
        using Tensor ours = new DnnExecutor(net, 1).Forward(input);
        float[] raw = RawPixels(chips);
        float[] theirs = RunOrt(onnx, raw, [chips.Length, 3, 150, 150], out long[] shape);
        Assert.Equal(new long[] { chips.Length, 128 }, shape);
        AssertClose(ours.Span.ToArray(), theirs, "face ResNet");
    }

    /// <summary>The ResNet34 ImageNet classifier (or its random standin) on one 227x227 crop: the 1000 logits.</summary>
    [SkippableTheory]
    [InlineData("resnet34_1000_imagenet_classifier.dnn.bz2", "standin/resnet34_1000_imagenet_classifier.random.dnn.bz2")]
    public void ImageNetResNetMatchesEngine(string model, string standin)
    {
        string path = FindModel(model, standin);
        DnnNetwork net = DnnLoader.LoadNetwork(path);
        RgbImage photo = ImageFile.LoadRgb(TestPaths.SharedFile("images/faces/2008_001322.jpg"));
        int rows = net.Input.FixedRows > 0 ? net.Input.FixedRows : 227;
        int cols = net.Input.FixedCols > 0 ? net.Input.FixedCols : 227;
        RgbImage[] crops = [Crop(photo, 10, 20, rows, cols)];
        byte[] onnx = OnnxExporter.ExportToBytes(net, new OnnxExportOptions { InputRows = rows, InputCols = cols });

        using Tensor input = InputTensors.FromRgbImages(net.Input, crops);
        using Tensor ours = new DnnExecutor(net, 1).Forward(input);
        float[] theirs = RunOrt(onnx, RawPixels(crops), [1, 3, rows, cols], out _);
        AssertClose(ours.Span.ToArray(), theirs, "ResNet34");
    }

    /// <summary>MMOD networks (face and vehicle detectors) on the tiled pyramid tensor: the score map.</summary>
    [SkippableTheory]
    [InlineData("mmod_human_face_detector.dat.bz2", "images/faces/2008_001322.jpg")]
    [InlineData("mmod_rear_end_vehicle_detector.dat.bz2", "images/mmod_cars_test_image.jpg")]
    [InlineData("mmod_front_and_rear_end_vehicle_detector.dat.bz2", "images/mmod_cars_test_image.jpg")]
    public void MmodMatchesEngine(string model, string image)
    {
        DnnNetwork net = DnnLoader.LoadNetwork(TestPaths.Model(model));
        RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile(image));
        (Tensor t, _) = MmodPyramid.ToTensor(net.Input, [img], 1);
        using (t)
        {
            // The graph input is the pyramid image before normalisation: p = t·256 + mean.
            float[] raw = t.Span.ToArray();
            float[] means = [net.Input.MeanRed, net.Input.MeanGreen, net.Input.MeanBlue];
            for (int k = 0; k < 3; k++)
            {
                Span<float> plane = raw.AsSpan(k * t.PlaneSize, t.PlaneSize);
                for (int i = 0; i < plane.Length; i++)
                {
                    plane[i] = (plane[i] * 256f) + means[k];
                }
            }

            byte[] onnx = OnnxExporter.ExportToBytes(net);
            using Tensor ours = new DnnExecutor(net, 1).Forward(t);
            float[] theirs = RunOrt(onnx, raw, [1, 3, t.Rows, t.Cols], out long[] shape);
            Assert.Equal(new long[] { ours.N, ours.K, ours.Rows, ours.Cols }, shape);
            AssertClose(ours.Span.ToArray(), theirs, model);
        }
    }

    /// <summary>The metadata carries the source SHA-256 and the input description.</summary>
    [SkippableFact]
    public void MetadataRecordsSourceAndInput()
    {
        string path = FindModel("dlib_face_recognition_resnet_model_v1.dat.bz2", "standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2");
        DnnNetwork net = DnnLoader.LoadNetwork(path);
        byte[] onnx = OnnxExporter.ExportToBytes(net, new OnnxExportOptions { SourceSha256 = "abc123", Opset = 13 });
        using var session = new InferenceSession(onnx);
        IDictionary<string, string> meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("abc123", meta["source_sha256"]);
        Assert.Contains("0-255", meta["input"], StringComparison.Ordinal);
        Assert.Equal(new[] { -1, 3, 150, 150 }, session.InputMetadata["input"].Dimensions);
    }

    /// <summary>A layer without an ONNX equivalent is named in the error.</summary>
    [Fact]
    public void UnsupportedLayerIsNamed()
    {
        var net = new DnnNetwork(new InputLayer(InputKind.RgbImage, 0, 0, 0), [new ReluLayer(), new OddLayer()], new MulticlassLogLoss(), "test");
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => OnnxExporter.ExportToBytes(net));
        Assert.Contains("odd_layer", e.Message, StringComparison.Ordinal);
    }

    private static string FindModel(string model, string standin)
    {
        string? dir = TestPaths.ModelsDir;
        if (dir is not null && File.Exists(Path.Combine(dir, model)))
        {
            return Path.Combine(dir, model);
        }

        return TestPaths.Model(standin);
    }

    private static RgbImage Crop(RgbImage src, int top, int left, int rows, int cols)
    {
        var dst = new RgbImage(rows, cols);
        for (int r = 0; r < rows; r++)
        {
            int sr = Math.Min(src.Rows - 1, top + r);
            for (int c = 0; c < cols; c++)
            {
                int sc = Math.Min(src.Cols - 1, left + c);
                for (int ch = 0; ch < 3; ch++)
                {
                    dst.Pixels[(((r * cols) + c) * 3) + ch] = src.Pixels[(((sr * src.Cols) + sc) * 3) + ch];
                }
            }
        }

        return dst;
    }

    private static float[] RawPixels(IReadOnlyList<RgbImage> images)
    {
        int plane = images[0].Rows * images[0].Cols;
        float[] raw = new float[images.Count * 3 * plane];
        for (int n = 0; n < images.Count; n++)
        {
            byte[] px = images[n].Pixels;
            for (int i = 0; i < plane; i++)
            {
                for (int ch = 0; ch < 3; ch++)
                {
                    raw[(((n * 3) + ch) * plane) + i] = px[(i * 3) + ch];
                }
            }
        }

        return raw;
    }

    internal static float[] RunOrt(byte[] onnx, float[] input, long[] shape, out long[] outShape)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        using OrtValue value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var run = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> results = session.Run(run, ["input"], [value], ["output"]);
        outShape = results[0].GetTensorTypeAndShape().Shape;
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private void AssertClose(float[] ours, float[] theirs, string what)
    {
        Assert.Equal(ours.Length, theirs.Length);
        double maxDiff = 0, scale = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            maxDiff = Math.Max(maxDiff, Math.Abs((double)ours[i] - theirs[i]));
            scale = Math.Max(scale, Math.Abs((double)ours[i]));
        }

        double rel = maxDiff / Math.Max(scale, 1e-30);
        output.WriteLine($"{what}: {ours.Length} values, max |ours| {scale:G6}, max abs diff {maxDiff:G6}, relative {rel:G4}");
        Assert.True(rel <= Tolerance, $"{what}: max abs diff {maxDiff:G6} is {rel:G4} of the output scale {scale:G6} (limit {Tolerance})");
    }

    private sealed class OddLayer : Layer
    {
        public override string Kind => "odd_layer";
    }
}
