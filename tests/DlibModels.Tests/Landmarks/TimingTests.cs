using System.Diagnostics;
using DlibModels.Faces;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using Xunit.Abstractions;

namespace DlibModels.Tests.Landmarks;

public class TimingTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void ReportTimings()
    {
        ShapePredictor sp = LandmarkGoldens.Sp68.Value;
        RgbImage img = LandmarkGoldens.LoadDecoded("images/faces/2008_001322.jpg");
        var rect = new Rectangle(342, 146, 446, 250);
        FullObjectDetection det = sp.Predict(img, rect);
        for (int i = 0; i < 50; i++)
        {
            det = sp.Predict(img, rect);
        }

        const int n = 300;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            det = sp.Predict(img, rect);
        }

        double perFace = sw.Elapsed.TotalMilliseconds / n;
        ChipDetails cd = FaceChips.GetFaceChipDetails(det, 150, 0.25);
        for (int i = 0; i < 20; i++)
        {
            FaceChips.ExtractImageChip(img, cd);
        }

        sw.Restart();
        for (int i = 0; i < n; i++)
        {
            FaceChips.ExtractImageChip(img, cd);
        }

        double perChip = sw.Elapsed.TotalMilliseconds / n;
        output.WriteLine($"68-point predict: {perFace:F3} ms/face; 150x150 chip: {perChip:F3} ms/chip");
        Assert.True(perFace < 1000);
    }
}
