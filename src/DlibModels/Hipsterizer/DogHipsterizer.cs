using DlibModels.Detection.Mmod;
using DlibModels.Dnn;
using DlibModels.Geometry;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Serialization;
using DlibModels.Zoo;

namespace DlibModels.Hipsterizer;

/// <summary>One face found by the hipsterizer: the detection and its 6 landmarks.</summary>
/// <param name="Detection">The MMOD detection.</param>
/// <param name="Shape">The 6 parts in the file's order: top, lear, leye, nose, rear, reye.</param>
public sealed record HipsterFace(MmodDetection Detection, FullObjectDetection Shape);

/// <summary>
/// dnn_mmod_dog_hipsterizer: an MMOD face detector, a 6-point shape predictor, and glasses and
/// mustache overlays (RGBA), all read from one file (<c>mmod_dog_hipsterizer.dat</c>). Draws the
/// overlays onto each face exactly as dlib's example does.
/// </summary>
/// <remarks>Immutable after loading; safe to use from many threads at once.</remarks>
public sealed class DogHipsterizer
{
    /// <summary>The wireframe colour of dlib's example (green).</summary>
    private static readonly (byte R, byte G, byte B) WireColor = (0, 255, 0);

    /// <summary>Builds a hipsterizer from its parts; the overlays are the stored (not yet upsampled) images.</summary>
    /// <exception cref="ArgumentException">The predictor does not give 6 parts.</exception>
    public DogHipsterizer(MmodDetector detector, ShapePredictor predictor, RgbaImage glasses, RgbaImage mustache)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(glasses);
        ArgumentNullException.ThrowIfNull(mustache);
        if (predictor.NumParts != 6)
        {
            throw new ArgumentException($"the hipsterizer needs a 6-point shape predictor, not {predictor.NumParts} points", nameof(predictor));
        }

