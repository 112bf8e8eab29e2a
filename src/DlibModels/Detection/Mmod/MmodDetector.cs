using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Imaging;

namespace DlibModels.Detection.Mmod;

/// <summary>
/// dlib's CNN object detector: a network with an <c>input_rgb_image_pyramid</c> input and a
/// <c>loss_mmod</c> loss (the model zoo's face and vehicle detectors). Immutable and thread-safe.
/// </summary>
public sealed class MmodDetector
{
    private readonly IForwardPass executor;
    private readonly MmodLoss loss;
    private readonly OverlapTester nms;

    /// <summary>Creates a detector for <paramref name="network"/>.</summary>
    /// <param name="network">A network whose loss is <see cref="MmodLoss"/> and whose input is an RGB image pyramid.</param>
    /// <param name="maxThreads">Most threads one detection may use; 0 means all processors.</param>
    public MmodDetector(DnnNetwork network, int maxThreads = 0)
        : this(new DnnExecutor(network ?? throw new ArgumentNullException(nameof(network)), maxThreads))
    {
    }

    /// <summary>
    /// Creates a detector whose network runs on <paramref name="forward"/> (this library's
    /// <see cref="DnnExecutor"/> or another engine); the pyramid, decoding and NMS stay the same.
    /// </summary>
    /// <param name="forward">The forward pass of a network whose loss is <see cref="MmodLoss"/> and whose input is an RGB image pyramid.</param>
    public MmodDetector(IForwardPass forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        DnnNetwork network = forward.Network;
        loss = network.Loss as MmodLoss ?? throw new ArgumentException($"the network's loss is {network.Loss.Kind}, not loss_mmod", nameof(network));
        if (network.Input.Kind != InputKind.RgbImagePyramid)
        {
            throw new ArgumentException($"the network's input is {network.Input.Describe()}, not an RGB image pyramid", nameof(network));
        }

        if (loss.UseBoundingBoxRegression)
        {
            throw new NotSupportedException("MMOD bounding box regression is not supported (none of the zoo models use it)");
        }

        Network = network;
        executor = forward;
        nms = new OverlapTester(loss.NmsIouThreshold, loss.NmsPercentCoveredThreshold);
    }

    /// <summary>The network.</summary>
    public DnnNetwork Network { get; }

    /// <summary>The detector windows (size and label), one per output channel.</summary>
    public IReadOnlyList<DetectorWindow> Windows => loss.Windows;

    /// <summary>
    /// The largest image accepted, in pixels (24 megapixels, e.g. 6000×4000). Peak memory grows by
    /// about 180 bytes per pixel (the tiled pyramid tensor and the first layers' outputs), so this
    /// bounds one detection at roughly 4.5 GB; dlib itself needs several times that.
    /// </summary>
    public const long MaxPixels = 24_000_000;

    /// <summary>
    /// Detects objects in <paramref name="image"/>, like dlib's <c>net(img)</c> or
    /// <c>net.process(img, adjustThreshold)</c>: every output above the threshold becomes a candidate,
    /// then greedy non-max suppression keeps the best, highest confidence first.
    /// </summary>
    /// <exception cref="ArgumentException">The image has more than <see cref="MaxPixels"/> pixels.</exception>
    public IReadOnlyList<MmodDetection> Detect(RgbImage image, double adjustThreshold = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        if ((long)image.Rows * image.Cols > MaxPixels)
        {
            throw new ArgumentException($"a {image.Cols}x{image.Rows} image has more than the {MaxPixels} pixels the MMOD detector accepts (the image pyramid needs about 180 bytes per pixel); detect on a smaller or tiled image, or upsample less", nameof(image));
        }

        if (image.Rows == 0 || image.Cols == 0)
        {
            return Array.Empty<MmodDetection>();
        }

        (Tensor input, Rectangle[] rects) = MmodPyramid.ToTensor(Network.Input, new[] { image }, executor.MaxThreads);
        using (input)
        {
            if (rects.Length == 0 || DnnExecutor.OutputShape(Network, input.N, input.K, input.Rows, input.Cols) is null)
            {
                return Array.Empty<MmodDetection>();
            }

            using Tensor output = executor.Forward(input);
            return Decode(output, 0, rects, adjustThreshold);
        }
    }

    /// <summary>
    /// The network's input tensor for <paramref name="image"/>, as <see cref="Detect"/> builds it:
    /// the tiled image pyramid, normalised as (p − mean)/256. The caller disposes it.
    /// </summary>
    public Tensor BuildInput(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return MmodPyramid.ToTensor(Network.Input, new[] { image }, executor.MaxThreads).Tensor;
    }

