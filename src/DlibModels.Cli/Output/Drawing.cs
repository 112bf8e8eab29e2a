using DlibModels.Imaging;

namespace DlibModels.Cli.Output;

/// <summary>Draws boxes and points onto a copy of an image for <c>--draw</c>.</summary>
internal static class Drawing
{
    public static void Rectangle(RgbImage img, Rectangle r, (byte R, byte G, byte B) color, int thickness = 2)
    {
        for (int t = 0; t < thickness; t++)
        {
            long l = r.Left + t, top = r.Top + t, right = r.Right - t, bottom = r.Bottom - t;
            for (long x = l; x <= right; x++)
            {
                Set(img, x, top, color);
                Set(img, x, bottom, color);
            }

            for (long y = top; y <= bottom; y++)
            {
                Set(img, l, y, color);
                Set(img, right, y, color);
            }
        }
    }

    public static void Dot(RgbImage img, long x, long y, (byte R, byte G, byte B) color)
    {
        for (long dy = -1; dy <= 1; dy++)
        {
            for (long dx = -1; dx <= 1; dx++)
            {
                Set(img, x + dx, y + dy, color);
            }
        }
    }

    private static void Set(RgbImage img, long x, long y, (byte R, byte G, byte B) c)
    {
        if (x < 0 || y < 0 || x >= img.Cols || y >= img.Rows)
        {
            return;
        }

        int i = (int)(((y * img.Cols) + x) * 3);
        img.Pixels[i] = c.R;
        img.Pixels[i + 1] = c.G;
        img.Pixels[i + 2] = c.B;
    }
}
