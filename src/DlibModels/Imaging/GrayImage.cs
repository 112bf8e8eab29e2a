namespace DlibModels.Imaging;

/// <summary>An 8-bit grayscale image (dlib's <c>matrix&lt;unsigned char&gt;</c>), row-major.</summary>
public sealed class GrayImage
{
    /// <summary>Creates a black image.</summary>
    public GrayImage(int rows, int cols)
        : this(rows, cols, new byte[RgbImage.CheckedLength(rows, cols) / 3])
    {
    }

    /// <summary>Wraps existing pixels (row-major, no padding); the array is not copied.</summary>
    public GrayImage(int rows, int cols, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != RgbImage.CheckedLength(rows, cols) / 3)
        {
            throw new ArgumentException($"expected {(long)rows * cols} bytes for a {cols}x{rows} gray image, got {pixels.Length}", nameof(pixels));
        }

        Rows = rows;
        Cols = cols;
        Pixels = pixels;
    }

    /// <summary>Number of rows (height).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (width).</summary>
    public int Cols { get; }

    /// <summary>The pixel bytes, row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>Row <paramref name="r"/>.</summary>
    public Span<byte> Row(int r) => Pixels.AsSpan(r * Cols, Cols);

    /// <summary>dlib's conversion of an RGB image to gray: (r+g+b)/3 with integer division.</summary>
    public static GrayImage FromRgb(RgbImage rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        var gray = new GrayImage(rgb.Rows, rgb.Cols);
        byte[] src = rgb.Pixels;
        byte[] dst = gray.Pixels;
        for (int i = 0, j = 0; i < dst.Length; i++, j += 3)
        {
            dst[i] = (byte)((src[j] + src[j + 1] + src[j + 2]) / 3);
        }

        return gray;
    }
}
