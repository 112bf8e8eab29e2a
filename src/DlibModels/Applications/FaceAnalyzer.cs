using DlibModels.Clustering;
using DlibModels.Detection.Hog;
using DlibModels.Detection.Mmod;
using DlibModels.Faces;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Randomness;

namespace DlibModels.Applications;

/// <summary>A face found in an image: its box in the original image, and its landmarks when computed.</summary>
/// <param name="Rect">The face box in the original image's coordinates.</param>
/// <param name="Confidence">HOG score or MMOD detection confidence.</param>
/// <param name="Landmarks">The shape predictor's parts, or null.</param>
public sealed record Face(Rectangle Rect, double Confidence, FullObjectDetection? Landmarks = null);

/// <summary>
/// The face_recognition-style API over dlib's models: <see cref="FaceLocations"/>,
/// <see cref="FaceLandmarks"/>, <see cref="FaceEncodings"/>, <see cref="FaceDistance"/>,
/// <see cref="CompareFaces"/> and <see cref="Cluster"/>.
/// </summary>
/// <remarks>
/// Contracts: detection may run on an upsampled image (<c>upsample</c> times <c>pyramid_up</c>),
/// its boxes are mapped back to the original image, and landmarks, chips and descriptors are then
/// computed on the original image, as dlib's Python API and face_recognition do. Chips are 150×150
/// with padding 0.25; the shape predictor must have 5 or 68 parts. Two faces are the same person
/// when their distance is below 0.6. Instances are immutable and safe to share between threads.
/// </remarks>
public sealed class FaceAnalyzer
{
    private readonly HogObjectDetector? _hog;
    private readonly MmodDetector? _cnn;

    /// <summary>Creates an analyzer.</summary>
    /// <param name="landmarks">A 5- or 68-point shape predictor, or null if landmarks/encodings are not needed.</param>
    /// <param name="recognition">The face recognition net, or null if encodings are not needed.</param>
    /// <param name="cnnDetector">An MMOD face detector to use instead of dlib's HOG detector, or null.</param>
    public FaceAnalyzer(ShapePredictor? landmarks = null, FaceRecognitionModel? recognition = null, MmodDetector? cnnDetector = null)
    {
        if (landmarks is not null && landmarks.NumParts is not (5 or 68))
        {
            throw new ArgumentException($"face alignment needs a 5- or 68-point shape predictor, not {landmarks.NumParts} points", nameof(landmarks));
        }

        Landmarks = landmarks;
        Recognition = recognition;
        _cnn = cnnDetector;
        _hog = cnnDetector is null ? HogObjectDetector.FrontalFace : null;
    }

    /// <summary>The shape predictor, if any.</summary>
    public ShapePredictor? Landmarks { get; }

    /// <summary>The face recognition model, if any.</summary>
    public FaceRecognitionModel? Recognition { get; }

    /// <summary>Face boxes in the original image (detection on the image upsampled <paramref name="upsample"/> times).</summary>
    public IReadOnlyList<Face> FaceLocations(RgbImage image, int upsample = 1, double adjustThreshold = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(upsample);
        RgbImage processed = image;
        for (int i = 0; i < upsample; i++)
        {
            processed = PyramidUp.Up(processed);
        }

        var faces = new List<Face>();
        if (_hog is not null)
        {
            foreach (HogDetection d in _hog.Detect(processed, adjustThreshold))
            {
                faces.Add(new Face(PyramidDown2.RectDown(d.Rect, upsample), d.Score));
            }
        }
        else
        {
            foreach (MmodDetection d in _cnn!.Detect(processed, adjustThreshold))
            {
                faces.Add(new Face(PyramidDown2.RectDown(d.Rect, upsample), d.Confidence));
            }
        }

        return faces;
    }

    /// <summary>Landmarks of each face (found with <see cref="FaceLocations"/> unless <paramref name="faces"/> is given).</summary>
    public IReadOnlyList<Face> FaceLandmarks(RgbImage image, IReadOnlyList<Face>? faces = null, int upsample = 1)
    {
        ShapePredictor sp = Landmarks ?? throw new InvalidOperationException("FaceLandmarks needs a shape predictor");
        faces ??= FaceLocations(image, upsample);
        var result = new List<Face>(faces.Count);
        foreach (Face f in faces)
        {
            result.Add(f with { Landmarks = sp.Predict(image, f.Rect) });
        }

        return result;
    }

