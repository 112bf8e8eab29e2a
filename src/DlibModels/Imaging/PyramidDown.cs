namespace DlibModels.Imaging;

/// <summary>
/// dlib's <c>pyramid_down&lt;6&gt;</c>: each level is 5/6 the size of the previous one
/// (floor(5·n/6) rows and columns), its pixels made by dlib's bilinear <see cref="ImageResize"/>.
/// Also the coordinate mapping between levels (<c>point_down</c>, <c>point_up</c>, <c>rect_up</c>).
/// </summary>
public static class PyramidDown6
{
    private const int N = 6;

    /// <summary>The size of the next level for a side of length <paramref name="n"/>: floor(5·n/6).</summary>
    public static int DownSize(int n) => (int)((((long)(N - 1) * n) / N) + 0.5);

    /// <summary>The next (smaller) pyramid level of an RGB image, as <c>pyramid_down&lt;6&gt;()(img, down)</c>.</summary>
    public static RgbImage Down(RgbImage img)
    {
        ArgumentNullException.ThrowIfNull(img);
        return ImageResize.Bilinear(img, DownSize(img.Rows), DownSize(img.Cols));
    }

    /// <summary>The next (smaller) pyramid level of a gray image, as <c>pyramid_down&lt;6&gt;()(img, down)</c>.</summary>
    public static GrayImage Down(GrayImage img)
    {
        ArgumentNullException.ThrowIfNull(img);
        return ImageResize.Bilinear(img, DownSize(img.Rows), DownSize(img.Cols));
    }

    /// <summary>Maps a point of a level to the next smaller level: (p − 0.3)·5/6.</summary>
    public static (double X, double Y) PointDown(double x, double y)
    {
        const double ratio = (N - 1.0) / N;
        return ((x - 0.3) * ratio, (y - 0.3) * ratio);
    }

    /// <summary>Maps a point of a level to the next larger level: p·6/5 + 0.3.</summary>
    public static (double X, double Y) PointUp(double x, double y)
    {
        const double ratio = N / (N - 1.0);
        return ((x * ratio) + 0.3, (y * ratio) + 0.3);
    }

    /// <summary>dlib's <c>rect_down(rect)</c> converted back to an integer rectangle (rounding with floor(x+0.5)).</summary>
    public static Rectangle RectDown(Rectangle rect, int levels = 1)
    {
        double l = rect.Left, t = rect.Top, r = rect.Right, b = rect.Bottom;
        for (int i = 0; i < levels; i++)
        {
            (l, t) = PointDown(l, t);
            (r, b) = PointDown(r, b);
        }

        return RoundRect(l, t, r, b);
    }

    /// <summary>dlib's <c>rect_up(rect, levels)</c> converted back to an integer rectangle (rounding with floor(x+0.5)).</summary>
    public static Rectangle RectUp(Rectangle rect, int levels = 1)
    {
        double l = rect.Left, t = rect.Top, r = rect.Right, b = rect.Bottom;
        for (int i = 0; i < levels; i++)
        {
            (l, t) = PointUp(l, t);
            (r, b) = PointUp(r, b);
        }

        return RoundRect(l, t, r, b);
    }

    internal static Rectangle RoundRect(double l, double t, double r, double b) =>
        new((long)Math.Floor(l + 0.5), (long)Math.Floor(t + 0.5), (long)Math.Floor(r + 0.5), (long)Math.Floor(b + 0.5));
}

/// <summary>
/// The coordinate mapping of dlib's <c>pyramid_down&lt;2&gt;</c>, the pyramid that
/// <see cref="PyramidUp"/> inverts: point_down(p) = p/2 − (1.25, 0.75), point_up(p) = (p + (1.25, 0.75))·2.
/// </summary>
public static class PyramidDown2
{
    /// <summary>Maps a point <paramref name="levels"/> levels down.</summary>
    public static (double X, double Y) PointDown(double x, double y, int levels = 1)
    {
        for (int i = 0; i < levels; i++)
        {
            x = (x / 2.0) - 1.25;
            y = (y / 2.0) - 0.75;
        }

        return (x, y);
    }

    /// <summary>Maps a point <paramref name="levels"/> levels up.</summary>
    public static (double X, double Y) PointUp(double x, double y, int levels = 1)
    {
        for (int i = 0; i < levels; i++)
        {
            x = (x + 1.25) * 2;
            y = (y + 0.75) * 2;
        }

        return (x, y);
    }

    /// <summary>
    /// dlib's <c>pyramid_down&lt;2&gt;::rect_down(rect, levels)</c> rounded to integers with
    /// floor(x+0.5): maps a box found in an image upsampled <paramref name="levels"/> times by
    /// <see cref="PyramidUp"/> back to the original image (what dlib's Python API reports).
    /// </summary>
    public static Rectangle RectDown(Rectangle rect, int levels = 1)
    {
        (double l, double t) = PointDown(rect.Left, rect.Top, levels);
        (double r, double b) = PointDown(rect.Right, rect.Bottom, levels);
        return PyramidDown6.RoundRect(l, t, r, b);
    }

    /// <summary>dlib's <c>pyramid_down&lt;2&gt;::rect_up(rect, levels)</c> rounded to integers with floor(x+0.5).</summary>
    public static Rectangle RectUp(Rectangle rect, int levels = 1)
    {
        (double l, double t) = PointUp(rect.Left, rect.Top, levels);
        (double r, double b) = PointUp(rect.Right, rect.Bottom, levels);
        return PyramidDown6.RoundRect(l, t, r, b);
    }
}

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