        Detector = detector;
        Predictor = predictor;
        StoredGlasses = glasses;
        StoredMustache = mustache;
        Glasses = Drawing.PyramidUp(glasses);
        Mustache = Drawing.PyramidUp(mustache);
    }

    /// <summary>The face detector.</summary>
    public MmodDetector Detector { get; }

    /// <summary>The 6-point shape predictor.</summary>
    public ShapePredictor Predictor { get; }

    /// <summary>The glasses as stored in the file (236×72 in dlib's).</summary>
    public RgbaImage StoredGlasses { get; }

    /// <summary>The mustache as stored in the file (200×60 in dlib's).</summary>
    public RgbaImage StoredMustache { get; }

    /// <summary>The glasses after <c>pyramid_up</c>, as drawn.</summary>
    public RgbaImage Glasses { get; }

    /// <summary>The mustache after <c>pyramid_up</c>, as drawn.</summary>
    public RgbaImage Mustache { get; }

    /// <summary>Loads a hipsterizer file (plain or .bz2): MMOD net, shape predictor, glasses, mustache.</summary>
    /// <exception cref="DlibFormatException">The file does not hold those four objects.</exception>
    public static DogHipsterizer Load(string path, int maxThreads = 0)
    {
        ModelFileContents contents = ModelFileContents.Read(path);
        DnnNetwork net = contents.Network ?? throw new DlibFormatException(path, 0, "the network", "the file holds no network");
        if (net.Loss is not MmodLoss)
        {
            throw new DlibFormatException(path, 0, "the network", $"the hipsterizer needs an MMOD network (loss_mmod), but this file's loss is {net.Loss.Kind}");
        }

        if (contents.ShapePredictor is null || contents.Images.Count != 2)
        {
            throw new DlibFormatException(path, 0, "the trailing objects", $"a hipsterizer file stores a shape predictor and two images after the network; this one has {(contents.ShapePredictor is null ? "no" : "a")} predictor and {contents.Images.Count} image(s)");
        }

        return new DogHipsterizer(new MmodDetector(net, maxThreads), contents.ShapePredictor, contents.Images[0], contents.Images[1]);
    }

    /// <summary>Detects faces and predicts their 6 landmarks.</summary>
    public IReadOnlyList<HipsterFace> FindFaces(RgbImage image, double adjustThreshold = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        var faces = new List<HipsterFace>();
        foreach (MmodDetection d in Detector.Detect(image, adjustThreshold))
        {
            faces.Add(new HipsterFace(d, Predictor.Predict(image, d.Rect)));
        }

        return faces;
    }

    /// <summary>
    /// Returns a copy of <paramref name="image"/> with glasses and a mustache drawn on every face, as
    /// dnn_mmod_dog_hipsterizer does, optionally with the example's green wireframe of the landmarks
    /// (drawn into the image with dlib's <c>draw_line</c>; the example shows it as a window overlay).
    /// </summary>
    public RgbImage Hipsterize(RgbImage image, out IReadOnlyList<HipsterFace> faces, bool wireframe = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        faces = FindFaces(image);
        RgbImage output = image.Clone();
        foreach (HipsterFace face in faces)
        {
            Draw(output, face.Shape);
        }

        if (wireframe)
        {
            foreach (HipsterFace face in faces)
            {
                DrawWireframe(output, face.Shape);
            }
        }

        return output;
    }

    /// <summary>Draws the glasses and the mustache for one 6-point shape into <paramref name="img"/>.</summary>
    public void Draw(RgbImage img, FullObjectDetection shape)
    {
        ArgumentNullException.ThrowIfNull(img);
        ArgumentNullException.ThrowIfNull(shape);
        Point leye = shape.Part(2), nose = shape.Part(3), reye = shape.Part(5);

        // Mustache corners: 1.3 × half the eye-to-eye vector either side of the nose, rounded to integer points.
        Point lmustache = Point.Round((1.3 * (leye.X - reye.X) / 2) + nose.X, (1.3 * (leye.Y - reye.Y) / 2) + nose.Y);
        Point rmustache = Point.Round((1.3 * (reye.X - leye.X) / 2) + nose.X, (1.3 * (reye.Y - leye.Y) / 2) + nose.Y);

        // The glasses' lens centres in the upsampled overlay go onto the eyes.
        Affine toImage = SimilarityTransform.Find([(2 * 176, 2 * 36), (2 * 59, 2 * 35)], [(leye.X, leye.Y), (reye.X, reye.Y)]);
        Paste(img, Glasses, toImage);

        // The mustache's top edge goes from the right to the left mustache corner.
        toImage = SimilarityTransform.Find([(0, 0), (Mustache.Cols - 1, 0)], [(rmustache.X, rmustache.Y), (lmustache.X, lmustache.Y)]);
        Paste(img, Mustache, toImage);
    }

    /// <summary>The example's wireframe: leye–nose–reye–leye, reye–rear–top–lear–leye, in green.</summary>
    public static void DrawWireframe(RgbImage img, FullObjectDetection shape)
    {
        ArgumentNullException.ThrowIfNull(img);
        ArgumentNullException.ThrowIfNull(shape);
        Point top = shape.Part(0), lear = shape.Part(1), leye = shape.Part(2), nose = shape.Part(3), rear = shape.Part(4), reye = shape.Part(5);
        (Point A, Point B)[] lines = [(leye, nose), (nose, reye), (reye, leye), (reye, rear), (rear, top), (top, lear), (lear, leye)];
        foreach ((Point a, Point b) in lines)
        {
            Drawing.DrawLine(img, a.X, a.Y, b.X, b.Y, WireColor.R, WireColor.G, WireColor.B);
        }
    }

    /// <summary>Maps every overlay pixel to the nearest image pixel and blends it there (dlib's forward mapping, no interpolation).</summary>
    private static void Paste(RgbImage img, RgbaImage overlay, Affine toImage)
    {
        byte[] op = overlay.Pixels;
        for (int r = 0; r < overlay.Rows; r++)
        {
            for (int c = 0; c < overlay.Cols; c++)
            {
                (double x, double y) = toImage.Apply(c, r);
                Point p = Point.Round(x, y);
                if (p.X >= 0 && p.Y >= 0 && p.X < img.Cols && p.Y < img.Rows)
                {
                    int o = ((r * overlay.Cols) + c) * 4;
                    Drawing.BlendPixel(img, p.X, p.Y, op[o], op[o + 1], op[o + 2], op[o + 3]);
                }
            }
        }
    }
}
