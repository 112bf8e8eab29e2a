using System.Buffers.Binary;
using System.IO.Compression;

namespace DlibModels.Tests.ImageIO;

/// <summary>
/// PNG files generated deterministically at test time: every colour type and bit depth, with and
/// without tRNS, plain and Adam7-interlaced, with random filter types, palette indices beyond the
/// palette, and 16-bit values both below and above 255. Their expected checksums come from dlib
/// 19.24 (<c>dlibref decode</c> and <c>dlibref hog --gray</c>) on the generated files.
/// </summary>
internal static class SyntheticPngs
{
    internal sealed record Spec(string Name, int ColorType, int BitDepth, bool Trns, bool Interlaced);

    public static IEnumerable<Spec> All()
    {
        (int Ct, int[] Depths)[] kinds = [(0, [1, 2, 4, 8, 16]), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16])];
        foreach (bool il in new[] { false, true })
        {
            foreach ((int ct, int[] depths) in kinds)
            {
                foreach (int bd in depths)
                {
                    foreach (bool t in new[] { false, true })
                    {
                        if (t && ct is 4 or 6)
                        {
                            continue;
                        }

                        yield return new Spec($"ct{ct}_bd{bd}_il{(il ? 1 : 0)}_t{(t ? 1 : 0)}", ct, bd, t, il);
                    }
                }
            }
        }
    }

    public static byte[] Encode(Spec spec)
    {
        const int w = 23, h = 13;
        uint state = (uint)spec.Name.Aggregate(17, (a, ch) => (a * 31) + ch);
        int Next(int n)
        {
            state = (state * 1664525) + 1013904223;
            return (int)((state >> 8) % (uint)n);
        }

        int channels = spec.ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int max = (1 << spec.BitDepth) - 1;
        int paletteSize = Math.Min(1 << spec.BitDepth, 200);
        var pix = new int[h, w, channels];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    int r = Next(10);
                    pix[y, x, c] = spec.ColorType == 3 ? Next(Math.Min(1 << spec.BitDepth, paletteSize + 3))
                        : r < 3 ? max : r < 4 ? 0 : Next(max + 1);
                }

                if (spec.BitDepth == 16 && spec.ColorType is 0 or 4 && Next(2) == 0)
                {
                    pix[y, x, 0] = Next(300);
                }
            }
        }

        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, w);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), h);
        ihdr[8] = (byte)spec.BitDepth;
        ihdr[9] = (byte)spec.ColorType;
        ihdr[12] = (byte)(spec.Interlaced ? 1 : 0);
        Chunk(png, "IHDR", ihdr);
        if (spec.ColorType == 3)
        {
            var plte = new byte[3 * paletteSize];
            for (int i = 0; i < plte.Length; i++)
            {
                plte[i] = (byte)Next(256);
            }

            Chunk(png, "PLTE", plte);
        }

        if (spec.Trns)
        {
            var trns = spec.ColorType switch
            {
                0 => new byte[2],
                2 => new byte[6],
                _ => new byte[Math.Min(paletteSize, 7)],
            };
            if (spec.ColorType == 3)
            {
                for (int i = 0; i < trns.Length; i++)
                {
                    trns[i] = (byte)Next(256);
                }
            }
            else
            {
                for (int c = 0; c < channels; c++)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(trns.AsSpan(2 * c), (ushort)pix[0, 0, c]);
                }
            }

            Chunk(png, "tRNS", trns);
        }

        var raw = new MemoryStream();
        (int X0, int Y0, int Dx, int Dy)[] passes = spec.Interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)];
        int bpp = Math.Max(1, channels * spec.BitDepth / 8);
        foreach ((int x0, int y0, int dx, int dy) in passes)
        {
            int pw = (w - x0 + dx - 1) / dx, ph = (h - y0 + dy - 1) / dy;
            if (pw <= 0 || ph <= 0)
            {
                continue;
            }

            int rowBytes = ((pw * channels * spec.BitDepth) + 7) / 8;
            var prev = new byte[rowBytes];
            for (int py = 0; py < ph; py++)
            {
                var cur = new byte[rowBytes];
                int bit = 0;
                for (int px = 0; px < pw; px++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        int v = pix[y0 + (py * dy), x0 + (px * dx), c];
                        if (spec.BitDepth == 16)
                        {
                            BinaryPrimitives.WriteUInt16BigEndian(cur.AsSpan(bit / 8), (ushort)v);
                        }
                        else
                        {
                            cur[bit / 8] |= (byte)(v << (8 - spec.BitDepth - (bit % 8)));
                        }

                        bit += spec.BitDepth;
                    }
                }

                int filter = Next(5);
                raw.WriteByte((byte)filter);
                for (int i = 0; i < rowBytes; i++)
                {
                    int a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], cc = i >= bpp ? prev[i - bpp] : 0;
                    int p = a + b - cc;
                    int pred = filter switch
                    {
                        0 => 0,
                        1 => a,
                        2 => b,
                        3 => (a + b) >> 1,
                        _ => Math.Abs(p - a) <= Math.Abs(p - b) && Math.Abs(p - a) <= Math.Abs(p - cc) ? a : Math.Abs(p - b) <= Math.Abs(p - cc) ? b : cc,
                    };
                    raw.WriteByte((byte)(cur[i] - pred));
                }

                prev = cur;
            }
        }

        using var z = new MemoryStream();
        using (var zs = new ZLibStream(z, CompressionLevel.Optimal, leaveOpen: true))
        {
            zs.Write(raw.ToArray());
        }

        Chunk(png, "IDAT", z.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] body)
    {
        var buf = new byte[12 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(buf, body.Length);
        System.Text.Encoding.ASCII.GetBytes(type, buf.AsSpan(4));
        body.CopyTo(buf, 8);
        uint crc = 0xFFFFFFFFu;
        for (int i = 4; i < 8 + body.Length; i++)
        {
            crc ^= buf[i];
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(buf.AsSpan(8 + body.Length), crc ^ 0xFFFFFFFFu);
        s.Write(buf);
    }
}
