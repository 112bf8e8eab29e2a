using DlibModels.Datasets;
using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Training;

/// <summary>
/// Images with their landmarked objects in memory (dlib's <c>images</c> and
/// <c>std::vector&lt;std::vector&lt;full_object_detection&gt;&gt;</c> after <c>load_image_dataset</c>),
/// as the shape predictor trainer and tester take them. Images are grayscale (as dlib's
/// train_shape_predictor example loads them); colour pixels become (r+g+b)/3.
/// </summary>
public sealed class LandmarkTrainingSet
{
    /// <summary>The images.</summary>
    public List<GrayImage> Images { get; } = [];

    /// <summary>The objects of each image (same length as <see cref="Images"/>).</summary>
    public List<List<FullObjectDetection>> Objects { get; } = [];

    /// <summary>The part names, in part-index order (from the dataset).</summary>
    public IReadOnlyList<string> PartNames { get; set; } = [];

    /// <summary>Number of objects over all images.</summary>
    public int NumObjects => Objects.Sum(o => o.Count);

    /// <summary>
    /// dlib's <c>load_image_dataset(images, objects, file)</c>: every image of the dataset (boxes
    /// marked ignore left out), parts in <see cref="ImageDataset.PartNames"/> order.
    /// </summary>
    /// <param name="dataset">The dataset metadata.</param>
    /// <param name="loadImage">Loads an image file as grayscale (e.g. <c>ImageFile.LoadGray</c>).</param>
    /// <param name="loadBox">Which boxes to load (e.g. one label); null loads all.</param>
    public static LandmarkTrainingSet Load(ImageDataset dataset, Func<string, GrayImage> loadImage, Func<DatasetBox, bool>? loadBox = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(loadImage);
        var set = new LandmarkTrainingSet { PartNames = dataset.PartNames(loadBox) };
        foreach (LabeledImage li in dataset.ObjectsWithParts(loadBox))
        {
            set.Images.Add(loadImage(li.Path));
            set.Objects.Add([.. li.Objects]);
        }

        return set;
    }

    /// <summary>
    /// dlib's <c>add_image_left_right_flips</c>: appends a mirrored copy of every image with its
    /// objects mirrored. With <paramref name="mirrorMap"/> (see <see cref="DatasetTransforms.FaceMirrorMap"/>)
    /// part i of a mirrored object is stored at index mirrorMap[i], so that e.g. "left eye corner"
    /// keeps meaning the subject's left eye; without it parts keep their indices as in dlib.
    /// </summary>
    public void AddLeftRightFlips(int[]? mirrorMap)
    {
        int n = Images.Count;
        for (int i = 0; i < n; i++)
        {
            GrayImage img = Images[i];
            var flipped = new GrayImage(img.Rows, img.Cols);
            for (int r = 0; r < img.Rows; r++)
            {
                Span<byte> src = img.Row(r);
                Span<byte> dst = flipped.Row(r);
                for (int c = 0; c < img.Cols; c++)
                {
                    dst[img.Cols - 1 - c] = src[c];
                }
            }

            var objs = new List<FullObjectDetection>();
            foreach (FullObjectDetection o in Objects[i])
            {
                var parts = new Point[o.NumParts];
                for (int p = 0; p < parts.Length; p++)
                {
                    Point q = o.Part(p);
                    Point f = q == DatasetBox.PartNotPresent ? q : DatasetTransforms.FlipPoint(q, img.Cols);
                    parts[mirrorMap is null ? p : mirrorMap[p]] = f;
                }

                objs.Add(new FullObjectDetection(DatasetTransforms.FlipRect(o.Rect, img.Cols), parts));
            }

            Images.Add(flipped);
            Objects.Add(objs);
        }
    }

    /// <summary>
    /// dlib's <c>upsample_image_dataset&lt;pyramid_down&lt;2&gt;&gt;</c>: every image <c>pyramid_up</c>'ed
    /// once, boxes mapped with <c>rect_up</c> and parts with <c>point_up</c> (rounded).
    /// </summary>
    public void Upsample()
    {
        for (int i = 0; i < Images.Count; i++)
        {
            Images[i] = PyramidUp.Up(Images[i]);
            for (int j = 0; j < Objects[i].Count; j++)
            {
                FullObjectDetection o = Objects[i][j];
                var parts = new Point[o.NumParts];
                for (int p = 0; p < parts.Length; p++)
                {
                    Point q = o.Part(p);
                    if (q == DatasetBox.PartNotPresent)
                    {
                        parts[p] = q;
                    }
                    else
                    {
                        (double x, double y) = PyramidDown2.PointUp(q.X, q.Y);
                        parts[p] = Point.Round(x, y);
                    }
                }

                Objects[i][j] = new FullObjectDetection(PyramidDown2.RectUp(o.Rect), parts);
            }
        }
    }
}
