using DlibModels.Detection.Mmod;
using DlibModels.Dnn;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Serialization;
using DlibModels.Zoo;

namespace DlibModels.Applications;

/// <summary>A vehicle found by <see cref="VehicleDetector"/>.</summary>
/// <param name="Detection">The MMOD detection (rect, confidence, label such as <c>front</c>/<c>rear</c>).</param>
/// <param name="Shape">The file's shape predictor run on the detection rect (4 corner points for dlib's vehicle files), or null when the file has none.</param>
public sealed record VehicleDetection(MmodDetection Detection, FullObjectDetection? Shape)
{
    /// <summary>
    /// The box dnn_mmod_find_cars_ex draws: the bounding box of the predicted parts (the detection
    /// rect when there is no predictor).
    /// </summary>
    public Rectangle RefinedRect
    {
        get
        {
            if (Shape is null || Shape.NumParts == 0)
            {
                return Detection.Rect;
            }

            var r = new Rectangle(0, 0, -1, -1);
            foreach (Point p in Shape.Parts)
            {
                r = r.Union(new Rectangle(p.X, p.Y, p.X, p.Y));
            }

            return r;
        }
    }
}

/// <summary>
/// dlib's vehicle detectors (<c>mmod_rear_end_vehicle_detector</c>,
/// <c>mmod_front_and_rear_end_vehicle_detector</c>): an MMOD network and, stored after it, a shape
/// predictor that refines each box (dnn_mmod_find_cars_ex).
/// </summary>
/// <remarks>Immutable after loading; safe to use from many threads at once.</remarks>
public sealed class VehicleDetector
{
    /// <summary>Wraps a detector and an optional box-refining shape predictor.</summary>
    public VehicleDetector(MmodDetector detector, ShapePredictor? predictor)
    {
        ArgumentNullException.ThrowIfNull(detector);
        Detector = detector;
        Predictor = predictor;
    }

    /// <summary>The MMOD detector.</summary>
    public MmodDetector Detector { get; }

    /// <summary>The shape predictor stored after the network, if any.</summary>
    public ShapePredictor? Predictor { get; }

    /// <summary>Loads a vehicle detector file (plain or .bz2): the network and the shape predictor after it.</summary>
    /// <exception cref="DlibFormatException">The file does not start with an MMOD network.</exception>
    public static VehicleDetector Load(string path, int maxThreads = 0)
    {
        ModelFileContents contents = ModelFileContents.Read(path);
        DnnNetwork net = contents.Network ?? throw new DlibFormatException(path, 0, "the network", "the file holds no network");
        if (net.Loss is not MmodLoss)
        {
            throw new DlibFormatException(path, 0, "the network", $"a detector needs an MMOD network (loss_mmod), but this file's loss is {net.Loss.Kind}");
        }

        return new VehicleDetector(new MmodDetector(net, maxThreads), contents.ShapePredictor);
    }

    /// <summary>Detects vehicles and runs the shape predictor on each detection rect.</summary>
    public IReadOnlyList<VehicleDetection> Detect(RgbImage image, double adjustThreshold = 0)
    {
        ArgumentNullException.ThrowIfNull(image);
        var result = new List<VehicleDetection>();
        foreach (MmodDetection d in Detector.Detect(image, adjustThreshold))
        {
            result.Add(new VehicleDetection(d, Predictor?.Predict(image, d.Rect)));
        }

        return result;
    }
}
