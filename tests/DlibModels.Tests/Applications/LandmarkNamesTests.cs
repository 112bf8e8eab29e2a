using DlibModels.Applications;
using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Tests.Applications;

public sealed class LandmarkNamesTests
{
    private static FullObjectDetection Shape(int n) =>
        new(new Rectangle(0, 0, 99, 99), Enumerable.Range(0, n).Select(i => new Point(i, 1000 + i)).ToArray());

    [Fact]
    public void Sixty_eight_points_are_grouped_like_face_recognition()
    {
        var g = LandmarkNames.Group(Shape(68));
        Assert.Equal(["chin", "left_eyebrow", "right_eyebrow", "nose_bridge", "nose_tip", "left_eye", "right_eye", "top_lip", "bottom_lip"], g.Keys);
        Assert.Equal(17, g["chin"].Count);
        Assert.Equal(Enumerable.Range(36, 6).Select(i => (long)i), g["left_eye"].Select(p => p.X));
        Assert.Equal(new long[] { 48, 49, 50, 51, 52, 53, 54, 64, 63, 62, 61, 60 }, g["top_lip"].Select(p => p.X));
        Assert.Equal(new long[] { 54, 55, 56, 57, 58, 59, 48, 60, 67, 66, 65, 64 }, g["bottom_lip"].Select(p => p.X));
    }

    [Fact]
    public void Five_points_name_the_eyes_and_the_nose_tip()
    {
        var g = LandmarkNames.Group(Shape(5));
        Assert.Equal(new long[] { 4 }, g["nose_tip"].Select(p => p.X));
        Assert.Equal(new long[] { 2, 3 }, g["left_eye"].Select(p => p.X));
        Assert.Equal(new long[] { 0, 1 }, g["right_eye"].Select(p => p.X));
        Assert.Throws<ArgumentException>(() => LandmarkNames.Group(Shape(6)));
    }
}
