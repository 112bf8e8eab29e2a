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
                // pyramid_down over the sub image of bbox, read in place.
                int nr = bbox.IsEmpty ? 0 : (int)bbox.Height;
                int nc = bbox.IsEmpty ? 0 : (int)bbox.Width;
                int offset = bbox.IsEmpty ? 0 : (int)(((bbox.Top * img.Cols) + bbox.Left) * 3);
                byte[] srcPx = img.Pixels;
                int srcStride = img.Cols * 3;
                for (int i = 0; i < levels.Length; i++)
                {
                    (int rows, int cols) = ChipPyramid.DownSize(nr, nc);
                    byte[] px = ArrayPool<byte>.Shared.Rent(Math.Max(1, rows * cols * 3));
                    levels[i] = (px, rows, cols);
                    ChipPyramid.DownInto(srcPx, offset, srcStride, nr, nc, px);
                    (srcPx, offset, srcStride, nr, nc) = (px, 0, cols * 3, rows, cols);
                }
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
                Affine trns = Affine.FromThreePoints((0, 0), (chip.Cols - 1, 0), (0, chip.Rows - 1), t0, t1, t2);
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
