using DlibModels.Datasets;
using DlibModels.Detection;
using DlibModels.Detection.Hog;
using DlibModels.Imaging;

namespace DlibModels.Training;

/// <summary>
/// Settings of <see cref="HogDetectorTrainer"/>: those of dlib's <c>scan_fhog_pyramid&lt;pyramid_down&lt;6&gt;&gt;</c>
/// scanner and of <c>structural_object_detection_trainer</c>, with dlib's defaults.
/// </summary>
public sealed class HogDetectorTrainerOptions
{
    /// <summary>Detection window width in pixels (dlib's scanner default 64; its fhog example uses 80).</summary>
    public int DetectionWindowWidth { get; init; } = 64;

    /// <summary>Detection window height in pixels (dlib's scanner default 64; its fhog example uses 80).</summary>
    public int DetectionWindowHeight { get; init; } = 64;

    /// <summary>HOG cell size in pixels (dlib default 8).</summary>
    public int CellSize { get; init; } = 8;

    /// <summary>Cells of padding around the detection window (dlib default 1).</summary>
    public int Padding { get; init; } = 1;

    /// <summary>Largest number of pyramid levels scanned (dlib default 1000).</summary>
    public long MaxPyramidLevels { get; init; } = 1000;

    /// <summary>Smallest pyramid layer width scanned (dlib default 64).</summary>
    public int MinPyramidLayerWidth { get; init; } = 64;

    /// <summary>Smallest pyramid layer height scanned (dlib default 64).</summary>
    public int MinPyramidLayerHeight { get; init; } = 64;

    /// <summary>Nuclear norm regularization strength of the filters (0: off; dlib default 0).</summary>
    public double NuclearNormRegularizationStrength { get; init; }

    /// <summary>SVM C: larger values fit the training data harder (dlib default 1).</summary>
    public double C { get; init; } = 1;

    /// <summary>Stopping tolerance on the risk gap (dlib's trainer default 0.1; its fhog example uses 0.01).</summary>
    public double Epsilon { get; init; } = 0.1;

    /// <summary>Threads for the separation oracle (dlib default 2). The result does not depend on it.</summary>
    public int NumThreads { get; init; } = 2;

    /// <summary>Cached separation oracle results per image (dlib default 5; 0 disables the cache).</summary>
    public int MaxCacheSize { get; init; } = 5;

    /// <summary>IoU above which a detection counts as hitting a truth box during training (dlib default 0.5).</summary>
    public double MatchEps { get; init; } = 0.5;

    /// <summary>Loss for each missed truth box (dlib default 1).</summary>
    public double LossPerMissedTarget { get; init; } = 1;

    /// <summary>Loss for each false alarm (dlib default 1).</summary>
    public double LossPerFalseAlarm { get; init; } = 1;

    /// <summary>The non-max suppression rule; null (dlib's default) derives the tightest rule the truth boxes allow.</summary>
    public OverlapTester? OverlapTester { get; init; }

    /// <summary>How detections are matched against ignored boxes (dlib default IoU 0.5, covered 1.0).</summary>
    public OverlapTester IgnoreOverlapTester { get; init; } = new(0.5, 1.0);

    /// <summary>Cutting plane iteration cap (dlib's structural_svm_problem default 10000).</summary>
    public int MaxIterations { get; init; } = 10000;

    /// <summary>Wall-clock limit of the optimizer (null: none).</summary>
    public TimeSpan? MaxRuntime { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for settings dlib rejects.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }

        Check(DetectionWindowWidth > 0 && DetectionWindowHeight > 0, "the detection window must be at least 1x1");
        Check(CellSize > 1, "cell size must be at least 2");
        Check(Padding >= 0, "padding must be non-negative");
        Check(MaxPyramidLevels > 0, "max pyramid levels must be positive");
        Check(MinPyramidLayerWidth > 0 && MinPyramidLayerHeight > 0, "min pyramid layer size must be positive");
        Check(NuclearNormRegularizationStrength >= 0, "nuclear norm regularization strength must be non-negative");
        Check(C > 0, "C must be greater than 0");
        Check(Epsilon > 0, "epsilon must be greater than 0");
        Check(NumThreads >= 0, "threads must be non-negative");
        Check(MaxCacheSize >= 0, "max cache size must be non-negative");
        Check(MatchEps > 0 && MatchEps < 1, "match eps must lie in (0,1)");
        Check(LossPerMissedTarget > 0, "loss per missed target must be greater than 0");
        Check(LossPerFalseAlarm > 0, "loss per false alarm must be greater than 0");
        Check(MaxIterations > 0, "max iterations must be positive");
        (int fw, int fh) = HogObjectDetector.FhogWindowSize(DetectionWindowWidth, DetectionWindowHeight, CellSize, Padding);
        Check(fw > 2 * Padding && fh > 2 * Padding, $"detection window {DetectionWindowWidth}x{DetectionWindowHeight} is too small for cell size {CellSize}");
    }
}

