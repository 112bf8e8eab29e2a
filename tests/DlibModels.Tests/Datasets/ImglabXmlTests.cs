using System.Text;
using DlibModels.Datasets;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Datasets;

public sealed class ImglabXmlTests
{
    [Fact]
    public void LoadsFaces5AndCountsBoxesAndParts()
    {
        ImageDataset d = ImglabXml.Load(TestPaths.SharedFile("datasets/faces5/training.xml"));
        Assert.Equal("5-point faces (train)", d.Name);
        Assert.Equal(53, d.Images.Count);
        DatasetStats s = DatasetTransforms.Stats(d);
        Assert.Equal(196, s.Boxes);
        Assert.Equal(98, s.Labels["hog"]);
        Assert.Equal(["00", "01", "02", "03", "04"], s.PartNames);
        DatasetBox first = d.Images[0].Boxes[0];
        Assert.Equal(new Rectangle(23, 28, 23 + 45 - 1, 28 + 46 - 1), first.Rect);
        Assert.Equal("hog", first.Label);
        Assert.Equal(new Point(60, 42), first.Parts["00"]);
        Assert.True(File.Exists(d.ResolvePath(d.Images[0])));
    }

    [Theory]
    [InlineData("datasets/faces5/training.xml")]
    [InlineData("datasets/faces5/testing.xml")]
    [InlineData("images/faces/training_with_face_landmarks.xml")]
    [InlineData("images/faces/testing.xml")]
    public void DlibWrittenFilesRoundTripByteForByte(string relative)
    {
        string path = TestPaths.SharedFile(relative);
        byte[] original = File.ReadAllBytes(path);
        byte[] written = ImglabXml.ToBytes(ImglabXml.Load(path));
        Assert.Equal(Encoding.Latin1.GetString(original).TrimEnd('\n'), Encoding.Latin1.GetString(written).TrimEnd('\n'));
    }

    [Fact]
    public void AllBoxAttributesRoundTrip()
    {
        var d = new ImageDataset { Name = "n & m", Comment = "c" };
        var img = new DatasetImage { File = "a b/x.jpg", Width = 640, Height = 480 };
        var box = new DatasetBox
        {
            Rect = new Rectangle(10, 20, 49, 79),
            Label = "face",
            Difficult = true,
            Truncated = true,
            Occluded = true,
            Ignore = true,
            Pose = 12.5,
            DetectionScore = -0.75,
            Angle = 1e-5,
            Age = 33,
            Gender = BoxGender.Female,
        };
        box.Parts["right"] = new Point(3, -4);
        box.Parts["left"] = new Point(1, 2);
        img.Boxes.Add(box);
        img.Boxes.Add(new DatasetBox { Rect = new Rectangle(0, 0, 0, 0) });
        d.Images.Add(img);
        d.Images.Add(new DatasetImage { File = "empty.png" });

        byte[] bytes = ImglabXml.ToBytes(d);
        string text = Encoding.Latin1.GetString(bytes);
        Assert.Contains("<box top='20' left='10' width='40' height='60' difficult='1' truncated='1' occluded='1' ignore='1' angle='1e-05' age='33' gender='female' pose='12.5' detection_score='-0.75'>", text, StringComparison.Ordinal);
        Assert.Contains("      <part name='left' x='1' y='2'/>\n      <part name='right' x='3' y='-4'/>", text, StringComparison.Ordinal);
        Assert.Contains("<box top='0' left='0' width='1' height='1'/>", text, StringComparison.Ordinal);
        Assert.Contains("<image file='empty.png'>", text, StringComparison.Ordinal);

        ImageDataset back = ImglabXml.Read(new MemoryStream(bytes));
        Assert.Equal(bytes, ImglabXml.ToBytes(back));
        DatasetBox b = back.Images[0].Boxes[0];
        Assert.Equal(box.Rect, b.Rect);
        Assert.True(b.Ignore && b.Difficult && b.Truncated && b.Occluded);
        Assert.Equal(12.5, b.Pose);
        Assert.Equal(-0.75, b.DetectionScore);
        Assert.Equal(BoxGender.Female, b.Gender);
        Assert.Equal("n & m", back.Name);
    }

    [Fact]
    public void FormatsDoublesAsCppStreams()
    {
        Assert.Equal("0.1", ImglabXml.FormatDouble(0.1));
        Assert.Equal("1e-05", ImglabXml.FormatDouble(1e-5));
        Assert.Equal("1.23457e+08", ImglabXml.FormatDouble(123456789));
        Assert.Equal("123457", ImglabXml.FormatDouble(123456.7));
        Assert.Equal("-3", ImglabXml.FormatDouble(-3));
    }

    [Fact]
    public void RejectsMissingAttributesWithLineNumbers()
    {
        byte[] bad = Encoding.ASCII.GetBytes("<dataset><images>\n<image file='a.jpg'>\n<box top='1' left='2' width='3'/></image></images></dataset>");
        var e = Assert.Throws<ImglabFormatException>(() => ImglabXml.Read(new MemoryStream(bad)));
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("height", e.Message, StringComparison.Ordinal);
        Assert.Throws<ImglabFormatException>(() => ImglabXml.Read(new MemoryStream(Encoding.ASCII.GetBytes("<images/>"))));
    }

    [Fact]
    public void ObjectsWithPartsFollowLoadImageDataset()
    {
        var d = new ImageDataset();
        var img = new DatasetImage { File = "x.jpg" };
        var a = new DatasetBox { Rect = new Rectangle(0, 0, 9, 9) };
        a.Parts["b"] = new Point(5, 5);
        var ign = new DatasetBox { Rect = new Rectangle(1, 1, 2, 2), Ignore = true };
        var c = new DatasetBox { Rect = new Rectangle(0, 0, 19, 19), Label = "L" };
        c.Parts["a"] = new Point(1, 1);
        c.Parts["b"] = new Point(2, 2);
        img.Boxes.AddRange([a, ign, c]);
        d.Images.Add(img);
        d.Images.Add(new DatasetImage { File = "y.jpg" });

        IReadOnlyList<LabeledImage> all = d.ObjectsWithParts();
        Assert.Equal(2, all.Count);
        Assert.Equal(2, all[0].Objects.Count);
        Assert.Equal(DatasetBox.PartNotPresent, all[0].Objects[0].Part(0));
        Assert.Equal(new Point(5, 5), all[0].Objects[0].Part(1));
        Assert.Equal([new Rectangle(1, 1, 2, 2)], all[0].Ignored);
        Assert.Single(d.ObjectsWithParts(skipEmptyImages: true));
        IReadOnlyList<LabeledImage> labelled = d.ObjectsWithParts(b => b.Label == "L");
        Assert.Single(labelled[0].Objects);
    }
}
