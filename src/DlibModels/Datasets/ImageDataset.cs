using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Datasets;

/// <summary>The gender attribute of an imglab box (dlib's <c>gender_t</c>).</summary>
public enum BoxGender
{
    /// <summary>Not given (dlib's UNKNOWN); not written to XML.</summary>
    Unknown,

    /// <summary>gender='male'.</summary>
    Male,

    /// <summary>gender='female'.</summary>
    Female,
}

/// <summary>
/// dlib's <c>image_dataset_metadata::dataset</c>: the contents of an imglab XML file.
/// Image file names are kept as written (relative to the XML file's folder, or absolute).
/// </summary>
public sealed class ImageDataset
{
    /// <summary>The &lt;name&gt; element.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The &lt;comment&gt; element.</summary>
    public string Comment { get; set; } = string.Empty;

    /// <summary>The images, in file order.</summary>
    public List<DatasetImage> Images { get; } = [];

    /// <summary>
    /// The folder that relative image paths are resolved against (the folder of the XML file it was
    /// loaded from); null means the current directory.
    /// </summary>
    public string? BaseDirectory { get; set; }

    /// <summary>The full path of an image file of this dataset.</summary>
    public string ResolvePath(DatasetImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return Path.IsPathRooted(image.File) || BaseDirectory is null ? image.File : Path.Combine(BaseDirectory, image.File);
    }

    /// <summary>A deep copy.</summary>
    public ImageDataset Clone()
    {
        var d = new ImageDataset { Name = Name, Comment = Comment, BaseDirectory = BaseDirectory };
        foreach (DatasetImage img in Images)
        {
            d.Images.Add(img.Clone());
        }

        return d;
    }

    /// <summary>
    /// The part names used by the boxes that <paramref name="loadBox"/> accepts (all boxes when null),
    /// in dlib's order (ordinal string order, as <c>std::set&lt;std::string&gt;</c>): index i of a
    /// loaded <see cref="FullObjectDetection"/> is part <c>PartNames()[i]</c>.
    /// </summary>
    public IReadOnlyList<string> PartNames(Func<DatasetBox, bool>? loadBox = null)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (DatasetImage img in Images)
        {
            foreach (DatasetBox b in img.Boxes)
            {
                if (loadBox is null || loadBox(b))
                {
                    names.UnionWith(b.Parts.Keys);
                }
            }
        }

        return [.. names];
    }

    /// <summary>
    /// dlib's <c>load_image_dataset</c> for <c>full_object_detection</c> without the images: per image,
    /// the non-ignored boxes with their parts in <see cref="PartNames"/> order (missing parts are
    /// <see cref="DatasetBox.PartNotPresent"/>) and the ignored boxes' rectangles.
    /// </summary>
    /// <param name="loadBox">Which boxes to load (dlib's <c>image_dataset_file::should_load_box</c>); null loads all.</param>
    /// <param name="skipEmptyImages">Drop images without a loaded, non-ignored box.</param>
    public IReadOnlyList<LabeledImage> ObjectsWithParts(Func<DatasetBox, bool>? loadBox = null, bool skipEmptyImages = false)
    {
        IReadOnlyList<string> names = PartNames(loadBox);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            index[names[i]] = i;
        }

        var result = new List<LabeledImage>();
        foreach (DatasetImage img in Images)
        {
            var objs = new List<FullObjectDetection>();
            var ignored = new List<Rectangle>();
            foreach (DatasetBox b in img.Boxes)
            {
                if (loadBox is not null && !loadBox(b))
                {
                    continue;
                }

                if (b.Ignore)
                {
                    ignored.Add(b.Rect);
                    continue;
                }

                var parts = new Point[names.Count];
                Array.Fill(parts, DatasetBox.PartNotPresent);
                foreach (KeyValuePair<string, Point> kv in b.Parts)
                {
                    parts[index[kv.Key]] = kv.Value;
                }

                objs.Add(new FullObjectDetection(b.Rect, parts));
            }

            if (!skipEmptyImages || objs.Count != 0)
            {
                result.Add(new LabeledImage(ResolvePath(img), objs, ignored));
            }
        }

        return result;
    }
}

