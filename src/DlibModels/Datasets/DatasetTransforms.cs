using System.Globalization;
using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Datasets;

/// <summary>
/// imglab-style operations on dataset metadata: left-right flips (with part relabelling for the
/// 5- and 68-point face layouts), train/test splits and label splits, statistics.
/// </summary>
public static class DatasetTransforms
{
    private static readonly int[] Mirror68 = BuildMirror68();
    private static readonly int[] Mirror5 = [2, 3, 0, 1, 4];

    /// <summary>
    /// The left-right mirror permutation of dlib's face layouts: element i is the part that part i
    /// becomes after a horizontal flip (68-point iBUG layout: jaw 0↔16, brows 17↔26, eyes 36↔45,
    /// mouth 48↔54, ...; 5-point layout: 0↔2, 1↔3, 4 stays). Null for other part counts.
    /// </summary>
    public static int[]? FaceMirrorMap(int numParts) => numParts switch
    {
        68 => (int[])Mirror68.Clone(),
        5 => (int[])Mirror5.Clone(),
        _ => null,
    };

    /// <summary>
    /// The mirror map as part-name renames, for datasets whose parts are named by zero-padded index
    /// ("00".."67" or "0".."67", as imglab and dlib's examples name them); null when the names do not
    /// form a 5- or 68-point layout.
    /// </summary>
    public static Dictionary<string, string>? FaceMirrorNames(IReadOnlyList<string> partNames)
    {
        ArgumentNullException.ThrowIfNull(partNames);
        int[]? map = FaceMirrorMap(partNames.Count);
        if (map is null)
        {
            return null;
        }

        var byIndex = new string?[partNames.Count];
        foreach (string name in partNames)
        {
            if (!int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int i) || i < 0 || i >= byIndex.Length || byIndex[i] is not null)
            {
                return null;
            }

            byIndex[i] = name;
        }

        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < map.Length; i++)
        {
            renames[byIndex[i]!] = byIndex[map[i]]!;
        }

        return renames;
    }

    /// <summary>dlib's <c>impl::flip_rect_left_right</c> inside an image <paramref name="imageWidth"/> columns wide.</summary>
    public static Rectangle FlipRect(Rectangle rect, long imageWidth)
    {
        long leftDist = rect.Left;
        long right = imageWidth - 1 - leftDist;
        return new Rectangle(right - (rect.Right - rect.Left + 1) + 1, rect.Top, right, rect.Bottom);
    }

    /// <summary>A point mirrored inside an image <paramref name="imageWidth"/> columns wide (x → width-1-x).</summary>
    public static Point FlipPoint(Point p, long imageWidth) => new(imageWidth - 1 - p.X, p.Y);

    /// <summary>
    /// A box mirrored as imglab's <c>--flip</c> does: rectangle and parts flipped, parts renamed by
    /// <paramref name="renames"/> (when given) so left-eye parts keep their names.
    /// </summary>
    public static DatasetBox FlipBox(DatasetBox box, long imageWidth, IReadOnlyDictionary<string, string>? renames)
    {
        ArgumentNullException.ThrowIfNull(box);
        DatasetBox b = box.Clone();
        b.Rect = FlipRect(box.Rect, imageWidth);
        b.Parts.Clear();
        foreach (KeyValuePair<string, Point> kv in box.Parts)
        {
            string name = renames is not null && renames.TryGetValue(kv.Key, out string? n) ? n : kv.Key;
            b.Parts[name] = FlipPoint(kv.Value, imageWidth);
        }

        return b;
    }

    /// <summary>
    /// The flipped copy of a dataset (imglab <c>--flip</c>, or <c>--flip-basic</c> when
    /// <paramref name="adjustParts"/> is false or the layout is not a known face layout).
    /// </summary>
    /// <param name="dataset">The source.</param>
    /// <param name="widthOf">The width of an image (from its file).</param>
    /// <param name="newFile">The file name to record for the flipped image.</param>
    /// <param name="adjustParts">Rename mirrored parts (5/68-point face layouts).</param>
    public static ImageDataset FlipLeftRight(ImageDataset dataset, Func<DatasetImage, long> widthOf, Func<DatasetImage, string> newFile, bool adjustParts = true)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(widthOf);
        ArgumentNullException.ThrowIfNull(newFile);
        Dictionary<string, string>? renames = adjustParts ? FaceMirrorNames(dataset.PartNames()) : null;
        var result = new ImageDataset { Name = dataset.Name, Comment = dataset.Comment, BaseDirectory = dataset.BaseDirectory };
        foreach (DatasetImage img in dataset.Images)
        {
            long w = widthOf(img);
            var f = new DatasetImage { File = newFile(img), Width = img.Width, Height = img.Height };
            foreach (DatasetBox b in img.Boxes)
            {
                f.Boxes.Add(FlipBox(b, w, renames));
            }

            result.Images.Add(f);
        }

        return result;
    }

    /// <summary>imglab <c>--split-train-test</c>: the first round(fraction·N) images train, the rest test.</summary>
    public static (ImageDataset Train, ImageDataset Test) SplitTrainTest(ImageDataset dataset, double trainFraction)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(trainFraction, 0.0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(trainFraction, 1.0);
        int n = (int)Math.Round(trainFraction * dataset.Images.Count, MidpointRounding.AwayFromZero);
        ImageDataset train = EmptyLike(dataset), test = EmptyLike(dataset);
        for (int i = 0; i < dataset.Images.Count; i++)
        {
            (i < n ? train : test).Images.Add(dataset.Images[i].Clone());
        }

        return (train, test);
    }

    /// <summary>imglab <c>--split LABEL</c>: images with a box of that label, and the others.</summary>
    public static (ImageDataset With, ImageDataset Without) SplitByLabel(ImageDataset dataset, string label)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ImageDataset with = EmptyLike(dataset), without = EmptyLike(dataset);
        foreach (DatasetImage img in dataset.Images)
        {
            (img.Boxes.Exists(b => b.Label == label) ? with : without).Images.Add(img.Clone());
        }

        return (with, without);
    }

    /// <summary>Keeps only the boxes matching <paramref name="keep"/> (e.g. one label, as dlib's <c>boxes_match_label</c>).</summary>
    public static ImageDataset FilterBoxes(ImageDataset dataset, Func<DatasetBox, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(keep);
        ImageDataset d = EmptyLike(dataset);
        foreach (DatasetImage img in dataset.Images)
        {
            DatasetImage c = img.Clone();
            c.Boxes.RemoveAll(b => !keep(b));
            d.Images.Add(c);
        }

        return d;
    }

    /// <summary>Counts of a dataset: images, boxes, ignored boxes, labels, parts, box sizes.</summary>
    public static DatasetStats Stats(ImageDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int boxes = 0, ignored = 0, withParts = 0, empty = 0;
        long minW = long.MaxValue, maxW = 0, minH = long.MaxValue, maxH = 0;
        var labels = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (DatasetImage img in dataset.Images)
        {
            if (img.Boxes.Count == 0)
            {
                empty++;
            }

            foreach (DatasetBox b in img.Boxes)
            {
                boxes++;
                ignored += b.Ignore ? 1 : 0;
                withParts += b.Parts.Count > 0 ? 1 : 0;
                labels[b.Label] = labels.GetValueOrDefault(b.Label) + 1;
                long w = b.Rect.Right - b.Rect.Left + 1, h = b.Rect.Bottom - b.Rect.Top + 1;
                minW = Math.Min(minW, w);
                maxW = Math.Max(maxW, w);
                minH = Math.Min(minH, h);
                maxH = Math.Max(maxH, h);
            }
        }

        return new DatasetStats(dataset.Images.Count, empty, boxes, ignored, withParts, dataset.PartNames(), labels,
            boxes == 0 ? 0 : minW, maxW, boxes == 0 ? 0 : minH, maxH);
    }

    private static ImageDataset EmptyLike(ImageDataset d) => new() { Name = d.Name, Comment = d.Comment, BaseDirectory = d.BaseDirectory };

    private static int[] BuildMirror68()
    {
        var m = new int[68];
        for (int i = 0; i < 68; i++)
        {
            m[i] = i;
        }

        void Pair(int a, int b)
        {
            m[a] = b;
            m[b] = a;
        }

        for (int i = 0; i < 8; i++)
        {
            Pair(i, 16 - i);
        }

        for (int i = 0; i < 5; i++)
        {
            Pair(17 + i, 26 - i);
        }

        Pair(31, 35);
        Pair(32, 34);
        Pair(36, 45);
        Pair(37, 44);
        Pair(38, 43);
        Pair(39, 42);
        Pair(40, 47);
        Pair(41, 46);
        Pair(48, 54);
        Pair(49, 53);
        Pair(50, 52);
        Pair(55, 59);
        Pair(56, 58);
        Pair(60, 64);
        Pair(61, 63);
        Pair(65, 67);
        return m;
    }
}

/// <summary>Summary counts of a dataset.</summary>
/// <param name="Images">Number of images.</param>
/// <param name="EmptyImages">Images without boxes.</param>
/// <param name="Boxes">Number of boxes.</param>
/// <param name="IgnoredBoxes">Boxes marked ignore.</param>
/// <param name="BoxesWithParts">Boxes that have at least one part.</param>
/// <param name="PartNames">All part names, in dlib's order.</param>
/// <param name="Labels">Box count per label ("" = no label).</param>
/// <param name="MinBoxWidth">Smallest box width.</param>
/// <param name="MaxBoxWidth">Largest box width.</param>
/// <param name="MinBoxHeight">Smallest box height.</param>
/// <param name="MaxBoxHeight">Largest box height.</param>
public sealed record DatasetStats(
    int Images,
    int EmptyImages,
    int Boxes,
    int IgnoredBoxes,
    int BoxesWithParts,
    IReadOnlyList<string> PartNames,
    IReadOnlyDictionary<string, int> Labels,
    long MinBoxWidth,
    long MaxBoxWidth,
    long MinBoxHeight,
    long MaxBoxHeight);
