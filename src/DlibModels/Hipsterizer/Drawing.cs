using DlibModels.Imaging;

namespace DlibModels.Hipsterizer;

/// <summary>dlib's pixel blending and line drawing on RGB images, and pyramid_up for RGBA overlays.</summary>
public static class Drawing
{
    /// <summary>
    /// dlib's <c>assign_pixel(rgb, rgb_alpha)</c>: a copy when alpha is 255, otherwise the fixed-point
    /// blend dest += ((src − dest)·alpha) ≫ 8, computed in unsigned 32-bit arithmetic and wrapped
    /// to a byte as dlib does.
    /// </summary>
    public static void BlendPixel(RgbImage img, long x, long y, byte r, byte g, byte b, byte alpha)
    {
        ArgumentNullException.ThrowIfNull(img);
        int o = (int)(((y * img.Cols) + x) * 3);
        byte[] p = img.Pixels;
        if (alpha == 255)
        {
            p[o] = r;
            p[o + 1] = g;
            p[o + 2] = b;
            return;
        }

        p[o] = BlendChannel(p[o], r, alpha);
        p[o + 1] = BlendChannel(p[o + 1], g, alpha);
        p[o + 2] = BlendChannel(p[o + 2], b, alpha);
    }

    /// <summary>
    /// dlib's <c>pyramid_up</c> of an RGBA image: the size rule of <c>pyramid_down&lt;2&gt;</c> and the
    /// generic bilinear <c>resize_image</c> in double precision, each channel truncated to a byte.
    /// </summary>
    public static RgbaImage PyramidUp(RgbaImage img)
    {
        ArgumentNullException.ThrowIfNull(img);
        (int rows, int cols) = Imaging.PyramidUp.UpSize(img.Rows, img.Cols);
        return ResizeBilinear(img, rows, cols);
    }

    /// <summary>dlib's generic bilinear <c>resize_image</c> for <c>rgb_alpha_pixel</c> images.</summary>
    public static RgbaImage ResizeBilinear(RgbaImage src, int rows, int cols)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var dst = new RgbaImage(rows, cols, new byte[RgbImage.CheckedLength(rows, cols) / 3 * 4]);
        if ((long)rows * cols == 0 || (long)src.Rows * src.Cols == 0)
        {
            return dst;
        }

        double xScale = (src.Cols - 1) / (double)Math.Max(cols - 1, 1);
        double yScale = (src.Rows - 1) / (double)Math.Max(rows - 1, 1);
        byte[] sp = src.Pixels;
        byte[] dp = dst.Pixels;
        double y = -yScale;
        for (int r = 0; r < rows; r++)
        {
            y += yScale;
            long top = (long)Math.Floor(y);
            long bottom = Math.Min(top + 1, src.Rows - 1);
            double tb = y - top;
            double x = -xScale;
            for (int c = 0; c < cols; c++)
            {
                x += xScale;
                long left = (long)Math.Floor(x);
                long right = Math.Min(left + 1, src.Cols - 1);
                double lr = x - left;
                int tl = (int)(((top * src.Cols) + left) * 4);
                int tr = (int)(((top * src.Cols) + right) * 4);
                int bl = (int)(((bottom * src.Cols) + left) * 4);
                int br = (int)(((bottom * src.Cols) + right) * 4);
                int o = ((r * cols) + c) * 4;
                for (int ch = 0; ch < 4; ch++)
                {
                    double upper = ((1 - lr) * sp[tl + ch]) + (lr * sp[tr + ch]);
                    double lower = ((1 - lr) * sp[bl + ch]) + (lr * sp[br + ch]);
                    double v = ((1 - tb) * upper) + (tb * lower);
                    dp[o + ch] = unchecked((byte)(int)v);
                }
            }
        }

        return dst;
    }

    /// <summary>
    /// dlib's <c>draw_line(img, p1, p2, rgb_pixel)</c>: plain pixels for horizontal and vertical
    /// lines, otherwise two alpha-blended pixels per step along the longer axis.
    /// </summary>
    public static void DrawLine(RgbImage img, long x1, long y1, long x2, long y2, byte r, byte g, byte b)
    {
        ArgumentNullException.ThrowIfNull(img);
        long nr = img.Rows, nc = img.Cols;
        if (x1 == x2)
        {
            if (y1 > y2)
            {
                (y1, y2) = (y2, y1);
            }

            if (x1 < 0 || x1 >= nc)
            {
                return;
            }

            for (long y = y1; y <= y2; y++)
            {
                if (y >= 0 && y < nr)
                {
                    BlendPixel(img, x1, y, r, g, b, 255);
                }
            }
        }
        else if (y1 == y2)
        {
            if (x1 > x2)
            {
                (x1, x2) = (x2, x1);
            }

            if (y1 < 0 || y1 >= nr)
            {
                return;
            }

            for (long x = x1; x <= x2; x++)
            {
                if (x >= 0 && x < nc)
                {
                    BlendPixel(img, x, y1, r, g, b, 255);
                }
            }
        }
        else
        {
            const double maxAlpha = 255;
            long rise = y2 - y1;
            long run = x2 - x1;
            if (Math.Abs(rise) < Math.Abs(run))
            {
                double slope = rise / (double)run;
                double first = x1 > x2 ? Math.Max(x2, 0) : Math.Max(x1, 0);
                double last = x1 > x2 ? Math.Min(x1, nc - 1) : Math.Min(x2, nc - 1);
                for (double i = first; i <= last; ++i)
                {
                    double dy = (slope * (i - x1)) + y1;
                    long y = (long)dy;
                    long x = (long)i;
                    if (y >= 0 && y <= nr - 1)
                    {
                        BlendPixel(img, x, y, r, g, b, (byte)((1.0 - (dy - y)) * maxAlpha));
                    }

                    if (y + 1 >= 0 && y + 1 <= nr - 1)
                    {
                        BlendPixel(img, x, y + 1, r, g, b, (byte)((dy - y) * maxAlpha));
                    }
                }
            }
            else
            {
                double slope = run / (double)rise;
                double first = y1 > y2 ? Math.Max(y2, 0) : Math.Max(y1, 0);
                double last = y1 > y2 ? Math.Min(y1, nr - 1) : Math.Min(y2, nr - 1);
                for (double i = first; i <= last; ++i)
                {
                    double dx = (slope * (i - y1)) + x1;
                    long x = (long)dx;
                    long y = (long)i;
                    if (x >= 0 && x <= nc - 1)
                    {
                        BlendPixel(img, x, y, r, g, b, (byte)((1.0 - (dx - x)) * maxAlpha));
                    }

                    if (x + 1 >= 0 && x + 1 <= nc - 1)
                    {
                        BlendPixel(img, x + 1, y, r, g, b, (byte)((dx - x) * maxAlpha));
                    }
                }
            }
        }
    }

    private static byte BlendChannel(byte dest, byte src, byte alpha)
    {
        uint t = unchecked((uint)src - dest);
        t = unchecked(t * alpha);
        t >>= 8;
        return unchecked((byte)(dest + (byte)(t & 0xFF)));
    }
}
