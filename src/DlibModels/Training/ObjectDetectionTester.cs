using DlibModels.Datasets;
using DlibModels.Detection;
using DlibModels.Detection.Hog;
using DlibModels.Imaging;

namespace DlibModels.Training;

/// <summary>Precision, recall and average precision, as dlib's <c>test_object_detection_function</c> returns them.</summary>
/// <param name="Precision">Correct detections over all counted detections (1 when there are none).</param>
/// <param name="Recall">Truth boxes found over all truth boxes (1 when there are none).</param>
/// <param name="AveragePrecision">dlib's <c>average_precision</c> of the ranked detections, missed truths counted.</param>
/// <param name="TruthBoxes">Number of truth boxes.</param>
/// <param name="Detections">Number of counted detections.</param>
public sealed record DetectionTestResult(double Precision, double Recall, double AveragePrecision, int TruthBoxes, int Detections);

/// <summary>dlib's <c>test_object_detection_function</c> for any detector.</summary>
public static class ObjectDetectionTester
{
    /// <summary>
    /// Runs <paramref name="detect"/> on every image and scores the detections against the truth boxes:
    /// each truth box takes the first unused detection that overlaps it by <paramref name="overlap"/>
    /// (default dlib's <c>test_box_overlap()</c>: IoU above 0.5); unmatched detections that overlap an
    /// ignored box are not counted.
    /// </summary>
    /// <param name="images">Number of images.</param>
    /// <param name="detect">The detections (score, box) of image i, in the detector's order.</param>
    /// <param name="truth">The truth boxes of each image.</param>
    /// <param name="ignore">The ignored boxes of each image (null: none).</param>
    /// <param name="overlap">The overlap rule (null: IoU 0.5, covered 1.0).</param>
    public static DetectionTestResult Test(int images, Func<int, IReadOnlyList<(double Score, Rectangle Rect)>> detect, IReadOnlyList<IReadOnlyList<Rectangle>> truth, IReadOnlyList<IReadOnlyList<Rectangle>>? ignore = null, OverlapTester? overlap = null)
    {
        ArgumentNullException.ThrowIfNull(detect);
        ArgumentNullException.ThrowIfNull(truth);
        OverlapTester tester = overlap ?? new OverlapTester(0.5, 1.0);
        double correct = 0, totalTruth = 0;
        long missing = 0;
        var all = new List<(double Score, bool Hit)>();
        for (int i = 0; i < images; i++)
        {
            IReadOnlyList<(double Score, Rectangle Rect)> boxes = detect(i);
            IReadOnlyList<Rectangle> t = truth[i];
            totalTruth += t.Count;
            if (boxes.Count == 0)
            {
                missing += t.Count;
                continue;
            }

            var used = new bool[boxes.Count];
            foreach (Rectangle tr in t)
            {
                bool found = false;
                for (int j = 0; j < boxes.Count; j++)
                {
                    if (!used[j] && tester.Overlaps(tr, boxes[j].Rect))
                    {
                        used[j] = true;
                        correct++;
                        found = true;
                        break;
                    }
                }

                if (!found)
                {
                    missing++;
                }
            }

            for (int j = 0; j < boxes.Count; j++)
            {
                bool ignored = false;
                if (!used[j] && ignore is not null)
                {
                    foreach (Rectangle ig in ignore[i])
                    {
                        if (tester.Overlaps(ig, boxes[j].Rect))
                        {
                            ignored = true;
                            break;
                        }
                    }
                }

                if (used[j] || !ignored)
                {
                    all.Add((boxes[j].Score, used[j]));
                }
            }
        }

        // std::sort(rbegin, rend) on (score, hit) pairs: descending, hits before misses on equal scores.
        all.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : b.Hit.CompareTo(a.Hit));
        double precision = all.Count == 0 ? 1 : correct / all.Count;
        double recall = totalTruth == 0 ? 1 : correct / totalTruth;
        return new DetectionTestResult(precision, recall, AveragePrecision(all, missing), (int)totalTruth, all.Count);
    }

    /// <summary>dlib's <c>test_object_detection_function</c> for a HOG detector over a loaded dataset.</summary>
    public static DetectionTestResult TestHog(HogObjectDetector detector, IReadOnlyList<GrayImage> images, IReadOnlyList<IReadOnlyList<Rectangle>> truth, IReadOnlyList<IReadOnlyList<Rectangle>>? ignore = null, double adjustThreshold = 0)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(images);
        var dets = new IReadOnlyList<(double, Rectangle)>[images.Count];
        Parallel.For(0, images.Count, i => dets[i] = [.. detector.Detect(images[i], adjustThreshold).Select(d => (d.Score, d.Rect))]);
        return Test(images.Count, i => dets[i], truth, ignore);
    }

    /// <summary>dlib's <c>average_precision(items, missing)</c> of detections ranked best first.</summary>
    public static double AveragePrecision(IReadOnlyList<(double Score, bool Hit)> ranked, long missing)
    {
        ArgumentNullException.ThrowIfNull(ranked);
        double relevant = 0;
        var precision = new List<double>();
        for (int i = 0; i < ranked.Count; i++)
        {
            if (ranked[i].Hit)
            {
                relevant++;
                precision.Add(relevant / (i + 1));
            }
        }

        double sum = 0, max = 0;
        for (int i = precision.Count - 1; i >= 0; i--)
        {
            max = Math.Max(max, precision[i]);
            sum += max;
        }

        relevant += missing;
        return relevant != 0 ? sum / relevant : 1;
    }
}

/// <summary>Images with their boxes for detector testing (dlib's <c>load_image_dataset</c> for rectangles).</summary>
public sealed class DetectionTestSet
{
    /// <summary>The images (grayscale, as dlib's fhog_object_detector example loads them).</summary>
    public List<GrayImage> Images { get; } = [];

    /// <summary>Truth boxes per image.</summary>
    public List<List<Rectangle>> Boxes { get; } = [];

    /// <summary>Ignored boxes per image.</summary>
    public List<List<Rectangle>> Ignored { get; } = [];

    /// <summary>Loads every image of the dataset with its non-ignored and ignored boxes.</summary>
    public static DetectionTestSet Load(ImageDataset dataset, Func<string, GrayImage> loadImage, Func<DatasetBox, bool>? loadBox = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(loadImage);
        var set = new DetectionTestSet();
        foreach (LabeledImage li in dataset.ObjectsWithParts(loadBox))
        {
            set.Images.Add(loadImage(li.Path));
            set.Boxes.Add([.. li.Objects.Select(o => o.Rect)]);
            set.Ignored.Add([.. li.Ignored]);
        }

        return set;
    }

    /// <summary>dlib's <c>upsample_image_dataset&lt;pyramid_down&lt;2&gt;&gt;(images, boxes, ignored)</c>.</summary>
    public void Upsample()
    {
        for (int i = 0; i < Images.Count; i++)
        {
            Images[i] = PyramidUp.Up(Images[i]);
            Boxes[i] = [.. Boxes[i].Select(r => PyramidDown2.RectUp(r))];
            Ignored[i] = [.. Ignored[i].Select(r => PyramidDown2.RectUp(r))];
        }
    }

    /// <summary>Tests a HOG detector on this set.</summary>
    public DetectionTestResult Test(HogObjectDetector detector, double adjustThreshold = 0) =>
        ObjectDetectionTester.TestHog(detector, Images, Boxes, Ignored, adjustThreshold);
}
