namespace DlibModels.Imaging;

/// <summary>
/// An 8-bit RGB image (dlib's <c>matrix&lt;rgb_pixel&gt;</c>): rows × cols pixels stored row-major
/// as interleaved R, G, B bytes.
/// </summary>
/// <remarks>Instances are not modified by any library function that takes them as input.</remarks>
public sealed class RgbImage
{
    /// <summary>The largest side accepted, in pixels.</summary>
    public const int MaxSide = 1 << 16;

    /// <summary>Creates a black image.</summary>
    public RgbImage(int rows, int cols)
        : this(rows, cols, new byte[CheckedLength(rows, cols)])
    {
    }

    /// <summary>Wraps existing pixels (R,G,B interleaved, row-major); the array is not copied.</summary>
    public RgbImage(int rows, int cols, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != CheckedLength(rows, cols))
        {
            throw new ArgumentException($"expected {(long)rows * cols * 3} bytes for a {cols}x{rows} RGB image, got {pixels.Length}", nameof(pixels));
        }

        Rows = rows;
        Cols = cols;
        Pixels = pixels;
    }

    /// <summary>Number of rows (height).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (width).</summary>
    public int Cols { get; }

    /// <summary>The pixel bytes: R,G,B interleaved, row-major, no padding.</summary>
    public byte[] Pixels { get; }

    /// <summary>The three bytes of row <paramref name="r"/>.</summary>
    public Span<byte> Row(int r) => Pixels.AsSpan(r * Cols * 3, Cols * 3);

    /// <summary>A deep copy.</summary>
    public RgbImage Clone() => new(Rows, Cols, (byte[])Pixels.Clone());

    internal static int CheckedLength(int rows, int cols)
    {
        if (rows < 0 || cols < 0 || rows > MaxSide || cols > MaxSide || (long)rows * cols * 3 > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"image size {cols}x{rows} is outside the supported range (each side 0..{MaxSide}, at most {int.MaxValue / 3} pixels)");
        }

        return rows * cols * 3;
    }
}