/// <summary>One cutting plane iteration of <see cref="HogDetectorTrainer"/> (what dlib prints when verbose).</summary>
/// <param name="Iteration">Iteration number.</param>
/// <param name="Objective">Current objective value.</param>
/// <param name="ObjectiveGap">Gap to the cutting plane lower bound.</param>
/// <param name="Risk">Current risk (including the nuclear norm part, if any).</param>
/// <param name="RiskGap">Risk gap; training stops when it drops below epsilon on a non-cached iteration.</param>
/// <param name="NumPlanes">Cutting planes in the model.</param>
public sealed record HogTrainingProgress(int Iteration, double Objective, double ObjectiveGap, double Risk, double RiskGap, int NumPlanes);

/// <summary>
/// dlib's <c>impossible_labeling_error</c>: the truth boxes cannot be produced by the scanner
/// (two boxes overlap by the non-max suppression rule, or a box's shape does not fit the detection window).
/// </summary>
public sealed class ImpossibleLabelingException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImpossibleLabelingException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// dlib's <c>structural_object_detection_trainer&lt;scan_fhog_pyramid&lt;pyramid_down&lt;6&gt;&gt;&gt;</c>:
/// trains a HOG sliding-window detector with a structural SVM (OCA cutting plane solver), giving a
/// <see cref="HogObjectDetector"/> that saves in dlib's <c>object_detector</c> format.
/// </summary>
public sealed class HogDetectorTrainer
{
    private readonly HogDetectorTrainerOptions _options;

    /// <summary>Creates a trainer.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public HogDetectorTrainer(HogDetectorTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>The settings.</summary>
    public HogDetectorTrainerOptions Options => _options;

    /// <summary>Trains a detector on a loaded dataset (its ignored boxes are honoured).</summary>
    public HogObjectDetector Train(DetectionTestSet set, Action<HogTrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        return Train(set.Images, set.Boxes, set.Ignored, progress, cancel);
    }

    /// <summary>Trains a detector, as dlib's <c>trainer.train(images, boxes, ignore)</c>.</summary>
    /// <param name="images">Grayscale training images.</param>
    /// <param name="boxes">Truth boxes of each image.</param>
    /// <param name="ignore">Boxes of each image where detections are neither rewarded nor penalised (null: none).</param>
    /// <param name="progress">Called after every cutting plane iteration.</param>
    /// <param name="cancel">Cancels training.</param>
    /// <exception cref="ImpossibleLabelingException">The truth boxes cannot be matched by the detection window.</exception>
    public HogObjectDetector Train(
        IReadOnlyList<GrayImage> images,
        IReadOnlyList<IReadOnlyList<Rectangle>> boxes,
        IReadOnlyList<IReadOnlyList<Rectangle>>? ignore = null,
        Action<HogTrainingProgress>? progress = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(boxes);
        if (images.Count != boxes.Count || images.Count == 0)
        {
            throw new ArgumentException($"need at least one image and one box list per image (got {images.Count} images, {boxes.Count} box lists)");
        }

        if (ignore is not null && ignore.Count != images.Count)
        {
            throw new ArgumentException($"{ignore.Count} ignore lists for {images.Count} images");
        }

        var problem = new HogDetectionProblem(_options, images, boxes, ignore, progress, cancel);
        var solver = new Oca { MaxRuntime = _options.MaxRuntime ?? TimeSpan.MaxValue };
        (double[] w, _) = solver.Solve(problem, cancel);
        return problem.MakeDetector(w);
    }

    /// <summary>
    /// dlib's <c>find_tight_overlap_tester</c>: the largest IoU and percent-covered found between
    /// boxes of the same image, relaxed by 1e-7, so no pair of truth boxes counts as overlapping.
    /// </summary>
    public static OverlapTester FindTightOverlapTester(IReadOnlyList<IReadOnlyList<Rectangle>> rects)
    {
        ArgumentNullException.ThrowIfNull(rects);
        double maxPcov = 0, maxIou = 0;
        foreach (IReadOnlyList<Rectangle> img in rects)
        {
            for (int j = 0; j < img.Count; j++)
            {
                for (int k = j + 1; k < img.Count; k++)
                {
                    Rectangle a = img[j], b = img[k];
                    double inner = a.Intersect(b).Area;
                    double iou = inner / a.Union(b).Area;
                    double pa = inner / a.Area;
                    double pb = inner / b.Area;
                    maxIou = Math.Max(maxIou, iou);
                    maxPcov = Math.Max(maxPcov, Math.Max(pa, pb));
                }
            }
        }

        return new OverlapTester(Math.Min(1.0000001 * maxIou, 1.0), Math.Min(1.0000001 * maxPcov, 1.0));
    }

    /// <summary>dlib's <c>add_image_left_right_flips</c>: appends a mirrored copy of every image with its boxes mirrored.</summary>
    public static void AddLeftRightFlips(DetectionTestSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        int n = set.Images.Count;
        for (int i = 0; i < n; i++)
        {
            GrayImage img = set.Images[i];
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

            set.Images.Add(flipped);
            set.Boxes.Add([.. set.Boxes[i].Select(b => DatasetTransforms.FlipRect(b, img.Cols))]);
            set.Ignored.Add([.. set.Ignored[i].Select(b => DatasetTransforms.FlipRect(b, img.Cols))]);
        }
    }
}
