namespace DlibModels.Imaging;

/// <summary>Small in-place image transforms shared by the model families.</summary>
public static class ImageTransforms
{
    /// <summary>Mirrors an image left to right in place (dlib's <c>flip_image_left_right</c> / <c>fliplr</c>).</summary>
    public static void FlipLeftRight(RgbImage img)
    {
        ArgumentNullException.ThrowIfNull(img);
        byte[] p = img.Pixels;
        for (int r = 0; r < img.Rows; r++)
        {
            int a = r * img.Cols * 3;
            int b = a + ((img.Cols - 1) * 3);
            while (a < b)
            {
                for (int ch = 0; ch < 3; ch++)
                {
                    (p[a + ch], p[b + ch]) = (p[b + ch], p[a + ch]);
                }

                a += 3;
                b -= 3;
            }
        }
    }
}
