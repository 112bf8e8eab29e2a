using System.Runtime.CompilerServices;
using System.Buffers;
using DlibModels.Imaging;
using DlibModels.Serialization;

namespace DlibModels.Detection.Hog;

/// <summary>One detection of a <see cref="HogObjectDetector"/>.</summary>
/// <param name="Rect">The box in the coordinates of the image given to <c>Detect</c>.</param>
/// <param name="Score">dlib's <c>detection_confidence</c>: filter response minus the weight vector's threshold.</param>
/// <param name="WeightIndex">Which weight vector (filter) fired (0-based).</param>
public readonly record struct HogDetection(Rectangle Rect, double Score, int WeightIndex);

/// <summary>
/// dlib's <c>object_detector&lt;scan_fhog_pyramid&lt;pyramid_down&lt;6&gt;&gt;&gt;</c>, the HOG
/// sliding-window detector behind <c>get_frontal_face_detector()</c>. Reads and writes dlib's
/// serialized form and detects with the same boxes and scores as dlib 19.24 (SSE2 build).
/// Instances are immutable and thread-safe.
/// </summary>
public sealed class HogObjectDetector
{
    private const int NumPlanes = HogPlanes.NumPlanes;
    private const long MaxSetting = 1L << 20;
    private static readonly Lazy<HogObjectDetector> FrontalFaceLazy = new(LoadFrontalFace);

    private readonly double[][] _weights;
    private readonly HogFilterBank[] _banks;

    private HogObjectDetector(
        int cellSize,
        int padding,
        int windowWidth,
        int windowHeight,
        long maxPyramidLevels,
        int minPyramidLayerWidth,
        int minPyramidLayerHeight,
        double nuclearNorm,
        OverlapTester overlapTester,
        double[][] weights)
    {
        CellSize = cellSize;
        Padding = padding;
        DetectionWindowWidth = windowWidth;
        DetectionWindowHeight = windowHeight;
        MaxPyramidLevels = maxPyramidLevels;
        MinPyramidLayerWidth = minPyramidLayerWidth;
        MinPyramidLayerHeight = minPyramidLayerHeight;
        NuclearNormRegularizationStrength = nuclearNorm;
        OverlapTester = overlapTester;
        _weights = weights;
        (FilterWidth, FilterHeight) = ComputeFhogWindowSize(windowWidth, windowHeight, cellSize, padding);
        _banks = new HogFilterBank[weights.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            _banks[i] = HogFilterBank.Build(weights[i], NumPlanes, FilterHeight, FilterWidth);
        }
    }

    /// <summary>A detector with the given scanner settings and weight vectors (each FilterWidth·FilterHeight·31 + 1 long, threshold last).</summary>
    internal static HogObjectDetector Create(
        int cellSize,
        int padding,
        int windowWidth,
        int windowHeight,
        long maxPyramidLevels,
        int minPyramidLayerWidth,
        int minPyramidLayerHeight,
        double nuclearNorm,
        OverlapTester overlapTester,
        double[][] weights) =>
        new(cellSize, padding, windowWidth, windowHeight, maxPyramidLevels, minPyramidLayerWidth, minPyramidLayerHeight, nuclearNorm, overlapTester, weights);

    /// <summary>The filter size in cells (including padding) for a detection window, as dlib's compute_fhog_window_size.</summary>
    internal static (int Width, int Height) FhogWindowSize(int windowWidth, int windowHeight, int cellSize, int padding) =>
        ComputeFhogWindowSize(windowWidth, windowHeight, cellSize, padding);

    /// <summary>dlib's <c>scan_fhog_pyramid::load</c>: the fhog planes of every pyramid level (not pooled).</summary>
    internal HogPlanes[] FeaturePyramid(GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int levels = CountPyramidLevels(image.Rows, image.Cols);
        var result = new HogPlanes[levels];
        var current = new LevelImage(image.Pixels, image.Rows, image.Cols, 1);
        byte[]? owned = null;
        for (int l = 0; l < levels; l++)
        {
            if (l > 0)
            {
                byte[] next = DownLevel(current, out current);
                if (owned is not null)
                {
                    ArrayPool<byte>.Shared.Return(owned);
                }

                owned = next;
            }

            result[l] = FHog.Extract(current.Span, current.Rows, current.Cols, 1, CellSize, FilterHeight, FilterWidth, pooled: false);
        }

        if (owned is not null)
        {
            ArrayPool<byte>.Shared.Return(owned);
        }

        return result;
    }

