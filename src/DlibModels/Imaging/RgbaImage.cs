using DlibModels.Serialization;

namespace DlibModels.Imaging;

/// <summary>An 8-bit RGBA image (dlib's <c>matrix&lt;rgb_alpha_pixel&gt;</c>), row-major, R,G,B,A interleaved.</summary>
public sealed class RgbaImage
{
    /// <summary>Wraps pixels (R,G,B,A interleaved, row-major); the array is not copied.</summary>
    public RgbaImage(int rows, int cols, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != RgbImage.CheckedLength(rows, cols) / 3 * 4)
        {
            throw new ArgumentException($"expected {(long)rows * cols * 4} bytes for a {cols}x{rows} RGBA image, got {pixels.Length}", nameof(pixels));
        }

        Rows = rows;
        Cols = cols;
        Pixels = pixels;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Cols { get; }

    /// <summary>The pixels, R,G,B,A interleaved.</summary>
    public byte[] Pixels { get; }

    /// <summary>Reads a serialized <c>matrix&lt;rgb_alpha_pixel&gt;</c>.</summary>
    public static RgbaImage Read(DlibReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var _ = reader.Enter("matrix<rgb_alpha_pixel>");
        long at = reader.Position;
        long nr = Math.Abs(reader.ReadInt64());
        long nc = Math.Abs(reader.ReadInt64());
        if (nr > RgbImage.MaxSide || nc > RgbImage.MaxSide || nr * nc * 4 > reader.Remaining)
        {
            throw reader.ErrorAt(at, $"a {nc}x{nr} RGBA matrix needs {nr * nc * 4} bytes but {reader.Remaining} remain");
        }

        byte[] pixels = reader.ReadBytes(nr * nc * 4, "RGBA pixels").ToArray();
        return new RgbaImage((int)nr, (int)nc, pixels);
    }

    /// <summary>Writes the image as dlib serializes a <c>matrix&lt;rgb_alpha_pixel&gt;</c>.</summary>
    public void Write(DlibWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteInt(-Rows);
        writer.WriteInt(-Cols);
        writer.WriteBytes(Pixels);
    }
}
