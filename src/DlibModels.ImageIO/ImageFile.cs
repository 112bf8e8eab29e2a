using System.Buffers.Binary;
using DlibModels.ImageIO.Jpeg;
using DlibModels.ImageIO.Png;
using DlibModels.Imaging;
using StbImageSharp;
using StbImageWriteSharp;

namespace DlibModels.ImageIO;

/// <summary>
/// Loads image files into <see cref="RgbImage"/> or <see cref="GrayImage"/> giving the same pixels
/// as dlib 19.24's <c>load_image</c> (with libjpeg-turbo 2.1.5 and libpng 1.6), and saves PNG.
/// </summary>
/// <remarks>
/// <para>The format is detected from the first bytes, as dlib does: PNG signature, JPEG
/// (<c>FF D8 FF</c>) or BMP (<c>BM</c>). Anything else (including GIF, WebP and dlib's DNG)
/// is rejected.</para>
/// <para>JPEG: bit-identical to libjpeg-turbo's default decoding (ISLOW IDCT, fancy upsampling,
/// fixed-point YCbCr→RGB); no EXIF rotation. Grayscale JPEGs give r = g = b. CMYK/YCCK,
/// arithmetic-coded, lossless and 12-bit JPEGs are rejected. A JPEG whose data ends early is
/// decoded as libjpeg-turbo does (it only warns): the missing part comes out as if its
/// coefficients were zero (mid-gray). Only the one MCU in which the data ends may differ from
/// dlib's pixels; some truncated progressive files are rejected instead of decoded.</para>
/// <para>PNG: dlib's conversions of palette, alpha, tRNS and 16-bit images (see the remarks of
/// the internal PNG decoder; notably 16-bit colour keeps the low byte of each sample and RGBA
/// is blended onto black).</para>
/// <para>Sizes are checked from the header before pixel memory is allocated: each side at most
/// <see cref="MaxSide"/>, at most <see cref="MaxPixels"/> pixels, and at least one pixel.</para>
/// </remarks>
public static class ImageFile
{
    /// <summary>The largest accepted width or height, in pixels.</summary>
    public const int MaxSide = 1 << 16;

    /// <summary>The largest accepted number of pixels (width × height): 2^28, about 268 million.</summary>
    public const long MaxPixels = 1L << 28;

    private enum Format
    {
        Jpeg,
        Png,
        Bmp,
    }

    /// <summary>Loads an RGB image (dlib's <c>load_image</c> into <c>matrix&lt;rgb_pixel&gt;</c>).</summary>
    /// <param name="path">A JPEG, PNG or BMP file.</param>
    /// <exception cref="ImageDecodeException">The file is unreadable, corrupt, truncated, too large or not a supported image.</exception>
    public static RgbImage LoadRgb(string path) => LoadRgb(ReadFile(path), path);

