using System.Diagnostics;
using DlibModels.Detection.Hog;
using DlibModels.Imaging;
using Xunit.Abstractions;

namespace DlibModels.Tests.Hog;

public class HogTimingTests
{
    private readonly ITestOutputHelper _output;

    public HogTimingTests(ITestOutputHelper output) => _output = output;

    /// <summary>Informational timing; runs only with DLIB_BENCH=1 (use a Release build).</summary>
    [SkippableFact]
    public void ReportsDetectionTime()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("DLIB_BENCH") == "1", "timing runs only with DLIB_BENCH=1");
        HogObjectDetector detector = HogObjectDetector.FrontalFace;
        foreach (string name in new[] { "images/faces/2007_007763.jpg", "images/faces/bald_guys.jpg" })
        {
            RgbImage img = HogTestSupport.LoadDecoded(name);
            int n = detector.Detect(img).Count;
            var sw = Stopwatch.StartNew();
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            const int runs = 3;
            for (int i = 0; i < runs; i++)
            {
                Assert.Equal(n, detector.Detect(img).Count);
            }

            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / runs;
            _output.WriteLine($"{name} {img.Cols}x{img.Rows}: {sw.Elapsed.TotalMilliseconds / runs:F1} ms wall, {cpu:F1} ms process CPU per Detect, {n} faces");
            sw.Restart();
            for (int i = 0; i < runs; i++)
            {
                Assert.Equal(n, detector.Detect(img, 0, -1).Count);
            }

            _output.WriteLine($"  with maxDegreeOfParallelism -1 ({Environment.ProcessorCount} cores): {sw.Elapsed.TotalMilliseconds / runs:F1} ms wall");
        }
    }
}
