using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Dnn.Format;
using DlibModels.Imaging;
using DlibModels.Randomness;
using DlibModels.Serialization;

namespace DlibModels.Faces;

/// <summary>
/// dlib's face recognition ResNet (<c>dlib_face_recognition_resnet_model_v1</c>): maps a 150×150
/// aligned face chip (see <see cref="FaceChips.GetFaceChipDetails"/> with size 150, padding 0.25)
/// to a 128-d descriptor. Two faces are the same person when their descriptors are closer than 0.6.
/// </summary>
/// <remarks>Immutable after loading; safe to use from many threads at once.</remarks>
public sealed class FaceRecognitionModel
{
    /// <summary>The distance below which dlib considers two descriptors the same person.</summary>
    public const double SamePersonThreshold = 0.6;

    private readonly IForwardPass _executor;

    /// <summary>Wraps a loaded network.</summary>
    /// <exception cref="ArgumentException">The network is not a metric-loss network with a fixed-size RGB input.</exception>
    public FaceRecognitionModel(DnnNetwork network, int maxThreads = 0)
        : this(new DnnExecutor(network ?? throw new ArgumentNullException(nameof(network)), maxThreads))
    {
    }

    /// <summary>Wraps the forward pass of a loaded network (this library's <see cref="DnnExecutor"/> or another engine).</summary>
    /// <exception cref="ArgumentException">The network is not a metric-loss network with a fixed-size RGB input.</exception>
    public FaceRecognitionModel(IForwardPass forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        DnnNetwork network = forward.Network;
        if (network.Loss is not MetricLoss || network.Input.Kind != InputKind.RgbImageSized)
        {
            throw new ArgumentException($"a face recognition model needs a loss_metric network with an input_rgb_image_sized input, not {network.Loss.Kind} over {network.Input.Describe()}", nameof(network));
        }

        Network = network;
        _executor = forward;
    }

    /// <summary>The network.</summary>
    public DnnNetwork Network { get; }

    /// <summary>The chip size the network takes (150).</summary>
    public int ChipSize => Network.Input.FixedRows;

    /// <summary>Loads a model file (plain or .bz2).</summary>
    /// <exception cref="DlibFormatException">The file is not a face recognition network.</exception>
    public static FaceRecognitionModel Load(string path, int maxThreads = 0)
    {
        DnnNetwork net = DnnLoader.LoadNetwork(path);
        if (net.Loss is not MetricLoss || net.Input.Kind != InputKind.RgbImageSized)
        {
            throw new DlibFormatException(path, 0, "the network", $"a face recognition model needs loss_metric over input_rgb_image_sized, but the file holds {net.Loss.Kind} over {net.Input.Describe()}");
        }

        return new FaceRecognitionModel(net, maxThreads);
    }

    /// <summary>Descriptors of aligned chips, computed in batches of <paramref name="batchSize"/> (the result does not depend on it beyond float rounding).</summary>
    public float[][] ComputeDescriptors(IReadOnlyList<RgbImage> chips, int batchSize = 16)
    {
        ArgumentNullException.ThrowIfNull(chips);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var result = new float[chips.Count][];
        for (int start = 0; start < chips.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, chips.Count - start);
            var batch = new RgbImage[n];
            for (int i = 0; i < n; i++)
            {
                batch[i] = CheckChip(chips[start + i], start + i);
            }

            using Tensor input = InputTensors.FromRgbImages(Network.Input, batch);
            using Tensor output = _executor.Forward(input);
            int dims = output.SampleSize;
            ReadOnlySpan<float> values = output.Span;
            for (int i = 0; i < n; i++)
            {
                result[start + i] = values.Slice(i * dims, dims).ToArray();
            }
        }

        return result;
    }

    /// <summary>The descriptor of one aligned chip.</summary>
    public float[] ComputeDescriptor(RgbImage chip) => ComputeDescriptors([chip])[0];

    /// <summary>
    /// dlib's jittered descriptor: the mean of the descriptors of <paramref name="numJitters"/>
    /// <c>jitter_image</c> copies of the chip, drawn from <paramref name="random"/> (which advances).
    /// With numJitters ≤ 1 it is the plain descriptor, as in dlib's Python API.
    /// </summary>
    public float[] ComputeJitteredDescriptor(RgbImage chip, int numJitters, DlibRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (numJitters <= 1)
        {
            return ComputeDescriptor(chip);
        }

        var crops = new RgbImage[numJitters];
        for (int i = 0; i < numJitters; i++)
        {
            crops[i] = Jitter.JitterImage(chip, random);
        }

        float[][] all = ComputeDescriptors(crops, numJitters);
        var mean = new float[all[0].Length];
        foreach (float[] d in all)
        {
            for (int j = 0; j < mean.Length; j++)
            {
                mean[j] += d[j];
            }
        }

        for (int j = 0; j < mean.Length; j++)
        {
            mean[j] /= numJitters;
        }

        return mean;
    }

    /// <summary>Euclidean distance between two descriptors, in float32 summed in order as dlib's <c>length(a - b)</c>.</summary>
    public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"descriptors differ in length ({a.Length} vs {b.Length})");
        }

        float sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            float d = a[i] - b[i];
            sum += d * d;
        }

        return MathF.Sqrt(sum);
    }

    private RgbImage CheckChip(RgbImage chip, int index)
    {
        ArgumentNullException.ThrowIfNull(chip);
        if (chip.Rows != Network.Input.FixedRows || chip.Cols != Network.Input.FixedCols)
        {
            throw new ArgumentException($"chip {index} is {chip.Cols}x{chip.Rows}; the network takes {Network.Input.FixedCols}x{Network.Input.FixedRows} aligned face chips (extract them with FaceChips.GetFaceChipDetails(shape, 150, 0.25))");
        }

        return chip;
    }
}
