using System.Text.Json;
using DlibModels.Detection.Mmod;
using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Dnn.Format;
using DlibModels.Imaging;
using DlibModels.Tests.Engine;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Mmod;

/// <summary>Every layer's output statistics of the MMOD nets against dlib's layer dumps.</summary>
public sealed class MmodLayerTests
{
    /// <summary>The face detector on faces/2007_007763 and the rear-end vehicle net on the first car image.</summary>
    [SkippableTheory]
    [InlineData("layers_mmod_human_face_detector.json", "mmod_human_face_detector.dat.bz2")]
    [InlineData("layers_mmod_rear_end_vehicle_detector.json", "mmod_rear_end_vehicle_detector.dat.bz2")]
    public void LayerStatisticsMatchDlib(string goldenFile, string model)
    {
        DnnNetwork net = DnnLoader.LoadNetwork(TestPaths.Model(model));
        using JsonDocument doc = EngineTestUtil.Golden(goldenFile);
        JsonElement result = doc.RootElement.GetProperty("results")[0];
        RgbImage img = EngineTestUtil.LoadDecoded(result.GetProperty("image").GetString()!);
        (Tensor input, _) = MmodPyramid.ToTensor(net.Input, new[] { img });
        using (input)
        {
            IReadOnlyList<LayerStatistics> stats = new DnnExecutor(net, 2).ForwardWithStatistics(input, out Tensor output);
            output.Dispose();
            LayerStatsAssert.Match(result.GetProperty("layers"), stats);
        }
    }
}

/// <summary>Compares a dlibref <c>layers</c> array with the executor's statistics.</summary>
internal static class LayerStatsAssert
{
    /// <summary>Shapes exactly; mean, std, min, max, sum and first8 to 1e-4 relative (scaled by the layer's spread).</summary>
    public static void Match(JsonElement layers, IReadOnlyList<LayerStatistics> stats, double rel = 1e-4)
    {
        JsonElement[] g = layers.EnumerateArray().ToArray();
        Assert.Equal(g.Length, stats.Count);
        double worst = 0;
        string worstWhat = "";
        for (int i = 0; i < g.Length; i++)
        {
            JsonElement e = g[i];
            LayerStatistics s = stats[i];
            string what = $"layer {e.GetProperty("index").GetInt32()} ({e.GetProperty("layer").GetString()})";
            Assert.Equal(e.GetProperty("index").GetInt32(), s.Index);
            Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(), s.Shape.ToArray());
            double std = e.GetProperty("std").GetDouble();
            double count = s.Shape.Aggregate(1.0, (a, b) => a * b);
            double scale = Math.Max(std, 1e-6);
            void Check(string name, double expected, double actual, double floor)
            {
                double err = Math.Abs(expected - actual) / Math.Max(Math.Abs(expected), floor);
                if (err > worst)
                {
                    worst = err;
                    worstWhat = $"{what} {name}: expected {expected:R}, got {actual:R}";
                }

                Assert.True(err <= rel, $"{what} {name}: expected {expected:R}, got {actual:R} (relative error {err:G3})");
            }

            Check("mean", e.GetProperty("mean").GetDouble(), s.Mean, scale);
            Check("std", std, s.Std, scale);
            Check("min", e.GetProperty("min").GetDouble(), s.Min, scale);
            Check("max", e.GetProperty("max").GetDouble(), s.Max, scale);
            Check("sum", e.GetProperty("sum").GetDouble(), s.Sum, scale * count);
            float[] f8 = e.GetProperty("first8").EnumerateArray().Select(x => x.GetSingle()).ToArray();
            for (int j = 0; j < f8.Length; j++)
            {
                Check($"first8[{j}]", f8[j], s.First8[j], scale);
            }
        }

        Console.WriteLine($"worst relative layer-stat error {worst:G3}: {worstWhat}");
    }
}
