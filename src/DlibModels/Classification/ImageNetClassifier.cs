using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Faces;
using DlibModels.Imaging;
using DlibModels.Randomness;
using DlibModels.Serialization;
using DlibModels.Zoo;

namespace DlibModels.Classification;

/// <summary>How <see cref="ImageNetClassifier"/> turns an image into network inputs.</summary>
public enum CropMode
{
    /// <summary>
    /// dnn_imagenet_ex's procedure (the default): random square crops of 0.467–0.875 of the short
    /// side, resized to the input size, randomly mirrored and colour-shifted; the softmax is averaged.
    /// </summary>
    Random,

    /// <summary>Deterministic: the centred square of side min(rows, cols), resized to the input size.</summary>
    Center,

    /// <summary>Deterministic: the whole image stretched to the input size.</summary>
    Full,
}

/// <summary>One class and its probability.</summary>
/// <param name="Index">The class index (0–999 for ImageNet).</param>
/// <param name="Label">The class label stored in the model file ("?" when the file has fewer labels).</param>
/// <param name="Probability">The (mean) softmax probability.</param>
public readonly record struct ClassScore(int Index, string Label, float Probability);

/// <summary>The result of classifying one image.</summary>
public sealed class ImageClassification
{
    private readonly IReadOnlyList<string> _labels;

    internal ImageClassification(float[] probabilities, IReadOnlyList<string> labels, Rectangle? cropRect, int cropCount)
    {
        Probabilities = probabilities;
        _labels = labels;
        CropRect = cropRect;
        CropCount = cropCount;
    }

    /// <summary>The mean softmax over the crops, one value per class.</summary>
    public IReadOnlyList<float> Probabilities { get; }

    /// <summary>The square cropped in <see cref="CropMode.Center"/> mode; null otherwise.</summary>
    public Rectangle? CropRect { get; }

    /// <summary>How many crops were averaged.</summary>
    public int CropCount { get; }

    /// <summary>
    /// The <paramref name="k"/> most probable classes, best first; ties go to the lower index
    /// (as dlib's <c>index_of_max</c>).
    /// </summary>
    public IReadOnlyList<ClassScore> Top(int k = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        k = Math.Min(k, Probabilities.Count);
        var q = Probabilities.ToArray();
        var result = new List<ClassScore>(k);
        for (int t = 0; t < k; t++)
        {
            int best = 0;
            for (int i = 1; i < q.Length; i++)
            {
                if (q[i] > q[best])
                {
                    best = i;
                }
            }

            result.Add(new ClassScore(best, best < _labels.Count ? _labels[best] : "?", Probabilities[best]));
            q[best] = -1;
        }

        return result;
    }
}

/// <summary>
/// dlib's ResNet ImageNet classifier (<c>resnet34_1000_imagenet_classifier.dnn</c>, dnn_imagenet_ex):
/// a <c>loss_multiclass_log</c> network over <c>input_rgb_image_sized</c>, followed in the file by the
/// class labels. Classification applies a softmax to the network's output and averages it over the crops.
/// </summary>
/// <remarks>Immutable after loading; safe to use from many threads at once (a <see cref="DlibRandom"/> is not).</remarks>
public sealed class ImageNetClassifier
{
    /// <summary>dnn_imagenet_ex's number of random crops per image.</summary>
    public const int DefaultCrops = 16;

    private const double MinCropScale = 0.466666666;
    private const double MaxCropScale = 0.875;

    private readonly IForwardPass _executor;

    /// <summary>Wraps a loaded network and its labels.</summary>
    /// <exception cref="ArgumentException">The network is not a multiclass network over fixed-size RGB images.</exception>
    public ImageNetClassifier(DnnNetwork network, IReadOnlyList<string> labels, int maxThreads = 0)
        : this(new DnnExecutor(network ?? throw new ArgumentNullException(nameof(network)), maxThreads), labels)
    {
    }

