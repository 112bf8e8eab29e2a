using DlibModels.Datasets;
using DlibModels.Detection.Hog;
using DlibModels.Dnn.Format;
using DlibModels.ImageIO;
using DlibModels.Landmarks;
using DlibModels.Serialization;

namespace DlibModels.Fuzz;

/// <summary>
/// The fuzz targets: each feeds the bytes to one reader. The exceptions a reader documents for bad
/// input are swallowed here; anything else escapes and counts as a crash.
/// </summary>
internal static class Targets
{
    /// <summary>Name, entry point and a one-line description of every target.</summary>
    public static readonly (string Name, Action<byte[]> Run, string What)[] All =
    [
        ("dnn", Dnn, "DnnLoader.Read (DNN stream reader + architecture match/inference + binder)"),
        ("shape", Shape, "ShapePredictor.Read"),
        ("hog", Hog, "HogObjectDetector.Load"),
        ("bz2", Bz2, "ModelFile.Decompress (SharpZipLib bzip2 + size cap)"),
        ("jpeg", Image, "ImageFile.LoadRgb/LoadGray (JPEG seeds)"),
        ("png", Image, "ImageFile.LoadRgb/LoadGray (PNG seeds)"),
        ("bmp", Image, "ImageFile.LoadRgb/LoadGray (BMP seeds)"),
        ("imglab", Imglab, "ImglabXml.Read"),
    ];

    /// <summary>When set, documented rejections are printed (the --repro mode).</summary>
    public static bool Verbose { get; set; }

    private static void Rejected(Exception e)
    {
        if (Verbose)
        {
            Console.WriteLine($"  rejected ({e.GetType().Name}): {e.Message}");
        }
    }

    public static Action<byte[]>? Find(string name)
    {
        foreach ((string n, Action<byte[]> run, _) in All)
        {
            if (n == name)
            {
                return run;
            }
        }

        return null;
    }

    private static void Dnn(byte[] data)
    {
        try
        {
            DnnLoader.Read(new DlibReader(data, "fuzz.dnn"));
        }
        catch (DlibFormatException e)
        {
            Rejected(e);
        }
    }

    private static void Shape(byte[] data)
    {
        try
        {
            ShapePredictor.Read(new DlibReader(data, "fuzz.dat"));
        }
        catch (DlibFormatException e)
        {
            Rejected(e);
        }
    }

    private static void Hog(byte[] data)
    {
        try
        {
            HogObjectDetector.Load(data, "fuzz.svm");
        }
        catch (DlibFormatException e)
        {
            Rejected(e);
        }
    }

    private static void Bz2(byte[] data)
    {
        try
        {
            // As ModelFile.ReadAllBytes: only data with the bzip2 signature is decompressed.
            if (ModelFile.IsBzip2(data))
            {
                ModelFile.Decompress(data, "fuzz.bz2");
            }
        }
        catch (DlibFormatException e)
        {
            Rejected(e);
        }
    }

    private static void Image(byte[] data)
    {
        try
        {
            ImageFile.LoadRgb(data, "fuzz.img");
        }
        catch (ImageDecodeException e)
        {
            Rejected(e);
        }

        try
        {
            ImageFile.LoadGray(data, "fuzz.img");
        }
        catch (ImageDecodeException e)
        {
            Rejected(e);
        }
    }

    private static void Imglab(byte[] data)
    {
        try
        {
            using var ms = new MemoryStream(data, writable: false);
            ImglabXml.Read(ms, "fuzz.xml");
        }
        catch (ImglabFormatException e)
        {
            Rejected(e);
        }
    }
}