    /// <summary>The 150×150 aligned chip of each face (padding 0.25), extracted one at a time as dlib's example does.</summary>
    public IReadOnlyList<RgbImage> FaceChipsOf(RgbImage image, IReadOnlyList<Face> facesWithLandmarks, int size = 150, double padding = 0.25)
    {
        var chips = new RgbImage[facesWithLandmarks.Count];
        for (int i = 0; i < chips.Length; i++)
        {
            FullObjectDetection shape = facesWithLandmarks[i].Landmarks ?? throw new ArgumentException($"face {i} has no landmarks");
            chips[i] = FaceChips.ExtractImageChip(image, FaceChips.GetFaceChipDetails(shape, size, padding));
        }

        return chips;
    }

    /// <summary>
    /// 128-d descriptors of each face. With <paramref name="numJitters"/> &gt; 1 each is the mean over
    /// that many <c>jitter_image</c> crops drawn from <paramref name="random"/> (one generator shared
    /// by all faces in order, as dlib's example does; default-seeded when null).
    /// </summary>
    public IReadOnlyList<float[]> FaceEncodings(RgbImage image, IReadOnlyList<Face>? faces = null, int upsample = 1, int numJitters = 1, DlibRandom? random = null)
    {
        FaceRecognitionModel net = Recognition ?? throw new InvalidOperationException("FaceEncodings needs a face recognition model");
        IReadOnlyList<Face> withLandmarks = faces is not null && faces.All(f => f.Landmarks is not null) ? faces : FaceLandmarks(image, faces, upsample);
        IReadOnlyList<RgbImage> chips = FaceChipsOf(image, withLandmarks);
        if (numJitters <= 1)
        {
            return net.ComputeDescriptors(chips);
        }

        random ??= new DlibRandom();
        var result = new float[chips.Count][];
        for (int i = 0; i < chips.Count; i++)
        {
            result[i] = net.ComputeJitteredDescriptor(chips[i], numJitters, random);
        }

        return result;
    }

    /// <summary>Distances from each known descriptor to <paramref name="candidate"/>.</summary>
    public static double[] FaceDistance(IReadOnlyList<float[]> known, float[] candidate)
    {
        ArgumentNullException.ThrowIfNull(known);
        var d = new double[known.Count];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = FaceRecognitionModel.Distance(known[i], candidate);
        }

        return d;
    }

    /// <summary>For each known descriptor, whether <paramref name="candidate"/> is the same person (distance below <paramref name="tolerance"/>).</summary>
    public static bool[] CompareFaces(IReadOnlyList<float[]> known, float[] candidate, double tolerance = FaceRecognitionModel.SamePersonThreshold) =>
        FaceDistance(known, candidate).Select(d => d < tolerance).ToArray();

    /// <summary>
    /// Groups descriptors by person with dlib's <c>chinese_whispers</c>: an edge for every pair
    /// (including each with itself) closer than <paramref name="threshold"/>, 100 iterations,
    /// a fresh default-seeded generator, as dlib's example. Returns a label per descriptor.
    /// </summary>
    public static int[] Cluster(IReadOnlyList<float[]> descriptors, double threshold = FaceRecognitionModel.SamePersonThreshold)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        var edges = new List<SamplePair>();
        for (int i = 0; i < descriptors.Count; i++)
        {
            for (int j = i; j < descriptors.Count; j++)
            {
                if (FaceRecognitionModel.Distance(descriptors[i], descriptors[j]) < threshold)
                {
                    edges.Add(new SamplePair(i, j));
                }
            }
        }

        ChineseWhispers.Cluster(edges, out int[] labels);
        if (labels.Length < descriptors.Count)
        {
            Array.Resize(ref labels, descriptors.Count);
        }

        return labels;
    }
}
