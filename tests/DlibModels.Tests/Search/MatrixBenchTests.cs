using System.Diagnostics;
using DlibModels.Search;
using Xunit.Abstractions;

namespace DlibModels.Tests.Search;

/// <summary>A timing of exact search over synthetic descriptors; runs only with DLIB_INDEX_BENCH=N (faces).</summary>
public sealed class MatrixBenchTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void SyntheticSearchTiming()
    {
        string? n = Environment.GetEnvironmentVariable("DLIB_INDEX_BENCH");
        Skip.If(string.IsNullOrEmpty(n), "set DLIB_INDEX_BENCH=FACES to time a search");
        int faces = int.Parse(n, System.Globalization.CultureInfo.InvariantCulture);
        var rng = new Random(5);
        var d = new float[FaceIndex.Dimension];
        var sw = Stopwatch.StartNew();
        var m = new DescriptorMatrix(FaceIndex.Dimension, faces);
        for (int i = 0; i < faces; i++)
        {
            for (int j = 0; j < d.Length; j++)
            {
                d[j] = (float)(rng.NextDouble() - 0.5) * 0.2f;
            }

            m.Add(i + 1, i % 1000, d);
        }

        double build = sw.Elapsed.TotalMilliseconds;
        var times = new List<double>();
        for (int q = 0; q < 200; q++)
        {
            for (int j = 0; j < d.Length; j++)
            {
                d[j] = (float)(rng.NextDouble() - 0.5) * 0.2f;
            }

            sw.Restart();
            Assert.Equal(5, m.Search(d, 5).Length);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        output.WriteLine($"faces {faces} kernel {DescriptorMatrix.HardwareKernel} build {build:F0} ms median {times[times.Count / 2]:F2} ms p99 {times[(int)(times.Count * 0.99)]:F2} ms matrix {m.MemoryBytes / 1048576} MiB RSS {Process.GetCurrentProcess().WorkingSet64 / 1048576} MiB");
    }
}
