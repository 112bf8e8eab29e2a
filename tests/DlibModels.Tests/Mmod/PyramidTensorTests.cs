using System.Text.Json;
using DlibModels.Detection.Mmod;
using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Imaging;
using DlibModels.Tests.Engine;

namespace DlibModels.Tests.Mmod;

/// <summary>The MMOD input tensor against <c>pyramid.json</c>'s <c>dnn_input_tensor</c> (no model needed).</summary>
public sealed class PyramidTensorTests
{
    private static readonly InputLayer Input = new(InputKind.RgbImagePyramid, 122.782f, 117.001f, 104.298f);

    /// <summary>Image paths in pyramid.json.</summary>
    public static TheoryData<string> Images()
    {
        var data = new TheoryData<string>();
        using JsonDocument doc = EngineTestUtil.Golden("pyramid.json");
        foreach (JsonElement r in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            data.Add(r.GetProperty("image").GetString()!);
        }

        return data;
    }

    /// <summary>Shape, tile rects, per-level sums and sample values, and whole-tensor statistics.</summary>
    [Theory]
    [MemberData(nameof(Images))]
    public void MatchesDlibTensor(string image)
    {
        using JsonDocument doc = EngineTestUtil.Golden("pyramid.json");
        JsonElement result = doc.RootElement.GetProperty("results").EnumerateArray().First(r => r.GetProperty("image").GetString() == image);
        JsonElement golden = result.GetProperty("dnn_input_tensor");
        RgbImage img = EngineTestUtil.LoadDecoded(image);

        (Tensor t, Rectangle[] rects) = MmodPyramid.ToTensor(Input, new[] { img });
        using (t)
        {
            int[] shape = golden.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(shape, t.Shape);
            JsonElement[] levels = golden.GetProperty("levels").EnumerateArray().ToArray();
            Assert.Equal(levels.Length, rects.Length);
            int plane = t.PlaneSize;
            float[] d = t.Buffer;
            for (int i = 0; i < levels.Length; i++)
            {
                JsonElement lv = levels[i];
                JsonElement rr = lv.GetProperty("rect");
                var expected = new Rectangle(rr.GetProperty("left").GetInt64(), rr.GetProperty("top").GetInt64(), rr.GetProperty("right").GetInt64(), rr.GetProperty("bottom").GetInt64());
                Assert.Equal(expected, rects[i]);
                double[] sums = lv.GetProperty("sum_rgb").EnumerateArray().Select(e => e.GetDouble()).ToArray();
                float[] tl = lv.GetProperty("value_at_top_left").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                float[] ce = lv.GetProperty("value_at_center").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                int cx = lv.GetProperty("center")[0].GetInt32();
                int cy = lv.GetProperty("center")[1].GetInt32();
                for (int ch = 0; ch < 3; ch++)
                {
                    double sum = 0;
                    for (long y = expected.Top; y <= expected.Bottom; y++)
                    {
                        for (long x = expected.Left; x <= expected.Right; x++)
                        {
                            sum += d[(ch * plane) + (y * t.Cols) + x];
                        }
                    }

                    EngineTestUtil.Close(sums[ch], sum, 1e-9, 1e-9, $"level {i} channel {ch} sum");
                    Assert.Equal(tl[ch], t[0, ch, (int)expected.Top, (int)expected.Left]);
                    Assert.Equal(ce[ch], t[0, ch, cy, cx]);
                }
            }

            JsonElement total = golden.GetProperty("total");
            LayerStatistics s = LayerStatistics.Of(0, "input", t);
            EngineTestUtil.Close(total.GetProperty("sum").GetDouble(), s.Sum, 1e-9, 1e-9, "total sum");
            EngineTestUtil.Close(total.GetProperty("std").GetDouble(), s.Std, 1e-9, 1e-12, "total std");
            Assert.Equal(total.GetProperty("min").GetSingle(), (float)s.Min);
            Assert.Equal(total.GetProperty("max").GetSingle(), (float)s.Max);
        }
    }
}
