using DlibModels.Imaging;
using DlibModels.Randomness;

namespace DlibModels.Classification;

/// <summary>The image augmentations of dnn_imagenet_ex: mirroring and dlib's random colour offset.</summary>
public static class ImageOps
{
    /// <summary>The colour covariance factor dlib multiplies three Gaussian draws by (rows R, G, B).</summary>
    private static readonly double[,] ColorTransform =
    {
        { -66.379, 25.094, 6.79698 },
        { -68.0492, -0.302309, -13.9539 },
        { -68.4907, -24.0199, 7.27653 },
    };


    /// <summary>
    /// dlib's <c>apply_random_color_offset(img, rnd)</c>: draws three Gaussians, maps them through
    /// the ImageNet colour covariance (×0.1), rounds, and adds the offsets to R, G and B with clamping.
    /// </summary>
    public static void ApplyRandomColorOffset(RgbImage img, DlibRandom random)
    {
        ArgumentNullException.ThrowIfNull(img);
        ArgumentNullException.ThrowIfNull(random);
        double g0 = random.GetRandomGaussian();
        double g1 = random.GetRandomGaussian();
        double g2 = random.GetRandomGaussian();
        Span<int> offsets = stackalloc int[3];
        for (int i = 0; i < 3; i++)
        {
            double v = (ColorTransform[i, 0] * 0.1) * g0;
            v += (ColorTransform[i, 1] * 0.1) * g1;
            v += (ColorTransform[i, 2] * 0.1) * g2;
            offsets[i] = (int)Math.Floor(v + 0.5);
        }

        Span<byte> table = stackalloc byte[3 * 256];
        for (int ch = 0; ch < 3; ch++)
        {
            for (int i = 0; i < 256; i++)
            {
                table[(ch * 256) + i] = (byte)Math.Clamp(i + offsets[ch], 0, 255);
            }
        }

        byte[] p = img.Pixels;
        for (int i = 0; i < p.Length; i += 3)
        {
            p[i] = table[p[i]];
            p[i + 1] = table[256 + p[i + 1]];
            p[i + 2] = table[512 + p[i + 2]];
        }
    }
}
