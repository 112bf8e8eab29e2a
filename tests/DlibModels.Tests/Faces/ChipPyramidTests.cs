using DlibModels.Faces;
using DlibModels.Imaging;

namespace DlibModels.Tests.Faces;

public class ChipPyramidTests
{
    /// <summary>A window of pyramid_down (what extract_image_chips computes of a level) equals that part of the whole level.</summary>
    [Fact]
    public void WindowEqualsPartOfWholeLevel()
    {
        var rng = new Random(5);
        for (int it = 0; it < 200; it++)
        {
            int nr = rng.Next(9, 90), nc = rng.Next(9, 140);
            int stride = (nc + rng.Next(0, 5)) * 3;
            int offset = rng.Next(0, 7);
            byte[] src = new byte[offset + (nr * stride)];
            rng.NextBytes(src);
            (int rows, int cols) = ChipPyramid.DownSize(nr, nc);
            byte[] whole = new byte[rows * cols * 3];
            ChipPyramid.DownInto(src, offset, stride, nr, nc, whole);

            long l = rng.Next(0, cols), t = rng.Next(0, rows);
            var window = new Rectangle(l, t, rng.Next((int)l, cols), rng.Next((int)t, rows));
            byte[] part = new byte[whole.Length];
            Array.Fill(part, (byte)77);
            ChipPyramid.DownWindow(src, offset, stride, nr, nc, part, window);
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < cols * 3; c++)
                {
                    int i = (r * cols * 3) + c;
                    bool inside = r >= window.Top && r <= window.Bottom && c / 3 >= window.Left && c / 3 <= window.Right;
                    Assert.True(inside ? part[i] == whole[i] : part[i] == 77, $"case {it}: {nr}x{nc}, window {window}, pixel ({r}, {c / 3})");
                }
            }
        }
    }
}
