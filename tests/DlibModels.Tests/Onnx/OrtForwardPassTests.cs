using DlibModels.Detection.Mmod;
using DlibModels.Dnn;
using DlibModels.Dnn.Format;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.OnnxRuntime;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Onnx;

/// <summary><see cref="OrtForwardPass"/> used directly as the library's seam.</summary>
public sealed class OrtForwardPassTests
{
    /// <summary>An MMOD detector on ONNX Runtime finds the default engine's boxes, with confidences within 1e-4.</summary>
    [SkippableFact]
    public void MmodDetectorOnOrtMatchesDefault()
    {
        DnnNetwork net = DnnLoader.LoadNetwork(TestPaths.Model("mmod_front_and_rear_end_vehicle_detector.dat.bz2"));
        RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile("images/mmod_cars_test_image.jpg"));
        IReadOnlyList<MmodDetection> ours = new MmodDetector(net, 1).Detect(img);
        using var ort = new OrtForwardPass(net, 1);
        Assert.Equal(1, ort.MaxThreads);
        IReadOnlyList<MmodDetection> theirs = new MmodDetector(ort).Detect(img);
        Assert.NotEmpty(ours);
        Assert.Equal(ours.Count, theirs.Count);
        for (int i = 0; i < ours.Count; i++)
        {
            Assert.Equal(ours[i].Rect, theirs[i].Rect);
            Assert.Equal(ours[i].Label, theirs[i].Label);
            Assert.InRange(Math.Abs(ours[i].Confidence - theirs[i].Confidence), 0, 1e-4 * Math.Max(1, Math.Abs(ours[i].Confidence)));
        }
    }

    /// <summary>A network the exporter cannot write is refused when the adapter is created, naming the layer.</summary>
    [Fact]
    public void UnsupportedLayerIsRefusedUpFront()
    {
        var net = new DnnNetwork(new InputLayer(InputKind.RgbImage, 0, 0, 0), [new OddLayer()], new MulticlassLogLoss(), "test");
        NotSupportedException e = Assert.Throws<NotSupportedException>(() => new OrtForwardPass(net));
        Assert.Contains("odd_layer", e.Message, StringComparison.Ordinal);
    }

    private sealed class OddLayer : Layer
    {
        public override string Kind => "odd_layer";
    }
}
