using BenchmarkDotNet.Attributes;
using DlibModels.Faces;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Benchmarks.Faces;

/// <summary>150x150 face chips (<c>extract_image_chip(s)</c>) from bald_guys.jpg, with synthetic 5-point shapes.</summary>
public class ChipBenchmarks
{
    private RgbImage? _image;
    private List<ChipDetails> _details = [];

    /// <summary>Decodes the image and lays out 24 chips with a slight rotation.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _image = ImageFile.LoadRgb(Machine.Data("images/faces/bald_guys.jpg"));
        for (int i = 0; i < 24; i++)
        {
            double x = 150 + (i % 6 * 280), y = 150 + (i / 6 * 330), s = 60;

            // dlib's 5-point order: right eye corners (2), left eye corners (2), nose.
            var parts = new List<Point>
            {
                Point.Round(x + s, y), Point.Round(x + (0.6 * s), y + 2),
                Point.Round(x - s, y + 6), Point.Round(x - (0.6 * s), y + 4),
                Point.Round(x, y + s),
            };
            var det = new FullObjectDetection(new Rectangle((long)(x - 100), (long)(y - 100), (long)(x + 100), (long)(y + 100)), parts);
            _details.Add(FaceChips.GetFaceChipDetails(det, 150, 0.25));
        }
    }

    /// <summary><c>extract_image_chip</c> once per face.</summary>
    [Benchmark]
    public int EachFace()
    {
        int n = 0;
        foreach (ChipDetails d in _details)
        {
            n += FaceChips.ExtractImageChip(_image!, d).Rows;
        }

        return n;
    }

    /// <summary><c>extract_image_chips</c> over all faces in one call.</summary>
    [Benchmark]
    public int AllFaces() => FaceChips.ExtractImageChips(_image!, _details).Length;
}
