using BenchmarkDotNet.Attributes;
using DlibModels.ImageIO;

namespace DlibModels.Benchmarks.ImageIO;

/// <summary>JPEG decoding to RGB from bytes already in memory (dlib: <c>load_image</c>, libjpeg).</summary>
public class JpegDecodeBenchmarks
{
    private byte[] _data = [];

    /// <summary>Image under shared/images.</summary>
    [Params("faces/2008_001322.jpg", "faces/bald_guys.jpg", "mmod_cars_test_image.jpg")]
    public string Image { get; set; } = "faces/2008_001322.jpg";

    /// <summary>Reads the file.</summary>
    [GlobalSetup]
    public void Setup() => _data = File.ReadAllBytes(Machine.Data("images/" + Image));

    /// <summary>Decode to an <see cref="DlibModels.Imaging.RgbImage"/>.</summary>
    [Benchmark]
    public int Decode() => ImageFile.LoadRgb(_data, Image).Rows;
}
