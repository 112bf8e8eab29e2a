using BenchmarkDotNet.Attributes;
using DlibModels.Detection.Hog;
using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Benchmarks.Detection.Hog;

/// <summary>The HOG face detector: fHOG features of one level, and the whole pyramid scan.</summary>
public class HogBenchmarks
{
    private RgbImage? _image;

    /// <summary>Image under shared/images/faces.</summary>
    [Params("2008_001322.jpg", "bald_guys.jpg")]
    public string Image { get; set; } = "2008_001322.jpg";

    /// <summary>Threads (pyramid levels scanned at once).</summary>
    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    /// <summary>Decodes the image and loads the detector.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _image = ImageFile.LoadRgb(Machine.Data("images/faces/" + Image));
        _ = HogObjectDetector.FrontalFace;
    }

    /// <summary>fHOG of the full-resolution image (cell 8, the detector's padding).</summary>
    [Benchmark]
    public int FHogLevel0()
    {
        HogPlanes p = FHog.Extract(_image!.Pixels, _image.Rows, _image.Cols, 3, 8, 10, 10, pooled: false);
        return p.Rows;
    }

    /// <summary><c>detector(img)</c>: pyramid, fHOG, 5 filters, non-max suppression.</summary>
    [Benchmark]
    public int Detect() => HogObjectDetector.FrontalFace.Detect(_image!, 0, Threads).Count;
}
