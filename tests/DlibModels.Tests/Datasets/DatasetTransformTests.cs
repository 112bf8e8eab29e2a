using DlibModels.Datasets;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Tests.Support;
using DlibModels.Training;

namespace DlibModels.Tests.Datasets;

public sealed class DatasetTransformTests
{
    [Theory]
    [InlineData(5)]
    [InlineData(68)]
    public void FaceMirrorMapsArePermutationsAndInvolutions(int parts)
    {
        int[] m = DatasetTransforms.FaceMirrorMap(parts)!;
        Assert.Equal(parts, m.Distinct().Count());
        for (int i = 0; i < parts; i++)
        {
            Assert.Equal(i, m[m[i]]);
        }

        Assert.Null(DatasetTransforms.FaceMirrorMap(7));
    }

    [Fact]
    public void FlipRectMatchesDlib()
    {
        // flip_rect_left_right in a 100-column image: left 10 (width 21) -> right 89, left 69.
        Assert.Equal(new Rectangle(69, 5, 89, 30), DatasetTransforms.FlipRect(new Rectangle(10, 5, 30, 30), 100));
        Assert.Equal(new Point(89, 7), DatasetTransforms.FlipPoint(new Point(10, 7), 100));
    }

    [Fact]
    public void FlippedFacesKeepTheirLayout()
    {
        ImageDataset d = ImglabXml.Load(TestPaths.SharedFile("images/faces/training_with_face_landmarks.xml"));
        ImageDataset f = DatasetTransforms.FlipLeftRight(d, _ => 500, i => "flipped_" + i.File);
        Assert.Equal(d.Images.Count, f.Images.Count);
        Assert.Equal("flipped_" + d.Images[0].File, f.Images[0].File);
        for (int i = 0; i < d.Images.Count; i++)
        {
            for (int j = 0; j < d.Images[i].Boxes.Count; j++)
            {
                DatasetBox o = d.Images[i].Boxes[j], b = f.Images[i].Boxes[j];
                Assert.Equal(o.Rect.Right - o.Rect.Left, b.Rect.Right - b.Rect.Left);
                // Image-left eye corner (36) stays left of the image-right one (45), jaw 0 left of 16.
                Assert.True(b.Parts["36"].X < b.Parts["45"].X);
                Assert.True(b.Parts["00"].X < b.Parts["16"].X);
                Assert.Equal(499 - o.Parts["45"].X, b.Parts["36"].X);
                Assert.Equal(o.Parts["30"].Y, b.Parts["30"].Y);
            }
        }

        ImageDataset basic = DatasetTransforms.FlipLeftRight(d, _ => 500, i => i.File, adjustParts: false);
        Assert.Equal(499 - d.Images[0].Boxes[0].Parts["36"].X, basic.Images[0].Boxes[0].Parts["36"].X);
    }

    [Fact]
    public void SplitsFollowImglab()
    {
        ImageDataset d = ImglabXml.Load(TestPaths.SharedFile("datasets/faces5/training.xml"));
        (ImageDataset train, ImageDataset test) = DatasetTransforms.SplitTrainTest(d, 0.75);
        Assert.Equal(40, train.Images.Count); // round(0.75 * 53) = 39.75 -> 40
        Assert.Equal(13, test.Images.Count);
        Assert.Equal(d.Images[40].File, test.Images[0].File);
        (ImageDataset with, ImageDataset without) = DatasetTransforms.SplitByLabel(d, "cnn");
        Assert.Equal(53, with.Images.Count);
        Assert.Empty(without.Images);
        ImageDataset hogOnly = DatasetTransforms.FilterBoxes(d, b => b.Label == "hog");
        Assert.Equal(98, hogOnly.Images.Sum(i => i.Boxes.Count));
    }

    [Fact]
    public void TrainingSetFlipAndUpsampleMoveImagesAndParts()
    {
        var img = new GrayImage(20, 30);
        img.Pixels[(5 * 30) + 2] = 200;
        var set = new LandmarkTrainingSet();
        set.Images.Add(img);
        set.Objects.Add([new FullObjectDetection(new Rectangle(1, 2, 11, 12), [new Point(2, 5), new Point(8, 6), new Point(5, 3), new Point(6, 4), new Point(4, 9)])]);
        set.AddLeftRightFlips(DatasetTransforms.FaceMirrorMap(5));
        Assert.Equal(2, set.Images.Count);
        Assert.Equal(200, set.Images[1].Pixels[(5 * 30) + 27]);
        FullObjectDetection f = set.Objects[1][0];
        Assert.Equal(new Rectangle(18, 2, 28, 12), f.Rect);
        Assert.Equal(new Point(24, 3), f.Part(0)); // old part 2 (5,3) mirrored, now index 0
        Assert.Equal(new Point(27, 5), f.Part(2)); // old part 0 (2,5)
        Assert.Equal(new Point(25, 9), f.Part(4));

        set.Upsample();
        Assert.Equal(PyramidUp.UpSize(20, 30), (set.Images[0].Rows, set.Images[0].Cols));
        Assert.Equal(PyramidDown2.RectUp(new Rectangle(1, 2, 11, 12)), set.Objects[0][0].Rect);
    }
}