    /// <summary>
    /// Raw filter responses of weight vector <paramref name="d"/> at or above its threshold plus
    /// <paramref name="adjustThreshold"/> over a feature pyramid, in dlib's scan order (unsorted, no NMS).
    /// </summary>
    internal List<(float Score, Rectangle Rect)> ScanPyramid(HogPlanes[] pyramid, int d, double adjustThreshold)
    {
        var all = new List<(float Score, Rectangle Rect)>();
        for (int l = 0; l < pyramid.Length; l++)
        {
            all.AddRange(ScanDetector(pyramid[l], l, d, adjustThreshold));
        }

        return all;
    }

    /// <summary>dlib's built-in frontal face detector (<c>get_frontal_face_detector()</c>), loaded from the embedded model.</summary>
    public static HogObjectDetector FrontalFace => FrontalFaceLazy.Value;

    /// <summary>HOG cell size in pixels (8 for the face detector).</summary>
    public int CellSize { get; }

    /// <summary>Cells of padding around the detection window in the filters.</summary>
    public int Padding { get; }

    /// <summary>Detection window width in pixels (80 for the face detector).</summary>
    public int DetectionWindowWidth { get; }

    /// <summary>Detection window height in pixels (80 for the face detector).</summary>
    public int DetectionWindowHeight { get; }

    /// <summary>Largest number of pyramid levels scanned.</summary>
    public long MaxPyramidLevels { get; }

    /// <summary>Smallest pyramid layer width scanned.</summary>
    public int MinPyramidLayerWidth { get; }

    /// <summary>Smallest pyramid layer height scanned.</summary>
    public int MinPyramidLayerHeight { get; }

    /// <summary>The training setting stored in the file (not used for detection).</summary>
    public double NuclearNormRegularizationStrength { get; }

    /// <summary>The non-max suppression rule.</summary>
    public OverlapTester OverlapTester { get; }

    /// <summary>Number of weight vectors (filters), each giving its own <see cref="HogDetection.WeightIndex"/>.</summary>
    public int NumDetectors => _weights.Length;

    /// <summary>Filter width in HOG cells.</summary>
    public int FilterWidth { get; }

    /// <summary>Filter height in HOG cells.</summary>
    public int FilterHeight { get; }

    /// <summary>Length of each weight vector without its threshold: FilterWidth·FilterHeight·31.</summary>
    public int NumDimensions => FilterWidth * FilterHeight * NumPlanes;

    /// <summary>A copy of weight vector <paramref name="index"/> (the last element is the detection threshold).</summary>
    public double[] GetWeights(int index) => (double[])_weights[index].Clone();

    /// <summary>The detection threshold of weight vector <paramref name="index"/>.</summary>
    public double GetThreshold(int index) => _weights[index][NumDimensions];

    /// <summary>Loads a detector file (plain or .bz2) serialized by dlib.</summary>
    /// <exception cref="DlibFormatException">The file is not a valid HOG detector.</exception>
    public static HogObjectDetector Load(string path) => Read(ModelFile.OpenReader(path));

    /// <summary>Reads a detector from the (decompressed) bytes of a dlib file.</summary>
    /// <param name="data">The serialized detector.</param>
    /// <param name="source">A name for error messages.</param>
    /// <exception cref="DlibFormatException">The data is not a valid HOG detector.</exception>
    public static HogObjectDetector Load(byte[] data, string source = "<memory>") => Read(new DlibReader(data, source));

    /// <summary>Reads one detector from <paramref name="reader"/> and requires the end of the stream.</summary>
    public static HogObjectDetector Read(DlibReader reader)
    {
        HogObjectDetector d = ReadObject(reader);
        reader.RequireEnd();
        return d;
    }