    /// <summary>Wraps the forward pass of a loaded network (this library's <see cref="DnnExecutor"/> or another engine) and its labels.</summary>
    /// <exception cref="ArgumentException">The network is not a multiclass network over fixed-size RGB images.</exception>
    public ImageNetClassifier(IForwardPass forward, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(labels);
        DnnNetwork network = forward.Network;
        string? problem = Check(network);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(network));
        }

        Network = network;
        Labels = labels.ToArray();
        _executor = forward;
    }

    /// <summary>The network.</summary>
    public DnnNetwork Network { get; }

    /// <summary>The class labels from the model file.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Rows of the network's input (227 for the ResNet34).</summary>
    public int InputRows => Network.Input.FixedRows;

    /// <summary>Columns of the network's input (227 for the ResNet34).</summary>
    public int InputCols => Network.Input.FixedCols;

    /// <summary>Loads a classifier file (plain or .bz2): the network, then the labels.</summary>
    /// <exception cref="DlibFormatException">The file is not an ImageNet classifier.</exception>
    public static ImageNetClassifier Load(string path, int maxThreads = 0)
    {
        ModelFileContents contents = ModelFileContents.Read(path);
        DnnNetwork net = contents.Network ?? throw new DlibFormatException(path, 0, "the network", "the file holds no network");
        string? problem = Check(net);
        if (problem is not null)
        {
            throw new DlibFormatException(path, 0, "the network", problem);
        }

        if (contents.Labels is null)
        {
            throw new DlibFormatException(path, 0, "the labels", "an ImageNet classifier file stores its class labels after the network, but this file has none");
        }

        return new ImageNetClassifier(net, contents.Labels, maxThreads);
    }

    /// <summary>
    /// Classifies one image. <see cref="CropMode.Random"/> draws from <paramref name="random"/>
    /// exactly as dnn_imagenet_ex does (pass one default-seeded generator shared across images, in
    /// order, to reproduce dlib); the other modes ignore it.
    /// </summary>
    /// <exception cref="ArgumentException">Random mode without a generator, or an image too small to crop.</exception>
    public ImageClassification Classify(RgbImage image, CropMode mode = CropMode.Random, DlibRandom? random = null, int crops = DefaultCrops)
    {
        (RgbImage[] inputs, Rectangle? rect) = MakeCrops(image, mode, random, crops);
        return new ImageClassification(MeanSoftmax(inputs), Labels, rect, inputs.Length);
    }

    /// <summary>
    /// Classifies many images in order. In random mode one generator serves them all, so each
    /// result depends on the images before it, as in dlib's example.
    /// </summary>
    public IEnumerable<ImageClassification> ClassifyAll(IEnumerable<RgbImage> images, CropMode mode = CropMode.Random, DlibRandom? random = null, int crops = DefaultCrops)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (mode == CropMode.Random)
        {
            random ??= new DlibRandom();
        }

        foreach (RgbImage img in images)
        {
            yield return Classify(img, mode, random, crops);
        }
    }

    /// <summary>The network inputs for an image: the crops (random mode) or the one resized image, and the centre square.</summary>
    /// <exception cref="ArgumentException">Random mode without a generator, or an image too small to crop.</exception>
    public (RgbImage[] Crops, Rectangle? CropRect) MakeCrops(RgbImage image, CropMode mode, DlibRandom? random = null, int crops = DefaultCrops)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rows == 0 || image.Cols == 0)
        {
            throw new ArgumentException("the image is empty", nameof(image));
        }

        switch (mode)
        {
            case CropMode.Random:
                if (random is null)
                {
                    throw new ArgumentException("random crops need a DlibRandom", nameof(random));
                }

                ArgumentOutOfRangeException.ThrowIfLessThan(crops, 1);
                return (RandomCrops(image, random, crops, InputRows, InputCols), null);
            case CropMode.Center:
                {
                    long s = Math.Min(image.Rows, image.Cols);
                    var whole = new Rectangle(0, 0, image.Cols - 1, image.Rows - 1);
                    (long cx, long cy) = whole.Center;
                    long left = cx - (s / 2);
                    long top = cy - (s / 2);
                    var r = new Rectangle(left, top, left + s - 1, top + s - 1);
                    return ([FaceChips.ExtractImageChip(image, new ChipDetails(DRectangle.FromRectangle(r), 0, InputRows, InputCols))], r);
                }

            case CropMode.Full:
                {
                    var r = new Rectangle(0, 0, image.Cols - 1, image.Rows - 1);
                    return ([FaceChips.ExtractImageChip(image, new ChipDetails(DRectangle.FromRectangle(r), 0, InputRows, InputCols))], null);
                }

            default:
                throw new ArgumentOutOfRangeException(nameof(mode));
        }
    }

    /// <summary>The mean softmax of the network over images of the input size, run in batches.</summary>
    public float[] MeanSoftmax(IReadOnlyList<RgbImage> inputs, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (inputs.Count == 0)
        {
            throw new ArgumentException("at least one input is needed", nameof(inputs));
        }

        float[]? sum = null;
        for (int start = 0; start < inputs.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, inputs.Count - start);
            var batch = new RgbImage[n];
            for (int i = 0; i < n; i++)
            {
                batch[i] = inputs[start + i];
            }

            using Tensor x = InputTensors.FromRgbImages(Network.Input, batch);
            using Tensor y = _executor.Forward(x);
            int classes = y.SampleSize;
            sum ??= new float[classes];
            float[] d = y.Buffer;
            for (int s = 0; s < n; s++)
            {
                Softmax(d.AsSpan(s * classes, classes));
                for (int c = 0; c < classes; c++)
                {
                    sum[c] += d[(s * classes) + c];
                }
            }
        }

        float count = inputs.Count;
        for (int c = 0; c < sum!.Length; c++)
        {
            sum[c] /= count;
        }

        return sum;
    }

    /// <summary>dlib's softmax over one sample's channels (max subtracted, float exp, normalised).</summary>
    internal static void Softmax(Span<float> v)
    {
        float max = float.NegativeInfinity;
        foreach (float x in v)
        {
            max = Math.Max(max, x);
        }

        for (int i = 0; i < v.Length; i++)
        {
            v[i] = MathF.Exp(v[i] - max);
        }

        float total = 0;
        foreach (float x in v)
        {
            total += x;
        }

        for (int i = 0; i < v.Length; i++)
        {
            v[i] /= total;
        }
    }

    /// <summary>
    /// dnn_imagenet_ex's <c>randomly_crop_images</c>: all crop rectangles first (per crop: scale,
    /// then the vertical and the horizontal offset, since GCC evaluates <c>point(x, y)</c>'s
    /// arguments right to left), one <c>extract_image_chips</c> call, then per crop a mirror draw
    /// and <c>apply_random_color_offset</c>.
    /// </summary>
    internal static RgbImage[] RandomCrops(RgbImage image, DlibRandom random, int count, int rows, int cols)
    {
        var details = new ChipDetails[count];
        for (int i = 0; i < count; i++)
        {
            double scale = MinCropScale + (random.GetRandomDouble() * (MaxCropScale - MinCropScale));
            double size = scale * Math.Min(image.Rows, image.Cols);
            ulong side = (ulong)size;
            ulong oy = random.GetRandom32BitNumber() % ((ulong)image.Rows - side);
            ulong ox = random.GetRandom32BitNumber() % ((ulong)image.Cols - side);
            var r = new Rectangle((long)ox, (long)oy, (long)(ox + side) - 1, (long)(oy + side) - 1);
            details[i] = new ChipDetails(DRectangle.FromRectangle(r), 0, rows, cols);
        }

        RgbImage[] crops = FaceChips.ExtractImageChips(image, details);
        foreach (RgbImage crop in crops)
        {
            if (random.GetRandomDouble() > 0.5)
            {
                ImageTransforms.FlipLeftRight(crop);
            }

            ImageOps.ApplyRandomColorOffset(crop, random);
        }

        return crops;
    }

    private static string? Check(DnnNetwork network)
    {
        if (network.Loss is not MulticlassLogLoss || network.Input.Kind != InputKind.RgbImageSized)
        {
            return $"an ImageNet classifier needs a loss_multiclass_log network over input_rgb_image_sized, not {network.Loss.Kind} over {network.Input.Describe()}";
        }

        return null;
    }
}
