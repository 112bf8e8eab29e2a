using System.Text.Json;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Landmarks;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.Landmarks;

/// <summary>Reads the golden JSON files and the decoded images they refer to.</summary>
internal static class LandmarkGoldens
{
    public static JsonDocument Load(string name) =>
        JsonDocument.Parse(File.ReadAllText(TestPaths.SharedFile(Path.Combine("reference", name))));

    /// <summary>The lossless PNG of dlib's decoding of a golden image path such as images/faces/x.jpg.</summary>
    public static RgbImage LoadDecoded(string imagePath)
    {
        string rel = imagePath.StartsWith("images/", StringComparison.Ordinal) ? imagePath["images/".Length..] : imagePath;
        string png = Path.ChangeExtension(Path.Combine("images", "decoded", rel), ".png");
        return ImageFile.LoadRgb(TestPaths.SharedFile(png));
    }

    public static Rectangle Rect(JsonElement e) =>
        new(e.GetProperty("left").GetInt64(), e.GetProperty("top").GetInt64(), e.GetProperty("right").GetInt64(), e.GetProperty("bottom").GetInt64());

    public static Point[] Parts(JsonElement e)
    {
        var pts = new Point[e.GetArrayLength()];
        int i = 0;
        foreach (JsonElement p in e.EnumerateArray())
        {
            pts[i++] = new Point(p[0].GetInt64(), p[1].GetInt64());
        }

        return pts;
    }

    /// <summary>dlib's shape predictor files, each loaded once per test run.</summary>
    public static readonly Lazy<ShapePredictor> Sp68 = new(() => ShapePredictor.Load(TestPaths.Model("shape_predictor_68_face_landmarks.dat.bz2")));

    /// <summary>The 5-point stand-in.</summary>
    public static readonly Lazy<ShapePredictor> Sp5 = new(() => ShapePredictor.Load(TestPaths.Model("standin/shape_predictor_5_face_landmarks.standin.dat.bz2")));

    public static ShapePredictor ForFile(string shapePredictorField) =>
        shapePredictorField.Contains("68", StringComparison.Ordinal) ? Sp68.Value : Sp5.Value;
}
