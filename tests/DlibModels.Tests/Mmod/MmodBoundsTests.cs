using DlibModels.Detection.Mmod;
using DlibModels.Dnn.Format;
using DlibModels.Imaging;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Mmod;

/// <summary>Huge inputs are refused up front with a message, instead of exhausting memory.</summary>
public sealed class MmodBoundsTests
{
    [SkippableFact]
    public void An_image_over_the_pixel_bound_is_refused_before_any_work()
    {
        var detector = new MmodDetector(DnnLoader.LoadNetwork(TestPaths.Model("mmod_human_face_detector.dat.bz2")));
        var huge = new RgbImage(4000, 6001);
        var e = Assert.Throws<ArgumentException>(() => detector.Detect(huge));
        Assert.Contains("6001x4000", e.Message);
        Assert.Contains(MmodDetector.MaxPixels.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }
}
