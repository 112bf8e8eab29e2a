using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using DlibModels.ImageIO;
using DlibModels.Imaging;

namespace DlibModels.Tests.ImageIO;

/// <summary>
/// BMP files written here byte by byte (bottom-up and top-down, 24-bit and 8-bit palette) load to
/// the pixels they hold, and a header that claims more pixels than the file carries is refused
/// before any pixel memory is taken (the allocation bomb the fuzz smoke run found).
/// </summary>
public class BmpTests
{
    [Theory]
    [InlineData(5, 3, false)]
    [InlineData(4, 7, true)]
    [InlineData(1, 1, false)]
    public void Uncompressed24BitLoadsItsPixels(int cols, int rows, bool topDown)
    {
        byte[] expected = Pattern(rows, cols);
        RgbImage img = ImageFile.LoadRgb(Bmp24(rows, cols, expected, topDown), "t.bmp");
        Assert.Equal(rows, img.Rows);
        Assert.Equal(cols, img.Cols);
        Assert.Equal(expected, img.Pixels);
    }

    [Fact]
    public void PaletteBmpLoadsItsColours()
    {
        const int rows = 3, cols = 6;
        int stride = (cols + 3) / 4 * 4;
        byte[] file = new byte[54 + (256 * 4) + (stride * rows)];
        Header(file, cols, rows, 8, 54 + (256 * 4));
        for (int i = 0; i < 256; i++)
        {
            file[54 + (4 * i)] = (byte)(255 - i); // blue
            file[54 + (4 * i) + 1] = (byte)(i / 2); // green
            file[54 + (4 * i) + 2] = (byte)i; // red
        }

        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                file[54 + 1024 + ((rows - 1 - r) * stride) + c] = (byte)((r * 40) + c);
            }
        }

        RgbImage img = ImageFile.LoadRgb(file, "p.bmp");
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                int i = (r * 40) + c;
                Assert.Equal(new byte[] { (byte)i, (byte)(i / 2), (byte)(255 - i) }, img.Row(r).Slice(c * 3, 3).ToArray());
            }
        }
    }

    [Fact]
    public void AHeaderClaimingMorePixelsThanTheFileHoldsIsRefusedWithoutAllocating()
    {
        byte[] bomb = File.ReadAllBytes(FuzzInput("bmp-claims-16000x16000.bmp"));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ImageDecodeException>(() => ImageFile.LoadRgb(bomb, "bomb.bmp"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("bomb.bmp", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated BMP pixel data", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated to refuse a 154-byte file");
    }

    [Fact]
    public void ATruncatedRealBmpIsRefusedNotPaddedWithZeros()
    {
        byte[] whole = Bmp24(4, 5, Pattern(4, 5), topDown: false);
        var e = Assert.Throws<ImageDecodeException>(() => ImageFile.LoadRgb(whole.AsSpan(0, whole.Length - 3), "cut.bmp"));
        Assert.Contains("needs 64 bytes from offset 54", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(28, 7, "bits per pixel 7")]
    [InlineData(30, 1, "compression 1")]
    [InlineData(14, 99, "header size 99")]
    public void UnsupportedHeaderFieldsAreNamed(int offset, int value, string expected)
    {
        byte[] file = Bmp24(2, 2, Pattern(2, 2), topDown: false);
        if (offset == 28)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(offset), (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(offset), (uint)value);
        }

        var e = Assert.Throws<ImageDecodeException>(() => ImageFile.LoadRgb(file, "h.bmp"));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static string FuzzInput(string name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "Fuzz", "inputs", name);

    private static byte[] Pattern(int rows, int cols)
    {
        var p = new byte[rows * cols * 3];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = (byte)((i * 37) + 11);
        }

        return p;
    }

    private static byte[] Bmp24(int rows, int cols, byte[] rgb, bool topDown)
    {
        int stride = ((cols * 3) + 3) / 4 * 4;
        byte[] file = new byte[54 + (stride * rows)];
        Header(file, cols, topDown ? -rows : rows, 24, 54);
        for (int r = 0; r < rows; r++)
        {
            int fileRow = topDown ? r : rows - 1 - r;
            for (int c = 0; c < cols; c++)
            {
                int src = ((r * cols) + c) * 3, dst = 54 + (fileRow * stride) + (c * 3);
                file[dst] = rgb[src + 2];
                file[dst + 1] = rgb[src + 1];
                file[dst + 2] = rgb[src];
            }
        }

        return file;
    }

    private static void Header(byte[] file, int cols, int rows, int bits, int dataOffset)
    {
        file[0] = (byte)'B';
        file[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(2), (uint)file.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(10), (uint)dataOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(18), cols);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(22), rows);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(28), (ushort)bits);
    }
}
