using DlibModels.Imaging;

namespace DlibModels.Faces;

/// <summary>dlib's <c>pyramid_down&lt;2&gt;</c> (5×5 binomial filter, then every other row and column) for chips.</summary>
internal static class PyramidDown2
{
    public static (double X, double Y) PointDown(double x, double y) => ((x / 2.0) - 1.25, (y / 2.0) - 0.75);

    public static DRectangle RectDown(DRectangle r)
    {
        (double l, double t) = PointDown(r.Left, r.Top);
        (double rr, double b) = PointDown(r.Right, r.Bottom);
        return new DRectangle(l, t, l, t).Union(new DRectangle(rr, b, rr, b));
    }

    /// <summary>The RGB overload of <c>pyramid_down_2_1::operator()</c>; images of 8 rows or columns or fewer give an empty image.</summary>
    public static RgbImage Down(RgbImage src)
    {
        int nr = src.Rows, nc = src.Cols;
        if (nr <= 8 || nc <= 8)
        {
            return new RgbImage(0, 0);
        }

        int tc = (nc - 3) / 2;
        var temp = new int[nr * tc * 3];
        byte[] sp = src.Pixels;
        for (int r = 0; r < nr; r++)
        {
            int so = r * nc * 3;
            int to = r * tc * 3;
            for (int c = 0; c < tc; c++)
            {
                int o = so + (c * 6);
                for (int ch = 0; ch < 3; ch++)
                {
                    temp[to + (c * 3) + ch] = sp[o + ch] + (4 * sp[o + 3 + ch]) + (6 * sp[o + 6 + ch]) + (4 * sp[o + 9 + ch]) + sp[o + 12 + ch];
                }
            }
        }

        var down = new RgbImage((nr - 3) / 2, tc);
        byte[] dp = down.Pixels;
        int dr = 0;
        int rowLen = tc * 3;
        for (int r = 2; r < nr - 2; r += 2)
        {
            int a = (r - 2) * rowLen, b = (r - 1) * rowLen, m = r * rowLen, d = (r + 1) * rowLen, e = (r + 2) * rowLen;
            int o = dr * rowLen;
            for (int i = 0; i < rowLen; i++)
            {
                int v = (ushort)(temp[a + i] + (temp[b + i] * 4) + (temp[m + i] * 6) + (temp[d + i] * 4) + temp[e + i]);
                dp[o + i] = (byte)(v / 256);
            }

            dr++;
        }

        return down;
    }
}