/// <summary>One image of a loaded dataset: its file, its objects, its ignored rectangles.</summary>
/// <param name="Path">Full path of the image file.</param>
/// <param name="Objects">The non-ignored boxes with their parts.</param>
/// <param name="Ignored">The rectangles of the boxes marked ignore.</param>
public sealed record LabeledImage(string Path, IReadOnlyList<FullObjectDetection> Objects, IReadOnlyList<Rectangle> Ignored);

/// <summary>dlib's <c>image_dataset_metadata::image</c>.</summary>
public sealed class DatasetImage
{
    /// <summary>The file attribute, as written.</summary>
    public string File { get; set; } = string.Empty;

    /// <summary>The width attribute (0 = not given; written only when width and height are both non-zero).</summary>
    public long Width { get; set; }

    /// <summary>The height attribute (0 = not given).</summary>
    public long Height { get; set; }

    /// <summary>The boxes, in file order.</summary>
    public List<DatasetBox> Boxes { get; } = [];

    /// <summary>A deep copy.</summary>
    public DatasetImage Clone()
    {
        var i = new DatasetImage { File = File, Width = Width, Height = Height };
        foreach (DatasetBox b in Boxes)
        {
            i.Boxes.Add(b.Clone());
        }

        return i;
    }
}

/// <summary>dlib's <c>image_dataset_metadata::box</c>.</summary>
public sealed class DatasetBox
{
    /// <summary>dlib's <c>OBJECT_PART_NOT_PRESENT</c>: (0x7FFFFFFF, 0x7FFFFFFF).</summary>
    public static readonly Point PartNotPresent = new(0x7FFFFFFF, 0x7FFFFFFF);

    /// <summary>The box (inclusive corners; XML gives top, left, width, height).</summary>
    public Rectangle Rect { get; set; }

    /// <summary>The named parts, in ordinal name order (as dlib's <c>std::map</c>).</summary>
    public SortedDictionary<string, Point> Parts { get; } = new(StringComparer.Ordinal);

    /// <summary>The &lt;label&gt; text (empty = none).</summary>
    public string Label { get; set; } = string.Empty;

    /// <summary>The difficult flag.</summary>
    public bool Difficult { get; set; }

    /// <summary>The truncated flag.</summary>
    public bool Truncated { get; set; }

    /// <summary>The occluded flag.</summary>
    public bool Occluded { get; set; }

    /// <summary>The ignore flag (ignored boxes are neither trained on nor counted as misses).</summary>
    public bool Ignore { get; set; }

    /// <summary>The pose attribute.</summary>
    public double Pose { get; set; }

    /// <summary>The detection_score attribute.</summary>
    public double DetectionScore { get; set; }

    /// <summary>The angle attribute.</summary>
    public double Angle { get; set; }

    /// <summary>The gender attribute.</summary>
    public BoxGender Gender { get; set; }

    /// <summary>The age attribute.</summary>
    public double Age { get; set; }

    /// <summary>True when a label is present.</summary>
    public bool HasLabel => Label.Length != 0;

    /// <summary>A deep copy.</summary>
    public DatasetBox Clone()
    {
        var copy = new DatasetBox
        {
            Rect = Rect,
            Label = Label,
            Difficult = Difficult,
            Truncated = Truncated,
            Occluded = Occluded,
            Ignore = Ignore,
            Pose = Pose,
            DetectionScore = DetectionScore,
            Angle = Angle,
            Gender = Gender,
            Age = Age,
        };
        foreach (KeyValuePair<string, Point> kv in Parts)
        {
            copy.Parts[kv.Key] = kv.Value;
        }

        return copy;
    }
}
