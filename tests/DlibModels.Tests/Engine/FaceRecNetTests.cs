using System.Text.Json;
using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Dnn.Format;
using DlibModels.Imaging;
using DlibModels.Tests.Mmod;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Engine;

/// <summary>The face recognition ResNet stand-in run by the executor: layer dump and chip descriptors.</summary>
public sealed class FaceRecNetTests
{
    private const string Model = "standin/dlib_face_recognition_resnet_model_v1.faceapi.dat.bz2";
    private static readonly Lazy<DnnNetwork> Net = new(() => DnnLoader.LoadNetwork(TestPaths.Model(Model)));

    /// <summary>Every layer (tags, skips, add_prev with zero-extension, avg_pool_everything, fc) on one chip.</summary>
    [SkippableFact]
    public void LayerStatisticsMatchDlib()
    {
        TestPaths.Model(Model);
        using JsonDocument doc = EngineTestUtil.Golden("layers_facerec.json");
        JsonElement result = doc.RootElement.GetProperty("results")[0];
        RgbImage chip = EngineTestUtil.LoadDecoded(result.GetProperty("image").GetString()!);
        using Tensor input = InputTensors.FromRgbImages(Net.Value.Input, new[] { chip });
        IReadOnlyList<LayerStatistics> stats = new DnnExecutor(Net.Value, 2).ForwardWithStatistics(input, out Tensor output);
        output.Dispose();
        LayerStatsAssert.Match(result.GetProperty("layers"), stats);
    }

    /// <summary>The 12 johns chips in one batch: 128-d descriptors within 1e-3 (L2) of dlib's.</summary>
    [SkippableFact]
    public void ChipDescriptorsMatchDlib()
    {
        TestPaths.Model(Model);
        using JsonDocument doc = EngineTestUtil.Golden("descriptors_chips.json");
        JsonElement[] results = doc.RootElement.GetProperty("results").EnumerateArray().ToArray();
        RgbImage[] chips = results.Select(r => EngineTestUtil.LoadDecoded(r.GetProperty("image").GetString()!)).ToArray();
        using Tensor input = InputTensors.FromRgbImages(Net.Value.Input, chips);
        using Tensor output = new DnnExecutor(Net.Value, 2).Forward(input);
        Assert.Equal(new[] { chips.Length, 128, 1, 1 }, output.Shape);
        double worst = 0;
        for (int i = 0; i < results.Length; i++)
        {
            float[] expected = results[i].GetProperty("descriptor").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            double sq = 0;
            for (int j = 0; j < 128; j++)
            {
                double d = expected[j] - output[i, j, 0, 0];
                sq += d * d;
            }

            double l2 = Math.Sqrt(sq);
            worst = Math.Max(worst, l2);
            Assert.True(l2 < 1e-3, $"chip {i}: descriptor L2 distance {l2:G3}");
        }

        Console.WriteLine($"worst descriptor L2 distance {worst:G3}");
    }
}
