using DlibModels.Dnn;
using DlibModels.Dnn.Engine;
using DlibModels.Imaging;

namespace DlibModels.Detection.Mmod;

/// <summary>A rectangle with double coordinates (dlib's <c>drectangle</c>).</summary>
internal readonly record struct DRect(double Left, double Top, double Right, double Bottom)
{
    /// <summary>dlib's conversion to <c>rectangle</c>: each side rounded with floor(x + 0.5).</summary>
    public Rectangle Round() =>
        new((long)Math.Floor(Left + 0.5), (long)Math.Floor(Top + 0.5), (long)Math.Floor(Right + 0.5), (long)Math.Floor(Bottom + 0.5));

    /// <summary>dlib's <c>centered_drect(p, width, height)</c>.</summary>
    public static DRect Centered(double x, double y, double width, double height)
    {
        width--;
        height--;
        return new DRect(x - (width / 2), y - (height / 2), x + (width / 2), y + (height / 2));
    }
}

/// <summary>
/// The tiled image pyramid of dlib's <c>input_rgb_image_pyramid&lt;pyramid_down&lt;N&gt;&gt;</c>:
/// the tile layout (<c>compute_tiled_image_pyramid_details</c>), the input tensor built level by
/// level with <c>tt::resize_bilinear</c>, and the mapping of tensor rectangles back to the image.
/// </summary>
internal static class MmodPyramid
{
    /// <summary>
    /// Tile rectangles (level 0 first) and the size of the tiled plane for an image of
    /// <paramref name="rows"/>×<paramref name="cols"/>, as dlib lays them out.
    /// </summary>
    public static (List<Rectangle> Rects, long Rows, long Cols) ComputeLayout(int factor, long rows, long cols, long padding, long outerPadding)
    {
        var rects = new List<Rectangle>();
        if (rows * cols == 0)
        {
            return (rects, 0, 0);
        }

        const long minHeight = 5;
        double rate = (factor - 1.0) / factor;
        long nr = rows;
        long nc = cols;
        rects.Add(new Rectangle(0, 0, nc - 1, nr - 1));
        while (true)
        {
            nr = (long)Math.Floor(rate * nr);
            nc = (long)Math.Floor(rate * nc);
            if (nr * nc == 0 || nr < minHeight)
            {
                break;
            }

            rects.Add(new Rectangle(0, 0, nc - 1, nr - 1));
        }

        long totalHeight = 0;
        foreach (Rectangle r in rects)
        {
            totalHeight += r.Height + padding;
        }

        totalHeight -= padding * 2;
        long height = 0;
        long prevWidth = 0;
        foreach (Rectangle r in rects)
        {
            if (r.Width <= rects[0].Width - prevWidth - padding && (height - rects[0].Height) * 2 >= (totalHeight - rects[0].Height))
            {
                break;
            }

            height += r.Height + padding;
            prevWidth = r.Width;
        }

        height -= padding;
        long width = rects[0].Width;
        long planeRows = height + (outerPadding * 2);
        long planeCols = width + (outerPadding * 2);

        long y = outerPadding;
        int i = 0;
        while (y < height + outerPadding && i < rects.Count)
        {
            Rectangle r = rects[i];
            rects[i] = new Rectangle(r.Left + outerPadding, r.Top + y, r.Right + outerPadding, r.Bottom + y);
            y += rects[i].Height + padding;
            i++;
        }

        y -= padding;
        while (i < rects.Count)
        {
            long p1x = outerPadding + width - 1;
            long p1y = y - 1;
            long p2x = p1x - rects[i].Right;
            long p2y = p1y - rects[i].Bottom;
            var rect = new Rectangle(Math.Min(p1x, p2x), Math.Min(p1y, p2y), Math.Max(p1x, p2x), Math.Max(p1y, p2y));
            if (!rects[0].Intersect(rect).IsEmpty)
            {
                break;
            }

            rects[i] = rect;
            y -= rects[i].Height + padding;
            i++;
        }

        rects.RemoveRange(i, rects.Count - i);
        return (rects, planeRows, planeCols);
    }