    /// <summary>Loads an RGB image from the bytes of a file.</summary>
    /// <param name="data">The whole file.</param>
    /// <param name="name">A name for the data, used in error messages.</param>
    /// <exception cref="ImageDecodeException">The data is corrupt, truncated, too large or not a supported image.</exception>
    public static RgbImage LoadRgb(ReadOnlySpan<byte> data, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            switch (Detect(data))
            {
                case Format.Jpeg:
                    {
                        JpegPixels p = JpegDecoder.Decode(data.ToArray(), MaxPixels);
                        return new RgbImage(p.Rows, p.Cols, p.Channels == 3 ? p.Data : GrayToRgb(p.Data));
                    }

                case Format.Png:
                    {
                        (int rows, int cols, byte[] pixels) = PngDecoder.Decode(data, gray: false, MaxPixels);
                        return new RgbImage(rows, cols, pixels);
                    }

                default:
                    return LoadBmp(data);
            }
        }
        catch (ImageFormatProblem e)
        {
            throw new ImageDecodeException(name, e.Message, e.InnerException);
        }
    }

    /// <summary>
    /// Loads a grayscale image (dlib's <c>load_image</c> into <c>matrix&lt;unsigned char&gt;</c>):
    /// grayscale files keep their values, colour pixels become <c>(r+g+b)/3</c> (integer division).
    /// </summary>
    /// <param name="path">A JPEG, PNG or BMP file.</param>
    /// <exception cref="ImageDecodeException">The file is unreadable, corrupt, truncated, too large or not a supported image.</exception>
    public static GrayImage LoadGray(string path) => LoadGray(ReadFile(path), path);

    /// <summary>Loads a grayscale image from the bytes of a file, as <see cref="LoadGray(string)"/>.</summary>
    /// <param name="data">The whole file.</param>
    /// <param name="name">A name for the data, used in error messages.</param>
    /// <exception cref="ImageDecodeException">The data is corrupt, truncated, too large or not a supported image.</exception>
    public static GrayImage LoadGray(ReadOnlySpan<byte> data, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        try
        {
            switch (Detect(data))
            {
                case Format.Jpeg:
                    {
                        JpegPixels p = JpegDecoder.Decode(data.ToArray(), MaxPixels);
                        return p.Channels == 1
                            ? new GrayImage(p.Rows, p.Cols, p.Data)
                            : GrayImage.FromRgb(new RgbImage(p.Rows, p.Cols, p.Data));
                    }

                case Format.Png:
                    {
                        (int rows, int cols, byte[] pixels) = PngDecoder.Decode(data, gray: true, MaxPixels);
                        return new GrayImage(rows, cols, pixels);
                    }

                default:
                    return GrayImage.FromRgb(LoadBmp(data));
            }
        }
        catch (ImageFormatProblem e)
        {
            throw new ImageDecodeException(name, e.Message, e.InnerException);
        }
    }

    /// <summary>Saves an RGB image as a lossless 8-bit RGB PNG.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void SavePng(RgbImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        WritePng(image.Pixels, image.Cols, image.Rows, StbImageWriteSharp.ColorComponents.RedGreenBlue, path);
    }

    /// <summary>Saves a grayscale image as a lossless 8-bit gray PNG.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void SavePng(GrayImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        WritePng(image.Pixels, image.Cols, image.Rows, StbImageWriteSharp.ColorComponents.Grey, path);
    }

    private static void WritePng(byte[] pixels, int cols, int rows, StbImageWriteSharp.ColorComponents components, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (rows == 0 || cols == 0)
        {
            throw new ArgumentException($"cannot save an empty {cols}x{rows} image as PNG", nameof(path));
        }

        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        new ImageWriter().WritePng(pixels, cols, rows, components, stream);
    }

    private static byte[] ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ImageDecodeException(path, $"cannot read the file ({e.Message})", e);
        }
    }

    private static Format Detect(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            throw new ImageFormatProblem("the file is empty");
        }

        if (PngDecoder.HasSignature(data))
        {
            return Format.Png;
        }

        if (data.Length >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        {
            return Format.Jpeg;
        }

        if (data.Length >= 2 && data[0] == 'B' && data[1] == 'M')
        {
            return Format.Bmp;
        }

        if (data.Length >= 3 && data[0] == 'G' && data[1] == 'I' && data[2] == 'F')
        {
            throw new ImageFormatProblem("GIF is not supported (dlib as packaged here has no GIF support)");
        }

        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data.Slice(8, 4).SequenceEqual("WEBP"u8))
        {
            throw new ImageFormatProblem("WebP is not supported");
        }

        throw new ImageFormatProblem("unknown image format (not JPEG, PNG or BMP)");
    }

    private static RgbImage LoadBmp(ReadOnlySpan<byte> data)
    {
        if (data.Length < 26)
        {
            throw new ImageFormatProblem("truncated BMP header");
        }

        uint dataOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (headerSize is not (12 or 40 or 52 or 56 or 108 or 124))
        {
            throw new ImageFormatProblem($"BMP header size {headerSize} at offset 14 is not one of 12, 40, 52, 56, 108, 124");
        }

        if (data.Length < 14 + headerSize)
        {
            throw new ImageFormatProblem($"truncated BMP header: {14 + headerSize} bytes expected, the file has {data.Length}");
        }

        long w, h;
        int bitsPerPixel;
        uint compression = 0;
        if (headerSize == 12)
        {
            w = BinaryPrimitives.ReadUInt16LittleEndian(data[18..]);
            h = BinaryPrimitives.ReadUInt16LittleEndian(data[20..]);
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data[24..]);
        }
        else
        {
            w = BinaryPrimitives.ReadInt32LittleEndian(data[18..]);
            h = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(data[22..]));
            bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(data[28..]);
            compression = BinaryPrimitives.ReadUInt32LittleEndian(data[30..]);
        }

        ImageLimits.Check(w, h, MaxPixels);
        if (bitsPerPixel is not (1 or 4 or 8 or 16 or 24 or 32))
        {
            throw new ImageFormatProblem($"BMP bits per pixel {bitsPerPixel} at offset 28 is not 1, 4, 8, 16, 24 or 32");
        }

        if (compression is not (0 or 3))
        {
            throw new ImageFormatProblem($"BMP compression {compression} at offset 30 is not supported (only uncompressed and bit fields)");
        }

        // Uncompressed rows are padded to 4 bytes: the pixel data's size follows from the header,
        // so a small file that claims a large image is refused before any pixel memory is taken.
        long stride = ((w * bitsPerPixel) + 31) / 32 * 4;
        long needed = stride * h;
        if (dataOffset > data.Length || needed > data.Length - dataOffset)
        {
            throw new ImageFormatProblem(
                $"truncated BMP pixel data: {w}x{h} at {bitsPerPixel} bits needs {needed} bytes from offset {dataOffset}, the file has {data.Length} bytes");
        }

        try
        {
            ImageResult result = ImageResult.FromMemory(data.ToArray(), StbImageSharp.ColorComponents.RedGreenBlue);
            return new RgbImage(result.Height, result.Width, result.Data);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageFormatProblem($"corrupt or unsupported BMP ({e.Message})", e);
        }
    }

    private static byte[] GrayToRgb(byte[] gray)
    {
        var rgb = new byte[gray.Length * 3];
        for (int i = 0, j = 0; i < gray.Length; i++, j += 3)
        {
            byte v = gray[i];
            rgb[j] = v;
            rgb[j + 1] = v;
            rgb[j + 2] = v;
        }

        return rgb;
    }
}
