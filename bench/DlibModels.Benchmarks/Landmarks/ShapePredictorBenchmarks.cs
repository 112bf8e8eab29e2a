using BenchmarkDotNet.Attributes;
using DlibModels.Detection.Hog;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Benchmarks.Landmarks;

/// <summary><c>sp(img, box)</c> for the 68-point model on every HOG face of bald_guys.jpg.</summary>
public class ShapePredictorBenchmarks
{
    private RgbImage? _image;
    private ShapePredictor? _sp;
    private Rectangle[] _boxes = [];

    /// <summary>Loads the model (decompressed copy preferred: DLIB_SP68, else the .bz2) and finds the faces.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string? path = Environment.GetEnvironmentVariable("DLIB_SP68");
        _sp = ShapePredictor.Load(path ?? Machine.Data("models/shape_predictor_68_face_landmarks.dat.bz2"));
        _image = ImageFile.LoadRgb(Machine.Data("images/faces/bald_guys.jpg"));
        _boxes = [.. HogObjectDetector.FrontalFace.Detect(_image, 0, 2).Select(d => d.Rect)];
    }

    /// <summary>All faces, one after the other (divide by the face count for per face).</summary>
    [Benchmark]
    public long PredictAllFaces()
    {
        long s = 0;
        foreach (Rectangle b in _boxes)
        {
            s += _sp!.Predict(_image!, b).Part(0).X;
        }

        return s;
    }
}
