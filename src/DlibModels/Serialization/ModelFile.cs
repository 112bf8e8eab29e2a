using ICSharpCode.SharpZipLib.BZip2;

namespace DlibModels.Serialization;

/// <summary>
/// Opens dlib model files, plain or bzip2-compressed, as an in-memory byte stream ready for a
/// <see cref="DlibReader"/>.
/// </summary>
public static class ModelFile
{
    /// <summary>The largest decompressed model accepted (dlib-models' largest file is about 100 MB).</summary>
    public const long MaxDecompressedBytes = 1L << 30;

    /// <summary>
    /// Reads the whole file, decompressing it when it starts with the bzip2 signature or its
    /// name ends in <c>.bz2</c>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DlibFormatException">The file is not valid bzip2 or is too large.</exception>
    public static byte[] ReadAllBytes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"model file not found: {path}", path);
        }

        byte[] raw = File.ReadAllBytes(path);
        bool bz2Name = path.EndsWith(".bz2", StringComparison.OrdinalIgnoreCase);
        if (IsBzip2(raw))
        {
            return Decompress(raw, path);
        }

        if (bz2Name)
        {
            throw new DlibFormatException(path, 0, "the bzip2 header", "the name ends in .bz2 but the file does not start with the bzip2 signature 'BZh'");
        }

        return raw;
    }

    /// <summary>Opens a reader over the (decompressed) content of <paramref name="path"/>.</summary>
    public static DlibReader OpenReader(string path) => new(ReadAllBytes(path), path);

    /// <summary>True when <paramref name="data"/> starts with a bzip2 stream header.</summary>
    public static bool IsBzip2(ReadOnlySpan<byte> data) =>
        data.Length >= 4 && data[0] == (byte)'B' && data[1] == (byte)'Z' && data[2] == (byte)'h' && data[3] >= (byte)'1' && data[3] <= (byte)'9';

    /// <summary>Decompresses a whole bzip2 stream (the fuzz harness calls this directly).</summary>
    internal static byte[] Decompress(byte[] raw, string path)
    {
        using var input = new MemoryStream(raw, writable: false);
        using var output = new MemoryStream(raw.Length * 6);
        try
        {
            using var bz = new BZip2InputStream(input) { IsStreamOwner = false };
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = bz.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + n > MaxDecompressedBytes)
                {
                    throw new DlibFormatException(path, input.Position, "the bzip2 stream", $"decompresses to more than {MaxDecompressedBytes} bytes, larger than any dlib model");
                }

                output.Write(buffer, 0, n);
            }
        }
        catch (DlibFormatException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or ICSharpCode.SharpZipLib.SharpZipBaseException or IndexOutOfRangeException or InvalidOperationException)
        {
            throw new DlibFormatException(path, input.Position, "the bzip2 stream", $"corrupt or truncated bzip2 data ({e.Message})", e);
        }

        return output.ToArray();
    }
}
