using DlibModels.Imaging;

namespace DlibModels.Cli.Output;

/// <summary>
/// What the <c>decoded</c> JSON field reports of a decoded image (size and checksums), computed
/// while the image is at hand so that a batch result need not keep the pixels alive.
/// </summary>
internal readonly record struct DecodedSummary(int Rows, int Cols, long SumR, long SumG, long SumB, ulong Fnv1a64)
{
    public static DecodedSummary Of(RgbImage image)
    {
        (long r, long g, long b) = ImageChecksums.SumRgb(image);
        return new DecodedSummary(image.Rows, image.Cols, r, g, b, ImageChecksums.Fnv1a64(image));
    }
}
