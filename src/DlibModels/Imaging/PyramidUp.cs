namespace DlibModels.Imaging;

/// <summary>
/// dlib's <c>pyramid_up(img)</c>: doubles an image with the geometry of <c>pyramid_down&lt;2&gt;</c>
/// (a W×H image becomes (2W+2)×(2H+1)) and dlib's bilinear <see cref="ImageResize"/>.
/// </summary>
public static class PyramidUp
{
    /// <summary>The upsampled size of a <paramref name="rows"/>×<paramref name="cols"/> image (0×0 for an empty one).</summary>
    public static (int Rows, int Cols) UpSize(int rows, int cols)
    {
        if ((long)rows * cols == 0)
        {
            return (0, 0);
        }

        Rectangle up = PyramidDown2.RectUp(new Rectangle(0, 0, cols - 1, rows - 1));
        if (up.IsEmpty)
        {
            return (0, 0);
        }

        return (checked((int)(up.Bottom + 1)), checked((int)(up.Right + 1)));
    }

    /// <summary>Upsamples an RGB image once, as dlib's <c>pyramid_up(img)</c>.</summary>
    public static RgbImage Up(RgbImage img)
    {
        ArgumentNullException.ThrowIfNull(img);
        (int rows, int cols) = UpSize(img.Rows, img.Cols);
        return ImageResize.Bilinear(img, rows, cols);
    }

    /// <summary>Upsamples a gray image once, as dlib's <c>pyramid_up(img)</c>.</summary>
    public static GrayImage Up(GrayImage img)
    {
        ArgumentNullException.ThrowIfNull(img);
        (int rows, int cols) = UpSize(img.Rows, img.Cols);
        return ImageResize.Bilinear(img, rows, cols);
    }
}