    /// <summary>
    /// Builds the network input for <paramref name="images"/> (all the same size): level 0 is
    /// (p − mean)/256, each further level is resized from the previous one inside the tensor.
    /// </summary>
    public static (Tensor Tensor, Rectangle[] Rects) ToTensor(InputLayer input, IReadOnlyList<RgbImage> images)
    {
        int rows = images[0].Rows;
        int cols = images[0].Cols;
        foreach (RgbImage img in images)
        {
            if (img.Rows != rows || img.Cols != cols)
            {
                throw new ArgumentException("all images given to one pyramid tensor must have the same size", nameof(images));
            }
        }

        (List<Rectangle> rects, long nrL, long ncL) = ComputeLayout(input.PyramidDownFactor, rows, cols, input.PyramidPadding, input.PyramidOuterPadding);
        if (nrL * ncL * 3 * images.Count > Array.MaxLength)
        {
            throw new ArgumentException($"image {cols}x{rows} is too large for the pyramid input tensor", nameof(images));
        }

        int nr = (int)nrL;
        int nc = (int)ncL;
        var tensor = new Tensor(images.Count, 3, nr, nc);
        tensor.Clear();
        if (rects.Count == 0)
        {
            return (tensor, rects.ToArray());
        }

        float[] d = tensor.Buffer;
        int plane = nr * nc;
        Rectangle r0 = rects[0];
        float[] means = { input.MeanRed, input.MeanGreen, input.MeanBlue };
        for (int n = 0; n < images.Count; n++)
        {
            byte[] px = images[n].Pixels;
            for (int ch = 0; ch < 3; ch++)
            {
                float mean = means[ch];
                int baseIdx = (((n * 3) + ch) * plane) + ((int)r0.Top * nc) + (int)r0.Left;
                for (int r = 0; r < rows; r++)
                {
                    int o = baseIdx + (r * nc);
                    int s = (r * cols * 3) + ch;
                    for (int c = 0; c < cols; c++, s += 3)
                    {
                        d[o + c] = (float)((px[s] - mean) / 256.0);
                    }
                }
            }
        }

        for (int i = 1; i < rects.Count; i++)
        {
            Rectangle src = rects[i - 1];
            Rectangle dst = rects[i];
            for (int p = 0; p < images.Count * 3; p++)
            {
                Kernels.ResizeBilinearPlane(
                    d, (p * plane) + ((int)src.Top * nc) + (int)src.Left, (int)src.Height, (int)src.Width, nc,
                    d, (p * plane) + ((int)dst.Top * nc) + (int)dst.Left, (int)dst.Height, (int)dst.Width, nc);
            }
        }

        return (tensor, rects.ToArray());
    }

    /// <summary>dlib's <c>tiled_pyramid_to_image&lt;pyramid_down&lt;N&gt;&gt;(rects, r)</c>.</summary>
    public static DRect TiledToImage(IReadOnlyList<Rectangle> rects, int factor, DRect r)
    {
        double cx = (r.Left + r.Right) / 2.0;
        double cy = (r.Top + r.Bottom) / 2.0;
        long px = (long)Math.Floor(cx + 0.5);
        long py = (long)Math.Floor(cy + 0.5);
        int level = NearestRect(rects, px, py);
        Rectangle origin = rects[level];
        double l = r.Left - origin.Left;
        double t = r.Top - origin.Top;
        double rr = r.Right - origin.Left;
        double b = r.Bottom - origin.Top;
        double ratio = factor / (factor - 1.0);
        for (int i = 0; i < level; i++)
        {
            l = (l * ratio) + 0.3;
            t = (t * ratio) + 0.3;
            rr = (rr * ratio) + 0.3;
            b = (b * ratio) + 0.3;
        }

        return new DRect(l, t, rr, b);
    }

    /// <summary>dlib's <c>nearest_rect</c>: the first rectangle containing the point, else the closest.</summary>
    public static int NearestRect(IReadOnlyList<Rectangle> rects, long x, long y)
    {
        int idx = 0;
        double best = double.PositiveInfinity;
        for (int i = 0; i < rects.Count; i++)
        {
            Rectangle r = rects[i];
            if (x >= r.Left && x <= r.Right && y >= r.Top && y <= r.Bottom)
            {
                return i;
            }

            long nx = Math.Clamp(x, r.Left, r.Right);
            long ny = Math.Clamp(y, r.Top, r.Bottom);
            double dx = nx - x;
            double dy = ny - y;
            double dist = Math.Sqrt((dx * dx) + (dy * dy));
            if (dist < best)
            {
                best = dist;
                idx = i;
            }
        }

        return idx;
    }
}
