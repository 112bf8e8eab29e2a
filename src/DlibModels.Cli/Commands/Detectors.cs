using DlibModels.Detection.Hog;
using DlibModels.Detection.Mmod;
using DlibModels.Dnn.Format;
using DlibModels.Imaging;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary>One detection as the CLI reports it.</summary>
/// <param name="Rect">The box in the processed (possibly upsampled) image.</param>
/// <param name="Confidence">HOG score or MMOD detection confidence.</param>
/// <param name="Label">MMOD label (empty for HOG).</param>
/// <param name="WeightIndex">HOG filter index, or -1 for MMOD.</param>
internal readonly record struct CliDetection(Rectangle Rect, double Confidence, string Label, int WeightIndex);

/// <summary>The detector chosen on the command line: dlib's HOG face detector or an MMOD network.</summary>
internal sealed class Detectors
{
    private readonly HogObjectDetector? _hog;
    private readonly MmodDetector? _mmod;

    private readonly int _threads;

    private Detectors(HogObjectDetector? hog, MmodDetector? mmod, int threads)
    {
        _hog = hog;
        _mmod = mmod;
        _threads = threads;
    }

    public bool IsHog => _hog is not null;

    /// <summary>"hog" (or null) for the built-in HOG detector, else an MMOD model path or name, run on <paramref name="engine"/> (see <see cref="Engines"/>).</summary>
    public static Detectors Create(string? model, int engineThreads = 0, string? engine = null)
    {
        if (model is null || model.Equals("hog", StringComparison.OrdinalIgnoreCase))
        {
            return new Detectors(HogObjectDetector.FrontalFace, null, engineThreads <= 0 ? Environment.ProcessorCount : engineThreads);
        }

        string path = ModelLocator.Resolve(model);
        var net = DnnLoader.LoadNetwork(path);
        if (net.Loss is not Dnn.MmodLoss)
        {
            throw new Serialization.DlibFormatException(path, 0, "the network", $"a detector needs an MMOD network (loss_mmod), but this file's loss is {net.Loss.Kind}");
        }

        return new Detectors(null, new MmodDetector(Engines.Create(net, engine, engineThreads)), engineThreads);
    }

    public List<CliDetection> Detect(RgbImage image, double threshold)
    {
        var result = new List<CliDetection>();
        if (_hog is not null)
        {
            foreach (HogDetection d in _hog.Detect(image, threshold, _threads))
            {
                result.Add(new CliDetection(d.Rect, d.Score, string.Empty, d.WeightIndex));
            }
        }
        else
        {
            foreach (MmodDetection d in _mmod!.Detect(image, threshold))
            {
                result.Add(new CliDetection(d.Rect, d.Confidence, d.Label, -1));
            }
        }

        return result;
    }

    /// <summary>Applies <c>pyramid_up</c> <paramref name="times"/> times.</summary>
    public static RgbImage Upsample(RgbImage image, int times)
    {
        for (int i = 0; i < times; i++)
        {
            image = PyramidUp.Up(image);
        }

        return image;
    }
}
