using DlibModels.Faces;
using DlibModels.Geometry;
using DlibModels.Imaging;

namespace DlibModels.Tests.Faces;

/// <summary>
/// The vector paths of <see cref="BilinearSampler"/> against a plain transcription of dlib's
/// transform_image + interpolate_bilinear, on random views, maps and output sizes (widths below,
/// at and above the vector block sizes and the 256-pixel run, points outside, NaN and infinite maps).
/// </summary>
public class BilinearSamplerTests
{
    private static void Reference(byte[] src, int srcCols, Rectangle area, RgbImage dst, Affine m)
    {
        double nr = area.IsEmpty ? 0 : area.Height;
        double nc = area.IsEmpty ? 0 : area.Width;
        for (int r = 0; r < dst.Rows; r++)
        {
            for (int c = 0; c < dst.Cols; c++)
            {
                (double x, double y) = m.Apply(c, r);
                double left = Math.Floor(x), top = Math.Floor(y);
                int o = ((r * dst.Cols) + c) * 3;
                if (!(left >= 0 && top >= 0 && left + 1 < nc && top + 1 < nr))
                {
                    dst.Pixels[o] = dst.Pixels[o + 1] = dst.Pixels[o + 2] = 0;
                    continue;
                }

                double lr = x - left, tb = y - top;
                long p00 = (((area.Top + (long)top) * srcCols) + area.Left + (long)left) * 3;
                long p10 = p00 + (srcCols * 3);
                for (int k = 0; k < 3; k++)
                {
                    double v = ((1 - tb) * (((1 - lr) * src[p00 + k]) + (lr * src[p00 + 3 + k])))
                        + (tb * (((1 - lr) * src[p10 + k]) + (lr * src[p10 + 3 + k])));
                    dst.Pixels[o + k] = (byte)(int)v;
                }
            }
        }
    }

    [Fact]
    public void MatchesDlibFormula()
    {
        var rng = new Random(20240519);
        int[] widths = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 150, 255, 256, 257, 300, 600];
        for (int it = 0; it < 1500; it++)
        {
            int rows = rng.Next(1, 50), cols = rng.Next(1, 70);
            var src = new RgbImage(rows, cols);
            rng.NextBytes(src.Pixels);
            if (it % 9 == 0)
            {
                Array.Fill(src.Pixels, (byte)255);
            }

            long l = rng.Next(0, cols), t = rng.Next(0, rows);
            var area = new Rectangle(l, t, rng.Next((int)l - 1, cols), rng.Next((int)t - 1, rows));
            int dc = widths[it % widths.Length], dr = rng.Next(1, it % widths.Length > 12 ? 4 : 30);
            double angle = rng.NextDouble() * 7, scale = rng.NextDouble() * 2.5;
            var map = new Affine(scale * Math.Cos(angle), -scale * Math.Sin(angle), scale * Math.Sin(angle), scale * Math.Cos(angle), (rng.NextDouble() * 50) - 15, (rng.NextDouble() * 50) - 15);
            map = (it % 23) switch
            {
                0 => map with { B0 = double.NaN },
                1 => map with { M10 = double.PositiveInfinity },
                2 => map with { M00 = 1, M01 = 0, M10 = 0, M11 = 1, B0 = Math.Round(map.B0 / 4), B1 = Math.Round(map.B1 / 4) },
                3 => map with { M00 = 1e-3, M10 = 1e-3 },
                4 => map with { B0 = -1e6 },
                _ => map,
            };

            var want = new RgbImage(dr, dc);
            var got = new RgbImage(dr, dc);
            rng.NextBytes(got.Pixels);
            Reference(src.Pixels, cols, area, want, map);
            BilinearSampler.Transform(src.Pixels, cols, area, got, map);
            Assert.True(want.Pixels.AsSpan().SequenceEqual(got.Pixels), $"case {it}: {dr}x{dc} from view {area} of {rows}x{cols}, map {map}");
        }
    }
}