    /// <summary>Reads one serialized <c>object_detector&lt;scan_fhog_pyramid&lt;…&gt;&gt;</c> from <paramref name="reader"/>.</summary>
    public static HogObjectDetector ReadObject(DlibReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using (reader.Enter("object_detector"))
        {
            int version = reader.ReadVersion("object_detector", 1, 2);
            Scanner scanner = ReadScanner(reader);
            OverlapTester tester = default;
            double[][] weights;
            if (version == 1)
            {
                weights = [ReadWeights(reader, scanner.Dims, 0)];
                tester = ReadTester(reader);
            }
            else
            {
                tester = ReadTester(reader);
                long n;
                using (reader.Enter("number of weight vectors"))
                {
                    n = reader.ReadSize("number of weight vectors", 1 << 16);
                }

                weights = new double[n][];
                for (int i = 0; i < n; i++)
                {
                    weights[i] = ReadWeights(reader, scanner.Dims, i);
                }
            }

            return new HogObjectDetector(
                scanner.CellSize, scanner.Padding, scanner.WindowWidth, scanner.WindowHeight, scanner.MaxLevels,
                scanner.MinWidth, scanner.MinHeight, scanner.Nuclear, tester, weights);
        }
    }

    /// <summary>Writes the detector in dlib's format (object_detector version 2), byte-identical to what dlib writes.</summary>
    public void Save(Stream output)
    {
        var w = new DlibWriter(output);
        w.WriteInt(2);

        // scan_fhog_pyramid
        w.WriteInt(1);
        w.WriteInt(0); // feature cache: max_size
        w.WriteInt(0); // feature cache: size
        w.WriteInt(CellSize);
        w.WriteInt(Padding);
        w.WriteInt(DetectionWindowWidth);
        w.WriteInt(DetectionWindowHeight);
        w.WriteInt(MaxPyramidLevels);
        w.WriteInt(MinPyramidLayerWidth);
        w.WriteInt(MinPyramidLayerHeight);
        w.WriteDouble(NuclearNormRegularizationStrength);
        w.WriteInt(NumDimensions);

        w.WriteDouble(OverlapTester.IouThreshold);
        w.WriteDouble(OverlapTester.PercentCoveredThreshold);
        w.WriteInt(_weights.Length);
        foreach (double[] v in _weights)
        {
            w.WriteInt(-v.Length);
            w.WriteInt(-1);
            foreach (double x in v)
            {
                w.WriteDouble(x);
            }
        }
    }

    /// <summary>The serialized detector as bytes (see <see cref="Save"/>).</summary>
    public byte[] ToBytes()
    {
        using var ms = new MemoryStream();
        Save(ms);
        return ms.ToArray();
    }

    /// <summary>Detects objects in an RGB image, as dlib's <c>detector(img, dets, adjust_threshold)</c> on <c>rgb_pixel</c> images.</summary>
    /// <param name="image">The image.</param>
    /// <param name="adjustThreshold">Added to every filter's threshold; negative values give more detections.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use (1: the calling thread only; -1: as many as the runtime likes). The result does not depend on it.</param>
    public IReadOnlyList<HogDetection> Detect(RgbImage image, double adjustThreshold = 0, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(image);
        return DetectCore(new LevelImage(image.Pixels, image.Rows, image.Cols, 3), adjustThreshold, maxDegreeOfParallelism);
    }

    /// <summary>Detects objects in a gray image, as dlib's <c>detector(img, dets, adjust_threshold)</c> on <c>unsigned char</c> images.</summary>
    /// <param name="image">The image.</param>
    /// <param name="adjustThreshold">Added to every filter's threshold; negative values give more detections.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use (1: the calling thread only; -1: as many as the runtime likes). The result does not depend on it.</param>
    public IReadOnlyList<HogDetection> Detect(GrayImage image, double adjustThreshold = 0, int maxDegreeOfParallelism = 1)
    {
        ArgumentNullException.ThrowIfNull(image);
        return DetectCore(new LevelImage(image.Pixels, image.Rows, image.Cols, 1), adjustThreshold, maxDegreeOfParallelism);
    }

