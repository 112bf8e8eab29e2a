using System.Text.Json;
using DlibModels.Clustering;
using DlibModels.Randomness;
using DlibModels.Tests.Landmarks;

namespace DlibModels.Tests.Clustering;

public class ChineseWhispersTests
{
    [Theory]
    [InlineData("cluster_bald_guys.json")]
    [InlineData("cluster_bald_guys_sp5.json")]
    public void BaldGuysLabelsMatchDlib(string golden)
    {
        using JsonDocument doc = LandmarkGoldens.Load(golden);
        JsonElement r = doc.RootElement.GetProperty("results")[0];
        double threshold = doc.RootElement.GetProperty("threshold").GetDouble();
        double[][] dist = r.GetProperty("distances").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var edges = new List<SamplePair>();
        for (int i = 0; i < dist.Length; i++)
        {
            for (int j = i; j < dist.Length; j++)
            {
                if (dist[i][j] < threshold)
                {
                    edges.Add(new SamplePair(i, j));
                }
            }
        }

        Assert.Equal(r.GetProperty("num_edges").GetInt32(), edges.Count);
        int n = ChineseWhispers.Cluster(edges, out int[] labels);
        Assert.Equal(r.GetProperty("num_clusters").GetInt32(), n);
        Assert.Equal(r.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray(), labels);
    }

    [Fact]
    public void JohnsChipsClustersMatchDlib()
    {
        using JsonDocument desc = LandmarkGoldens.Load("descriptors_chips.json");
        using JsonDocument cl = LandmarkGoldens.Load("cluster_johns_chips.json");
        float[][] d = desc.RootElement.GetProperty("results").EnumerateArray()
            .Select(x => x.GetProperty("descriptor").EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        var edges = new List<SamplePair>();
        for (int i = 0; i < d.Length; i++)
        {
            for (int j = i; j < d.Length; j++)
            {
                float s = 0;
                for (int k = 0; k < d[i].Length; k++)
                {
                    float t = d[i][k] - d[j][k];
                    s += t * t;
                }

                if (MathF.Sqrt(s) < 0.6f)
                {
                    edges.Add(new SamplePair(i, j));
                }
            }
        }

        Assert.Equal(cl.RootElement.GetProperty("num_edges").GetInt32(), edges.Count);
        int n = ChineseWhispers.Cluster(edges, out int[] labels);
        Assert.Equal(cl.RootElement.GetProperty("num_clusters").GetInt32(), n);
        Assert.Equal(cl.RootElement.GetProperty("results").EnumerateArray().Select(x => x.GetProperty("cluster").GetInt32()).ToArray(), labels);
    }

    [Fact]
    public void EmptyAndSingleNodeGraphs()
    {
        Assert.Equal(0, ChineseWhispers.Cluster([], out int[] labels));
        Assert.Empty(labels);
        Assert.Equal(1, ChineseWhispers.Cluster([new SamplePair(0, 0)], out labels));
        Assert.Equal([0], labels);
    }

    [Fact]
    public void TwoComponentsGetTwoLabelsAndIsolatedNodesKeepTheirOwn()
    {
        var edges = new List<SamplePair> { new(0, 1), new(1, 2), new(4, 3), new(3, 3), new(6, 6) };
        int n = ChineseWhispers.Cluster(edges, out int[] labels, 100, new DlibRandom());
        Assert.Equal(7, labels.Length);
        Assert.Equal(labels[0], labels[1]);
        Assert.Equal(labels[1], labels[2]);
        Assert.Equal(labels[3], labels[4]);
        Assert.NotEqual(labels[0], labels[3]);
        Assert.Equal(0, labels[0]);
        Assert.Equal(4, n); // {0,1,2}, {3,4}, {5} (no edges), {6}
    }

    [Fact]
    public void SamplePairOrdersIndices()
    {
        var p = new SamplePair(5, 2, 0.5);
        Assert.Equal(2, p.Index1);
        Assert.Equal(5, p.Index2);
        Assert.Equal(0.5, p.Distance);
    }
}
