using System.Buffers.Binary;
using System.IO.Compression;
using DlibModels.ImageIO;
using DlibModels.Imaging;
using DlibModels.Tests.Support;

namespace DlibModels.Tests.ImageIO;

/// <summary>Unreadable, corrupt, truncated and oversized inputs give a clear <see cref="ImageDecodeException"/>.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "dlibmodels-imageio-" + Guid.NewGuid().ToString("N"));

    public BadInputTests() => Directory.CreateDirectory(dir);

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void EmptyFile()
    {
        AssertRejected([], "empty.jpg", "empty");
    }

    [Fact]
    public void RandomBytes()
    {
        var bytes = new byte[1000];
        new Random(5).NextBytes(bytes);
        bytes[0] = 0x12; // not a known signature
        AssertRejected(bytes, "noise.bin", "unknown image format");
    }

    [Fact]
    public void RandomBytesAfterAJpegSignature()
    {
        var bytes = new byte[1000];
        new Random(6).NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        AssertRejected(bytes, "noise.jpg", null);
    }

    [Fact]
    public void RandomBytesAfterAPngSignature()
    {
        var bytes = new byte[1000];
        new Random(7).NextBytes(bytes);
        byte[] sig = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
        sig.CopyTo(bytes, 0);
        AssertRejected(bytes, "noise.png", null);
    }

    [Fact]
    public void GifIsRejected()
    {
        AssertRejected("GIF89a\x01\x00\x01\x00"u8.ToArray(), "a.gif", "GIF");
    }

    [Fact]
    public void MissingFile()
    {
        string path = Path.Combine(dir, "does-not-exist.jpg");
        var e = Assert.Throws<ImageDecodeException>(() => ImageFile.LoadRgb(path));
        Assert.Contains("does-not-exist.jpg", e.Message);
        Assert.Throws<ImageDecodeException>(() => ImageFile.LoadGray(path));
    }

    [Fact]
    public void JpegTruncatedInsideTheHeader()
    {
        byte[] jpg = File.ReadAllBytes(TestPaths.SharedFile("images/faces/dogs.jpg"));
        AssertRejected(jpg.AsSpan(0, 100).ToArray(), "head.jpg", "truncated");
        AssertRejected(jpg.AsSpan(0, 3).ToArray(), "three.jpg", null);
    }

    [Fact]
    public void JpegTruncatedInsideTheScanDecodesLikeLibjpegTurbo()
    {
        // libjpeg-turbo only warns when the entropy-coded data ends early, and dlib's load_jpeg
        // returns the image: the blocks after the end have all-zero coefficients, i.e. mid-gray.
        byte[] jpg = File.ReadAllBytes(TestPaths.SharedFile("images/faces/2008_001009.jpg"));
        string path = Write("half.jpg", jpg.AsSpan(0, jpg.Length / 2).ToArray());
        RgbImage full = ImageFile.LoadRgb(TestPaths.SharedFile("images/faces/2008_001009.jpg"));
        RgbImage half = ImageFile.LoadRgb(path);
        Assert.Equal(full.Rows, half.Rows);
        Assert.Equal(full.Cols, half.Cols);
        Assert.True(full.Row(0).SequenceEqual(half.Row(0)), "the first row is complete in the truncated file");
        foreach (byte v in half.Row(half.Rows - 1))
        {
            Assert.Equal(128, v);
        }
    }

    [Fact]
    public void JpegWithTooManyPixelsIsRejectedBeforeDecoding()
    {
        byte[] jpg = File.ReadAllBytes(TestPaths.SharedFile("images/faces/dogs.jpg"));
        int sof = FindSof(jpg);
        BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(sof + 5), 65000); // height
        BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(sof + 7), 65000); // width
        AssertRejected(jpg, "huge.jpg", "65000x65000");
    }

    [Fact]
    public void JpegWithZeroHeightIsRejected()
    {
        byte[] jpg = File.ReadAllBytes(TestPaths.SharedFile("images/faces/dogs.jpg"));
        int sof = FindSof(jpg);
        BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(sof + 5), 0);
        AssertRejected(jpg, "empty-height.jpg", "empty image");
    }

    [Fact]
    public void PngClaimingAHugeSizeIsRejectedBeforeAllocating()
    {
        byte[] png = MakePng(100000, 100000, idat: new byte[10]);
        AssertRejected(png, "huge.png", "100000x100000");
    }

    [Fact]
    public void PngWithTooManyPixelsIsRejected()
    {
        byte[] png = MakePng(60000, 60000, idat: new byte[10]);
        AssertRejected(png, "many.png", "pixels");
    }

    [Fact]
    public void PngWithZeroWidthIsRejected()
    {
        AssertRejected(MakePng(0, 5, idat: new byte[10]), "zero.png", "empty image");
    }

    [Fact]
    public void PngWithTooLittleDataIsRejected()
    {
        byte[] idat = Deflate(new byte[5]); // a 4x4 RGB image needs 4 * 13 bytes
        AssertRejected(MakePng(4, 4, idat), "short.png", "not enough image data");
    }

    [Fact]
    public void PngWithBadCrcIsRejected()
    {
        byte[] png = MakePng(1, 1, Deflate([0, 1, 2, 3]));
        png[20] ^= 1; // inside IHDR
        AssertRejected(png, "crc.png", "CRC");
    }

    [Fact]
    public void TruncatedPngIsRejected()
    {
        byte[] png = File.ReadAllBytes(TestPaths.SharedFile("images/decoded/faces/dogs.png"));
        AssertRejected(png.AsSpan(0, png.Length / 2).ToArray(), "dogs-half.png", "truncated");
    }

    [Fact]
    public void SmallPngDecodes()
    {
        byte[] png = MakePng(1, 1, Deflate([0, 10, 20, 30]));
        RgbImage img = ImageFile.LoadRgb(png, "one.png");
        Assert.Equal([10, 20, 30], img.Pixels);
        Assert.Equal([20], ImageFile.LoadGray(png, "one.png").Pixels);
    }

    [Fact]
    public void SavePngRoundTrips()
    {
        RgbImage img = ImageFile.LoadRgb(TestPaths.SharedFile("images/faces/2008_001009.jpg"));
        string path = Path.Combine(dir, "saved.png");
        ImageFile.SavePng(img, path);
        RgbImage back = ImageFile.LoadRgb(path);
        Assert.Equal(img.Rows, back.Rows);
        Assert.Equal(img.Cols, back.Cols);
        Assert.Equal(ImageChecksums.Fnv1a64(img), ImageChecksums.Fnv1a64(back));

        GrayImage gray = ImageFile.LoadGray(TestPaths.SharedFile("images/faces/2008_001009.jpg"));
        string grayPath = Path.Combine(dir, "saved-gray.png");
        ImageFile.SavePng(gray, grayPath);
        Assert.Equal(ImageChecksums.Fnv1a64(gray), ImageChecksums.Fnv1a64(ImageFile.LoadGray(grayPath)));
    }

    private void AssertRejected(byte[] bytes, string name, string? expected)
    {
        string path = Write(name, bytes);
        foreach (Action load in new Action[]
                 {
                     () => ImageFile.LoadRgb(path),
                     () => ImageFile.LoadGray(path),
                     () => ImageFile.LoadRgb(bytes, name),
                 })
        {
            var e = Assert.Throws<ImageDecodeException>(load);
            Assert.Contains(name, e.Message);
            if (expected is not null)
            {
                Assert.Contains(expected, e.Message, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static int FindSof(byte[] jpg)
    {
        for (int i = 2; i + 1 < jpg.Length; i++)
        {
            if (jpg[i] == 0xFF && (jpg[i + 1] == 0xC0 || jpg[i + 1] == 0xC2))
            {
                return i;
            }
        }

        throw new InvalidOperationException("no SOF marker");
    }

    private static byte[] Deflate(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(raw);
        }

        return ms.ToArray();
    }

    /// <summary>An 8-bit RGB PNG with the given IHDR size and IDAT payload.</summary>
    private static byte[] MakePng(int width, int height, byte[] idat)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = 2;
        WriteChunk(ms, "IHDR", ihdr);
        WriteChunk(ms, "IDAT", idat);
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] body)
    {
        var head = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, body.Length);
        System.Text.Encoding.ASCII.GetBytes(type, head.AsSpan(4));
        s.Write(head);
        s.Write(body);
        var crcInput = new byte[4 + body.Length];
        head.AsSpan(4).CopyTo(crcInput);
        body.CopyTo(crcInput, 4);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(crcInput));
        s.Write(crc);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
        }

        return c ^ 0xFFFFFFFFu;
    }
}
