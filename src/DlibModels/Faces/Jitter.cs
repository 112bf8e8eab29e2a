using DlibModels.Imaging;
using DlibModels.Randomness;

namespace DlibModels.Faces;

/// <summary>dlib's <c>jitter_image</c>: a randomly shifted, scaled, rotated and maybe mirrored copy of a square chip.</summary>
public static class Jitter
{
    /// <summary>
    /// dlib's <c>jitter_image(img, rnd)</c>. Draws, in this order: the vertical then the horizontal
    /// shift (GCC evaluates the two arguments of dlib's <c>dpoint(x, y)</c> right to left), the
    /// scale, the angle, and the left-right flip.
    /// </summary>
    /// <exception cref="ArgumentException">The image is empty or not square.</exception>
    public static RgbImage JitterImage(RgbImage image, DlibRandom random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        if (image.Rows == 0 || image.Rows != image.Cols)
        {
            throw new ArgumentException($"jitter_image needs a non-empty square image, got {image.Cols}x{image.Rows}", nameof(image));
        }

        const double maxRotationDegrees = 3;
        const double minObjectHeight = 0.97;
        const double maxObjectHeight = 0.99999;
        const double translateAmount = 0.02;

        var rect = new Rectangle(3, 3, image.Cols - 4, image.Rows - 4);
        double ty = random.GetDoubleInRange(-translateAmount, translateAmount) * rect.Height;
        double tx = random.GetDoubleInRange(-translateAmount, translateAmount) * rect.Width;
        long rtx = (long)Math.Floor(tx + 0.5);
        long rty = (long)Math.Floor(ty + 0.5);
        double scalePerturb = random.GetDoubleInRange(minObjectHeight, maxObjectHeight);
        long boxSize = (long)(rect.Height / scalePerturb);
        (long cx, long cy) = rect.Center;
        cx += rtx;
        cy += rty;
        long left = cx - (boxSize / 2);
        long top = cy - (boxSize / 2);
        var crop = new Rectangle(left, top, left + boxSize - 1, top + boxSize - 1);
        double angle = random.GetDoubleInRange(-maxRotationDegrees, maxRotationDegrees) * Math.PI / 180;
        var details = new ChipDetails(DRectangle.FromRectangle(crop), angle, image.Rows, image.Cols);
        RgbImage chip = FaceChips.ExtractImageChip(image, details);
        if (random.GetRandomDouble() > 0.5)
        {
            ImageTransforms.FlipLeftRight(chip);
        }

        return chip;
    }

}