    /// <summary>The number of pyramid levels dlib scans for a <paramref name="rows"/>×<paramref name="cols"/> image.</summary>
    public int CountPyramidLevels(int rows, int cols)
    {
        var rect = new Rectangle(0, 0, cols - 1, rows - 1);
        int levels = 0;
        do
        {
            rect = PyramidDown6.RectDown(rect);
            levels++;
        }
        while (rect.Width >= MinPyramidLayerWidth && rect.Height >= MinPyramidLayerHeight && levels < MaxPyramidLevels);
        return levels;
    }

    private IReadOnlyList<HogDetection> DetectCore(LevelImage image, double adjustThreshold, int maxDegreeOfParallelism)
    {
        if (maxDegreeOfParallelism == 0 || maxDegreeOfParallelism < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "must be -1 or positive");
        }

        int levels = CountPyramidLevels(image.Rows, image.Cols);
        int numDet = _weights.Length;

        // found[level * numDet + d]: detector d's hits on that level, in dlib's scan order.
        var found = new List<(float Score, Rectangle Rect)>[levels * numDet];
        var images = new LevelImage[levels];
        var rented = new List<byte[]>();
        try
        {
            images[0] = image;
            if (maxDegreeOfParallelism == 1)
            {
                LevelImage current = image;
                byte[]? owned = null;
                for (int l = 0; l < levels; l++)
                {
                    if (l > 0)
                    {
                        byte[] next = DownLevel(current, out current);
                        if (owned is not null)
                        {
                            ArrayPool<byte>.Shared.Return(owned);
                        }

                        owned = next;
                    }

                    HogPlanes feats = Features(current);
                    try
                    {
                        for (int d = 0; d < numDet; d++)
                        {
                            found[(l * numDet) + d] = ScanDetector(feats, l, d, adjustThreshold);
                        }
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(feats.Data);
                    }
                }

                if (owned is not null)
                {
                    ArrayPool<byte>.Shared.Return(owned);
                }
            }
            else
            {
                for (int l = 1; l < levels; l++)
                {
                    rented.Add(DownLevel(images[l - 1], out images[l]));
                }

                var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism };
                var allFeats = new HogPlanes[levels];
                try
                {
                    Parallel.For(0, levels, options, l => allFeats[l] = Features(images[l]));
                    Parallel.For(0, levels * numDet, options, k => found[k] = ScanDetector(allFeats[k / numDet], k / numDet, k % numDet, adjustThreshold));
                }
                finally
                {
                    foreach (HogPlanes? f in allFeats)
                    {
                        if (f is not null)
                        {
                            ArrayPool<float>.Shared.Return(f.Data);
                        }
                    }
                }
            }
        }
        finally
        {
            foreach (byte[] b in rented)
            {
                ArrayPool<byte>.Shared.Return(b);
            }
        }

        var perDetector = new List<(float Score, Rectangle Rect)>[numDet];
        for (int d = 0; d < numDet; d++)
        {
            perDetector[d] = [];
            for (int l = 0; l < levels; l++)
            {
                perDetector[d].AddRange(found[(l * numDet) + d]);
            }
        }

        var accum = new List<HogDetection>();
        for (int d = 0; d < perDetector.Length; d++)
        {
            double thresh = GetThreshold(d);

            // dlib sorts each filter's detections by decreasing score with std::sort on reverse iterators.
            (float Score, Rectangle Rect)[] sorted = perDetector[d].ToArray();
            StdSort.SortReversed(sorted, static (a, b) => a.Score < b.Score);
            foreach ((float score, Rectangle rect) in sorted)
            {
                accum.Add(new HogDetection(rect, score - thresh, d));
            }
        }

        HogDetection[] all = accum.ToArray();
        if (_weights.Length > 1)
        {
            StdSort.SortReversed(all, static (a, b) => a.Score < b.Score);
        }

        var final = new List<HogDetection>();
        foreach (HogDetection det in all)
        {
            bool overlaps = false;
            foreach (HogDetection kept in final)
            {
                if (OverlapTester.Overlaps(kept.Rect, det.Rect))
                {
                    overlaps = true;
                    break;
                }
            }

            if (!overlaps)
            {
                final.Add(det);
            }
        }

        return final;
    }

    /// <summary>The next pyramid_down&lt;6&gt; level of <paramref name="src"/>, in a rented buffer (returned).</summary>
    private static byte[] DownLevel(LevelImage src, out LevelImage down)
    {
        int nr = PyramidDown6.DownSize(src.Rows);
        int nc = PyramidDown6.DownSize(src.Cols);
        int len = nr * nc * src.Channels;
        byte[] next = ArrayPool<byte>.Shared.Rent(Math.Max(len, 1));
        if (src.Channels == 3)
        {
            ImageResize.ResizeRgb(src.Span, src.Rows, src.Cols, next.AsSpan(0, len), nr, nc);
        }
        else
        {
            ImageResize.ResizeGray(src.Span, src.Rows, src.Cols, next.AsSpan(0, len), nr, nc);
        }

        down = new LevelImage(next, nr, nc, src.Channels);
        return next;
    }

    /// <summary>The fhog planes of one level (data rented from the shared pool).</summary>
    private HogPlanes Features(LevelImage img) =>
        FHog.Extract(img.Span, img.Rows, img.Cols, img.Channels, CellSize, FilterHeight, FilterWidth, pooled: true);

    /// <summary>Runs weight vector <paramref name="d"/> over one level's features: dlib's detect_from_fhog_pyramid for that level.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<(float Score, Rectangle Rect)> ScanDetector(HogPlanes feats, int level, int d, double adjustThreshold)
    {
        var dets = new List<(float Score, Rectangle Rect)>();
        if (feats.IsEmpty)
        {
            return dets;
        }

        int detW = FilterWidth - (2 * Padding);
        int detH = FilterHeight - (2 * Padding);
        int nr = feats.Rows, nc = feats.Cols;
        HogFilterBank bank = _banks[d];

        // The separable passes run on rows padded to whole cache lines (see HogFiltering.Separable).
        int pitch = bank.UseSeparable ? (nc + 15) & ~15 : nc;
        int size = (nr * pitch) + 16;
        float[] saliencyArr = ArrayPool<float>.Shared.Rent(size);
        float[] scratchArr = ArrayPool<float>.Shared.Rent(size);
        try
        {
            int firstCol = bank.Width / 2;
            Span<float> saliency = saliencyArr.AsSpan(bank.UseSeparable ? LineStart(saliencyArr, firstCol) : 0, nr * pitch);
            Span<float> scratch = scratchArr.AsSpan(bank.UseSeparable ? LineStart(scratchArr, firstCol) : 0, nr * pitch);
            (int Left, int Top, int Right, int Bottom) area = (0, 0, -1, -1);
            if (bank.UseSeparable)
            {
                bool any = false;
                for (int i = 0; i < NumPlanes; i++)
                {
                    foreach (SeparableFilter f in bank.Separable[i])
                    {
                        area = HogFiltering.Separable(feats.Plane(i), nr, nc, f.Row, f.Col, scratch, saliency, addTo: any, pitch);
                        any = true;
                    }
                }
            }
            else
            {
                for (int i = 0; i < NumPlanes; i++)
                {
                    area = HogFiltering.Full(feats.Plane(i), nr, nc, bank.Filters[i], bank.Height, bank.Width, saliency, addTo: i > 0);
                }
            }

            double thresh = GetThreshold(d) + adjustThreshold;
            for (int r = area.Top; r <= area.Bottom; r++)
            {
                for (int c = area.Left; c <= area.Right; c++)
                {
                    float s = saliency[(r * pitch) + c];
                    if (s >= thresh)
                    {
                        Rectangle rect = FeatsToImage(c, r, detW, detH);
                        rect = PyramidDown6.RectUp(rect, level);
                        dets.Add((s, rect));
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(saliencyArr);
            ArrayPool<float>.Shared.Return(scratchArr);
        }

        return dets;
    }

    /// <summary>
    /// An offset in [0, 16) at which element <paramref name="firstCol"/> of <paramref name="a"/>
    /// starts a 64-byte cache line (where the array happens to lie now; only speed depends on it).
    /// </summary>
    private static unsafe int LineStart(float[] a, int firstCol)
    {
        fixed (float* p = a)
        {
            int misaligned = (int)(((nuint)(p + firstCol) & 63) / sizeof(float));
            return (16 - misaligned) & 15;
        }
    }

    /// <summary>dlib's fhog_to_image(centered_rect(point(c, r), detW, detH), cell, FilterHeight, FilterWidth).</summary>
    private Rectangle FeatsToImage(int c, int r, int detW, int detH)
    {
        long left = c - (detW / 2);
        long top = r - (detH / 2);
        long right = left + detW - 1;
        long bottom = top + detH - 1;
        (long l, long t) = FhogToImage(left, top);
        (long rr, long b) = FhogToImage(right, bottom);
        return new Rectangle(l, t, rr, b);
    }

    private (long X, long Y) FhogToImage(long x, long y)
    {
        x = ((x + 1 - ((FilterWidth - 1) / 2)) * CellSize) + 1;
        y = ((y + 1 - ((FilterHeight - 1) / 2)) * CellSize) + 1;
        long half = CellSize / 2;
        return (x + (x >= 0 ? half : -half), y + (y >= 0 ? half : -half));
    }

    private static (int Width, int Height) ComputeFhogWindowSize(int windowWidth, int windowHeight, int cellSize, int padding)
    {
        // centered_rect(point(0,0), w, h) mapped by image_to_fhog(…, cell, 1, 1), grown by padding.
        long left = -(windowWidth / 2);
        long top = -(windowHeight / 2);
        long right = left + windowWidth - 1;
        long bottom = top + windowHeight - 1;
        long l = ((left - 1) / cellSize) - 1 - padding;
        long t = ((top - 1) / cellSize) - 1 - padding;
        long r = ((right - 1) / cellSize) - 1 + padding;
        long b = ((bottom - 1) / cellSize) - 1 + padding;
        long w = r < l ? 0 : r - l + 1;
        long h = b < t ? 0 : b - t + 1;
        return ((int)w, (int)h);
    }

    private readonly record struct Scanner(int CellSize, int Padding, int WindowWidth, int WindowHeight, long MaxLevels, int MinWidth, int MinHeight, double Nuclear, long Dims);

    private static Scanner ReadScanner(DlibReader reader)
    {
        using (reader.Enter("scan_fhog_pyramid"))
        {
            reader.ReadVersion("scan_fhog_pyramid", 1);
            using (reader.Enter("feature cache"))
            {
                // object_detector always stores a freshly configured scanner, so this
                // dlib::array of per-level features is empty (max_size 0, size 0).
                reader.ReadSize("feature cache max_size", 0);
                long cacheStart = reader.Position;
                long cached = reader.ReadInt64();
                if (cached != 0)
                {
                    throw reader.ErrorAt(cacheStart, $"the scanner holds {cached} cached feature levels; a serialized object_detector never does (is this a bare scan_fhog_pyramid?)");
                }
            }

            int cellSize = (int)ReadSetting(reader, "cell_size", 2, 1024);
            int padding = (int)ReadSetting(reader, "padding", 0, 1024);
            int ww = (int)ReadSetting(reader, "detection window width", 1, MaxSetting);
            int wh = (int)ReadSetting(reader, "detection window height", 1, MaxSetting);
            long maxLevels = ReadSetting(reader, "max_pyramid_levels", 1, long.MaxValue);
            int minW = (int)ReadSetting(reader, "min pyramid layer width", 1, MaxSetting);
            int minH = (int)ReadSetting(reader, "min pyramid layer height", 1, MaxSetting);
            double nuclear;
            using (reader.Enter("nuclear_norm_regularization_strength"))
            {
                nuclear = reader.ReadDouble();
            }

            long start = reader.Position;
            long dims;
            using (reader.Enter("number of dimensions"))
            {
                dims = reader.ReadInt64();
            }

            (int fw, int fh) = ComputeFhogWindowSize(ww, wh, cellSize, padding);
            long expected = (long)fw * fh * NumPlanes;
            if (fw <= 2 * padding || fh <= 2 * padding || expected == 0)
            {
                throw reader.ErrorAt(start, $"detection window {ww}x{wh} with cell size {cellSize} and padding {padding} gives an unusable {fw}x{fh} filter");
            }

            if (dims != expected)
            {
                throw reader.ErrorAt(start, $"number of dimensions {dims} does not match the {fw}x{fh}x{NumPlanes} = {expected} implied by the settings");
            }

            return new Scanner(cellSize, padding, ww, wh, maxLevels, minW, minH, nuclear, dims);
        }
    }

    private static long ReadSetting(DlibReader reader, string what, long min, long max)
    {
        using (reader.Enter(what))
        {
            long start = reader.Position;
            long v = reader.ReadInt64();
            if (v < min || v > max)
            {
                throw reader.ErrorAt(start, $"{what} of {v} is outside the supported range {min}..{max}");
            }

            return v;
        }
    }

    private static OverlapTester ReadTester(DlibReader reader)
    {
        using (reader.Enter("test_box_overlap"))
        {
            long start = reader.Position;
            double iou = reader.ReadDouble();
            double covered = reader.ReadDouble();
            if (!(iou >= 0 && iou <= 1) || !(covered >= 0 && covered <= 1))
            {
                throw reader.ErrorAt(start, $"overlap thresholds must lie in [0,1], found iou {iou} and percent covered {covered}");
            }

            return new OverlapTester(iou, covered);
        }
    }

    private static double[] ReadWeights(DlibReader reader, long dims, int index)
    {
        using (reader.Enter($"weight vector {index}"))
        {
            long start = reader.Position;
            long nr = reader.ReadInt64();
            long nc = reader.ReadInt64();
            if (nr < 0 || nc < 0)
            {
                nr = -nr;
                nc = -nc;
            }

            if (nc != 1)
            {
                throw reader.ErrorAt(start, $"a weight vector must be a column vector, found {nr}x{nc}");
            }

            if (nr < dims + 1 || nr > dims + (1 << 20))
            {
                throw reader.ErrorAt(start, $"weight vector has {nr} elements, expected {dims + 1} ({dims} filter weights and the threshold)");
            }

            if (nr * 2 > reader.Remaining)
            {
                throw reader.ErrorAt(start, $"weight vector claims {nr} doubles but only {reader.Remaining} bytes remain");
            }

            var w = new double[nr];
            for (int i = 0; i < nr; i++)
            {
                w[i] = reader.ReadDouble();
                if (!double.IsFinite(w[i]))
                {
                    throw reader.Error($"weight {i} is not finite");
                }
            }

            return w;
        }
    }

    private static HogObjectDetector LoadFrontalFace()
    {
        const string name = "DlibModels.Resources.frontal_face_detector.dat.bz2";
        using Stream stream = typeof(HogObjectDetector).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing");
        using var bz = new ICSharpCode.SharpZipLib.BZip2.BZip2InputStream(stream);
        using var ms = new MemoryStream();
        bz.CopyTo(ms);
        return Load(ms.ToArray(), "embedded frontal_face_detector.dat");
    }

    private readonly struct LevelImage
    {
        private readonly byte[] _pixels;

        public LevelImage(byte[] pixels, int rows, int cols, int channels)
        {
            _pixels = pixels;
            Rows = rows;
            Cols = cols;
            Channels = channels;
        }

        public int Rows { get; }

        public int Cols { get; }

        public int Channels { get; }

        public ReadOnlySpan<byte> Span => _pixels.AsSpan(0, Rows * Cols * Channels);
    }
}