    /// <summary>
    /// Runs the network on <paramref name="image"/> layer by layer and returns every layer's output
    /// statistics, input first (what dlibref's <c>layers</c> command prints).
    /// </summary>
    public IReadOnlyList<LayerStatistics> LayerStatistics(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        (Tensor input, _) = MmodPyramid.ToTensor(Network.Input, new[] { image });
        using (input)
        {
            DnnExecutor engine = executor as DnnExecutor ?? new DnnExecutor(Network, executor.MaxThreads);
            IReadOnlyList<LayerStatistics> stats = engine.ForwardWithStatistics(input, out Tensor output);
            output.Dispose();
            return stats;
        }
    }

    /// <summary>
    /// loss_mmod's <c>to_label</c> for sample <paramref name="n"/>: candidates above the threshold,
    /// mapped to the image, sorted with std::sort, then non-max suppressed (labels ignored).
    /// </summary>
    internal IReadOnlyList<MmodDetection> Decode(Tensor output, int n, IReadOnlyList<Rectangle> rects, double adjustThreshold)
    {
        if (output.K != loss.Windows.Count)
        {
            throw new InvalidOperationException($"the network outputs {output.K} channels for {loss.Windows.Count} detector windows");
        }

        var dets = new List<Candidate>();
        float[] data = output.Buffer;
        int baseIdx = n * output.SampleSize;
        int factor = Network.Input.PyramidDownFactor;
        for (int k = 0; k < output.K; k++)
        {
            DetectorWindow window = loss.Windows[k];
            for (int r = 0; r < output.Rows; r++)
            {
                for (int c = 0; c < output.Cols; c++)
                {
                    double score = data[baseIdx + (((k * output.Rows) + r) * output.Cols) + c];
                    if (score > adjustThreshold)
                    {
                        (double px, double py) = OutputToInput(Network.Layers, c, r);
                        DRect rect = DRect.Centered(px, py, window.Width, window.Height);
                        rect = MmodPyramid.TiledToImage(rects, factor, rect);
                        dets.Add(new Candidate(rect.Round(), score, k));
                    }
                }
            }
        }

        // std::sort(dets.rbegin(), dets.rend()) with operator< on the confidence.
        var reversed = new List<Candidate>(dets.Count);
        for (int i = dets.Count - 1; i >= 0; i--)
        {
            reversed.Add(dets[i]);
        }

        StdSort.Sort(reversed, static (a, b) => a.Confidence < b.Confidence);

        var final = new List<MmodDetection>();
        for (int i = reversed.Count - 1; i >= 0; i--)
        {
            Candidate d = reversed[i];
            bool suppressed = false;
            foreach (MmodDetection kept in final)
            {
                if (nms.Overlaps(kept.Rect, d.Rect))
                {
                    suppressed = true;
                    break;
                }
            }

            if (!suppressed)
            {
                final.Add(new MmodDetection(d.Rect, d.Confidence, loss.Windows[d.Channel].Label));
            }
        }

        return final;
    }

    /// <summary>
    /// dlib's <c>output_tensor_to_input_tensor</c>: walks from the top layer down, undoing each
    /// convolution's and pooling's stride and padding; skip layers jump to their tag.
    /// </summary>
    internal static (double X, double Y) OutputToInput(IReadOnlyList<Layer> layers, double x, double y)
    {
        for (int i = layers.Count - 1; i >= 0; i--)
        {
            switch (layers[i])
            {
                case ConvolutionLayer conv:
                    x = (x * conv.StrideX) - conv.PaddingX + (conv.KernelCols / 2);
                    y = (y * conv.StrideY) - conv.PaddingY + (conv.KernelRows / 2);
                    break;
                case PoolLayer pool when !pool.IsGlobal:
                    x = (x * pool.StrideX) - pool.PaddingX + (pool.WindowCols / 2);
                    y = (y * pool.StrideY) - pool.PaddingY + (pool.WindowRows / 2);
                    break;
                case SkipLayer skip:
                    int j = i - 1;
                    while (j >= 0 && !(layers[j] is TagLayer t && t.Id == skip.TagId))
                    {
                        j--;
                    }

                    i = j;
                    break;
            }
        }

        return (x, y);
    }

    private readonly record struct Candidate(Rectangle Rect, double Confidence, int Channel);
}
