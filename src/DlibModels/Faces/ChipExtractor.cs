using System.Buffers;
using System.Runtime.CompilerServices;
using DlibModels.Geometry;
using DlibModels.Imaging;

namespace DlibModels.Faces;

/// <summary>The body of dlib's <c>extract_image_chips</c> for RGB images with bilinear interpolation.</summary>
internal static class ChipExtractor
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RgbImage[] Extract(RgbImage img, IReadOnlyList<ChipDetails> chips)
    {
        for (int i = 0; i < chips.Count; i++)
        {
            ChipDetails c = chips[i] ?? throw new ArgumentException($"chip {i} is null", nameof(chips));
            if (c.Rows <= 0 || c.Cols <= 0 || c.Rect.IsEmpty)
            {
                throw new ArgumentException($"chip {i} has an empty size ({c.Rows}x{c.Cols}) or an empty rectangle {c.Rect}", nameof(chips));
            }
        }

        var imageRect = new DRectangle(0, 0, img.Cols - 1, img.Rows - 1);
        var bbox = new Rectangle(0, 0, -1, -1);
        int maxDepth = 0;
        foreach (ChipDetails chip in chips)
        {
            int depth = 0;
            double grow = 2;
            DRectangle r = ChipPyramid.RectDown(chip.Rect);
            while (r.Area > chip.Size)
            {
                r = ChipPyramid.RectDown(r);
                depth++;
                grow = (grow * 2) + 2;
            }

            (double cx, double cy) = chip.Rect.Center;
            double sin = Math.Sin(chip.Angle), cos = Math.Cos(chip.Angle);
            DRectangle rot = DRectangle.Empty;
            DRectangle cr = chip.Rect;
            var p = Affine.RotatePoint(cx, cy, cr.Left, cr.Top, sin, cos);
            rot = rot.Union(p.X, p.Y);
            p = Affine.RotatePoint(cx, cy, cr.Right, cr.Top, sin, cos);
            rot = rot.Union(p.X, p.Y);
            p = Affine.RotatePoint(cx, cy, cr.Left, cr.Bottom, sin, cos);
            rot = rot.Union(p.X, p.Y);
            p = Affine.RotatePoint(cx, cy, cr.Right, cr.Bottom, sin, cos);
            rot = rot.Union(p.X, p.Y);
            bbox = bbox.Union(rot.Grow(grow).Intersect(imageRect).ToRectangle());
            maxDepth = Math.Max(depth, maxDepth);
        }

        // The pyramid levels are scratch images (dlib's are too), rented and returned here.
        var levels = new (byte[] Pixels, int Rows, int Cols)[maxDepth];
        try
        {
            if (maxDepth > 0)
            {
                BuildLevels(img, bbox, chips, levels);
            }

            var result = new RgbImage[chips.Count];
            for (int i = 0; i < chips.Count; i++)
            {
                ChipDetails chip = chips[i];
                if (chip.Angle == 0 && chip.Rows == chip.Rect.Height && chip.Cols == chip.Rect.Width)
                {
                    result[i] = BasicExtract(img, chip.Rect.ToRectangle());
                    continue;
                }

                var outImg = new RgbImage(chip.Rows, chip.Cols);
                var (t0, t1, t2, level) = ChipCorners(chip, bbox);
                Affine trns = AffineTransform.Find((0, 0), (chip.Cols - 1, 0), (0, chip.Rows - 1), t0, t1, t2);
                if (level == -1)
                {
                    TransformBilinear(img.Pixels, img.Cols, bbox, outImg, trns);
                }
                else
                {
                    (byte[] px, int rows, int cols) = levels[level];
                    TransformBilinear(px, cols, new Rectangle(0, 0, cols - 1, rows - 1), outImg, trns);
                }

                result[i] = outImg;
            }

            return result;
        }
        finally
        {
            foreach ((byte[] px, _, _) in levels)
            {
                if (px != null)
                {
                    ArrayPool<byte>.Shared.Return(px);
                }
            }
        }
    }

    /// <summary>Where the chip's top-left, top-right and bottom-left corners lie in the source (sub image or pyramid level).</summary>
    internal static ((double X, double Y) T0, (double X, double Y) T1, (double X, double Y) T2, int Level) ChipCorners(ChipDetails chip, Rectangle bbox)
    {
        int level = -1;
        DRectangle rect = chip.Rect.Translate(-bbox.Left, -bbox.Top);
        while (ChipPyramid.RectDown(rect).Area > chip.Size)
        {
            level++;
            rect = ChipPyramid.RectDown(rect);
        }

        (double rcx, double rcy) = rect.Center;
        double s = Math.Sin(chip.Angle), co = Math.Cos(chip.Angle);
        var t0 = Affine.RotatePoint(rcx, rcy, rect.Left, rect.Top, s, co);
        var t1 = Affine.RotatePoint(rcx, rcy, rect.Right, rect.Top, s, co);
        var t2 = Affine.RotatePoint(rcx, rcy, rect.Left, rect.Bottom, s, co);
        return (t0, t1, t2, level);
    }

    /// <summary>
    /// dlib's image pyramid for the chips: levels[0] = pyramid_down(sub_image(img, bbox)) and
    /// levels[i] = pyramid_down(levels[i - 1]), each rented at its full size (the chips' transforms and
    /// the outside test use it) but computed only where a chip samples it or a deeper level reads it.
    /// dlib builds the whole of every level over the bounding box of all chips, though typically one
    /// large face needs a level; a pyramid_down pixel depends on its 5×5 source block only, so the
    /// pixels computed equal dlib's.
    /// </summary>
    private static void BuildLevels(RgbImage img, Rectangle bbox, IReadOnlyList<ChipDetails> chips, (byte[] Pixels, int Rows, int Cols)[] levels)
    {
        int nr = bbox.IsEmpty ? 0 : (int)bbox.Height;
        int nc = bbox.IsEmpty ? 0 : (int)bbox.Width;
        var need = new Rectangle[levels.Length];
        for (int i = 0, r = nr, c = nc; i < levels.Length; i++)
        {
            (r, c) = ChipPyramid.DownSize(r, c);
            levels[i] = (ArrayPool<byte>.Shared.Rent(Math.Max(1, r * c * 3)), r, c);
            need[i] = new Rectangle(0, 0, -1, -1);
        }

        foreach (ChipDetails chip in chips)
        {
            if (chip.Angle == 0 && chip.Rows == chip.Rect.Height && chip.Cols == chip.Rect.Width)
            {
                continue;
            }

            var (t0, t1, t2, level) = ChipCorners(chip, bbox);
            if (level >= 0 && level < levels.Length)
            {
                need[level] = need[level].Union(SampledArea(t0, t1, t2, levels[level].Rows, levels[level].Cols));
            }
        }

        // Level i + 1 pixel (r, c) reads level i rows 2r .. 2r + 4 and columns 2c .. 2c + 4.
        for (int i = levels.Length - 1; i > 0; i--)
        {
            Rectangle n = need[i];
            if (!n.IsEmpty)
            {
                var above = new Rectangle(2 * n.Left, 2 * n.Top, (2 * n.Right) + 4, (2 * n.Bottom) + 4);
                need[i - 1] = need[i - 1].Union(above).Intersect(new Rectangle(0, 0, levels[i - 1].Cols - 1, levels[i - 1].Rows - 1));
            }
        }

        // pyramid_down over the sub image of bbox, read in place, then level by level.
        byte[] srcPx = img.Pixels;
        int offset = bbox.IsEmpty ? 0 : (int)(((bbox.Top * img.Cols) + bbox.Left) * 3);
        int srcStride = img.Cols * 3;
        for (int i = 0; i < levels.Length; i++)
        {
            (byte[] px, int rows, int cols) = levels[i];
            if (!need[i].IsEmpty)
            {
                ChipPyramid.DownWindow(srcPx, offset, srcStride, nr, nc, px, need[i]);
            }

            (srcPx, offset, srcStride, nr, nc) = (px, 0, cols * 3, rows, cols);
        }
    }

    /// <summary>
    /// The pixels of a rows×cols level that bilinear sampling can read for a chip whose corners map to
    /// <paramref name="t0"/>, <paramref name="t1"/>, <paramref name="t2"/> (top-left, top-right,
    /// bottom-left): the corners' bounding box, the right/bottom neighbours and a 2-pixel margin for
    /// rounding, clipped to the level (all of it when the corners are not finite).
    /// </summary>
    private static Rectangle SampledArea((double X, double Y) t0, (double X, double Y) t1, (double X, double Y) t2, int rows, int cols)
    {
        double x3 = t1.X + t2.X - t0.X, y3 = t1.Y + t2.Y - t0.Y;
        double minX = Math.Min(Math.Min(t0.X, t1.X), Math.Min(t2.X, x3)), maxX = Math.Max(Math.Max(t0.X, t1.X), Math.Max(t2.X, x3));
        double minY = Math.Min(Math.Min(t0.Y, t1.Y), Math.Min(t2.Y, y3)), maxY = Math.Max(Math.Max(t0.Y, t1.Y), Math.Max(t2.Y, y3));
        if (!(double.IsFinite(minX) && double.IsFinite(maxX) && double.IsFinite(minY) && double.IsFinite(maxY)))
        {
            return new Rectangle(0, 0, cols - 1, rows - 1);
        }

        const double margin = 2;
        double left = Math.Max(0, Math.Floor(minX) - margin), top = Math.Max(0, Math.Floor(minY) - margin);
        double right = Math.Min(cols - 1, Math.Floor(maxX) + 1 + margin), bottom = Math.Min(rows - 1, Math.Floor(maxY) + 1 + margin);
        return left <= right && top <= bottom ? new Rectangle((long)left, (long)top, (long)right, (long)bottom) : new Rectangle(0, 0, -1, -1);
    }

    /// <summary>
    /// transform_image with interpolate_bilinear over the view <paramref name="area"/> of
    /// <paramref name="srcPixels"/> (an RGB image <paramref name="srcCols"/> pixels wide) (coordinates relative to the view's top-left), black outside.
    /// </summary>
    internal static void TransformBilinear(byte[] srcPixels, int srcCols, Rectangle area, RgbImage dst, Affine map)
        => BilinearSampler.Transform(srcPixels, srcCols, area, dst, map);

    private static RgbImage BasicExtract(RgbImage img, Rectangle location)
    {
        var chip = new RgbImage((int)location.Height, (int)location.Width);
        Rectangle area = location.Intersect(new Rectangle(0, 0, img.Cols - 1, img.Rows - 1));
        if (area.IsEmpty)
        {
            return chip;
        }

        int rowBytes = (int)area.Width * 3;
        for (long rr = area.Top; rr <= area.Bottom; rr++)
        {
            long r = rr - location.Top;
            long c = area.Left - location.Left;
            Buffer.BlockCopy(img.Pixels, (int)(((rr * img.Cols) + area.Left) * 3), chip.Pixels, (int)(((r * chip.Cols) + c) * 3), rowBytes);
        }

        return chip;
    }
}
