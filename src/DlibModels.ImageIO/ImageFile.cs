using DlibModels.Imaging;
using StbImageSharp;

namespace DlibModels.ImageIO;

/// <summary>Loads image files into <see cref="RgbImage"/> the way dlib's <c>load_image</c> does.</summary>
public static class ImageFile
{
    /// <summary>Loads an RGB image from a PNG or BMP file.</summary>
    /// <exception cref="ImageDecodeException">The file is unreadable or not a supported image.</exception>
    public static RgbImage LoadRgb(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, $"cannot read the file ({e.Message})", e);
        }

        try
        {
            ImageResult result = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue);
            return new RgbImage(result.Height, result.Width, result.Data);
        }
        catch (Exception e) when (e is not ImageDecodeException)
        {
            throw new ImageDecodeException(path, $"not a decodable image ({e.Message})", e);
        }
    }
}
