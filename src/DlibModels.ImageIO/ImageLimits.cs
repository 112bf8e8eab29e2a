namespace DlibModels.ImageIO;

/// <summary>Size checks done on header dimensions before any pixel memory is allocated.</summary>
internal static class ImageLimits
{
    /// <summary>Throws when a declared size is empty or beyond the limits of <see cref="ImageFile"/>.</summary>
    public static void Check(long width, long height, long maxPixels)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageFormatProblem($"empty image ({width}x{height})");
        }

        if (width > ImageFile.MaxSide || height > ImageFile.MaxSide)
        {
            throw new ImageFormatProblem($"image size {width}x{height} exceeds the largest supported side ({ImageFile.MaxSide})");
        }

        if (width * height > maxPixels)
        {
            throw new ImageFormatProblem($"image size {width}x{height} has more than the supported {maxPixels} pixels");
        }
    }
}

/// <summary>Data that cannot be decoded; <see cref="ImageFile"/> turns it into an <see cref="ImageDecodeException"/> naming the file.</summary>
internal sealed class ImageFormatProblem(string message, Exception? inner = null) : Exception(message, inner);
