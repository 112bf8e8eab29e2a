using DlibModels.Detection.Hog;
using DlibModels.Imaging;

namespace DlibModels.Tests.Hog;

public class HogEdgeTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(3, 200)]
    [InlineData(200, 3)]
    [InlineData(17, 17)]
    [InlineData(40, 40)]
    [InlineData(79, 81)]
    [InlineData(96, 130)]
    public void SmallImagesGiveNoErrors(int rows, int cols)
    {
        HogObjectDetector d = HogObjectDetector.FrontalFace;
        var rgb = new RgbImage(rows, cols);
        var rnd = new Random(rows * 1000 + cols);
        rnd.NextBytes(rgb.Pixels);
        Assert.NotNull(d.Detect(rgb, -2));
        Assert.NotNull(d.Detect(GrayImage.FromRgb(rgb), -2));
        Assert.NotNull(PyramidUp.Up(rgb));
        Assert.NotNull(PyramidDown6.Down(rgb));
    }

    [Fact]
    public void LowerThresholdGivesSupersetAndSortedScores()
    {
        HogObjectDetector d = HogObjectDetector.FrontalFace;
        RgbImage img = HogTestSupport.LoadDecoded("images/faces/2008_001322.jpg");
        IReadOnlyList<HogDetection> strict = d.Detect(img);
        IReadOnlyList<HogDetection> loose = d.Detect(img, -0.5);
        Assert.True(loose.Count >= strict.Count);
        for (int i = 1; i < loose.Count; i++)
        {
            Assert.True(loose[i - 1].Score >= loose[i].Score);
        }

        Assert.All(loose, x => Assert.True(x.Score >= -0.5));
    }

    [Fact]
    public void ParallelCallsGiveTheSameAnswer()
    {
        HogObjectDetector d = HogObjectDetector.FrontalFace;
        RgbImage img = HogTestSupport.LoadDecoded("images/faces/2008_001322.jpg");
        IReadOnlyList<HogDetection> expected = d.Detect(img);
        var results = new IReadOnlyList<HogDetection>[4];
        Parallel.For(0, results.Length, i => results[i] = d.Detect(img));
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void InternalParallelismGivesTheSameAnswer()
    {
        HogObjectDetector d = HogObjectDetector.FrontalFace;
        RgbImage img = HogTestSupport.LoadDecoded("images/faces/bald_guys.jpg");
        Assert.Equal(d.Detect(img, -0.3), d.Detect(img, -0.3, maxDegreeOfParallelism: -1));
        GrayImage gray = GrayImage.FromRgb(HogTestSupport.LoadDecoded("images/faces/2008_001322.jpg"));
        Assert.Equal(d.Detect(gray, -0.5), d.Detect(gray, -0.5, maxDegreeOfParallelism: 3));
    }
}

public class StdSortTests
{
    [Fact]
    public void SortsLikeAnOrderingAndKeepsAllElements()
    {
        var rnd = new Random(5);
        foreach (int n in new[] { 0, 1, 2, 15, 16, 17, 100, 1000, 5000 })
        {
            (int Key, int Id)[] v = Enumerable.Range(0, n).Select(i => (rnd.Next(20), i)).ToArray();
            (int Key, int Id)[] copy = ((int Key, int Id)[])v.Clone();
            DlibModels.Detection.Hog.StdSort.Sort(v, (a, b) => a.Key < b.Key);
            Assert.Equal(copy.Select(x => x.Key).Order(), v.Select(x => x.Key));
            Assert.Equal(copy.Select(x => x.Id).Order(), v.Select(x => x.Id).Order());
        }
    }

    [Fact]
    public void ReproducesLibstdcxxTieOrder()
    {
        // Expected hashes from g++ 12 / libstdc++: std::sort(v.rbegin(), v.rend(), key less)
        // over (key = LCG % 7, id) pairs, hashing the ids in the final order.
        var expected = new Dictionary<int, long>
        {
            [5] = -5885820736684309672,
            [17] = 8610965557841359688,
            [40] = -7949217007107218624,
            [300] = 5254813588638074528,
            [3000] = -7975526280190393894,
        };
        uint s = 12345;
        foreach (int n in new[] { 5, 17, 40, 300, 3000 })
        {
            var v = new (int Key, int Id)[n];
            for (int i = 0; i < n; i++)
            {
                s = unchecked((s * 1103515245u) + 12345u);
                v[i] = ((int)((s >> 16) % 7), i);
            }

            DlibModels.Detection.Hog.StdSort.SortReversed(v, (a, b) => a.Key < b.Key);
            long h = 0;
            foreach ((int _, int id) in v)
            {
                h = unchecked((h * 1000003) + id);
            }

            Assert.Equal(expected[n], h);
        }
    }
}
