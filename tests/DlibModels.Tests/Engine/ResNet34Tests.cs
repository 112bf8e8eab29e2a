using System.Globalization;
using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Dnn.Format;
using DlibModels.Imaging;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Engine;

/// <summary>The ResNet34 stand-in (input_rgb_image_sized&lt;227&gt;) against dlib's logits for a synthetic image.</summary>
public sealed class ResNet34Tests
{
    private const string Model = "standin/resnet34_1000_imagenet_classifier.random.dnn.bz2";
    private const string Logits = "standin/resnet34_1000_imagenet_classifier.random.reference_logits.txt";

    /// <summary>synthetic_A(r,c) = rgb((7r+3c)%256, (2r+5c)%256, (r·c)%256): all 1000 fc outputs within 1e-3.</summary>
    [SkippableFact]
    public void SyntheticLogitsMatchDlib()
    {
        DnnNetwork net = DnnLoader.LoadNetwork(TestPaths.Model(Model));
        string line = File.ReadLines(TestPaths.Model(Logits)).First(l => l.StartsWith("synthetic_A ", StringComparison.Ordinal));
        double[] expected = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(1000, expected.Length);

        var img = new RgbImage(227, 227);
        for (int r = 0; r < 227; r++)
        {
            for (int c = 0; c < 227; c++)
            {
                int o = ((r * 227) + c) * 3;
                img.Pixels[o] = (byte)(((7 * r) + (3 * c)) % 256);
                img.Pixels[o + 1] = (byte)(((2 * r) + (5 * c)) % 256);
                img.Pixels[o + 2] = (byte)((r * c) % 256);
            }
        }

        using Tensor input = InputTensors.FromRgbImages(net.Input, new[] { img });
        using Tensor output = new DnnExecutor(net, 2).Forward(input);
        Assert.Equal(new[] { 1, 1000, 1, 1 }, output.Shape);
        double worst = 0;
        for (int i = 0; i < 1000; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - output[0, i, 0, 0]));
        }

        Assert.True(worst < 1e-3, $"largest logit difference {worst:G3}");
    }
}
